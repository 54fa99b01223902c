"""Deployment reports from the store, cached by the report file's change time; measuring one on request."""

from __future__ import annotations

import streamlit as st

from dashboard.loaders import Unreadable, run_marker, store, store_root
from pipelines.store import RunRecord, Store


def _changed(record: RunRecord) -> str:
    try:
        return str((record.path / "deploy.json").stat().st_mtime_ns)
    except OSError:
        return "-"


def deploy_report(record: RunRecord):
    """The run's kept `pipelines.deploy.DeployReport`, or None if it was never measured."""
    return _deploy_report(store_root(), record.dataset, record.run_id, run_marker(record), _changed(record))


@st.cache_data(max_entries=256, show_spinner=False)
def _deploy_report(root: str, dataset: str, run_id: str, marker: str, changed: str):
    from pipelines.deploy import cached_report  # the records only: no framework is imported

    return cached_report(Store(root), Store(root).run(dataset, run_id))


def measure(record: RunRecord, limit: int | None, latency_texts: int):
    """Measure the run now (seconds to minutes) and keep the report in the store."""
    from pipelines.deploy import DeploySettings
    from pipelines.deploy.deployment import deploy_run

    try:
        return deploy_run(store(), record.run_id, record.dataset, DeploySettings(limit=limit,
                          latency_texts=latency_texts), refresh=True)  # fmt: skip
    except Exception as error:
        raise Unreadable(f"{record.run_id} could not be measured ({type(error).__name__}: {error})") from error
