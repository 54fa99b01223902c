"""A lecture: an ordered list of views (a page and its address), each with a one-line takeaway.

The frame (app.py) draws the lecture's bar above the page while the address names a lecture
(`?lecture=why-gates-matter&lecture_step=3`): "Step 3 of 7", the takeaway in large type, Previous and Next (the arrow
keys too). A step's view is what the address keeps: the data set and whatever the page binds to the address
(a text, a tab, a distance), so pinning the current view as a step is reading the address. Lectures a lecturer
makes are small JSON files in the store (`lectures/NAME.json`), validated when read like every other file.
"""

from __future__ import annotations

import html
import json
import re
from pathlib import Path
from typing import Callable

import streamlit as st
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator

from dashboard import loaders
from dashboard.pages import BY_KEY, page_path
from dashboard.state import DATASET, PRESENTATION
from pipelines.files import write_json

LECTURE, STEP = "lecture", "lecture_step"  # the address parameters that name the lecture and the step shown (not
# "step": the Forecasts page keeps its steps ahead under that name)
FRAME_KEYS = {DATASET}  # a step's parameters that the frame's widgets hold (set through session_state)
NOT_A_VIEW = {LECTURE, STEP, PRESENTATION}  # in the address, but not part of a view: the mode stays as it is
NAME = re.compile(r"^[a-z0-9][a-z0-9-]{0,47}$")


class Step(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    page: str  # a page key (dashboard/pages.py)
    takeaway: str = Field(min_length=1, max_length=160)
    query: dict[str, str] = Field(default_factory=dict, max_length=20)  # the view's address parameters

    @field_validator("page")
    @classmethod
    def _known_page(cls, page: str) -> str:
        if page not in BY_KEY:
            raise ValueError(f"no page is called {page!r}")
        return page

    @field_validator("query")
    @classmethod
    def _short_plain_parameters(cls, query: dict[str, str]) -> dict[str, str]:
        for key, value in query.items():
            if not re.fullmatch(r"[a-z_]{1,40}", key) or len(value) > 2000:
                raise ValueError(f"address parameter {key[:40]!r} is not one a page keeps")
        return query


class Lecture(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")

    name: str  # its file's name and its address: lowercase letters, digits and dashes
    title: str = Field(min_length=1, max_length=80)
    steps: tuple[Step, ...] = Field(min_length=1, max_length=40)

    @field_validator("name")
    @classmethod
    def _file_name(cls, name: str) -> str:
        if not NAME.fullmatch(name):
            raise ValueError("a lecture's name is lowercase letters, digits and dashes (at most 48)")
        return name


DEFAULT = Lecture(name="why-gates-matter", title="Why gates matter", steps=(
    Step(page="overview", query={DATASET: "rt-polarity"},
         takeaway="Nine models read the same film reviews: how well does each do, and against what yardstick?"),
    Step(page="playground", query={DATASET: "rt-polarity"},
         takeaway="Type a review: every model answers at once. Try a negation: “It was not bad.”"),
    Step(page="inside", query={DATASET: "rt-polarity"},
         takeaway="Word by word, the state carries what was read; the gates decide what to keep and what to forget."),
    Step(page="memory_lab", query={DATASET: "memory-d100"},
         takeaway="One word, 100 steps back: the plain RNN is at chance, LSTM and GRU remember it."),
    Step(page="gradients", query={DATASET: "memory-d100"},
         takeaway="Why: the RNN's gradient vanishes step by step; the gates keep it alive."),
    Step(page="forecasts", query={DATASET: "co2"},
         takeaway="The same cells forecast a series: a year of CO₂ at Mauna Loa, against Holt-Winters."),
    Step(page="write", query={DATASET: "rt-polarity-chars"},
         takeaway="Trained to guess the next character, the same cells write."),
))  # fmt: skip
# The data sets the default lecture shows are the ones `python -m pipelines prepare-lecture` trains
# (tests/test_lecture.py checks the two agree).


def folder(store_root: Path) -> Path:
    return Path(store_root) / "lectures"


def saved(store_root: Path) -> tuple[dict[str, Lecture], list[str]]:
    """The store's lectures by name, and a line for each file that is not a valid lecture (never served)."""
    lectures, problems = {}, []
    for path in sorted(folder(store_root).glob("*.json")):
        try:
            lecture = Lecture.model_validate(json.loads(path.read_text(encoding="utf-8")))
            if lecture.name != path.stem:
                raise ValueError(f"it calls itself {lecture.name!r}")
            lectures[lecture.name] = lecture
        except (OSError, ValueError, ValidationError) as error:  # a JSON error is a ValueError
            problems.append(f"{path.name}: {str(error).splitlines()[0][:200]}")
    return lectures, problems


def save(store_root: Path, lecture: Lecture) -> Path:
    path = folder(store_root) / f"{lecture.name}.json"
    path.parent.mkdir(parents=True, exist_ok=True)
    write_json(path, lecture.model_dump(mode="json"))
    return path


def every(store_root: Path) -> dict[str, Lecture]:
    """The default lecture and the store's own (one saved under the default's name replaces it)."""
    return _with_default(saved(store_root)[0])


def _with_default(own: dict[str, Lecture]) -> dict[str, Lecture]:
    return {DEFAULT.name: DEFAULT, **own}


def view_of_address(page_key: str, query: dict[str, str], dataset: str | None) -> dict[str, str]:
    """The current view as a step's parameters: the address without the lecture's own, and the data set (which
    the address leaves out when it is the first one)."""
    view = {key: value for key, value in query.items() if key not in NOT_A_VIEW}
    if dataset:
        view[DATASET] = dataset
    return view


def slug(title: str) -> str:
    return re.sub(r"-+", "-", re.sub(r"[^a-z0-9]+", "-", title.lower())).strip("-")[:48] or "lecture"


# -- in the app -------------------------------------------------------------------------------------------------


def go_to(lecture: Lecture, index: int) -> None:
    """Show step `index` (0-based): a button's callback. The frame's widgets take their values through
    session_state (Streamlit refuses an address parameter bound to a widget); the rest travels in the address."""
    step = lecture.steps[index]
    for key in FRAME_KEYS & step.query.keys():
        if step.query[key] in loaders.datasets():  # else the bar says what to train; the box keeps its choice
            st.session_state[key] = step.query[key]
    query = {key: value for key, value in step.query.items() if key not in FRAME_KEYS}
    st.session_state["_lecture_go"] = (step.page, {**query, LECTURE: lecture.name, STEP: str(index + 1)})


def follow() -> None:
    """Called by the frame before the page runs: switch to the step a button asked for."""
    target = st.session_state.pop("_lecture_go", None)
    if target:
        page, query = target
        st.switch_page(page_path(page), query_params=query)


def current(store_root: Path) -> tuple[Lecture, int] | None:
    """The lecture and step (0-based) the address names, if it names one that exists."""
    name, step = st.query_params.get(LECTURE), st.query_params.get(STEP, "1")
    lecture = every(store_root).get(name) if name else None
    if lecture is None or not step.isdigit() or not 1 <= int(step) <= len(lecture.steps):
        return None
    return lecture, int(step) - 1


def bar(store_root: Path, share: Callable[[], None] | None = None) -> bool:
    """"Step 3 of 7" with the step's takeaway and Previous / Next, above the page, while a lecture is on (and the
    `share` button, if given, beside them): True if it drew the bar."""
    found = current(store_root)
    if found is None:
        return False
    lecture, index = found
    count = len(lecture.steps)
    with st.container(border=True, key="lecture_bar"):
        text, sharing, previous, following = st.columns([6, 1.1, 1.4, 1.4], vertical_alignment="center")
        if share:
            with sharing:
                share()
        text.markdown(f"<p class='lecture-step'>{html.escape(lecture.title)} · step {index + 1} of {count}</p>"
                      f"<p class='lecture-takeaway'>{html.escape(lecture.steps[index].takeaway)}</p>",
                      unsafe_allow_html=True)  # fmt: skip
        previous.button("Previous", icon=":material/arrow_back:", shortcut="Left", disabled=index == 0,
                        on_click=go_to, args=(lecture, index - 1), width="stretch", key="lecture_previous")
        following.button("Next", icon=":material/arrow_forward:", shortcut="Right", disabled=index == count - 1,
                         on_click=go_to, args=(lecture, index + 1), width="stretch", key="lecture_next")
    wanted = lecture.steps[index].query.get(DATASET)
    if wanted and wanted not in loaders.datasets():
        st.warning(f"This step shows the data set {wanted}, which this store does not have yet: "
                   "`python -m pipelines prepare-lecture` trains everything the default lecture shows.")
    return True


def next_in_the_story(page_key: str, share: Callable[[], None] | None = None) -> None:
    """Outside a lecture, each page of the default lecture links to the page that comes next (at the top: a page's
    guard may stop it before its foot), beside the `share` button if given."""
    keys = [step.page for step in DEFAULT.steps]
    following = DEFAULT.steps[keys.index(page_key) + 1] if page_key in keys[:-1] else None
    if following is None and share is None:
        return
    with st.container(horizontal=True, horizontal_alignment="right", vertical_alignment="center",
                      key="next_in_the_story"):  # fmt: skip
        if share:
            with st.container(width=160):
                share()
        if following:
            st.page_link(page_path(following.page), icon=":material/arrow_forward:", width="content",
                         label=f"Next in the story: {BY_KEY[following.page].title}",
                         help=following.takeaway)  # fmt: skip


def sidebar(store_root: Path, page_key: str) -> None:
    """Start a lecture; pin the current view as a step of a draft, reorder or drop steps, save the draft."""
    box = st.expander("Lecture", icon=":material/co_present:", key="lecture_box", on_change="rerun")
    if not box.open:  # drawn only when opened: its steps' buttons cost every rerun of every page otherwise
        return
    own, problems = saved(store_root)
    lectures = _with_default(own)
    with box:
        chosen = st.selectbox("Lecture", list(lectures), format_func=lambda name: lectures[name].title,
                              key="lecture_choice", label_visibility="collapsed")  # fmt: skip
        st.button("Start the lecture", icon=":material/play_arrow:", on_click=go_to, args=(lectures[chosen], 0),
                  key="lecture_start", width="stretch")  # fmt: skip
        for problem in problems:
            st.caption(f":material/warning: not a lecture, left out: {problem}")
        _draft_editor(store_root, lectures[chosen], page_key)


def _draft_editor(store_root: Path, base: Lecture, page_key: str) -> None:
    draft: list[Step] = st.session_state.setdefault("lecture_draft", list(base.steps))
    st.markdown("**Make your own**: pin the view on screen as a step")
    takeaway = st.text_input("Takeaway", max_chars=160, key="lecture_takeaway", placeholder="What this view shows")
    if st.button("Pin this view", icon=":material/push_pin:", disabled=not takeaway.strip(), key="lecture_pin"):
        view = view_of_address(page_key, dict(st.query_params), st.session_state.get(DATASET))
        draft.append(Step(page=page_key, takeaway=takeaway.strip(), query=view))
    for index, step in enumerate(draft):
        label, up, drop = st.columns([6, 1, 1], vertical_alignment="center")
        label.caption(f"{index + 1}. {BY_KEY[step.page].title}: {step.takeaway}")
        if up.button("", icon=":material/arrow_upward:", key=f"lecture_up_{index}", disabled=index == 0,
                     help="Move this step up"):  # fmt: skip
            draft[index - 1], draft[index] = draft[index], draft[index - 1]
            st.rerun()
        if drop.button("", icon=":material/close:", key=f"lecture_drop_{index}", help="Remove this step"):
            del draft[index]
            st.rerun()
    title = st.text_input("Title", value=base.title, max_chars=80, key="lecture_title")
    if st.button("Save to the store", icon=":material/save:", disabled=not draft or not title.strip(),
                 key="lecture_save"):  # fmt: skip
        try:
            lecture = Lecture(name=slug(title), title=title.strip(), steps=tuple(draft))
        except ValidationError as error:
            st.error(f"Not saved: {error.errors()[0]['msg']}")
        else:
            save(store_root, lecture)
            st.success(f"Saved as lectures/{lecture.name}.json: choose it above and press Start.")


LECTURE_CSS = """
<style>
.lecture-step { margin: 0; opacity: 0.8; font-size: 0.9rem; }
.lecture-takeaway { margin: 0.1rem 0 0 0; font-size: 1.35rem; font-weight: 600; line-height: 1.3; }
</style>
"""
