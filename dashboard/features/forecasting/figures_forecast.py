"""Figure builders for forecasting: plain data in, a Plotly figure out. No Streamlit here.

Recurrent forecasters keep their cell's colour (figures.run_styles); the
baselines are greys and reddish purple, dotted, so a lecture can tell "a model" from
"what a model must beat" at a glance.
"""

from __future__ import annotations

from dataclasses import replace

import pandas as pd
import plotly.graph_objects as go

from dashboard.figures import INK, Style, run_styles
from dashboard.palette import ORANGE, REDDISH_PURPLE

BASELINE_STYLES = {
    "naive": Style("#9ca3af", "dot", "square"),
    "seasonal-naive": Style("#4b5563", "dot", "square"),
    "holt-winters": Style(REDDISH_PURPLE, "dash", "triangle-up"),
}
PART_COLOURS = {"validation": "rgba(232, 131, 58, 0.08)", "test": "rgba(53, 88, 214, 0.08)"}
ACTUAL = "#111827"
FILLED = ORANGE  # the gaps the series filled: marked, not a forecast (RNN forecasts are vermillion)
INSIDE_UPPER_LEFT = dict(x=0.01, xanchor="left", y=0.97, yanchor="top", bgcolor="rgba(255,255,255,0.85)")


def forecast_styles(frame: pd.DataFrame) -> dict[str, Style]:
    """Style per run label; `frame` is tables_forecast.forecast_frame."""
    recurrent = frame[~frame["baseline"]]
    styles = run_styles(recurrent) if len(recurrent) else {}
    for label in recurrent[recurrent["framework"] == "keras"]["label"]:
        # A Keras run has its PyTorch twin's colour: dash-dotted with crosses, the two stay apart where they overlap.
        styles[label] = replace(styles[label], dash="dashdot", symbol="x")
    for _, row in frame[frame["baseline"]].iterrows():
        styles[row["label"]] = BASELINE_STYLES.get(row["method"], Style("#6b7280", "dot", "square"))
    return styles


def _parts(figure: go.Figure, parts: dict[str, dict]) -> None:
    """Shade the validation and test parts and name every part at the top."""
    for part, facts in parts.items():
        start, end = pd.Timestamp(facts["start"]), pd.Timestamp(facts["end"])
        if part in PART_COLOURS:
            figure.add_vrect(x0=start, x1=end, fillcolor=PART_COLOURS[part], line_width=0, layer="below")
        figure.add_annotation(x=start, y=1, yref="paper", text=part, showarrow=False, xanchor="left",
                              yanchor="bottom", font_color="#6b7280")  # fmt: skip
        if part != "train":
            figure.add_vline(x=start, line_color="#9ca3af", line_width=1, line_dash="dot")


def series_chart(series: pd.DataFrame, parts: dict[str, dict], unit: str, title: str) -> go.Figure:
    """The whole series with its train / validation / test parts; filled gaps as orange dots."""
    figure = go.Figure()
    figure.add_scatter(x=series["date"], y=series["value"], mode="lines", name="observed",
                       line=dict(color=ACTUAL, width=1.5),
                       hovertemplate=f"%{{x|%Y-%m-%d}}: %{{y:.4g}} {unit}<extra></extra>")  # fmt: skip
    filled = series[~series["observed"].astype(bool)]
    if len(filled):
        figure.add_scatter(x=filled["date"], y=filled["value"], mode="markers", name="gap, filled",
                           marker=dict(color=FILLED, size=6),
                           hovertemplate="%{x|%Y-%m-%d}: filled by interpolation (%{y:.4g})<extra></extra>")
    _parts(figure, parts)
    figure.update_layout(title=title, showlegend=len(filled) > 0, legend=INSIDE_UPPER_LEFT)
    figure.update_yaxes(title=unit or "value")
    return figure


def forecast_chart(series: pd.DataFrame, parts: dict[str, dict], lines: dict[str, pd.DataFrame],
                   fans: dict[str, pd.DataFrame], styles: dict[str, Style], step: int, unit: str,
                   window: tuple | None = None) -> go.Figure:  # fmt: skip
    """Actual values, each model's forecasts `step` values ahead, and each model's fan from one origin.

    `lines`: label -> (date, forecast); `fans`: label -> pipelines.forecasting.runs.with_bands's table.
    """
    figure = go.Figure()
    figure.add_scatter(x=series["date"], y=series["value"], mode="lines", name="actual",
                       line=dict(color=ACTUAL, width=2.2), hovertemplate="%{x|%Y-%m-%d}: %{y:.4g}<extra>actual</extra>")
    ahead = f"{step} step{'s' * (step != 1)} ahead"
    for label, frame in lines.items():
        style = styles[label]
        figure.add_scatter(x=frame["date"], y=frame["forecast"], mode="lines", name=f"{label}, {ahead}",
                           legendgroup=label, line=dict(color=style.colour, dash=style.dash, width=1.8),
                           hovertemplate=f"%{{x|%Y-%m-%d}}: %{{y:.4g}}<extra>{label}, {ahead}</extra>")  # fmt: skip
    for label, fan in fans.items():
        _fan(figure, label, fan, styles[label].colour)
    _parts(figure, parts)
    figure.update_layout(title=f"Forecast against actual: {ahead}, and the fan from one origin",
                         legend_groupclick="toggleitem")  # fmt: skip
    figure.update_yaxes(title=unit or "value")
    if window is not None:
        shown = series[(series["date"] >= window[0]) & (series["date"] <= window[1])]["value"]
        bands = [fan[["low 95%", "high 95%"]].to_numpy().ravel() for fan in fans.values()]
        low = min([shown.min(), *(b.min() for b in bands if len(b))])
        high = max([shown.max(), *(b.max() for b in bands if len(b))])
        padding = (high - low) * 0.05 or 1.0
        figure.update_xaxes(range=list(window))
        figure.update_yaxes(range=[low - padding, high + padding])
    return figure


def _fan(figure: go.Figure, label: str, fan: pd.DataFrame, colour: str) -> None:
    """95% and 80% bands (lighter, darker) around the forecast path from one origin."""
    for name, opacity in (("95%", 0.12), ("80%", 0.22)):
        figure.add_scatter(x=list(fan["date"]) + list(fan["date"])[::-1],
                           y=list(fan[f"high {name}"]) + list(fan[f"low {name}"])[::-1], fill="toself",
                           fillcolor=_transparent(colour, opacity), mode="lines",
                           line=dict(width=0, color="rgba(0, 0, 0, 0)"),  # no edge, even when styled() widens lines
                           name=f"{label}: {name} band", legendgroup=label, showlegend=False, hoverinfo="skip")
    figure.add_scatter(x=fan["date"], y=fan["forecast"], mode="lines+markers", name=f"{label}: fan",
                       legendgroup=label, line=dict(color=colour, width=2.5), marker=dict(size=4),
                       customdata=fan[["step", "low 80%", "high 80%"]].to_numpy(),
                       hovertemplate=f"{label}<br>%{{x|%Y-%m-%d}}, step %{{customdata[0]}}: %{{y:.4g}}"
                                     "<br>80%: %{customdata[1]:.4g} .. %{customdata[2]:.4g}<extra></extra>")


def _transparent(hex_colour: str, opacity: float) -> str:
    red, green, blue = (int(hex_colour[i : i + 2], 16) for i in (1, 3, 5))
    return f"rgba({red}, {green}, {blue}, {opacity})"


def horizon_errors(scores: dict[str, list[float | None]], styles: dict[str, Style], title: str,
                   percent: bool = False) -> go.Figure:  # fmt: skip
    """A score at each horizon step, one line per model: how fast each forecast loses its way."""
    figure = go.Figure()
    for label, values in scores.items():
        style = styles[label]
        figure.add_scatter(x=list(range(1, len(values) + 1)), y=values, mode="lines+markers", name=label,
                           line=dict(color=style.colour, dash=style.dash, width=2.5),
                           marker=dict(symbol=style.symbol, size=6),
                           hovertemplate=f"{label}<br>step %{{x}}: %{{y:.4g}}<extra></extra>")  # fmt: skip
    figure.update_layout(title=f"{title} by horizon step (test part)")
    figure.update_xaxes(title="steps ahead")
    figure.update_yaxes(title=title, rangemode="tozero", tickformat=".0%" if percent else None)
    return figure


def window_chart(window: pd.DataFrame, forecast: pd.DataFrame, colour: str, unit: str) -> go.Figure:
    """What the model read (the window) and what it forecast after it, with the fan."""
    figure = go.Figure()
    figure.add_scatter(x=window["date"], y=window["value"], mode="lines+markers", name="read", marker=dict(size=4),
                       line=dict(color=ACTUAL, width=2), hovertemplate="%{x|%Y-%m-%d}: %{y:.4g}<extra>read</extra>")
    known = forecast.dropna(subset=["actual"])
    if len(known):
        figure.add_scatter(x=known["date"], y=known["actual"], mode="lines", name="actual", line=dict(color=INK,
                           width=1.5, dash="dot"), hovertemplate="%{x|%Y-%m-%d}: %{y:.4g}<extra>actual</extra>")
    _fan(figure, "forecast", forecast, colour)
    figure.update_layout(title="The window the model reads, and its forecast", showlegend=True)
    figure.update_yaxes(title=unit or "value")
    return figure
