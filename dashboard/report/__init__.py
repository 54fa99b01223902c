"""The report to take home: a data set's runs as one self-contained HTML file, or a PDF.

    python -m pipelines report --dataset rt-polarity --out report.html     # or report.pdf
    build_report(Store(), "rt-polarity", Path("report.pdf"))

- content.py: `gather`, what the report holds (read and computed from the store)
- render.py: `render_html`, the page (the dashboard's own figure builders, one inline plotly.js)
- pdf.py: `write_pdf`, the same page printed by headless Chromium
- template.py: the HTML page and its print styles
"""

from __future__ import annotations

from pathlib import Path

from pipelines.files import write_text
from pipelines.report_options import check_output
from pipelines.store import Store

from .content import ReportContent, gather
from .render import render_html


def build_report(store: Store, dataset: str, out: Path, run_ids: list[str] | None = None, text: str | None = None,
                 explain_run: str | None = None, title: str | None = None, resamples: int = 2000) -> ReportContent:
    """Write the report of `dataset` to `out` (.html or .pdf); returns what it holds."""
    kind = check_output(str(out))
    content = gather(store, dataset, run_ids, text, explain_run, title, resamples)
    html = render_html(content)
    try:
        if kind == "pdf":
            from .pdf import write_pdf

            write_pdf(html, Path(out))
        else:
            write_text(Path(out), html)
    except OSError as error:  # its own message names the temporary file the report was written to first
        raise OSError(f"cannot write the report to {str(out)!r} ({error.strerror or error})") from error
    return content


__all__ = ["ReportContent", "build_report", "gather", "render_html"]
