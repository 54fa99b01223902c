"""Forecasts: how close does each forecaster come to what happened, and does it beat the baselines?"""

import pandas as pd
import streamlit as st

from dashboard import loaders, ui
from dashboard.features.forecasting import figures_forecast, forecast_overview, tables_forecast
from dashboard.state import RUNS, kept
from pipelines.forecasting.runs import with_bands
from pipelines.tasks import Capability

FUTURE = "future"  # the origin choice that means "after the last value": the real future

st.title("Forecasts")
ui.teach("Each model forecasts the test part from the values before it, never from after. Compare it with the "
         "baselines it has to beat: the last value, last season's value, and Holt-Winters.")  # fmt: skip

selected = ui.require_dataset()
summary = ui.require_series(selected.dataset)
records = ui.require_finished_runs(selected, Capability.FORECAST)
frame = tables_forecast.forecast_frame(records)
by_id = {record.run_id: record for record in records}
labels = dict(zip(frame["run_id"], frame["label"]))
styles = figures_forecast.forecast_styles(frame)
facts = summary.series
try:
    series = loaders.series(selected.dataset)
except loaders.Unreadable as error:
    st.error(f"{error}. Train any forecast zoo on {selected.dataset} again to rewrite it.", icon=":material/error:")
    st.stop()


def controls_ui(horizon: int, origins: list[str]) -> tuple[list[str], int, str, bool]:
    chosen = ui.pick_runs(RUNS, list(frame["run_id"]), tables_forecast.default_runs(frame), labels,
                          help="Sorted by test RMSE, best first; baselines included.")  # fmt: skip
    left, middle, right = st.columns([2, 3, 1.4])
    step = left.slider("Steps ahead", 1, horizon, 1, **kept("step"),
                       help="The line shows every test forecast made this many steps before the value it forecasts.")
    origin = middle.select_slider("Fan from", [*origins, FUTURE], value=origins[0], key="forecast_origin",
                                  format_func=lambda value: "the end (future)" if value == FUTURE else value,
                                  help="The whole forecast made after this value, with its 80% and 95% bands.")
    whole = right.toggle("Whole series", key="forecast_whole")
    return chosen, step, origin, whole


predictions = {}
for run_id in list(frame["run_id"]):
    try:
        predictions[run_id] = loaders.predictions(by_id[run_id])
    except loaders.Unreadable as error:
        ui.left_out(f"{error}. Training the zoo again redoes that run")
frame = frame[frame["run_id"].isin(list(predictions))].reset_index(drop=True)
if frame.empty:
    st.stop()
horizon = int(frame["horizon"].max())
origins = sorted(set(predictions[frame["run_id"][0]]["origin"]))
chosen, step, origin, whole = controls_ui(horizon, origins)
if not chosen:
    st.info("Pick at least one model above.", icon=":material/arrow_upward:")
    st.stop()

lines, fans = {}, {}
for run_id in chosen:
    label, record = labels[run_id], by_id[run_id]
    if step <= record.metrics.horizon:
        lines[label] = tables_forecast.step_forecasts(predictions[run_id], step)
    try:
        if origin == FUTURE:
            fans[label] = loaders.forecast_from(record, len(series) - 1)
        else:  # a run with a shorter horizon has origins later into the test part
            made = tables_forecast.origin_forecast(predictions[run_id], origin)
            if len(made):
                fans[label] = with_bands(made, record.metrics.validation_rmse)
    except loaders.Unreadable as error:
        st.warning(f"Left out of the fan: {error}.", icon=":material/warning:")

last_date = max([series["date"].max(), *(fan["date"].max() for fan in fans.values())])
window = None if whole else (pd.Timestamp(facts.parts["validation"]["start"]), last_date)
ui.show_chart("forecasts", figures_forecast.forecast_chart, series, facts.parts, lines, fans, styles, step, facts.unit,
              window, height=480)  # fmt: skip
ui.teach("The shaded fan is the forecast made after one value, all its steps at once; its bands are as wide as "
         "that step's errors on the validation part. Slide the steps: far-ahead forecasts drift, close ones hug the "
         "line.")

left, right = st.columns([1, 3])
score = left.radio("Score", list(tables_forecast.SCORE_TITLES), format_func=tables_forecast.SCORE_TITLES.get,
                   key="forecast_score")  # fmt: skip
chosen_records = [by_id[run_id] for run_id in chosen]
with right:
    ui.show_chart("forecast-errors-by-step", figures_forecast.horizon_errors,
                  tables_forecast.per_step(chosen_records, labels, score), styles,
                  tables_forecast.SCORE_TITLES[score], score == "direction_accuracy", height=360)  # fmt: skip
ui.teach("MASE below 1 beats last season's value as a one-step forecast on the training part (Hyndman & Koehler). "
         "Direction: the share of forecasts that move the right way from the last value read.")

st.subheader("Test scores, with the baselines")
steps = tuple(sorted({1, min(12, horizon), horizon}))
table = tables_forecast.leaderboard(frame, by_id, steps)
ui.show_table(table, f"{selected.dataset}-forecast-scores", column_config=forecast_overview.score_columns(table))
notes = {record.metrics.mape_note for record in records if record.metrics.mape_note}
for note in notes:
    st.caption(f":material/info: {note}, so no MAPE is given; sMAPE and MASE still are.")
ui.teach(f"Recurrent forecasters are trained by PyTorch on {facts.parts['train']['size']:,} training values; "
         "Holt-Winters is fitted by statsmodels on the same part; the naive forecasts are rules with nothing to learn.")
