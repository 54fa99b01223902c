"""The report to take home: a data set's runs as one self-contained HTML file, or a PDF.

    python -m pipelines report --dataset rt-polarity --out report.html     # or report.pdf
    python -m pipelines report --dataset all --out course.html             # every data set of the store
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

from .content import COURSE, ReportContent, gather, gather_course
from .render import render_course_html, render_html


def build_report(store: Store, dataset: str, out: Path, run_ids: list[str] | None = None, text: str | None = None,
                 explain_run: str | None = None, title: str | None = None, resamples: int = 2000) -> ReportContent:
    """Write the report of `dataset` to `out` (.html or .pdf); returns what it holds."""
    kind = check_output(str(out))
    content = gather(store, dataset, run_ids, text, explain_run, title, resamples)
    _write(render_html(content), kind, Path(out))
    return content


def build_course_report(store: Store, out: Path, title: str | None = None, resamples: int = 2000,
                        run_ids: list[str] | None = None, text: str | None = None,
                        explain_run: str | None = None) -> list[ReportContent]:  # fmt: skip
    """Write the report of every data set of the store (`--dataset all`) to `out`; returns what each part holds."""
    kind = check_output(str(out))
    if run_ids or text is not None or explain_run:
        raise ValueError("--dataset all takes no --runs, --text or --explain-run: each data set reports its own runs "
                         "and explains its own example")  # fmt: skip
    contents = gather_course(store, resamples)
    _write(render_course_html(contents, title or "RNN Lens: the course, every data set"), kind, Path(out))
    return contents


def _write(html: str, kind: str, out: Path) -> None:
    try:
        if kind == "pdf":
            from .pdf import write_pdf

            write_pdf(html, out)
        else:
            write_text(out, html)
    except OSError as error:  # its own message names the temporary file the report was written to first
        raise OSError(f"cannot write the report to {str(out)!r} ({error.strerror or error})") from error


__all__ = ["COURSE", "ReportContent", "build_course_report", "build_report", "gather", "gather_course",
           "render_course_html", "render_html"]  # fmt: skip
