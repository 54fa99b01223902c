"""The Overview page for a forecasting data set: the series card and the forecasters' leaderboard."""

from __future__ import annotations

import streamlit as st

from dashboard import loaders, ui
from dashboard.features.forecasting import figures_forecast, tables_forecast
from dashboard.state import Selection
from pipelines.records import DatasetSummary
from pipelines.tasks import Capability

WHOLE_COLUMNS = ("model", "kind", "horizon", "trained by", "run id", "parameters", "epochs")


def score_columns(table) -> dict:
    """Scores with three decimals (the table's other columns as they are)."""
    return {title: st.column_config.NumberColumn(title, format="%.3f") for title in table.columns
            if title not in WHOLE_COLUMNS}  # fmt: skip


def series_card(selected: Selection, summary: DatasetSummary) -> None:
    facts = summary.series
    st.subheader(summary.title)
    columns = st.columns(5)
    for column, part in zip(columns, ("train", "validation", "test")):
        span = facts.parts.get(part, {})
        column.metric(f"{part} values", f"{span.get('size', 0):,}", help=f"{span.get('start')} to {span.get('end')}")
    columns[3].metric("season", f"{facts.season} steps", help=f"Steps per season ({facts.frequency} data); "
                      "seasonal naive repeats the value this many steps back.")  # fmt: skip
    columns[4].metric("gaps filled", f"{facts.filled:,}", help="Missing values inside the series, filled by linear "
                      "interpolation in time; no test score is computed on a filled value.")  # fmt: skip
    try:
        series = loaders.series(selected.dataset)
    except loaders.Unreadable as error:
        st.error(f"{error}. Train any forecast zoo on it again to rewrite it.", icon=":material/error:")
        return
    every = tables_forecast.step_word(facts.frequency)
    ui.show_chart(f"{selected.dataset}-series", figures_forecast.series_chart, series, facts.parts, facts.unit,
                  f"{facts.start} to {facts.end}, one value a {every}", height=320)  # fmt: skip
    settings = facts.settings
    ui.teach(f"Cut in time, never shuffled: the models learn from the training part, stop early on the validation "
             f"part and are scored on the test part. Each reads {settings.get('lookback')} values and forecasts "
             f"the next {settings.get('horizon')}. Source: {summary.source}.")


def leaderboard(selected: Selection, records) -> None:
    st.subheader("Leaderboard")
    ui.teach("Test scores of every finished forecaster beside the baselines, best RMSE first; lower is better but for "
             "R² and direction. The Forecasts page draws them.")  # fmt: skip
    ui.describe_unfinished(records)
    finished = [record for record in ui.drawn([r for r in records if r.state == "done"], Capability.FORECAST)
                if selected.keeps(record)]  # fmt: skip
    if not records:
        ui.from_a_terminal(f"No runs for {selected.dataset} yet. Train the quick forecast zoo:",
                           ui.train_command(selected.dataset, "forecast-quick"))
        return
    if not finished:
        st.info("No finished forecaster passes the sidebar filters yet.", icon=":material/filter_alt:")
        return
    frame = tables_forecast.forecast_frame(finished)
    horizon = int(frame["horizon"].max())
    table = tables_forecast.leaderboard(frame, {r.run_id: r for r in finished}, tuple(sorted({1, horizon})))
    ui.show_table(table, f"{selected.dataset}-forecast-leaderboard", column_config=score_columns(table))


def render(selected: Selection, summary: DatasetSummary) -> None:
    series_card(selected, summary)
    leaderboard(selected, loaders.runs(selected.dataset))
