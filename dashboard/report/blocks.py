"""The report's building blocks: a section, and the charts, tables and words it holds, as escaped HTML.

    section = Section("forecasting", "Forecasting", "One sentence of the lesson.")
    section.blocks.append(chart(figure, 420))

Every chart is a Plotly figure in the dashboard's shared look (`figures.styled`), embedded as JSON that the
page's one inline plotly.js draws: offline, and every chart still zooms and hovers.
"""

from __future__ import annotations

import html
from dataclasses import dataclass, field

import pandas as pd
import plotly.graph_objects as go
from markupsafe import Markup

from dashboard import figures
from dashboard.describe import describe

PLOT_CONFIG = {"displaylogo": False, "responsive": True, "modeBarButtonsToRemove": ["select2d", "lasso2d"]}


@dataclass
class Section:
    anchor: str
    title: str
    intro: str = ""
    blocks: list[Markup] = field(default_factory=list)


def chart(figure: go.Figure, height: int = 380, caption: str | None = None, top: int | None = None) -> Markup:
    """A Plotly figure in the shared look, as a div that draws itself from the page's inline plotly.js.

    The chart is an image to assistive technology (role="img"), named by its description in words
    (`describe.describe`, the words the dashboard gives the same chart), which the caption under it shows on
    screen too. Printed, the words are the PDF's alt text of the chart's Figure, not a caption: a paragraph under
    every chart would push the sections off the pages they were laid out for, and be read out twice.
    `top` widens the top margin, for charts whose labels sit above the plot (at a page's width they tilt).
    """
    words = describe(figure)
    figure = figures.styled(figure, presentation=False, height=height)
    if top:
        figure.update_layout(margin_t=top)
    div = figure.to_html(full_html=False, include_plotlyjs=False, config=PLOT_CONFIG, default_width="100%",
                         default_height=f"{figure.layout.height}px")  # fmt: skip
    note = f"{html.escape(caption)} " if caption else ""
    return Markup(f'<figure class="figure"><div role="img" aria-label="{html.escape(words, quote=True)}">{div}</div>'
                  f'<figcaption>{note}<span class="words">{html.escape(words)}</span></figcaption></figure>')  # fmt: skip


def table(frame: pd.DataFrame, formats: dict[str, str] | None = None, css: str = "") -> Markup:
    """A pandas table as escaped HTML; `formats` maps a column to a format spec, e.g. '.3f' (whole numbers get
    thousands separators); a missing value reads "–"."""
    whole = {column: ",d" for column in frame.columns if pd.api.types.is_integer_dtype(frame[column])}
    formats = {**whole, **(formats or {})}
    formatters = {column: (lambda spec: lambda value: "–" if value is None or pd.isna(value) else
                           format(value, spec))(spec) for column, spec in formats.items()}  # fmt: skip
    return Markup(frame.astype(object).to_html(index=False, escape=True, na_rep="–", formatters=formatters,
                                               border=0, classes=css or None))  # fmt: skip


def paragraph(text: str, kind: str = "") -> Markup:
    css = f' class="{kind}"' if kind else ""
    return Markup(f"<p{css}>{html.escape(text)}</p>")


def bullets(items: list[str]) -> Markup:
    return Markup('<ul class="sentences">' + "".join(f"<li>{html.escape(item)}</li>" for item in items) + "</ul>")
