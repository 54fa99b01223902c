"""Figure builders: plain data in, a Plotly figure out. No Streamlit here.

Every chart colours a model by its cell, the same everywhere (dashboard/palette.py): RNN vermillion,
LSTM blue, GRU bluish green; variants of one cell are lighter or darker shades, and
bidirectional models are drawn dashed. `styled()` applies the shared look,
larger in presentation mode.
"""

from __future__ import annotations

import functools
import re
from dataclasses import dataclass

import numpy as np
import pandas as pd
import plotly.graph_objects as go

from dashboard.palette import (ALERT, ALERT_TEXT, BASELINE_COLOURS, CATEGORIES, CELL_COLOURS, CLASS_COLOURS, INK,
                               OTHER_COLOUR, SEQUENTIAL)
from pipelines.models.cells import CELL_NAMES

GRID = "#e5e7eb"
INSIDE_LOWER_RIGHT = dict(x=0.99, xanchor="right", y=0.02, yanchor="bottom", bgcolor="rgba(255,255,255,0.85)")
INSIDE_LOWER_LEFT = dict(x=0.01, xanchor="left", y=0.02, yanchor="bottom", bgcolor="rgba(255,255,255,0.85)")
FONT = "Source Sans, sans-serif"  # the webfont Streamlit already loads


@dataclass(frozen=True)
class Style:
    colour: str
    dash: str  # "solid" one direction, "dash" both
    symbol: str  # marker: circle one direction, diamond both


def shade(hex_colour: str, amount: float) -> str:
    """Lighten (amount > 0, towards white) or darken (amount < 0, towards black) a colour."""
    rgb = np.array([int(hex_colour[i : i + 2], 16) for i in (1, 3, 5)], dtype=float)
    target = 255.0 if amount > 0 else 0.0
    mixed = rgb + (target - rgb) * abs(amount)
    return "#" + "".join(f"{int(round(value)):02x}" for value in mixed)


def run_styles(frame: pd.DataFrame) -> dict[str, Style]:
    """Style per run label. `frame` needs columns label, cell, bidirectional, layers, hidden_size
    (and `baseline`, the method of a baseline run, whose lines are grey and dotted)."""
    styles = {}
    for _, row in frame[frame["cell"].isna()].iterrows():
        styles[row["label"]] = Style(BASELINE_COLOURS.get(row.get("baseline"), OTHER_COLOUR), "dot", "square")
    for cell, group in frame.groupby("cell", sort=False):
        base = CELL_COLOURS.get(cell, OTHER_COLOUR)
        ordered = group.sort_values(["layers", "hidden_size", "bidirectional", "label"])
        variants = ordered.drop_duplicates(["layers", "hidden_size"])[["layers", "hidden_size"]].apply(tuple, axis=1)
        amounts = np.linspace(-0.25, 0.35, len(variants)) if len(variants) > 1 else [0.0]
        amount_of = dict(zip(variants, amounts))
        for _, row in ordered.iterrows():
            amount = amount_of[(row["layers"], row["hidden_size"])]
            bi = bool(row["bidirectional"])
            styles[row["label"]] = Style(shade(base, amount) if amount else base, "dash" if bi else "solid",
                                         "diamond" if bi else "circle")  # fmt: skip
    return styles


SUBSCRIPT = re.compile(r"_(?:\(([^)]*)\)|(\w))")  # h_t, h_T, h_(T−k)


def subscripts(text: str) -> str:
    """Maths written with underscores ("‖∂h_T/∂h_(T−k)‖") as Plotly's HTML subscripts, for titles, axes and
    legends. Our own labels only: Plotly reads a few tags in any text, so user text never comes here."""
    return SUBSCRIPT.sub(lambda match: f"<sub>{match.group(1) or match.group(2)}</sub>", text)


def class_colour(name: str, index: int) -> str:
    return CLASS_COLOURS.get(name, CATEGORIES[index % len(CATEGORIES)])


# -- the shared look ----------------------------------------------------------------


def styled(figure: go.Figure, presentation: bool = False, height: int | None = None) -> go.Figure:
    """Fonts, margins and grid shared by every chart; bigger and bolder for a room.

    The look is a template (fonts, title, legend, axes, annotations), validated once per scale: setting it costs a
    few milliseconds where the same settings written into each figure cost ~20 ms (Plotly validates every nested
    property), and a typed review draws two new figures. A builder's own setting (a smaller tick font for many
    unit names) wins over the template's."""
    scale = 1.5 if presentation else 1.0
    figure.layout.template = _look(scale)
    figure.layout.margin = dict(l=10, r=10, t=_top_margin(figure, scale), b=10)
    figure.layout.height = round((height or 380) * (1.3 if presentation else 1.0))
    if figure.layout.annotations:  # set on each: Plotly.js leaves a template's annotation defaults to new ones
        figure.update_annotations(font_size=round(14 * scale))
    if figure.layout.legend.x is None:  # not placed by the builder: a row under the chart, never cut off
        figure.update_layout(legend=dict(orientation="h", x=0, xanchor="left", yref="container", y=0, yanchor="bottom"))
    if presentation:
        for trace in figure.data:
            if trace.type == "scatter" and trace.mode and "lines" in trace.mode:
                trace.line.width = (trace.line.width or 2) * 1.7
            if trace.type == "scatter" and trace.mode and "markers" in trace.mode:
                trace.marker.size = (trace.marker.size or 8) * 1.5
    return figure


@functools.cache
def _look(scale: float) -> go.layout.Template:
    """The shared look at a type scale, as a Plotly template (not plotly's own: they cost ~40 ms a figure)."""
    size = lambda points: round(points * scale)  # noqa: E731
    axes = dict(gridcolor=GRID, zerolinecolor=GRID, linecolor=GRID, tickfont=dict(size=size(13)),
                title=dict(font=dict(size=size(14))), automargin=True)  # fmt: skip
    return go.layout.Template(layout=dict(
        font=dict(family=FONT, size=size(14), color=INK),
        title=dict(x=0, xanchor="left", xref="paper", font=dict(size=size(17))),
        legend=dict(font=dict(size=size(13)), grouptitlefont=dict(size=size(13))),
        hoverlabel=dict(font=dict(size=size(13))),
        paper_bgcolor="white", plot_bgcolor="white", xaxis=axes, yaxis=axes,
    ))  # fmt: skip


def _top_margin(figure: go.Figure, scale: float) -> int:
    """Room above the plot for the title and, in a `panels()` figure, the panels' titles under it: Plotly puts the
    title's baseline halfway down the top margin, and the panel titles just above the plot."""
    if not figure.layout.title.text:
        return 30
    panel_titles = any(note.yref == "paper" and note.y == 1 and note.yanchor == "bottom"
                       for note in figure.layout.annotations)  # fmt: skip
    return round(90 * scale) if panel_titles else 60


def panels(titles: list[str], spacing: float = 0.08, shared_y: bool = False) -> go.Figure:
    """A row of side-by-side panels with titles (make_subplots does this too, but costs ~30 ms a call).

    Panel i (0-based) draws on the axes `on(i)`: x, y for the first, x2, y2 for the second, ...
    """
    width = (1 - spacing * (len(titles) - 1)) / len(titles)
    layout: dict = {"annotations": []}
    for index, title in enumerate(titles):
        suffix = str(index + 1) if index else ""
        start = index * (width + spacing)
        layout[f"xaxis{suffix}"] = dict(domain=[start, start + width], anchor=f"y{suffix}")
        layout[f"yaxis{suffix}"] = dict(anchor=f"x{suffix}")
        if shared_y and index:
            layout[f"yaxis{suffix}"].update(matches="y", showticklabels=False)
        layout["annotations"].append(dict(text=title, x=start + width / 2, y=1, xref="paper", yref="paper",
                                          xanchor="center", yanchor="bottom", yshift=6, showarrow=False))  # fmt: skip
    return go.Figure(layout=layout)


def on(index: int) -> dict:
    """The axes of panel `index` of a `panels()` figure, as trace keywords."""
    suffix = str(index + 1) if index else ""
    return {"xaxis": f"x{suffix}", "yaxis": f"y{suffix}"}


# -- Overview ------------------------------------------------------------------------


def class_balance(split_counts: dict[str, list[int]], classes: list[str]) -> go.Figure:
    """One stacked bar per split: the share of each class, with the counts on the bars."""
    splits = list(split_counts)
    figure = go.Figure()
    for index, name in enumerate(classes):
        counts = [split_counts[split][index] for split in splits]
        totals = [max(sum(split_counts[split]), 1) for split in splits]
        shares = [count / total for count, total in zip(counts, totals)]
        figure.add_bar(
            y=splits, x=shares, orientation="h", name=name, marker_color=class_colour(name, index),
            text=[f"{name} {count:,} ({share:.0%})" for count, share in zip(counts, shares)],
            textposition="inside", insidetextanchor="middle", hovertemplate="%{y}: %{text}<extra></extra>",
        )  # fmt: skip
    figure.update_layout(barmode="stack", title="Class balance per split", showlegend=False, bargap=0.35)
    figure.update_xaxes(tickformat=".0%", range=[0, 1])
    figure.update_yaxes(autorange="reversed")
    return figure


MIN_BAR = 0.03  # of the axis: a length histogram's narrowest bar


def length_histogram(edges: list[float], counts: list[int], maxlen: int, truncated_fraction: float,
                     unit: str = "tokens", items: str = "reviews") -> go.Figure:  # fmt: skip
    """Review lengths in tokens (training split), with the maxlen cut marked (a corpus: passages in characters)."""
    edges = np.asarray(edges, dtype=float)
    right = max(float(edges[-1]), maxlen) * 1.05
    # Texts of one length (every memory-dN sequence is maxlen long) fill one bin a few pixels wide, which the maxlen
    # line covered: no bar is drawn narrower than 3% of the axis, so it shows on both sides of the line.
    centres, widths = (edges[:-1] + edges[1:]) / 2, np.maximum(np.diff(edges), MIN_BAR * right)
    figure = go.Figure(go.Bar(x=centres, y=counts, width=widths, marker_color="#94a3b8", marker_line_width=0,
                              hovertemplate=f"%{{x:.0f}} {unit}: %{{y:,}} {items}<extra></extra>"))  # fmt: skip
    cut = f"{truncated_fraction:.1%} of {items} are cut" if truncated_fraction else f"no {items[:-1]} is cut"
    cut = f"maxlen {maxlen}: {cut}"
    figure.add_vline(x=maxlen, line_color=ALERT, line_width=3, line_dash="dash")
    figure.add_annotation(x=maxlen, y=1, yref="paper", text=cut, showarrow=False, xanchor="right", yanchor="bottom",
                          font_color=ALERT_TEXT, xshift=-6)  # fmt: skip
    figure.update_layout(title=f"{items[:-1].capitalize()} length (training split)", bargap=0.02, showlegend=False)
    figure.update_xaxes(title=f"{unit} per {items[:-1]}", range=[0, right])
    figure.update_yaxes(title=items)
    return figure


# -- Training --------------------------------------------------------------------------


def _style_legend(figure: go.Figure, meanings: tuple = (("validation", "solid"), ("training", "dot"))) -> None:
    """Grey legend entries that say what each line style means (by default: validation solid, training dotted)."""
    for name, dash in meanings:
        figure.add_scatter(x=[None], y=[None], mode="lines", name=name, line=dict(color="#6b7280", dash=dash),
                           legendgroup="line styles", legendgrouptitle_text="line style")  # fmt: skip


def _epoch_step(histories: dict[str, pd.DataFrame]) -> int:
    """Whole epochs on the axis, at most about ten ticks (NusaX trains for 40)."""
    longest = max((int(frame["epoch"].max()) for frame in histories.values() if len(frame)), default=1)
    return max(1, -(-longest // 10))


def training_curves(
    histories: dict[str, pd.DataFrame], styles: dict[str, Style], best_epochs: dict[str, int],
    accuracy_title: str = "Accuracy",
) -> go.Figure:
    """Loss and accuracy per epoch, validation solid and training dotted; a star marks the best epoch."""
    figure = panels(["Loss (lower is better)", accuracy_title])
    for label, frame in histories.items():
        style = styles[label]
        best = best_epochs.get(label)
        for column, (train_key, val_key) in enumerate((("train_loss", "val_loss"), ("train_accuracy", "val_accuracy"))):
            figure.add_scatter(x=frame["epoch"], y=frame[val_key], mode="lines+markers", name=label, legendgroup=label,
                               showlegend=column == 0, line=dict(color=style.colour, width=2.5), marker=dict(size=6),
                               hovertemplate=f"{label}<br>epoch %{{x}}<br>validation %{{y:.3f}}<extra></extra>",
                               **on(column))  # fmt: skip
            figure.add_scatter(x=frame["epoch"], y=frame[train_key], mode="lines", name=label, legendgroup=label,
                               showlegend=False, line=dict(color=style.colour, width=1.8, dash="dot"),
                               hovertemplate=f"{label}<br>epoch %{{x}}<br>training %{{y:.3f}}<extra></extra>",
                               **on(column))  # fmt: skip
            if best and best in set(frame["epoch"]):
                value = frame.loc[frame["epoch"] == best, val_key].iloc[0]
                star = dict(symbol="star", size=16, color=style.colour, line=dict(color="white", width=1))
                figure.add_scatter(x=[best], y=[value], mode="markers", marker=star, legendgroup=label,
                                   showlegend=False, hovertemplate=f"{label}<br>best epoch {best}<extra></extra>",
                                   **on(column))  # fmt: skip
    _style_legend(figure)
    figure.update_xaxes(title="epoch", dtick=_epoch_step(histories))
    figure.update_layout(yaxis2_tickformat=".0%")
    return figure


def optimisation_curves(histories: dict[str, pd.DataFrame], styles: dict[str, Style]) -> go.Figure:
    """Learning rate and the gradient norm per epoch: mean solid, largest dotted."""
    figure = panels(["Learning rate", "Gradient norm before clipping"])
    for label, frame in histories.items():
        colour = styles[label].colour
        figure.add_scatter(x=frame["epoch"], y=frame["learning_rate"], mode="lines+markers", name=label,
                           legendgroup=label, line=dict(color=colour, shape="hv"), **on(0))  # fmt: skip
        figure.add_scatter(x=frame["epoch"], y=frame["grad_norm"], mode="lines+markers", name=label, legendgroup=label,
                           showlegend=False, line=dict(color=colour),
                           hovertemplate=f"{label}<br>epoch %{{x}}<br>mean %{{y:.3f}}<extra></extra>",
                           **on(1))  # fmt: skip
        if "grad_norm_max" in frame:
            figure.add_scatter(x=frame["epoch"], y=frame["grad_norm_max"], mode="lines", name=label, legendgroup=label,
                               showlegend=False, line=dict(color=colour, dash="dot", width=1.5),
                               hovertemplate=f"{label}<br>epoch %{{x}}<br>largest %{{y:.3f}}<extra></extra>",
                               **on(1))  # fmt: skip
    if any("grad_norm_max" in frame for frame in histories.values()):
        _style_legend(figure, (("mean gradient norm", "solid"), ("largest in an epoch", "dot")))
    figure.update_xaxes(title="epoch", dtick=_epoch_step(histories))
    figure.update_layout(yaxis_rangemode="tozero", yaxis_tickformat="~g")
    return figure


# -- Evaluation --------------------------------------------------------------------------


def roc_curves(curves: dict[str, dict], styles: dict[str, Style], class_name: str) -> go.Figure:
    """ROC curves of several runs for one class against the rest; AUC in the legend, best first."""
    figure = go.Figure()
    figure.add_scatter(x=[0, 1], y=[0, 1], mode="lines", name="chance (AUC 0.50)",
                       line=dict(color="#9ca3af", dash="dot", width=1.5), hoverinfo="skip")  # fmt: skip
    for label, roc in sorted(curves.items(), key=lambda item: -item[1]["auc"]):
        style = styles[label]
        figure.add_scatter(x=roc["fpr"], y=roc["tpr"], mode="lines", name=f"{label} (AUC {roc['auc']:.3f})",
                           line=dict(color=style.colour, dash=style.dash, width=2.5),
                           hovertemplate=f"{label}<br>false positives %{{x:.1%}}<br>"
                                         "true positives %{y:.1%}<extra></extra>")  # fmt: skip
    figure.update_layout(title=f"ROC: {class_name} against the rest", legend=INSIDE_LOWER_RIGHT)
    figure.update_xaxes(title="false positive rate", range=[0, 1], tickformat=".0%")
    figure.update_yaxes(title="true positive rate", range=[0, 1.02], tickformat=".0%")
    return figure


def pr_curves(curves: dict[str, dict], styles: dict[str, Style], class_name: str, base_rate: float | None) -> go.Figure:
    """Precision-recall curves for one class; average precision in the legend, best first."""
    figure = go.Figure()
    if base_rate is not None:
        figure.add_scatter(x=[0, 1], y=[base_rate, base_rate], mode="lines", name=f"chance (precision {base_rate:.2f})",
                           line=dict(color="#9ca3af", dash="dot", width=1.5), hoverinfo="skip")  # fmt: skip
    for label, pr in sorted(curves.items(), key=lambda item: -item[1]["average_precision"]):
        style = styles[label]
        figure.add_scatter(x=pr["recall"], y=pr["precision"], mode="lines",
                           name=f"{label} (AP {pr['average_precision']:.3f})",
                           line=dict(color=style.colour, dash=style.dash, width=2.5),
                           hovertemplate=f"{label}<br>recall %{{x:.1%}}<br>precision %{{y:.1%}}<extra></extra>")
    figure.update_layout(title=f"Precision-recall: {class_name}", legend=INSIDE_LOWER_LEFT)
    figure.update_xaxes(title="recall", range=[0, 1], tickformat=".0%")
    figure.update_yaxes(title="precision", range=[0, 1.02], tickformat=".0%")
    return figure


def confusion_pair(matrix: list[list[int]], classes: list[str], title: str) -> go.Figure:
    """The confusion matrix twice: counts, and each true class's row as shares (its recall on the diagonal)."""
    counts = np.asarray(matrix, dtype=float)
    rows = counts.sum(axis=1, keepdims=True)
    shares = np.divide(counts, rows, out=np.zeros_like(counts), where=rows > 0)
    figure = panels(["counts", "share of each true class"], spacing=0.06, shared_y=True)  # same rows: labels once
    figure.add_heatmap(z=counts, x=classes, y=classes, colorscale=SEQUENTIAL, showscale=False, texttemplate="%{z:,.0f}",
                       hovertemplate="true %{y}, predicted %{x}: %{z:,.0f}<extra></extra>", **on(0))  # fmt: skip
    figure.add_heatmap(z=shares, x=classes, y=classes, colorscale=SEQUENTIAL, zmin=0, zmax=1, showscale=False,
                       texttemplate="%{z:.0%}", hovertemplate="true %{y}, predicted %{x}: %{z:.1%}<extra></extra>",
                       **on(1))  # fmt: skip
    figure.update_layout(title=title, yaxis_title="true")
    figure.update_xaxes(title="predicted", showgrid=False)
    figure.update_yaxes(autorange="reversed", showgrid=False)
    return figure


def metrics_heatmap(table: pd.DataFrame) -> go.Figure:
    """Runs x metrics. Colour ranks the runs within each metric (darkest = best); the text is the value."""
    values = table.to_numpy(dtype=float)
    low, high = np.nanmin(values, axis=0), np.nanmax(values, axis=0)
    spread = np.where(high > low, high - low, 1.0)
    relative = (values - low) / spread
    text = np.where(np.isnan(values), "–", np.vectorize(lambda v: f"{v:.3f}")(np.nan_to_num(values)))
    figure = go.Figure(go.Heatmap(
        z=relative, x=list(table.columns), y=list(table.index), text=text, texttemplate="%{text}",
        colorscale=SEQUENTIAL, zmin=0, zmax=1, showscale=False, xgap=2, ygap=2,
        hovertemplate="%{y}<br>%{x}: %{text}<extra></extra>",
    ))  # fmt: skip
    figure.update_layout(title="Test-set metrics (darker = better among these runs)")
    figure.update_xaxes(side="top", showgrid=False)
    figure.update_yaxes(autorange="reversed", showgrid=False)
    return figure


def per_class_bars(table: pd.DataFrame, styles: dict[str, Style], metric: str = "f1") -> go.Figure:
    """One group of bars per class, one bar per run."""
    figure = go.Figure()
    for label, group in table.groupby("model", sort=False):
        style = styles[label]
        figure.add_bar(x=group["class"], y=group[metric], name=label, marker_color=style.colour,
                       marker_pattern_shape="/" if style.dash == "dash" else "",
                       text=[f"{value:.2f}" for value in group[metric]], textposition="outside",
                       hovertemplate=f"{label}<br>%{{x}}: %{{y:.3f}}<extra></extra>")  # fmt: skip
    title = "F1" if metric == "f1" else metric.capitalize()
    figure.update_layout(barmode="group", title=f"{title} per class")
    figure.update_yaxes(range=[0, 1.08], title=metric)
    return figure


# -- Compare & sweeps ------------------------------------------------------------------------


STUDY_TITLES = {"depth": "Depth: stacked layers", "width": "Width: units per direction", "direction": "Direction"}


def sweep_studies(points: pd.DataFrame) -> go.Figure:
    """Seed 002's studies side by side: macro F1 as one factor changes, one line per cell.

    With columns f1_low and f1_high (`comparisons.sweep_summary`: the mean over a model's seeds), each point
    gets its 95% interval as an error bar.
    """
    studies = [study for study in STUDY_TITLES if study in set(points["study"])]
    figure = panels([STUDY_TITLES[study] for study in studies], spacing=0.04, shared_y=True)
    frameworks = sorted(set(points["framework"]))
    for column, study in enumerate(studies):
        subset = points[points["study"] == study]
        order = {cell: index for index, cell in enumerate(CELL_COLOURS)}  # RNN, LSTM, GRU in every legend
        groups = sorted(subset.groupby(["cell", "framework"]), key=lambda item: (order.get(item[0][0], 9), item[0][1]))
        for (cell, framework), group in groups:
            group = group.sort_values("value")
            # Only the direction study's values are booleans (1 == True would read "both ways" for one layer).
            x = [({True: "both ways", False: "one way"}[bool(value)] if study == "direction" else str(value))
                 for value in group["value"]]  # fmt: skip
            intervals = "f1_low" in group and group["f1_low"].notna().any()
            error = dict(type="data", symmetric=False, array=(group["f1_high"] - group["f1_macro"]).fillna(0),
                         arrayminus=(group["f1_macro"] - group["f1_low"]).fillna(0), thickness=2,
                         width=5) if intervals else None  # fmt: skip
            name = CELL_NAMES.get(cell, cell) + (f" · {framework}" if len(frameworks) > 1 else "")
            figure.add_scatter(x=x, y=group["f1_macro"], mode="lines+markers", name=name, legendgroup=name,
                               showlegend=column == 0, marker=dict(size=10),
                               line=dict(color=CELL_COLOURS.get(cell, OTHER_COLOUR), width=3,
                                         dash="dot" if framework != frameworks[0] else "solid"),
                               customdata=group["label"], error_y=error, **on(column),
                               hovertemplate="%{customdata}<br>macro F1 %{y:.3f}<extra></extra>")  # fmt: skip
    figure.update_xaxes(type="category")
    figure.update_layout(yaxis_title="macro F1")
    return figure


def cell_comparison(frame: pd.DataFrame, intervals: dict[str, tuple[float, float]] | None = None,
                    apart: set[str] | None = None, best: str | None = None, chance: float | None = None) -> go.Figure:
    """RNN vs LSTM vs GRU: every run a dot at its macro F1, one column per cell, bidirectional as diamonds;
    baselines in the frame are dashed lines across, named in the legend with their score (not on the line, where
    a baseline as good as a cell's best would sit on its "best" label); the majority class too (the axis's floor).

    `intervals`: run id -> the (low, high) 95% bootstrap interval of its macro F1 over the test texts, drawn as
    an error bar. `apart`: the runs the paired test tells apart from the `best` run (drawn hollow); every other
    run cannot be told apart from it on this test split. The axis runs from the majority class (without one, from
    `chance`, a guess at random's macro F1, 1/classes) up, never zoomed to the dots alone: a gap of one point looks
    like one point.
    """
    baselines = frame[frame["cell"].isna() & frame["f1_macro"].notna()] if "baseline" in frame else frame.iloc[:0]
    frame = frame[frame["cell"].notna()]
    intervals = intervals or {}
    figure = go.Figure()
    order = [cell for cell in CELL_COLOURS if cell in set(frame["cell"])]
    for _, row in frame.iterrows():
        bi, colour = bool(row["bidirectional"]), CELL_COLOURS.get(row["cell"], OTHER_COLOUR)
        low, high = intervals.get(row["run_id"], (None, None))
        error = dict(type="data", symmetric=False, array=[high - row["f1_macro"]], arrayminus=[row["f1_macro"] - low],
                     color=colour, thickness=2, width=6) if low is not None else None  # fmt: skip
        hollow = apart is not None and row["run_id"] in apart
        interval = f"<br>95% interval {low:.3f}–{high:.3f}" if low is not None else ""
        verdict = "" if apart is None else ("<br>the best run" if row["run_id"] == best else
                                            "<br>worse than the best, for real" if hollow else
                                            "<br>cannot be told apart from the best")  # fmt: skip
        figure.add_scatter(
            x=[CELL_NAMES[row["cell"]]], y=[row["f1_macro"]], mode="markers", showlegend=False, error_y=error,
            marker=dict(size=15 if not hollow else 13, symbol=("diamond" if bi else "circle") + ("-open" * hollow),
                        color=colour, line=dict(color=colour if hollow else "white", width=2.5 if hollow else 1.5)),
            customdata=[row["label"]], offsetgroup="bi" if bi else "uni",
            hovertemplate=f"%{{customdata}}<br>macro F1 %{{y:.3f}}{interval}{verdict}<extra></extra>",
        )  # fmt: skip
    for bi in sorted(set(frame["bidirectional"].astype(bool))):
        figure.add_scatter(x=[None], y=[None], mode="markers", name="both ways" if bi else "one way",
                           marker=dict(size=12, symbol="diamond" if bi else "circle", color=OTHER_COLOUR))  # fmt: skip
    if apart:
        figure.add_scatter(x=[None], y=[None], mode="markers", name="worse than the best, for real",
                           marker=dict(size=12, symbol="circle-open", color=OTHER_COLOUR, line_width=2.5))
    best_scores = frame.groupby("cell")["f1_macro"].max()
    tops = {cell: max([best_scores[cell], *(intervals[r][1] for r in frame[frame["cell"] == cell]["run_id"]
                                             if r in intervals)]) for cell in order}  # fmt: skip
    for cell in order:
        figure.add_annotation(x=CELL_NAMES[cell], y=tops[cell], text=f"best {best_scores[cell]:.3f}",
                              showarrow=False, yshift=14)  # fmt: skip
    shown = list(frame["f1_macro"]) + [value for low_high in intervals.values() for value in low_high]
    low, high = min(shown), max(shown)
    for _, row in baselines.iterrows():
        low, high = min(low, row["f1_macro"]), max(high, row["f1_macro"])
        colour = BASELINE_COLOURS.get(row["baseline"], OTHER_COLOUR)
        figure.add_hline(y=row["f1_macro"], line_color=colour, line_dash="dash", line_width=2)
        figure.add_scatter(x=[None], y=[None], mode="lines", name=f"{row['label']} {row['f1_macro']:.3f}",
                           line=dict(color=colour, dash="dash", width=2))  # fmt: skip
    if chance is not None and "majority" not in set(baselines.get("baseline", ())):
        low = min(low, chance)
        figure.add_hline(y=chance, line_color=BASELINE_COLOURS["majority"], line_dash="dot", line_width=1.5)
        figure.add_scatter(x=[None], y=[None], mode="lines", name=f"chance {chance:.3f}",
                           line=dict(color=BASELINE_COLOURS["majority"], dash="dot", width=1.5))  # fmt: skip
    padding = max((high - low) * 0.08, 0.02)
    title = "Macro F1 by cell, with 95% intervals" if intervals else "Macro F1 by cell"
    figure.update_layout(title=title, scattermode="group")
    figure.update_xaxes(categoryorder="array", categoryarray=[CELL_NAMES[cell] for cell in order])
    figure.update_yaxes(title="macro F1", range=[max(low - padding, 0), min(high + 2 * padding, 1.0)])
    return figure


def _padded_range(values: pd.Series, log: bool = False, share: float = 0.12) -> list[float]:
    """An axis range with room around the points, so their text labels are not cut off."""
    values = np.log10(values.astype(float)) if log else values.astype(float)
    low, high = float(values.min()), float(values.max())
    padding = (high - low) * share or (abs(high) * 0.05 if not log else 0.05) or 1.0
    return [low - padding, high + padding]


def tradeoff(frame: pd.DataFrame, styles: dict[str, Style], x: str, x_title: str, log_x: bool = False) -> go.Figure:
    """Accuracy against a cost (parameters, train time); every run a labelled point."""
    figure = go.Figure()
    label_points = len(frame) <= 10
    frame = frame.dropna(subset=[x, "accuracy"])
    for _, row in frame.iterrows():
        style = styles[row["label"]]
        figure.add_scatter(x=[row[x]], y=[row["accuracy"]], mode="markers+text" if label_points else "markers",
                           name=row["label"], text=[row["label"]], textposition="top center", cliponaxis=False,
                           marker=dict(size=13, color=style.colour, symbol=style.symbol,
                                       line=dict(color="white", width=1)),
                           hovertemplate=f"{row['label']}<br>{x_title} %{{x:,.4g}}<br>"
                                         "accuracy %{y:.3f}<extra></extra>")  # fmt: skip
    figure.update_layout(title=f"Accuracy against {x_title}", showlegend=not label_points)
    if not frame.empty:
        figure.update_xaxes(range=_padded_range(frame[x], log_x))
        figure.update_yaxes(range=_padded_range(frame["accuracy"], share=0.2))
    figure.update_xaxes(title=x_title, type="log" if log_x else "linear")
    figure.update_yaxes(title="test accuracy", tickformat=".1%")
    return figure


# -- Playground --------------------------------------------------------------------------------


def prediction_bars(probabilities: pd.DataFrame, classes: list[str]) -> go.Figure:
    """Each model's class probabilities as one stacked bar; the line at 50% marks a coin flip."""
    figure = go.Figure()
    for index, name in enumerate(classes):
        values = probabilities[name]
        figure.add_bar(y=probabilities.index, x=values, orientation="h", name=name,
                       marker_color=class_colour(name, index),
                       text=[f"{value:.0%}" if value >= 0.08 else "" for value in values], textposition="inside",
                       insidetextanchor="end", hovertemplate=f"%{{y}}<br>{name} %{{x:.1%}}<extra></extra>")  # fmt: skip
    if len(classes) == 2:
        figure.add_vline(x=0.5, line_color=INK, line_width=1.5, line_dash="dot")
    figure.update_layout(barmode="stack", title="What each model says", legend_traceorder="normal",
                         bargap=0.3)  # fmt: skip
    figure.update_xaxes(range=[0, 1], tickformat=".0%")
    figure.update_yaxes(autorange="reversed")
    return figure
