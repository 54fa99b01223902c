"""Figure builders for encoder-decoders: plain data in, a Plotly figure out. No Streamlit here.

- `attention_map`: where the decoder looked (source characters across, written symbols down), hoverable;
- `accuracy_by_length`: accuracy against source length for every model, attention solid, none dashed (the
  analogue of Bahdanau et al. 2015, Figure 2, on our runs);
- `decoder_states`: the decoder's hidden state after each written symbol;
- `text_scores`: BLEU and chrF of a text task's models beside its baselines (copying, word for word).
"""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from dashboard.figures import CELL_COLOURS, INK, OTHER_COLOUR, SEQUENTIAL
from dashboard.palette import CATEGORIES, HIDDEN_STATES

SHOWN = {" ": "␣", "</s>": "⏎"}


def _shown(symbol: str) -> str:
    return SHOWN.get(symbol, symbol)


def _positions(symbols: list[str]) -> list[str]:
    """Unique axis labels for repeated symbols: '1·0', '9·1', ... (position after the symbol)."""
    return [f"{_shown(symbol)}·{index}" for index, symbol in enumerate(symbols)]


def attention_map(source: list[str], written: list[str], weights: np.ndarray, title: str) -> go.Figure:
    """Attention weights (written symbols, source symbols: characters or words): a row per symbol written, summing
    to one."""
    x, y = _positions(source), _positions(written)
    figure = go.Figure(go.Heatmap(
        z=weights, x=x, y=y, zmin=0.0, zmax=1.0, colorscale=SEQUENTIAL, colorbar=dict(title="weight", thickness=12),
        customdata=[[[_shown(s), _shown(c)] for c in source] for s in written],
        hovertemplate="writing %{customdata[0]} looked at %{customdata[1]}: %{z:.1%}<extra></extra>",
    ))  # fmt: skip
    figure.update_xaxes(tickmode="array", tickvals=x, ticktext=[_shown(c) for c in source], side="top",
                        tickangle=0 if max(map(len, source), default=1) == 1 else -60)  # fmt: skip
    figure.update_yaxes(title="written", tickmode="array", tickvals=y, ticktext=[_shown(s) for s in written],
                        autorange="reversed")  # fmt: skip
    figure.update_layout(title=title, margin=dict(t=110))
    return figure


def decoder_states(written: list[str], hidden: np.ndarray, title: str) -> go.Figure:
    """The decoder's state (units down) after each written symbol (across)."""
    x = _positions(written)
    figure = go.Figure(go.Heatmap(z=hidden.T, x=x, colorscale=HIDDEN_STATES, zmid=0.0, colorbar=dict(thickness=12),
                                  hovertemplate="after %{x}, unit %{y}: %{z:.2f}<extra></extra>"))  # fmt: skip
    figure.update_xaxes(title="written", tickmode="array", tickvals=x, ticktext=[_shown(s) for s in written])
    figure.update_yaxes(title="unit")
    figure.update_layout(title=title)
    return figure


def accuracy_by_length(curves: list[dict], measure: str, title: str, unit: str = "characters") -> go.Figure:
    """One line per model over the length buckets: `curves` holds label, cell, attention and by_length rows
    (bucket, low, examples, exact_match, token_accuracy); `measure` is exact_match or token_accuracy; `unit` what
    a source's length counts (characters, or words)."""
    figure = go.Figure()
    for curve in curves:
        rows = curve["by_length"]
        figure.add_scatter(
            x=[row["bucket"] for row in rows], y=[row[measure] for row in rows], name=curve["label"],
            mode="lines+markers", line=dict(color=CELL_COLOURS.get(curve["cell"], OTHER_COLOUR), width=3,
                                            dash="dash" if curve["attention"] == "none" else "solid"),
            marker=dict(symbol="circle-open" if curve["attention"] == "none" else "circle", size=9),
            customdata=[row["examples"] for row in rows],
            hovertemplate="%{fullData.name}<br>sources of %{x} " + unit + ": %{y:.1%} (%{customdata} pairs)"
                          "<extra></extra>",
        )  # fmt: skip
    figure.update_xaxes(title=f"source length ({unit})", type="category")
    figure.update_yaxes(title="exact match" if measure == "exact_match" else "per-token accuracy", range=[0, 1.02],
                        tickformat=".0%")  # fmt: skip
    figure.update_layout(title=title, legend=dict(title="dashed: no attention"), font=dict(color=INK),
                         showlegend=True)
    return figure


def text_scores(rows: list[dict], title: str) -> go.Figure:
    """BLEU and chrF (0 to 100) side by side, one bar pair per system: `rows` hold label, bleu, chrf and whether
    it is a baseline (drawn grey)."""
    figure = go.Figure()
    for measure, name in (("bleu", "BLEU"), ("chrf", "chrF")):
        figure.add_bar(
            x=[row["label"] for row in rows], y=[row[measure] for row in rows], name=name,
            marker=dict(color=[OTHER_COLOUR if row["baseline"] else CELL_COLOURS.get(row.get("cell"), OTHER_COLOUR)
                               for row in rows], pattern_shape="" if measure == "bleu" else "/"),
            text=[f"{row[measure]:.1f}" for row in rows], textposition="outside",
            hovertemplate="%{x}<br>" + name + " %{y:.2f}<extra></extra>",
        )  # fmt: skip
    figure.update_yaxes(title="score (0 to 100)", rangemode="tozero")
    figure.update_layout(title=title, barmode="group", legend=dict(title="hatched: chrF"), font=dict(color=INK))
    return figure


MODEL_COLOURS = CATEGORIES  # one a model, in order (Okabe-Ito: apart under colour-vision deficiencies)
EXPOSURE_MEASURES = {"loss": ("forced_loss", "free_running_loss", "loss per symbol (nats)"),
                     "accuracy": ("forced_token_accuracy", "free_running_token_accuracy", "per-token accuracy")}


def exposure_curves(curves: list[dict], measure: str, title: str) -> go.Figure:
    """Per model, the validation subset's teacher-forced (solid) and free-running (dashed) loss or per-token accuracy
    by epoch: `curves` hold label, cell and the history's rows (epoch and the four exposure columns)."""
    forced, free, axis = EXPOSURE_MEASURES[measure]
    figure = go.Figure()
    cells = [curve["cell"] for curve in curves]
    for index, curve in enumerate(curves):
        epochs = [row["epoch"] for row in curve["rows"]]
        # the cell's colour while each cell appears once; models of one cell (GRU with and without attention) apart
        colour = CELL_COLOURS.get(curve["cell"], OTHER_COLOUR) if len(set(cells)) == len(cells) else \
            MODEL_COLOURS[index % len(MODEL_COLOURS)]  # fmt: skip
        for column, way, dash in ((forced, "teacher forcing", "solid"), (free, "free-running", "dash")):
            figure.add_scatter(
                x=epochs, y=[row[column] for row in curve["rows"]], name=f"{curve['label']}, {way}",
                mode="lines+markers", line=dict(color=colour, width=3, dash=dash), legendgroup=curve["label"],
                hovertemplate=f"{curve['label']}<br>{way}, epoch %{{x}}: %{{y:.3f}}<extra></extra>",
            )  # fmt: skip
    figure.update_xaxes(title="epoch", dtick=1 if max((len(c["rows"]) for c in curves), default=0) <= 20 else None)
    figure.update_yaxes(title=axis, **({"range": [0, 1.02], "tickformat": ".0%"} if measure == "accuracy" else {}))
    figure.update_layout(title=title, legend=dict(title="dashed: free-running"), font=dict(color=INK))
    return figure
