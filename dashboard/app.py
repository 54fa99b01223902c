"""RNN Lens dashboard: `streamlit run dashboard/app.py` from the project folder.

The router and the frame. It registers the pages, draws the sidebar every page
shares (data set, run filters, presentation mode; each widget has a `key`, and
pages read the values through `dashboard.state`; the Share button) and then runs
the chosen page, giving it back its view on arrival and remembering it after
(`state.open_view`, `state.keep_view`: the view also lives in the page address).

Adding a page: write `dashboard/features/<feature>/<name>.py` and add one entry
to `dashboard/pages.py` (the tests and the benchmark read the same list). No
folder is called `pages/`: Streamlit treats a `pages/` folder beside the entry
point as an old-style multipage app, which fights `st.navigation` (AppTest then
runs a page without this frame). `dashboard` and `pipelines` are imported as
the installed project (`pip install -e .`).
"""

from __future__ import annotations

from functools import partial

import streamlit as st

from dashboard import lecture, loaders, palette, runner, share
from dashboard.pages import PAGES
from dashboard.state import CHOICE_NAMES, DATASET, FILTERS, PRESENTATION, keep_view, open_view

runner.install()  # no Keras clear_session after every rerun (dashboard/runner.py)

WATCH_SECONDS = 3


def navigation() -> dict[str, list]:
    """The pages under their section headings, as st.navigation takes them."""
    sections: dict[str, list] = {}
    for entry in PAGES:
        page = st.Page(entry.path, title=entry.title, icon=entry.icon, default=entry.default,
                       url_path=entry.key)  # the file's name, not its folder: addresses stay as they were
        sections.setdefault(entry.section, []).append(page)
    return sections

# Larger type everywhere, and the chrome a room does not need hidden. Static CSS: no user text in it.
PRESENTATION_CSS = """
<style>
html { font-size: 20px; }
[data-testid="stMainMenu"], [data-testid="stAppDeployButton"], [data-testid="stToolbarActions"],
[data-testid="stDecoration"] { display: none; }  /* not stToolbar: it holds the button that reopens the sidebar */
[data-testid="stHeader"] { background: transparent; }
/* The page starts under the header: only its buttons take clicks, not its boxes (the Share button, the lecture's
   Previous and Next sit beneath them) */
[data-testid="stHeader"], [data-testid="stHeader"] * { pointer-events: none; }
[data-testid="stHeader"] button, [data-testid="stHeader"] button *, [data-testid="stHeader"] a { pointer-events: auto; }
[data-testid="stMainBlockContainer"] { padding-top: 1.5rem; max-width: 100%; }
h1 { font-size: 2.6rem !important; }
[data-testid="stCaptionContainer"] { font-size: 1.1rem !important; }  /* the lessons: read from the back row */
[data-testid="stDataFrame"], [data-testid="stTable"] { zoom: 1.3; max-width: calc(100% / 1.3); }  /* a table's grid is drawn on a canvas: scale it
   with the charts, or the back row reads none of it */
</style>
"""

# WCAG 2.1 AA on every page (docs/accessibility.md). Streamlit draws captions at 60% opacity, 3.9:1 on white, and AA
# asks 4.5:1 for text: the lessons live in captions, so they are opaque and a darker grey (7.6:1). Keyboard focus is
# always drawn (2.4.7): Streamlit outlines some controls only faintly or not at all (buttons, tabs, navigation links).
ACCESSIBLE_CSS = f"""
<style>
[data-testid="stCaptionContainer"] {{ opacity: 1 !important; }}
[data-testid="stCaptionContainer"], [data-testid="stCaptionContainer"] :not(a) {{
  color: {palette.MUTED_INK} !important; }}
[data-testid="stCaptionContainer"] a {{ color: {palette.BLUE} !important; }}
/* st.latex scrolls sideways (overflow auto) even when a fraction only pokes out a pixel: a region the keyboard cannot
   reach (axe: scrollable-region-focusable). Our equations fit the page; let them show whole. */
.katex-display {{ overflow: visible !important; }}
button:focus-visible, a:focus-visible, [role="tab"]:focus-visible, [role="slider"]:focus-visible,
input:focus-visible, textarea:focus-visible, summary:focus-visible, [tabindex]:focus-visible {{
  outline: 3px solid {palette.BLUE} !important; outline-offset: 2px !important; }}
</style>
"""


def sidebar(page_key: str, url_path: str) -> None:
    with st.sidebar:
        share.share_button(page_key, url_path)
        datasets = loaders.datasets()
        if datasets:
            st.selectbox("Data set", datasets, key=DATASET, bind="query-params",
                         help="Each data set has its own runs. The choice is kept in the page address.")
        for key, (facet, choices) in FILTERS.items():
            st.pills(facet.capitalize(), choices, selection_mode="multi", default=list(choices), key=key,
                     format_func=CHOICE_NAMES.get)  # fmt: skip
        st.toggle("Presentation mode", key=PRESENTATION, bind="query-params",
                  help="Bigger text and charts, fewer controls: for a lecture hall. Kept in the page address.")
        lecture.sidebar(loaders.store().root, page_key)
        if datasets:
            watch_training(st.session_state[DATASET])


def watch_training(dataset: str) -> None:
    """While runs of the data set train, look every few seconds; rerun the page when one finishes."""
    records = loaders.runs(dataset)
    training = sum(record.state in ("queued", "running") for record in records)
    finished = sum(record.state == "done" for record in records)
    if not training:
        return

    @st.fragment(run_every=WATCH_SECONDS)
    def watcher() -> None:
        now = loaders.runs(dataset)
        still_training = sum(record.state in ("queued", "running") for record in now)
        if sum(record.state == "done" for record in now) != finished or not still_training:
            st.rerun()
        st.caption(f":material/hourglass_top: {still_training} run{'s' * (still_training != 1)} training; "
                   "results appear as they finish.")

    watcher()


# A projector starts with the sidebar folded away (the address asks on a first load, the toggle after a page switch).
presenting = st.query_params.get(PRESENTATION) == "true" or bool(st.session_state.get(PRESENTATION))
st.set_page_config(page_title="RNN Lens", page_icon=":material/psychology:", layout="wide",
                   initial_sidebar_state="collapsed" if presenting else "auto")  # fmt: skip
page = st.navigation(navigation(), expanded=True)  # every page in view: the lecture's are not under "View more"
lecture.follow()  # Previous or Next was pressed: the step's page, before this one draws anything
page_key = page.url_path or next(entry.key for entry in PAGES if entry.default)
open_view(page_key)
sidebar(page_key, page.url_path)
if st.session_state.get(PRESENTATION):
    st.html(PRESENTATION_CSS)
st.html(lecture.LECTURE_CSS)
st.html(ACCESSIBLE_CSS)
# A projector folds the sidebar away, and its Share button with it: the page shows one of its own.
share_on_the_page = partial(share.share_button, page_key, page.url_path, "Share", "share_on_the_page")
on_the_page = share_on_the_page if st.session_state.get(PRESENTATION) else None
if not lecture.bar(loaders.store().root, on_the_page):
    lecture.next_in_the_story(page_key, on_the_page)  # above the page: a page's guard may stop it before its foot
try:
    page.run()
finally:  # also when the page stops early or switches to another page
    keep_view(page_key)
