"""The shared selections: widgets in app.py's sidebar write them, pages read them here.

    selected = selection()
    runs = [record for record in loaders.runs(selected.dataset) if selected.keeps(record)]

And the view in the page address: every widget that makes a view is bound to it (`**kept(key)`), so a reload,
back/forward and a pasted link reopen the view, and the Share button's link and QR code carry it.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from urllib.parse import urlencode

import streamlit as st
from streamlit.errors import StreamlitAPIException
from streamlit.runtime.scriptrunner_utils.script_run_context import get_script_run_ctx

from pipelines.models.cells import CELL_NAMES, CELLS
from pipelines.models.forecast_spec import ForecasterSpec
from pipelines.models.language_model_spec import LanguageModelSpec
from pipelines.models.spec import FRAMEWORK_NAMES, FRAMEWORKS, ModelSpec
from pipelines.store import RunRecord

# Widget keys (app.py) and the choices they offer; every choice is on by default.
DATASET = "dataset"
PRESENTATION = "presentation"
FILTERS = {
    "filter_framework": ("framework", FRAMEWORKS),
    "filter_cell": ("cell", CELLS),
    "filter_direction": ("direction", ("uni", "bi")),
    "filter_layers": ("layers", (1, 2, 3)),
}
OFFERED = dict(FILTERS.values())  # facet -> every choice its filter offers
CHOICE_NAMES = {**FRAMEWORK_NAMES, **CELL_NAMES, "uni": "one way", "bi": "both ways",
                1: "1 layer", 2: "2 layers", 3: "3 layers"}  # fmt: skip


def facets(record: RunRecord) -> dict:
    """The values a run is filtered on: its framework (PyTorch or Keras) and its cell, direction and layers.

    A run that is not a recurrent model has only its framework, and a baseline (scikit-learn's bag of words, or a
    baseline forecaster) has none: the filters never hide the yardstick the models are measured against.
    """
    values = {"framework": record.framework} if record.framework in FRAMEWORKS else {}
    spec = record.model_spec
    if isinstance(spec, (ModelSpec, ForecasterSpec, LanguageModelSpec)):
        values.update(cell=spec.cell, direction="bi" if spec.bidirectional else "uni", layers=spec.layers)
    return values


@dataclass(frozen=True)
class Selection:
    dataset: str | None
    allowed: dict  # facet -> tuple of allowed values
    presentation: bool

    def keeps(self, record: RunRecord) -> bool:
        """Whether a run passes the sidebar filters (a run whose spec is unknown always does, and so does a value
        no filter offers, such as an n-gram model's framework)."""
        if record.spec is None:
            return True
        return all(value in self.allowed[facet] or value not in OFFERED[facet]
                   for facet, value in facets(record).items())  # fmt: skip


def selection() -> Selection:
    state = st.session_state
    allowed = {facet: tuple(state.get(key, choices)) for key, (facet, choices) in FILTERS.items()}
    return Selection(state.get(DATASET), allowed, bool(state.get(PRESENTATION, False)))


# -- the view in the page address ---------------------------------------------------------------------------------
# A widget made with **kept(key) is bound to the page address (bind="query-params"): its key is the parameter's name,
# e.g. /inside?run=LSTM+1×64&vs=RNN+1×64&text=It+was+not+bad.&tab=Gates. Options are written as the widget shows
# them (a run by its label). Streamlit leaves a value equal to the widget's default out of the address; the Share
# link (view_link) spells every value out.
TEXT = "text"  # the text a page reads; one value: the review typed in the Playground is the one Inside the model reads
TAB = "tab"  # ui.open_tab's tabs
RUNS = "runs"  # ui.pick_runs's models
RUN = "run"  # ui.pick_run's model
ADDRESS: dict[str, tuple[str, ...]] = {  # page key -> the keys its view keeps in the address (besides FRAME's)
    "playground": (TEXT,),
    "inside": (RUN, "vs", TEXT, "method", TAB),
    "training": (RUNS,),
    "evaluation": (RUNS, TAB),
    "top_words": (RUNS,),
    "glass_box": (RUN, TAB),
    "memory_lab": ("distance",),
    "gradients": (TAB, "distance", RUN, TEXT),
    "forecasts": (RUNS, "step"),
    "forecaster_inside": (RUN,),
    "write": (RUNS, "prompt", TAB),
    "significance": (RUNS, "reference"),
    "report": (RUNS,),
    "translate": (RUNS, "source", TAB),
    "bottleneck": ("measure",),
    "teacher_forcing": (RUNS, "exposure_measure"),
    "behaviour": (RUNS, "capability", "model"),
    "class_wall": ("wall_order",),
}
FRAME = (DATASET, PRESENTATION)  # the sidebar's, kept on every page
CARRIED = (TEXT, "distance")  # one value across the pages that keep them; other keys are remembered per page
_FORMS = "_address_forms"  # key -> how its widget writes a value in the address (its format_func)
_KEPT = "_address_kept"  # key, or "page:key" -> (value, address form) when the page last ran
_PAGE = "_address_page"  # the page the last run drew


def kept(key: str, format_func: Callable = str) -> dict:
    """The keyword arguments that keep a widget's value in the page address: `st.text_area("Review", **kept(TEXT))`.

    Pass the widget's own `format_func`, if it has one: the address holds options as the widget shows them.
    """
    if key not in FRAME and not any(key in keys for keys in ADDRESS.values()):
        raise KeyError(f"{key!r} is in no page's ADDRESS (dashboard/state.py): say which page keeps it")
    st.session_state.setdefault(_FORMS, {})[key] = format_func
    return {"key": key, "bind": "query-params"}


def on_offer(key: str, options) -> None:
    """Forget a kept choice that is no longer on offer (another data set, a run filtered out, another page's tab), so
    the widget starts from its default rather than refusing a value the address or another page left behind."""
    value = st.session_state.get(key)
    if value is None:
        return
    offered = list(options)
    if isinstance(value, (list, tuple)):
        still = [choice for choice in value if choice in offered]
        if value and not still:  # (an empty choice is the user's: "pick at least one")
            del st.session_state[key]
        elif len(still) < len(value):
            st.session_state[key] = still
    elif value not in offered:
        del st.session_state[key]


def _slot(page: str, key: str) -> str:
    return key if key in CARRIED else f"{page}:{key}"


def _address_form(key: str, value):
    """How the address writes a value: a list as repeated parameters, a toggle only when on, options as shown."""
    if value is None or value is False or (isinstance(value, (str, list, tuple)) and not value):
        return None
    if value is True:
        return "true"
    form = st.session_state.get(_FORMS, {}).get(key, str)
    if isinstance(value, (list, tuple)):
        return [str(form(choice)) for choice in value]
    return str(form(value))


def open_view(page: str) -> None:
    """Before a page runs (app.py): on arriving from another page, give it back its view as the user left it (and
    what a carried key such as the text holds now), unless the address asks for something else."""
    arrived = st.session_state.get(_PAGE) not in (None, page)  # None: a new session, where the address alone decides
    st.session_state[_PAGE] = page
    context = get_script_run_ctx()
    if not arrived or (context is not None and context.is_history_navigation):  # back/forward: the address decides
        return
    kept_values = st.session_state.get(_KEPT, {})
    for key in ADDRESS.get(page, ()):
        if key in st.query_params or _slot(page, key) not in kept_values:
            continue
        value, form = kept_values[_slot(page, key)]
        st.session_state[key] = value
        if form is not None:
            try:  # also write it in the address at once, where Streamlit lets us (not while another page binds it)
                st.query_params[key] = form
            except StreamlitAPIException:
                pass


def keep_view(page: str) -> None:
    """After a page ran (app.py, also when it stopped early): remember its view for the next visit."""
    kept_values = st.session_state.setdefault(_KEPT, {})
    for key in ADDRESS.get(page, ()):
        if key in st.session_state:
            value = st.session_state[key]
            kept_values[_slot(page, key)] = (value, _address_form(key, value))


def keep_current_view() -> None:
    """`keep_view` for the page on screen, after a fragment's rerun (`ui.rerun_alone`), which app.py does not see."""
    page = st.session_state.get(_PAGE)
    if page is not None:
        keep_view(page)


def hand_over(page: str, **values) -> None:
    """Open `page` next with these values in its view (e.g. the Class page's "Inside the model" button: the review as
    TEXT, the models as RUN and "vs"), over what that page remembers of its last visit. The address is left to the
    page's own widgets, which write the values there as they show them."""
    kept_values = st.session_state.setdefault(_KEPT, {})
    for key, value in values.items():
        if not any(key in keys for keys in ADDRESS.values()):
            raise KeyError(f"{key!r} is in no page's ADDRESS (dashboard/state.py)")
        st.session_state[key] = value
        kept_values[_slot(page, key)] = (value, None)


def view_link(base: str, page: str) -> str:
    """The link to the view on screen: `base` (the page's address as the browser reached it) and every kept value."""
    pairs = []
    for key in (*FRAME, *ADDRESS.get(page, ())):
        form = _address_form(key, st.session_state.get(key))
        if form is not None:
            pairs.append((key, form))
    query = urlencode(pairs, doseq=True)
    return f"{base}?{query}" if query else base
