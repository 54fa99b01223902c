"""The Behaviour page's one computation, cached: every chosen model's answer to every behavioural test."""

from __future__ import annotations

import streamlit as st

from dashboard import loaders
from pipelines.behaviour import Report, check, suite_for
from pipelines.store import RunRecord


def report(records: list[RunRecord], dataset: str, language: str) -> Report:
    """The suite of the data set's language on these runs; recomputed when one of them changes."""
    return _report(loaders.store_root(), dataset, language, tuple(record.run_id for record in records),
                   tuple(loaders.run_marker(record) for record in records))  # fmt: skip


@st.cache_data(max_entries=16, show_spinner=False)
def _report(root: str, dataset: str, language: str, run_ids: tuple[str, ...], markers: tuple[str, ...]) -> Report:
    by_id = {record.run_id: record for record in loaders.runs(dataset)}
    models = [loaders.load(by_id[run_id]) for run_id in run_ids]  # the app's one model cache
    return check(models, suite_for(language), dataset=dataset, language=language)

