"""Figure builders for looking inside a model: plain arrays in, a Plotly figure out. No Streamlit here.

Tokens run left to right on the x axis, as the text reads. A text often holds
the same word twice, and Plotly merges equal category names, so every token
gets a unique label (`token_labels`): repeats carry invisible zero-width
spaces, and look the same.
"""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go
from plotly.subplots import make_subplots

from dashboard.figures import CELL_COLOURS, INK, OTHER_COLOUR, class_colour
from dashboard.palette import GATE_COLOURS, GATE_SCALE, HIDDEN_STATES
from pipelines.models.cells import GATES

VALUE_TITLES = {
    "hidden": "hidden state h",
    "input": "input gate i",
    "forget": "forget gate f",
    "output": "output gate o",
    "candidate": "candidate",
    "cell": "cell state c",
    "reset": "reset gate r",
    "update": "update gate z",
}
# What the Gates tab offers per cell (pipelines.explain.CELL_VALUES), the gate that keeps the memory first.
BOUNDED = {gate for gates in GATES.values() for gate in gates}  # sigmoids, in [0, 1]
SIGNED_UNIT = {"hidden", "candidate"}  # tanh, in [-1, 1] (a ReLU-free zoo)


def token_labels(tokens: list[str]) -> list[str]:
    """Unique category names that display as the tokens themselves."""
    seen: dict[str, int] = {}
    labels = []
    for token in tokens:
        count = seen.get(token, 0)
        seen[token] = count + 1
        labels.append(token + "\u200b" * count)
    return labels


def _token_axis(figure: go.Figure, tokens: list[str]) -> None:
    figure.update_xaxes(type="category", tickangle=-45 if len(tokens) > 12 else 0, showgrid=False,
                        categoryorder="array", categoryarray=token_labels(tokens))  # fmt: skip


LABELLED_UNITS = 128  # up to this many units, every row is named; beyond, the names are in the hover only


def unit_names(unit_order: np.ndarray, labels: list[str] | None = None) -> list[str]:
    """The rows' names, top to bottom: "u12 great↑ dull↓" with a unit's words (`pipelines.explain.UnitWords`), else
    "unit 12". Unique, so Plotly keeps every row."""
    if labels is None:
        return [f"unit {unit}" for unit in unit_order]
    return [f"u{unit} {labels[unit]}".rstrip() for unit in unit_order]


def value_scale(name: str, z: np.ndarray) -> dict:
    """Gates share a 0-1 scale, hidden states and candidates the -1..1 of tanh, the cell state one symmetric about 0."""
    if name in BOUNDED:
        return dict(colorscale=GATE_SCALE, zmin=0.0, zmax=1.0)
    limit = 1.0 if name in SIGNED_UNIT else max(float(np.abs(z).max(initial=0.0)), 1e-6)
    return dict(colorscale=HIDDEN_STATES, zmin=-limit, zmax=limit, zmid=0.0)


def state_heatmap(values: np.ndarray, tokens: list[str], unit_order: np.ndarray, name: str, title: str,
                  labels: list[str] | None = None) -> go.Figure:  # fmt: skip
    """One layer's values (tokens, units) as units x tokens, units in `unit_order` from the top.

    `name` is a key of VALUE_TITLES (it picks the scale: `value_scale`); `labels`, one per unit in index order,
    name each row by the words that move the unit (`pipelines.explain.UnitWords.labels`).
    """
    z = np.asarray(values, dtype=float)[:, unit_order].T  # (units, tokens)
    units = unit_names(unit_order, labels)
    figure = go.Figure(go.Heatmap(
        z=z, x=token_labels(tokens), y=units, **value_scale(name, z), colorbar=dict(thickness=12, len=0.9),
        hovertemplate="%{x}<br>%{y}: %{z:.3f}<extra></extra>",
    ))  # fmt: skip
    figure.update_layout(title=title)
    _token_axis(figure, tokens)
    _unit_axis(figure, len(units), labels is not None)
    return figure


def _unit_axis(figure: go.Figure, units: int, labelled: bool, **where) -> None:
    shown = units <= (LABELLED_UNITS if labelled else 40)
    figure.update_yaxes(autorange="reversed", showgrid=False, showticklabels=shown, ticks="", type="category",
                        tickfont=dict(size=10) if labelled else None, title=None if labelled else "units", **where)


def gate_heatmaps(values: dict[str, np.ndarray], means: dict[str, np.ndarray], tokens: list[str],
                  unit_order: np.ndarray, title: str, labels: list[str] | None = None) -> go.Figure:  # fmt: skip
    """Every gate, every unit and every token: one heatmap per gate (the keys of `values`, each (tokens, units)),
    units in `unit_order` in each, and under them each gate's mean over the units, on the same token axis.

    A mean near 50% can hide units that shut while others open: the heatmaps show which, word by word.
    """
    gates = [name for name in values if name in BOUNDED]
    figure = make_subplots(rows=len(gates) + 1, cols=1, shared_xaxes=True, vertical_spacing=0.07,
                           row_heights=[1.0] * len(gates) + [0.45], subplot_titles=[
                               *(VALUE_TITLES[name] for name in gates), "mean over units"])  # fmt: skip
    x = token_labels(tokens)
    units = unit_names(unit_order, labels)
    for row, name in enumerate(gates, start=1):
        z = np.asarray(values[name], dtype=float)[:, unit_order].T  # (units, tokens)
        figure.add_trace(go.Heatmap(
            z=z, x=x, y=units, **value_scale(name, z), showscale=row == 1, colorbar=dict(thickness=10, len=0.4, y=0.8,
            tickformat=".0%"), hovertemplate=f"%{{x}}<br>%{{y}}<br>{VALUE_TITLES[name]}: %{{z:.2f}}<extra></extra>",
        ), row=row, col=1)  # fmt: skip
        _unit_axis(figure, len(units), False, row=row, col=1)  # rows too thin for names: they are in the hover
    for name in gates:
        figure.add_scatter(x=x, y=means[name], mode="lines+markers", name=VALUE_TITLES[name],
                           line=dict(color=GATE_COLOURS.get(name, OTHER_COLOUR), width=2.5), row=len(gates) + 1, col=1,
                           hovertemplate=f"%{{x}}<br>{VALUE_TITLES[name]}, mean %{{y:.2f}}<extra></extra>")  # fmt: skip
    figure.update_yaxes(range=[0, 1.02], tickformat=".0%", row=len(gates) + 1, col=1)
    figure.update_layout(title=title, legend=dict(orientation="h", y=-0.12))
    figure.update_xaxes(type="category", categoryorder="array", categoryarray=x, showgrid=False, showticklabels=True,
                        tickangle=-45 if len(tokens) > 12 else 0)  # every heatmap names its words: "not" is findable
    figure.update_yaxes(title=None)
    return figure


def norm_lines(norms: dict[str, np.ndarray], tokens: list[str], colour: str,
               title: str = "How much the hidden state holds: ‖h‖ after each token") -> go.Figure:  # fmt: skip
    """The length of the hidden state after each token (or value of a series), one line per direction."""
    figure = go.Figure()
    for direction, values in norms.items():
        figure.add_scatter(x=token_labels(tokens), y=values, mode="lines+markers", name=f"{direction} ‖h‖",
                           line=dict(color=colour, dash="dash" if direction == "backward" else "solid", width=2.5),
                           hovertemplate=f"%{{x}}<br>{direction} ‖h‖ %{{y:.2f}}<extra></extra>")  # fmt: skip
    figure.update_layout(title=title)
    _token_axis(figure, tokens)
    figure.update_yaxes(rangemode="tozero", title="‖h‖")
    return figure


def gate_means(means: dict[str, np.ndarray], tokens: list[str], title: str) -> go.Figure:
    """Each gate's mean over the units after each token (0: closed, 1: open)."""
    colours = GATE_COLOURS
    figure = go.Figure()
    for name, values in means.items():
        if name not in BOUNDED:
            continue
        figure.add_scatter(x=token_labels(tokens), y=values, mode="lines+markers", name=VALUE_TITLES[name],
                           line=dict(color=colours.get(name, OTHER_COLOUR), width=2.5),
                           hovertemplate=f"%{{x}}<br>{VALUE_TITLES[name]} %{{y:.2f}}<extra></extra>")  # fmt: skip
    figure.update_layout(title=title)
    _token_axis(figure, tokens)
    figure.update_yaxes(range=[0, 1.02], title="mean over units", tickformat=".0%")
    return figure


def trajectory(probabilities: np.ndarray, tokens: list[str], classes: list[str]) -> go.Figure:
    """The prediction after each prefix of the text. Two classes: the second's probability with 50% marked."""
    figure = go.Figure()
    shown = [len(classes) - 1] if len(classes) == 2 else range(len(classes))
    for index in shown:
        figure.add_scatter(x=token_labels(tokens), y=probabilities[:, index], mode="lines+markers",
                           name=f"P({classes[index]})", line=dict(color=class_colour(classes[index], index), width=3),
                           hovertemplate=f"after %{{x}}<br>P({classes[index]}) %{{y:.1%}}<extra></extra>")  # fmt: skip
    if len(classes) == 2:
        figure.add_hline(y=0.5, line_color=INK, line_width=1, line_dash="dot")
    figure.update_layout(title="The prediction as the model reads: after each word", showlegend=len(classes) > 2)
    _token_axis(figure, tokens)
    figure.update_yaxes(range=[0, 1], tickformat=".0%", title=f"P({classes[-1]})" if len(classes) == 2 else None)
    return figure


def attribution_bars(scores: dict[str, np.ndarray], tokens: dict[str, list[str]], title: str) -> go.Figure:
    """Token scores as bars, one series per name (e.g. before and after an edit), aligned by position."""
    figure = go.Figure()
    palette = ["#94a3b8", CELL_COLOURS["lstm"], CELL_COLOURS["gru"]]
    longest = max(tokens.values(), key=len)
    for index, (name, values) in enumerate(scores.items()):
        words = tokens[name]
        figure.add_bar(x=list(range(len(values))), y=values, name=name, marker_color=palette[index % len(palette)],
                       customdata=words, hovertemplate=f"{name}<br>%{{customdata}}: %{{y:+.3f}}<extra></extra>")
    figure.update_layout(title=title, barmode="group", bargap=0.25)
    figure.update_xaxes(tickmode="array", tickvals=list(range(len(longest))), ticktext=longest, showgrid=False,
                        tickangle=-45 if len(longest) > 12 else 0)  # fmt: skip
    figure.update_yaxes(title="log-odds", zeroline=True, zerolinecolor=INK)
    return figure


def top_word_bars(words: list[str], means: list[float], counts: list[int], class_name: str, colour: str) -> go.Figure:
    """The words that push a model most towards one class, strongest at the top."""
    figure = go.Figure(go.Bar(
        x=means, y=words, orientation="h", marker_color=colour, customdata=counts,
        hovertemplate="%{y}: %{x:+.2f} log-odds per occurrence (seen %{customdata}×)<extra></extra>",
    ))  # fmt: skip
    figure.update_layout(title=f"Towards {class_name}", bargap=0.2)
    figure.update_yaxes(autorange="reversed", type="category", showgrid=False)
    figure.update_xaxes(title="mean push, log-odds", rangemode="tozero")
    return figure
