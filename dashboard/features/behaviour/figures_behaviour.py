"""Figure builders for the Behaviour page: plain values in, a Plotly figure out. No Streamlit."""

from __future__ import annotations

import textwrap

import numpy as np
import plotly.graph_objects as go

# Amber to brown, one hue getting darker with the failure rate; the rate is also written in every cell.
FAILURE_SCALE = [[0.0, "#fffaf0"], [0.5, "#f6ad55"], [1.0, "#9c4221"]]


def failure_heatmap(models: list[str], capabilities: list[str], rates: list[list[float | None]]) -> go.Figure:
    """Models x capabilities; the text and the colour are the share of the capability's texts a model fails. No
    title: the page heads it, as the two-line column headings on top would run into one."""
    values = np.array([[np.nan if rate is None else 100 * rate for rate in row] for row in rates], dtype=float)
    text = np.where(np.isnan(values), "–", np.vectorize(lambda value: f"{value:.0f}%")(np.nan_to_num(values)))
    figure = go.Figure(go.Heatmap(
        z=values, x=[_wrapped(name) for name in capabilities], y=models, text=text, texttemplate="%{text}",
        colorscale=FAILURE_SCALE,
        zmin=0, zmax=100, xgap=2, ygap=2, colorbar=dict(title="fails", ticksuffix="%", thickness=12),
        customdata=[[name for name in capabilities] for _ in models],
        hovertemplate="%{y}<br>%{customdata}: fails %{text} of the texts<extra></extra>",
    ))  # fmt: skip
    figure.update_xaxes(side="top", showgrid=False)  # headings turn only when they would run into each other (a phone)
    figure.update_yaxes(autorange="reversed", showgrid=False)
    return figure


def _wrapped(capability: str) -> str:
    """A column heading on short lines: "Negation,<br>words between", "Typos<br>(INV)", "Author's<br>opinion"."""
    parts = capability.replace(", ", ",\n").replace(" (", "\n(").split("\n")
    return "<br>".join(line for part in parts for line in textwrap.wrap(part, width=13))
