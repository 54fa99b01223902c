"""Inside the forecaster: what does a recurrent forecaster hold while it reads the last window?"""

import numpy as np
import streamlit as st

from dashboard import figures, figures_inside, loaders, ui
from dashboard.features.forecasting import figures_forecast, tables_forecast
from pipelines.models.spec import FRAMEWORK_NAMES
from pipelines.tasks import Capability

st.title("Inside the forecaster")
ui.teach("A recurrent forecaster reads a window of values one step at a time and forecasts from the state it ends "
         "with. Here is that state, unit by unit, at every step of the window.")  # fmt: skip

selected = ui.require_dataset()
summary = ui.require_series(selected.dataset)
records = ui.require_finished_runs(selected, Capability.FORECAST)
frame = tables_forecast.forecast_frame(records)
recurrent = frame[~frame["baseline"]]
if recurrent.empty:
    st.info("Only baselines have finished: they have no hidden states. Recurrent forecasters appear here once "
            "trained.", icon=":material/hourglass_top:")  # fmt: skip
    st.stop()
by_id = {record.run_id: record for record in records}
labels = dict(zip(frame["run_id"], frame["label"]))
styles = figures.run_styles(recurrent)
try:
    series = loaders.series(selected.dataset)
except loaders.Unreadable as error:
    st.error(f"{error}. Train any forecast zoo on {selected.dataset} again to rewrite it.", icon=":material/error:")
    st.stop()
dates = series["date"].dt.strftime("%Y-%m-%d").tolist()


def controls_ui() -> tuple[str, int, int]:
    ids = list(recurrent["run_id"])
    left, middle, right = st.columns([2, 3, 1])
    run_id = ui.pick_run(ids, labels, column=left)
    spec = by_id[run_id].model_spec
    choices = dates[spec.lookback - 1 :]
    last = middle.select_slider("Window ending at", choices, value=choices[-1],
                                key=f"forecaster_origin:{spec.lookback}",
                                help="The last value the model reads; the default is the end of the series, so "
                                     "the forecast is of the real future.")  # fmt: skip
    layer = right.selectbox("Layer", list(range(1, spec.layers + 1)), index=spec.layers - 1, key="forecaster_layer")
    return run_id, dates.index(last), min(layer, spec.layers) - 1


run_id, origin, layer = controls_ui()
record = by_id[run_id]
spec = record.model_spec
try:
    forecast = loaders.forecast_from(record, origin)
    states = loaders.forecaster_states(record, origin)
except (loaders.Unreadable, ValueError) as error:
    st.warning(f"{error}.", icon=":material/warning:")
    st.stop()

window = series.iloc[origin - spec.lookback + 1 : origin + 1]
colour = styles[labels[run_id]].colour
ui.show_chart("forecaster-window", figures_forecast.window_chart, window, forecast, colour, summary.series.unit,
              height=340)  # fmt: skip
ui.teach("The model reads the window as changes from its last value (in training standard deviations) and " + (
    "its encoder's final states start a decoder that writes the forecast one step at a time (seed 001's "
    "encoder-decoder); below are the encoder's states." if spec.encoder_decoder else
    "forecasts all its steps at once from the state after the last value."))  # fmt: skip

hidden = states[layer]  # (lookback, hidden)
order = np.argsort(-hidden[-1], kind="stable")  # the units the forecast is read from, strongest first
steps = dates[origin - spec.lookback + 1 : origin + 1]
trained_by = FRAMEWORK_NAMES.get(record.framework, record.framework)
named = labels[run_id] if labels[run_id].endswith(f"· {trained_by}") else f"{labels[run_id]} ({trained_by})"
title = f"{named}, layer {layer + 1}: hidden state h at each value read"
ui.show_chart("forecaster-states", figures_inside.state_heatmap, hidden, steps, order, "hidden", title, height=460)
ui.show_chart("forecaster-norm", figures_inside.norm_lines, {"forward": np.linalg.norm(hidden, axis=1)}, steps,
              colour, "How much the hidden state holds: ‖h‖ after each value", height=260)  # fmt: skip
ui.teach("Units are ordered by their value after the last step, the state the forecast is computed from (the last "
         "column). Units that swing with the season show as stripes a season apart; units that barely move carry "
         "the level.")
ui.teach(f"{labels[run_id]} was trained by {trained_by} ({record.metrics.epochs_trained} epochs, "
           f"{record.metrics.parameters:,} parameters); test RMSE {record.metrics.rmse:.4g}.")
