"""What serving a model costs: plain data in, a Plotly figure out."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from dashboard.figures import CELL_COLOURS, INK, OTHER_COLOUR, _padded_range

VARIANT_SYMBOLS = {"float32": "circle", "int8": "square", "ONNX Runtime": "diamond"}


def latency_vs_accuracy(frame: pd.DataFrame) -> go.Figure:
    """Single-text latency (p50, log scale) against test accuracy: a dot per run and variant, a run's variants joined.

    `frame` is `tables_deploy.deploy_frame`. Left is faster, up is more accurate; a variant that keeps its run's
    height while moving left is a free speed-up.
    """
    figure = go.Figure()
    for run_id, group in frame.groupby("run_id", sort=False):
        colour = CELL_COLOURS.get(group["cell"].iloc[0], OTHER_COLOUR)
        group = group.sort_values("latency_p50_ms")
        figure.add_scatter(x=group["latency_p50_ms"], y=group["accuracy"], mode="lines", showlegend=False,
                           line=dict(color=colour, width=1.5, dash="dot"), hoverinfo="skip")  # fmt: skip
        figure.add_scatter(
            x=group["latency_p50_ms"], y=group["accuracy"], mode="markers", showlegend=False,
            marker=dict(size=14, color=colour, symbol=group["variant"].map(VARIANT_SYMBOLS).fillna("circle"),
                        line=dict(color="white", width=1.5)),
            customdata=list(zip(group["label"], group["variant"], group["latency_p95_ms"], group["size_mb"])),
            hovertemplate="%{customdata[0]}, %{customdata[1]}<br>p50 %{x:.2f} ms (p95 %{customdata[2]:.2f} ms)"
                          "<br>accuracy %{y:.4f}<br>%{customdata[3]:.2f} MB<extra></extra>",
        )  # fmt: skip
    for variant, symbol in VARIANT_SYMBOLS.items():  # a legend of shapes, in ink: colour is the cell, as everywhere
        if variant in set(frame["variant"]):
            figure.add_scatter(x=[None], y=[None], mode="markers", name=variant,
                               marker=dict(size=12, symbol=symbol, color=INK))  # fmt: skip
    figure.update_layout(title="Single-text latency against accuracy")
    if not frame.empty:
        figure.update_xaxes(range=_padded_range(frame["latency_p50_ms"], log=True))
        figure.update_yaxes(range=_padded_range(frame["accuracy"], share=0.2))
    figure.update_xaxes(title="one text, median latency (ms, log scale)", type="log")
    figure.update_yaxes(title="test accuracy", tickformat=".1%")
    return figure
