"""From scratch against pretrained embeddings, per architecture: plain data in, a Plotly figure out."""

from __future__ import annotations

import pandas as pd
import plotly.graph_objects as go

from dashboard.features.comparisons.tables_pretraining import STARTS
from dashboard.figures import CELL_COLOURS, INK, OTHER_COLOUR, _padded_range, shade

# One look per start, the same in every cell: hollow from scratch, filled pretrained (darker when frozen).
START_LOOKS = {
    STARTS["scratch"]: dict(symbol="circle-open", amount=0.0),
    STARTS["tuned"]: dict(symbol="circle", amount=0.0),
    STARTS["frozen"]: dict(symbol="square", amount=-0.35),
}
CELL_ORDER = list(CELL_COLOURS)


def scratch_vs_pretrained(points: pd.DataFrame, metric: str = "f1_macro", metric_title: str = "macro F1") -> go.Figure:
    """Every run a marker at its score, one column per architecture, the three starts side by side.

    `points` is `tables_pretraining.pretraining_points`.
    """
    figure = go.Figure()
    order = (points.assign(cell_order=points["cell"].map(CELL_ORDER.index))
             .sort_values(["cell_order", "architecture"])["architecture"].unique().tolist())  # fmt: skip
    for start, look in START_LOOKS.items():
        subset = points[points["start"] == start]
        if subset.empty:
            continue
        colours = [shade(CELL_COLOURS.get(cell, OTHER_COLOUR), look["amount"]) if look["amount"] else
                   CELL_COLOURS.get(cell, OTHER_COLOUR) for cell in subset["cell"]]  # fmt: skip
        coverage = subset["coverage"].map(lambda share: "" if pd.isna(share) else f"<br>{share:.0%} of words pretrained")
        figure.add_scatter(
            x=subset["architecture"], y=subset[metric], mode="markers", name=start, offsetgroup=start, showlegend=False,
            marker=dict(size=16, symbol=look["symbol"], color=colours, line=dict(color=colours, width=2.5)),
            customdata=list(zip(subset["label"], coverage, subset["embedding_size"])),
            hovertemplate=("%{customdata[0]}<br>" + metric_title + " %{y:.3f}<br>embeddings of %{customdata[2]}"
                           "%{customdata[1]}<extra></extra>"),
        )  # fmt: skip
        # The legend shows the shape in ink: colour is the cell, as in every chart.
        figure.add_scatter(x=[None], y=[None], mode="markers", name=start,
                           marker=dict(size=13, symbol=look["symbol"], color=INK, line=dict(color=INK, width=2.5)))
    figure.update_layout(title=f"{metric_title}: from scratch against pretrained embeddings", scattermode="group")
    figure.update_xaxes(categoryorder="array", categoryarray=order)
    if not points.empty:
        figure.update_yaxes(range=_padded_range(points[metric].dropna(), share=0.25))
    figure.update_yaxes(title=metric_title)
    return figure
