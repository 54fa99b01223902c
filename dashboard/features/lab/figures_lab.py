"""Figure builders for the memory lab and the gradient pages: plain arrays in, a Plotly figure out. No Streamlit.

Cells keep their colours everywhere (RNN vermillion, LSTM blue, GRU bluish green). In the
memory lab's charts every model has a style of its own (`lab_style`), because
its lines coincide whenever two models both remember (at 100%). Gradients span
dozens of orders of magnitude, so every gradient axis is logarithmic.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from dashboard.figures import CELL_COLOURS, GRID, INSIDE_LOWER_LEFT, OTHER_COLOUR, on, panels, subscripts
from dashboard.palette import BLUE, VERMILLION
from pipelines.models.cells import CELL_NAMES

CHANCE = "#9ca3af"
# The gradient norms the Gradients page (and the report) draw: symbol, then what it measures.
GRADIENT_VALUES = {  # its symbol, its button (a widget's label renders no LaTeX), what it means
    "jacobian": ("‖∂h_T/∂h_t‖", "the last state", "how much of the state at step t still reaches the last state"),
    "loss_gradient": ("‖∂L/∂h_t‖", "the loss", "how much the loss still hears of step t (what training learns from)"),
    "cell_jacobian": ("‖∂c_T/∂c_t‖", "the last memory cell (LSTM)", "an LSTM's memory cell, carried by its forget gate"),
}  # fmt: skip


# Each cell has a dash and a marker besides its colour, so that lines lying on one another stay apart: solid is
# drawn first and dotted last, and the later lines' gaps show the earlier ones. A cell's fair start (chrono,
# identity) is thick with filled markers, PyTorch's default thin with larger open markers that ring the fair ones.
CELL_DASHES = {"lstm": "solid", "gru": "dash", "rnn": "dot"}
CELL_SYMBOLS = {"lstm": "square", "gru": "diamond", "rnn": "circle"}
LEGEND = dict(itemwidth=50)  # long enough a sample line to show its dash


def lab_style(cell: str, fair: bool) -> dict:
    """The line and marker of one model of the memory lab, as scatter keywords."""
    colour = CELL_COLOURS.get(cell, OTHER_COLOUR)
    symbol = CELL_SYMBOLS.get(cell, "triangle-up")
    return {"line": dict(color=colour, width=3.5 if fair else 1.8, dash=CELL_DASHES.get(cell, "dashdot")),
            "marker": dict(color=colour, size=9 if fair else 15, symbol=symbol if fair else f"{symbol}-open")}


def drawing_order(cell: str, fair: bool) -> tuple[bool, int]:
    """Fair starts first, and within them solid, dashed, then dotted (see CELL_DASHES)."""
    return not fair, list(CELL_DASHES).index(cell) if cell in CELL_DASHES else len(CELL_DASHES)


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
    models = points.groupby(["cell", "init", "fair"], sort=False)
    for (cell, init, fair), group in sorted(models, key=lambda item: drawing_order(item[0][0], item[0][2])):
        style = lab_style(cell, fair)
        mean = group.groupby("distance")["accuracy"].agg(["mean", "size"]).reset_index()
        seeded = bool((mean["size"] > 1).any())
        figure.add_scatter(
            x=mean["distance"], y=mean["mean"], mode="lines+markers", name=_name(cell, init),
            legendgroup=_name(cell, init), **style, customdata=mean["size"],
            hovertemplate=f"{_name(cell, init)}<br>distance %{{x}}<br>test accuracy %{{y:.3f}}"
                          f"{' (mean of %{customdata} seeds)' if seeded else ''}<extra></extra>",
        )  # fmt: skip
        if seeded:  # every seed's run, so that "0.67" reads as "two of three learned it", not as "two-thirds right"
            figure.add_scatter(x=group["distance"], y=group["accuracy"], mode="markers", name=_name(cell, init),
                               legendgroup=_name(cell, init), showlegend=False, opacity=0.55,
                               marker={**style["marker"], "size": 6},
                               customdata=group["seed"],
                               hovertemplate=f"{_name(cell, init)}, seed %{{customdata}}<br>distance %{{x}}<br>"
                                             "test accuracy %{y:.3f}<extra></extra>")  # fmt: skip
    figure.update_layout(title="Remembering one word across D steps", legend={**INSIDE_LOWER_LEFT, **LEGEND})
    figure.update_xaxes(title="distance D (filler words between the marker and the end)", type="log",
                        tickvals=distances, ticktext=[str(d) for d in distances])  # fmt: skip
    figure.update_yaxes(title="test accuracy", range=[0.4, 1.03], tickformat=".0%")
    return figure


def gradient_panels(flows: dict[str, dict], value: str, title: str) -> go.Figure:
    """One panel per model, side by side: a gradient norm against steps back from the end (log y), trained solid
    and at initialisation dotted.

    `flows`: panel title -> {"cell": ..., "trained": array by steps back, "initial": array by steps back};
    `value` and `title` may write subscripts with underscores ("‖∂h_T/∂h_t‖").
    """
    value, title = subscripts(value), subscripts(title)
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
    for label, entry in sorted(shares.items(), key=lambda item: drawing_order(item[1]["cell"], item[1]["fair"])):
        values = np.asarray(entry["shares"])
        figure.add_scatter(x=np.arange(len(values)), y=values, mode="lines", name=label,
                           line=lab_style(entry["cell"], entry["fair"])["line"],
                           hovertemplate=f"{label}<br>%{{x}} words before the end<br>%{{y:.1%}} of the attribution"
                                         "<extra></extra>")  # fmt: skip
    if marker_distance is not None:
        figure.add_vline(x=marker_distance, line=dict(color=CHANCE, dash="dot", width=1.5))
        figure.add_annotation(x=marker_distance, y=1, yref="paper", text="the marker", showarrow=False,
                              xanchor="right", yanchor="top", xshift=-4)  # fmt: skip
    figure.update_layout(title="Share of Integrated Gradients by distance from the end", legend=LEGEND)
    figure.update_xaxes(title="words before the end", autorange="reversed", rangemode="tozero")
    figure.update_yaxes(title="share of |attribution|", tickformat=".0%", rangemode="tozero", gridcolor=GRID)
    return figure


def simulation_lines(steps_back: np.ndarray, curves: dict[str, np.ndarray], radius: float) -> go.Figure:
    """‖∂h_T/∂h_(T−k)‖ against k for the simulated networks (log y), with the stable level 1 dotted."""
    figure = go.Figure()
    figure.add_scatter(x=[steps_back[0], steps_back[-1]], y=[1, 1], mode="lines", name="radius 1: no change",
                       line=dict(color=CHANCE, dash="dot", width=1.5), hoverinfo="skip")  # fmt: skip
    colours = {"linear": BLUE, "tanh": VERMILLION}
    for name, values in curves.items():
        colour = colours.get(name.split(":")[0], OTHER_COLOUR)  # "linear: h = W h + x" -> the linear colour
        figure.add_scatter(x=steps_back, y=values, mode="lines", name=name, line=dict(color=colour, width=3),
                           hovertemplate=f"{name}<br>%{{x}} steps back<br>%{{y:.2e}}<extra></extra>")  # fmt: skip
    figure.update_layout(title=f"A random RNN with spectral radius {radius:.2f}", legend=INSIDE_LOWER_LEFT)
    figure.update_xaxes(title="steps back k")
    figure.update_yaxes(title=subscripts("‖∂h_T/∂h_(T−k)‖"), type="log", exponentformat="power")
    return figure


def token_gradients(tokens: list[str], loss_trained: np.ndarray, loss_initial: np.ndarray, reach_trained: np.ndarray,
                    colour: str, title: str) -> go.Figure:
    """Per-token gradient norms of one text (log y), each quantity in a style of its own: the loss's gradient
    ‖∂L/∂h_t‖ trained (solid) and at initialisation (dotted), and how much of each step reaches the last state,
    ‖∂h_T/∂h_t‖ (dashed, square markers)."""
    from dashboard.figures_inside import token_labels

    labels = token_labels(tokens)
    figure = go.Figure()
    for values, name, dash, symbol, width in (
        (loss_trained, "‖∂L/∂h_t‖, the loss's gradient, trained", "solid", "circle", 2.5),
        (loss_initial, "‖∂L/∂h_t‖ at initialisation", "dot", "circle-open", 1.8),
        (reach_trained, "‖∂h_T/∂h_t‖, what reaches the last state, trained", "dash", "square", 2),
    ):  # fmt: skip
        name = subscripts(name)
        figure.add_scatter(x=labels, y=values, mode="lines+markers", name=name,
                           line=dict(color=colour, width=width, dash=dash), marker=dict(size=6, symbol=symbol),
                           hovertemplate=f"{name}<br>%{{x}}<br>%{{y:.2e}}<extra></extra>")  # fmt: skip
    figure.update_layout(title=title)
    figure.update_xaxes(type="category", tickangle=-45 if len(tokens) > 12 else 0)
    figure.update_yaxes(type="log", exponentformat="power")
    return figure
