"""The report as a PDF, printed by headless Chromium from the very HTML the report writes.

Why Chromium and not kaleido: the report is an HTML document (tables that run
over pages, escaped text, coloured word chips, charts); Chromium prints that
document as it is, with vector charts and real text, and it is already what the
browser tests drive (Debian's headless Chromium through the playwright package: dashboard/chromium.py).
Kaleido exports one chart at a time as an image and needs a Chrome of its own;
the tables and the text would have to be laid out a second time.

Printing waits until every Plotly chart has drawn; nothing is fetched from the
network (every request but the page's own is refused).

The PDF is tagged (Chromium writes its structure tree from the page's accessibility tree): headings, paragraphs,
tables, lists, and one Figure per chart whose /Alt is the chart's description (blocks.chart); the document's title
and language come from <title> and <html lang>. See docs/accessibility-charts.md for how to check one.
"""

from __future__ import annotations

import tempfile
from pathlib import Path

from dashboard import chromium
from pipelines.files import write_atomically

PRINT_WIDTH = 760  # px: an A4 page's width between 12 mm margins at 96 dpi, so charts are drawn at print size
# True once every chart div has its SVG: Plotly draws asynchronously after the page loads.
CHARTS_DRAWN = ("() => Array.from(document.querySelectorAll('.plotly-graph-div'))"
                ".every(div => div.querySelector('.main-svg'))")  # fmt: skip
# Before printing, a chart becomes one Figure in the PDF's structure tree: Chromium would tag every drawn piece of
# its SVG as a Figure of its own, without alt text, and the <figure> around it as one more. The chart's parts are
# presentational (what role="img" means to a screen reader already), and the <figure> is a group around the
# chart's Figure and the caption it has (a chart's own note; its words are its /Alt, not printed: template.py).
ONE_FIGURE_PER_CHART = ("() => { document.querySelectorAll('[role=img] *').forEach(part => part.setAttribute('role', "
                        "'none')); document.querySelectorAll('figure').forEach(figure => figure.setAttribute('role', "
                        "'group')); }")  # fmt: skip


def write_pdf(html: str, path: Path, timeout_seconds: float = 120) -> None:
    """Print `html` to `path` (A4) with headless Chromium; RuntimeError if Chromium is missing or fails."""
    if chromium.chromium() is None:
        raise RuntimeError(f"the PDF is printed by Chromium, and there is none here: {chromium.INSTALL} (or apt-get "
                           "install chromium), or set RNNLENS_CHROMIUM, or write the .html report instead")
    from playwright.sync_api import Error as PlaywrightError
    from playwright.sync_api import sync_playwright

    with tempfile.TemporaryDirectory() as folder:
        page_file = Path(folder) / "report.html"
        page_file.write_text(html, encoding="utf-8")
        try:
            with sync_playwright() as playwright:
                browser = chromium.launch(playwright)
                try:
                    page = browser.new_page(viewport={"width": PRINT_WIDTH, "height": 1100})
                    page.route("**/*", lambda route: route.continue_() if route.request.url.startswith("file:")
                               else route.abort())  # fmt: skip
                    page.emulate_media(media="print")
                    page.goto(page_file.as_uri(), wait_until="load", timeout=timeout_seconds * 1000)
                    page.wait_for_function(CHARTS_DRAWN, timeout=timeout_seconds * 1000)
                    page.evaluate(ONE_FIGURE_PER_CHART)
                    pdf = page.pdf(format="A4", print_background=True, prefer_css_page_size=True, tagged=True,
                                   outline=True,
                                   margin={"top": "14mm", "bottom": "14mm", "left": "12mm", "right": "12mm"},
                                   display_header_footer=True, header_template="<span></span>",
                                   footer_template='<div style="font-size:8px;width:100%;text-align:center;'
                                                   'color:#6b7280"><span class="pageNumber"></span> / '
                                                   '<span class="totalPages"></span></div>')  # fmt: skip
                finally:
                    browser.close()
        except PlaywrightError as error:
            raise RuntimeError(f"Chromium could not print the report ({error})") from error
    write_atomically(Path(path), lambda temporary: temporary.write_bytes(pdf))
