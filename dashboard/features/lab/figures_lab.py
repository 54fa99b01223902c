"""Figure builders for the memory lab and the gradient pages: plain arrays in, a Plotly figure out. No Streamlit.

Cells keep their colours everywhere (RNN orange, LSTM blue, GRU violet); a run
started from PyTorch's default initialisation is drawn dashed, the cell's fair
start (chrono, identity) solid. Gradients span dozens of orders of magnitude,
so every gradient axis is logarithmic.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from dashboard.figures import CELL_COLOURS, GRID, INSIDE_LOWER_LEFT, OTHER_COLOUR, on, panels
from pipelines.models.cells import CELL_NAMES

CHANCE = "#9ca3af"
# The gradient norms the Gradients page (and the report) draw: symbol, then what it measures.
GRADIENT_VALUES = {
    "jacobian": "‖∂h_T/∂h_t‖: how much of the state at step t still reaches the last state",
    "loss_gradient": "‖∂L/∂h_t‖: how much the loss still hears of step t (what training learns from)",
    "cell_jacobian": "‖∂c_T/∂c_t‖: an LSTM's memory cell, carried by its forget gate",
}


def _name(cell: str, init: str) -> str:
    return f"{CELL_NAMES.get(cell, cell)} ({init} start)"


def accuracy_by_distance(points: pd.DataFrame, chance: float = 0.5) -> go.Figure:
    """Test accuracy against memory distance (log axis), a line per (cell, initialisation) through the mean over
    seeds, each seed's run a small dot when there are several; chance dotted.

    `points` needs columns distance, cell, init, fair, accuracy (and seed).
    """
    figure = go.Figure()
    distances = sorted(points["distance"].unique())
    figure.add_scatter(x=[distances[0], distances[-1]], y=[chance, chance], mode="lines", name=f"chance ({chance:.2f})",
                       line=dict(color=CHANCE, dash="dot", width=1.5), hoverinfo="skip")  # fmt: skip
    for (cell, init, fair), group in points.groupby(["cell", "init", "fair"], sort=False):
        colour = CELL_COLOURS.get(cell, OTHER_COLOUR)
        mean = group.groupby("distance")["accuracy"].agg(["mean", "size"]).reset_index()
        seeded = bool((mean["size"] > 1).any())
        figure.add_scatter(
            x=mean["distance"], y=mean["mean"], mode="lines+markers", name=_name(cell, init),
            legendgroup=_name(cell, init),
            line=dict(color=colour, width=3 if fair else 2, dash="solid" if fair else "dash"),
            marker=dict(size=9 if fair else 7, symbol="circle" if fair else "circle-open"),
            customdata=mean["size"],
            hovertemplate=f"{_name(cell, init)}<br>distance %{{x}}<br>test accuracy %{{y:.3f}}"
                          f"{' (mean of %{customdata} seeds)' if seeded else ''}<extra></extra>",
        )  # fmt: skip
        if seeded:  # every seed's run, so that "0.67" reads as "two of three learned it", not as "two-thirds right"
            figure.add_scatter(x=group["distance"], y=group["accuracy"], mode="markers", name=_name(cell, init),
                               legendgroup=_name(cell, init), showlegend=False, opacity=0.55,
                               marker=dict(color=colour, size=6, symbol="circle" if fair else "circle-open"),
                               customdata=group["seed"],
                               hovertemplate=f"{_name(cell, init)}, seed %{{customdata}}<br>distance %{{x}}<br>"
                                             "test accuracy %{y:.3f}<extra></extra>")  # fmt: skip
    figure.update_layout(title="Remembering one word across D steps", legend=INSIDE_LOWER_LEFT)
    figure.update_xaxes(title="distance D (filler words between the marker and the end)", type="log",
                        tickvals=distances, ticktext=[str(d) for d in distances])  # fmt: skip
    figure.update_yaxes(title="test accuracy", range=[0.4, 1.03], tickformat=".0%")
    return figure


def gradient_panels(flows: dict[str, dict], value: str, title: str) -> go.Figure:
    """One panel per model, side by side: a gradient norm against steps back from the end (log y), trained solid
    and at initialisation dotted.

    `flows`: panel title -> {"cell": ..., "trained": array by steps back, "initial": array by steps back}.
    """
    figure = panels(list(flows), shared_y=True)
    floor = min(float(np.min(np.concatenate([flow["trained"], flow["initial"]]))) for flow in flows.values())
    for index, (name, flow) in enumerate(flows.items()):
        colour = CELL_COLOURS.get(flow["cell"], OTHER_COLOUR)
        steps = np.arange(len(flow["trained"]))
        for key, dash, label in (("trained", "solid", "trained"), ("initial", "dot", "at initialisation")):
            figure.add_scatter(x=steps, y=flow[key], mode="lines", name=label, legendgroup=key, showlegend=index == 0,
                               line=dict(color=colour, width=2.5 if key == "trained" else 1.8, dash=dash),
                               hovertemplate=f"{name}, {label}<br>%{{x}} steps back<br>{value} %{{y:.2e}}"
                                             "<extra></extra>",
                               **on(index))  # fmt: skip
    figure.update_xaxes(title="steps back from the end", autorange="reversed", rangemode="tozero")
    figure.update_yaxes(type="log", exponentformat="power", range=[max(np.log10(max(floor, 1e-300)), -300) - 0.5, 1])
    figure.update_layout(title=title, yaxis_title=value)
    return figure


def lookback_lines(shares: dict[str, dict], marker_distance: int | None) -> go.Figure:
    """The share of attribution k words before the end, a line per model; the marker's distance marked.

    `shares`: label -> {"cell": ..., "fair": bool, "shares": array indexed by k}.
    """
    figure = go.Figure()
    for label, entry in shares.items():
        values = np.asarray(entry["shares"])
        figure.add_scatter(x=np.arange(len(values)), y=values, mode="lines", name=label,
                           line=dict(color=CELL_COLOURS.get(entry["cell"], OTHER_COLOUR), width=2.5,
                                     dash="solid" if entry["fair"] else "dash"),
                           hovertemplate=f"{label}<br>%{{x}} words before the end<br>%{{y:.1%}} of the attribution"
                                         "<extra></extra>")  # fmt: skip
    if marker_distance is not None:
        figure.add_vline(x=marker_distance, line=dict(color=CHANCE, dash="dot", width=1.5))
        figure.add_annotation(x=marker_distance, y=1, yref="paper", text="the marker", showarrow=False,
                              xanchor="right", yanchor="top", xshift=-4)  # fmt: skip
    figure.update_layout(title="Share of Integrated Gradients by distance from the end")
    figure.update_xaxes(title="words before the end", autorange="reversed", rangemode="tozero")
    figure.update_yaxes(title="share of |attribution|", tickformat=".0%", rangemode="tozero", gridcolor=GRID)
    return figure


def simulation_lines(steps_back: np.ndarray, curves: dict[str, np.ndarray], radius: float) -> go.Figure:
    """‖∂h_T/∂h_(T-k)‖ against k for the simulated networks (log y), with the stable level 1 dotted."""
    figure = go.Figure()
    figure.add_scatter(x=[steps_back[0], steps_back[-1]], y=[1, 1], mode="lines", name="radius 1: no change",
                       line=dict(color=CHANCE, dash="dot", width=1.5), hoverinfo="skip")  # fmt: skip
    colours = {"linear": "#3558d6", "tanh": "#e8833a"}
    for name, values in curves.items():
        colour = colours.get(name.split(":")[0], OTHER_COLOUR)  # "linear: h = W h + x" -> the linear colour
        figure.add_scatter(x=steps_back, y=values, mode="lines", name=name, line=dict(color=colour, width=3),
                           hovertemplate=f"{name}<br>%{{x}} steps back<br>%{{y:.2e}}<extra></extra>")  # fmt: skip
    figure.update_layout(title=f"A random RNN with spectral radius {radius:.2f}", legend=INSIDE_LOWER_LEFT)
    figure.update_xaxes(title="steps back k")
    figure.update_yaxes(title="‖∂h_T/∂h_(T−k)‖", type="log", exponentformat="power")
    return figure


def token_gradients(tokens: list[str], series: dict[str, np.ndarray], colour: str, title: str) -> go.Figure:
    """Per-token gradient norms of one text (log y): trained solid, at initialisation dotted."""
    from dashboard.figures_inside import token_labels

    figure = go.Figure()
    labels = token_labels(tokens)
    for name, values in series.items():
        initial = "initial" in name
        figure.add_scatter(x=labels, y=values, mode="lines+markers", name=name,
                           line=dict(color=colour, width=1.8 if initial else 2.5, dash="dot" if initial else "solid"),
                           marker=dict(size=5),
                           hovertemplate=f"{name}<br>%{{x}}<br>%{{y:.2e}}<extra></extra>")  # fmt: skip
    figure.update_layout(title=title)
    figure.update_xaxes(type="category", tickangle=-45 if len(tokens) > 12 else 0)
    figure.update_yaxes(type="log", exponentformat="power")
    return figure
