"""The shared selections: widgets in app.py's sidebar write them, pages read them here.

    selected = selection()
    runs = [record for record in loaders.runs(selected.dataset) if selected.keeps(record)]
"""

from __future__ import annotations

from dataclasses import dataclass

import streamlit as st

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
