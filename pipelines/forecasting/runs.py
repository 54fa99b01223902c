"""Loading a finished forecasting run, recurrent or baseline, and forecasting with it; imports no trainer.

    run = load_forecaster(Store(), "co2", "torch-lstm-1x64-lb104-h52-1a2b3c4d")
    run.forecast_from(len(run.series) - 1)   # Forecast: the next `horizon` values after the last one
    run.hidden_states(origin)                # each layer's states while reading the window (recurrent runs)

The series comes from the store (`series.parquet`, written when the data set
was prepared); a run whose series has changed since it was trained is refused.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from ..files import read_json
from ..models.forecast_spec import ForecastBaselineSpec, ForecasterSpec
from ..records import ForecastMetrics
from ..store import RunRecord, Store
from ..tasks import Capability
from . import baselines
from .windows import decode, encode, targets

INTERVALS = {"80%": 1.2816, "95%": 1.96}  # normal quantiles: the fan's bands from validation errors per step
BATCH = 1024  # windows per forward pass


class ForecastNotReady(ValueError):
    """The run cannot forecast: not finished, not a forecaster, damaged, or its series changed."""


def recurrent_forecasts(model, spec: ForecasterSpec, values: np.ndarray, origins: np.ndarray) -> np.ndarray:
    """A recurrent forecaster's forecasts (origins, horizon), in the series' units: a PyTorch model, or the seed's
    Keras encoder-decoder."""
    import torch

    inputs, _ = encode(values, origins, spec.lookback, spec.horizon, spec.scaler_mean, spec.scaler_scale,
                       spec.relative)  # fmt: skip
    if not isinstance(model, torch.nn.Module):
        from ..models.keras_forecaster import keras_forecasts

        return decode(keras_forecasts(model, inputs), values, origins, spec.scaler_mean, spec.scaler_scale,
                      spec.relative)  # fmt: skip
    model.eval()
    device = next(model.parameters()).device
    outputs = np.zeros((len(origins), spec.horizon), dtype=np.float32)
    with torch.inference_mode():
        for start in range(0, len(origins), BATCH):
            batch = torch.from_numpy(inputs[start : start + BATCH]).to(device)
            outputs[start : start + BATCH] = model(batch).float().cpu().numpy()
    return decode(outputs, values, origins, spec.scaler_mean, spec.scaler_scale, spec.relative)


@dataclass
class LoadedForecaster:
    record: RunRecord
    spec: ForecasterSpec | ForecastBaselineSpec
    series: pd.DataFrame  # date, value, observed, part
    frequency: str  # the series' step, e.g. "W-SAT"
    model: object = None  # a PyTorch forecaster, or the seed's Keras encoder-decoder (a keras.Model); None for a
    # baseline
    parameters: dict | None = None  # a baseline's fitted parameters

    @property
    def run_id(self) -> str:
        return self.record.run_id

    @property
    def metrics(self) -> ForecastMetrics:
        return self.record.metrics

    @property
    def values(self) -> np.ndarray:
        return self.series["value"].to_numpy(float)

    @property
    def recurrent(self) -> bool:
        return self.model is not None

    @property
    def label(self) -> str:
        return self.spec.label()

    @property
    def capabilities(self) -> frozenset[Capability]:
        """Forecast (`pipelines.loaded`); a recurrent forecaster also shows its hidden states, a baseline has none."""
        if self.recurrent:
            return frozenset({Capability.FORECAST, Capability.HIDDEN_STATES})
        return frozenset({Capability.FORECAST})

    def first_origin(self) -> int:
        """The earliest origin with a full window (and a full season, for the seasonal baselines)."""
        need = self.spec.lookback if self.recurrent else max(self.spec.lookback, getattr(self.spec, "season", 1))
        return max(need - 1, 0)

    def check_origin(self, origin: int) -> int:
        last = len(self.series) - 1
        first = self.first_origin()
        if not first <= origin <= last:
            dates = self.series["date"]
            raise ValueError(f"an origin must be between {dates.iloc[first].date()} (index {first}: the model needs "
                             f"{first + 1} values before it) and {dates.iloc[last].date()} (index {last}); "
                             f"got index {origin}")  # fmt: skip
        return origin

    def forecasts(self, origins: np.ndarray) -> np.ndarray:
        """Forecasts (origins, horizon) in the series' units, each from its origin's past only."""
        origins = np.asarray(origins, dtype=np.int64)
        if self.recurrent:
            return recurrent_forecasts(self.model, self.spec, self.values, origins)
        return baselines.forecast(self.spec, self.parameters, self.values, origins)

    def forecast_from(self, origin: int) -> pd.DataFrame:
        """One forecast: step, date, forecast, its 80% and 95% bands (from validation errors), actual if known."""
        origin = self.check_origin(origin)
        predicted = self.forecasts(np.array([origin]))[0]
        horizon = self.spec.horizon
        dates = pd.date_range(self.series["date"].iloc[origin], periods=horizon + 1, freq=self.frequency)[1:]
        frame = pd.DataFrame({"step": np.arange(1, horizon + 1), "date": dates, "forecast": predicted,
                              "actual": targets(self.values, np.array([origin]), horizon)[0]})  # fmt: skip
        return with_bands(frame, self.metrics.validation_rmse)

    def hidden_states(self, origin: int) -> list[np.ndarray]:
        """Each layer's hidden states (lookback, hidden) while reading the window that ends at `origin`."""
        if not self.recurrent:
            raise ValueError(f"{self.run_id} is a {self.spec.label()} baseline: it has no hidden states")
        import torch

        origin = self.check_origin(origin)
        inputs, _ = encode(self.values, np.array([origin]), self.spec.lookback, self.spec.horizon,
                           self.spec.scaler_mean, self.spec.scaler_scale, self.spec.relative)  # fmt: skip
        if not isinstance(self.model, torch.nn.Module):
            from ..models.keras_forecaster import encoder_states

            return [encoder_states(self.model, inputs)[0]]
        device = next(self.model.parameters()).device
        with torch.inference_mode():
            layers = self.model.layer_outputs(torch.from_numpy(inputs).to(device))
        return [layer[0].float().cpu().numpy() for layer in layers]


def load_forecaster(store: Store, dataset: str, run_id: str, device: str = "cpu") -> LoadedForecaster:
    """Rebuild a finished forecasting run: weights into a RecurrentForecaster, or a baseline's JSON parameters."""
    record = store.run(dataset, run_id)
    if record.state != "done":
        reason = f": {record.problem}" if record.problem else ""
        raise ForecastNotReady(f"run {run_id} of {dataset} is {record.state}{reason}")
    if record.task != "forecasting":
        raise ForecastNotReady(f"forecast works on forecasting runs; {run_id} is a {record.task} run")
    series = store.read_series(dataset)
    expected = record.spec.dataset.series_fingerprint
    stored = store.read_dataset(dataset).series
    if stored is None or stored.fingerprint != expected or len(series) != stored.length:
        raise ForecastNotReady(f"run {run_id} was trained on another version of {dataset} (series {expected}); "
                               "retrain it")  # fmt: skip
    spec = record.model_spec
    if isinstance(spec, ForecastBaselineSpec):
        return LoadedForecaster(record, spec, series, stored.frequency,
                                parameters=read_json(record.path / "baseline.json"))
    if record.framework == "keras":
        return LoadedForecaster(record, spec, series, stored.frequency, model=_keras_model(record, spec, device))
    from safetensors.torch import load_file

    from ..devices import pick_device
    from ..models.forecaster import forecaster_for

    model = forecaster_for(spec)
    model.load_state_dict(load_file(str(record.path / "weights.safetensors")))
    return LoadedForecaster(record, spec, series, stored.frequency, model=model.to(pick_device(device)).eval())


def _keras_model(record, spec: ForecasterSpec, device: str):
    """The seed's Keras encoder-decoder from `model.keras` (safe mode: no code runs from the file), checked to be
    the spec's network."""
    import keras
    import tensorflow as tf

    from ..keras_backend import pick_tf_device

    with tf.device(pick_tf_device(device)[0]):
        model = keras.models.load_model(str(record.path / "model.keras"), safe_mode=True, compile=False)
    try:
        shape = (model.get_layer("encoder_input").output.shape[1], model.get_layer("decoder_input").output.shape[1],
                 model.get_layer("encoder_lstm").units)  # fmt: skip
    except ValueError:  # a layer it lacks
        shape = None
    if shape != (spec.lookback, spec.horizon, spec.hidden_size):
        raise ForecastNotReady(f"{record.path / 'model.keras'} does not hold this run's {spec.label()}; retrain it")
    return model


def with_bands(frame: pd.DataFrame, validation_rmse: list[float]) -> pd.DataFrame:
    """Add the fan to a forecast (one row per step, column `forecast`): 80% and 95% bands.

    Each step's band is as wide as that step's errors on the validation part
    (± z·RMSE_k, errors taken as normal), so it widens with the horizon as the errors do.
    """
    spread = np.asarray(validation_rmse, dtype=float)[frame["step"].to_numpy() - 1]
    for name, z in INTERVALS.items():
        frame[f"low {name}"] = frame["forecast"] - z * spread
        frame[f"high {name}"] = frame["forecast"] + z * spread
    return frame
