"""Figure builders for the Glass box page: a comparison in, a Plotly figure out. No Streamlit here."""

from __future__ import annotations

import numpy as np
import plotly.graph_objects as go

from dashboard.figures import INK
from dashboard.figures_inside import VALUE_TITLES, token_labels
from dashboard.palette import ALERT, ALERT_TEXT, GATE_COLOURS, SKY_BLUE

COLOURS = {"hidden": INK, **GATE_COLOURS, "candidate": "#9ca3af", "cell": SKY_BLUE}
FLOOR = 1e-10  # an exact match is drawn here, since a log axis has no zero


def difference_lines(differences: dict[str, np.ndarray], tokens: list[str], tolerance: float, title: str) -> go.Figure:
    """The largest |framework - reference| over the units after each token, per value, on a log axis."""
    figure = go.Figure()
    for name, values in differences.items():
        figure.add_scatter(x=token_labels(tokens), y=np.maximum(values, FLOOR), mode="lines+markers",
                           name=VALUE_TITLES.get(name, name), line=dict(color=COLOURS.get(name, INK), width=2),
                           hovertemplate=f"%{{x}}<br>{VALUE_TITLES.get(name, name)}: %{{y:.1e}}<extra></extra>")
    figure.add_hline(y=tolerance, line_color=ALERT, line_dash="dash", line_width=2)
    figure.add_annotation(x=1, xref="paper", y=np.log10(tolerance), text=f"tolerance {tolerance:.0e}", showarrow=False,
                          xanchor="right", yanchor="bottom", font_color=ALERT_TEXT)  # fmt: skip
    figure.update_layout(title=title)
    figure.update_xaxes(type="category", categoryorder="array", categoryarray=token_labels(tokens), showgrid=False,
                        tickangle=-45 if len(tokens) > 12 else 0)  # fmt: skip
    figure.update_yaxes(type="log", title="largest |difference|", exponentformat="power", range=[-10, -3])
    return figure
