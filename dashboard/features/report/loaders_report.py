"""The Report page's cached build: the report (`dashboard.report`) of some runs as HTML or PDF bytes.

Here and not in `dashboard.loaders`: the report draws with the features' builders (the memory lab's,
forecasting's, writing's), and the dashboard's core never imports a feature, even through the report.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

import streamlit as st

from dashboard import loaders
from pipelines.store import Store


def report(dataset: str, run_ids: tuple[str, ...], text: str | None, title: str | None, kind: str) -> bytes:
    """The report of these runs as HTML or PDF bytes, cached until one of them changes; `loaders.Unreadable`
    with the reason if it cannot be built."""
    markers = tuple(loaders.run_marker(loaders.store().run(dataset, run_id)) for run_id in run_ids)
    return _report(loaders.store_root(), dataset, run_ids, markers, text, title, kind)


@st.cache_data(max_entries=8, show_spinner=False)
def _report(root: str, dataset: str, run_ids: tuple[str, ...], markers: tuple, text: str | None, title: str | None,
            kind: str) -> bytes:  # fmt: skip
    from dashboard.report import gather, render_html
    from dashboard.report.pdf import write_pdf

    try:
        html = render_html(gather(Store(root), dataset, list(run_ids), text, None, title))
        if kind == "html":
            return html.encode("utf-8")
        with tempfile.TemporaryDirectory() as folder:
            path = Path(folder) / "report.pdf"
            write_pdf(html, path)
            return path.read_bytes()
    except (ValueError, RuntimeError, OSError) as error:
        raise loaders.Unreadable(str(error)) from error
