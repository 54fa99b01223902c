"""Figure builders for honest comparisons: seed intervals, the significance matrix, differences to one model,
and a baseline's n-gram weights. Plain data in, a Plotly figure out; the shared look comes from `figures.styled`.
"""

from __future__ import annotations

import html

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from dashboard import palette
from dashboard.figures import BASELINE_COLOURS, CELL_COLOURS, INK, OTHER_COLOUR, class_colour

REAL_COLOUR, BORDERLINE_COLOUR, NOISE_COLOUR = palette.REAL, palette.BORDERLINE, palette.NOISE  # ✓ ? beside them
METRIC_AXES = {"accuracy": "test accuracy", "f1_macro": "macro F1"}


def _colour(row) -> str:
    if isinstance(row.get("baseline"), str):  # a recurrent model's is None (NaN in a frame)
        return BASELINE_COLOURS.get(row["baseline"], OTHER_COLOUR)
    return CELL_COLOURS.get(row.get("cell"), OTHER_COLOUR)


def model_intervals(frame: pd.DataFrame, metric: str = "accuracy") -> go.Figure:
    """Each model's mean over its seeds with a 95% interval bar, every seed's score as a small dot,
    and the TF-IDF baseline (and the majority class, if it is near) as vertical reference lines.

    `frame` is `comparisons.model_frame` (columns label, seeds, cell, baseline, and the metric's mean, low,
    high and per-seed `values`).
    """
    prefix = "accuracy" if metric == "accuracy" else "f1"
    models = frame[frame["baseline"].isna()].sort_values(metric)
    baselines = frame[frame["baseline"].notna()]
    figure = go.Figure()
    for _, row in models.iterrows():
        colour = _colour(row)
        low, high = row[f"{prefix}_low"], row[f"{prefix}_high"]
        has_interval = low is not None and not pd.isna(low)
        error = dict(type="data", symmetric=False, array=[high - row[metric]], arrayminus=[row[metric] - low],
                     color=colour, thickness=3, width=8) if has_interval else None  # fmt: skip
        interval = f"<br>95% interval {low:.3f}–{high:.3f}" if has_interval else "<br>one seed: no interval"
        figure.add_scatter(x=[row[metric]], y=[row["label"]], mode="markers", error_x=error, showlegend=False,
                           marker=dict(size=14, color=colour, symbol="diamond" if row["bidirectional"] else "circle",
                                       line=dict(color="white", width=1)),
                           hovertemplate=f"{row['label']}: mean %{{x:.3f}} over {row['seeds']} "
                                         f"seed{'s' * (row['seeds'] != 1)}{interval}<extra></extra>")  # fmt: skip
        values = row[f"{prefix}_values"]
        if len(values) > 1:
            figure.add_scatter(x=values, y=[row["label"]] * len(values), mode="markers", showlegend=False,
                               marker=dict(size=7, color="white", line=dict(color=colour, width=1.5)),
                               hovertemplate=f"{row['label']}, one seed: %{{x:.3f}}<extra></extra>")  # fmt: skip
    shown = list(models[metric]) + [value for low_high in models[[f"{prefix}_low", f"{prefix}_high"]].values
                                    for value in low_high if value is not None and not pd.isna(value)]  # fmt: skip
    tfidf = baselines[baselines["baseline"] == "tfidf-lr"]
    shown += list(tfidf[metric])
    low, high = (min(shown), max(shown)) if shown else (0.0, 1.0)
    padding = max((high - low) * 0.15, 0.01)
    note = ""
    for _, row in baselines.iterrows():
        value = row[metric]
        if value < low - padding:  # the majority class usually sits far left: name it instead of squashing the axis
            note = f" ({row['label']}: {value:.3f}, off the left edge)"
            continue
        figure.add_vline(x=value, line_color=_colour(row), line_dash="dash", line_width=2)
        right_half = value > (low + high) / 2  # label on the side with room, never past the plot's edge
        figure.add_annotation(x=value, y=1, yref="paper", text=f"{row['label']} {value:.3f}", showarrow=False,
                              xanchor="right" if right_half else "left", yanchor="bottom",
                              xshift=-4 if right_half else 4, font_color=_colour(row))  # fmt: skip
    seeds = int(models["seeds"].max()) if len(models) else 1
    title = f"{METRIC_AXES[metric].capitalize()}: mean over seeds, 95% interval" if seeds > 1 else \
        f"{METRIC_AXES[metric].capitalize()} per model (one seed each: no interval)"  # fmt: skip
    figure.update_layout(title=title)  # short enough for a room's larger type; the far baseline goes under the axis
    figure.update_xaxes(title=METRIC_AXES[metric] + note, range=[low - padding, high + padding], tickformat=".1%")
    figure.update_yaxes(type="category", showgrid=False)
    return figure


def significance_heatmap(labels: list[str], differences: np.ndarray, verdicts: np.ndarray,
                         hover: list[list[str]]) -> go.Figure:  # fmt: skip
    """Row minus column, in accuracy points. Dark blue and ✓: a real difference; light blue and ?: borderline;
    grey: noise.

    `comparisons.significance_matrix` gives the inputs.
    """
    # Rounded, then `+ 0.0`: -0.0 (row minus column of two equal models, or -0.04) reads "+0.0", as its mirror does
    points = np.vectorize(lambda value: f"{round(value, 1) + 0.0:+.1f}")(np.nan_to_num(differences))
    text = np.where(np.isnan(differences), "", points)
    marks = np.where(verdicts == 2, " ✓", np.where(verdicts == 1, " ?", ""))
    text = np.char.add(text.astype(str), marks.astype(str))
    # Colour says the verdict, for the row's better side only: a real difference is dark blue where the row wins.
    level = np.where(np.isnan(verdicts), np.nan, np.where(differences > 0, verdicts, 0))
    scale = [[0.0, NOISE_COLOUR], [0.5, BORDERLINE_COLOUR], [1.0, REAL_COLOUR]]
    figure = go.Figure(go.Heatmap(
        z=level, x=labels, y=labels, text=text, texttemplate="%{text}", customdata=np.array(hover, dtype=object),
        colorscale=scale, zmin=0, zmax=2, showscale=False, xgap=2, ygap=2,
        hovertemplate="%{customdata}<extra></extra>",
    ))  # fmt: skip
    figure.update_layout(title="Row minus column, accuracy points (✓ real, ? borderline)")
    figure.update_xaxes(side="bottom", showgrid=False, tickangle=-30)
    figure.update_yaxes(autorange="reversed", showgrid=False)
    return figure


def differences_to(reference: str, rows: pd.DataFrame) -> go.Figure:
    """Every other model minus `reference`, with its 95% bootstrap interval; zero marked.

    `rows` has columns label, difference, low, high (accuracy points) and verdict.
    """
    figure = go.Figure()
    colours = {"real": REAL_COLOUR, "borderline": palette.SKY_BLUE, "not distinguishable": OTHER_COLOUR}
    for verdict, group in rows.groupby("verdict", sort=False):
        figure.add_scatter(
            x=group["difference"], y=group["label"], mode="markers", name=verdict,
            marker=dict(size=13, color=colours.get(verdict, OTHER_COLOUR)),
            error_x=dict(type="data", symmetric=False, array=group["high"] - group["difference"],
                         arrayminus=group["difference"] - group["low"], thickness=2.5, width=6),
            hovertemplate="%{y}: %{x:+.1f} points<extra></extra>",
        )  # fmt: skip
    figure.add_vline(x=0, line_color=INK, line_width=1.5)
    figure.update_layout(title=f"Each model minus {reference}")  # short: a room's font is half as large again
    figure.update_xaxes(title="accuracy points, 95% interval (right of 0: better)", zeroline=False)
    figure.update_yaxes(type="category", autorange="reversed", showgrid=False)
    return figure


def ngram_bars(ngrams: list[str], contributions: list[float], classes: list[str], target: int) -> go.Figure:
    """A linear model's strongest n-grams in one text: TF-IDF value x weight, towards the explained class."""
    against = 1 - target if len(classes) == 2 else None
    colours = [class_colour(classes[target], target) if value >= 0 else
               (class_colour(classes[against], against) if against is not None else OTHER_COLOUR)
               for value in contributions]  # fmt: skip
    # The n-grams are the user's words: escaped, Plotly shows "<b>" as text instead of reading it as markup.
    labels = [html.escape(ngram, quote=False) for ngram in ngrams]
    figure = go.Figure(go.Bar(x=contributions, y=labels, orientation="h", marker_color=colours,
                              hovertemplate="%{y}: %{x:+.3f}<extra></extra>"))  # fmt: skip
    figure.update_layout(title=f"The n-grams that decided it (towards {classes[target]})", bargap=0.2)
    figure.update_yaxes(autorange="reversed", type="category", showgrid=False)
    figure.update_xaxes(title="TF-IDF value × weight", zeroline=True, zerolinecolor=INK)
    return figure
