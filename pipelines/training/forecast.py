"""`train` for a forecasting data set: series -> honest cut -> every forecaster of a zoo not yet in the store.

    outcomes = train(Store(), TrainRequest(dataset="co2", zoo="forecast"))

Recurrent forecasters train with `forecast_loop` (the encoder-decoder with `--framework keras`: in Keras, as seed
001 writes it, with `keras_forecast_loop`); the baselines are fitted on
the training part (Holt-Winters by statsmodels) and keep their parameters in
baseline.json. Every run, recurrent or baseline, is scored the same way on the
same test origins (`pipelines.forecasting.metrics`) and stored the same way.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np
import pandas as pd
from tqdm import tqdm

from ..backends import common_versions
from ..data.series import Series, load_series
from ..devices import pick_device, seed_everything
from ..forecasting import baselines
from ..forecasting.metrics import forecast_metrics, mase_scale
from ..forecasting.runs import recurrent_forecasts
from ..forecasting.windows import ForecastSettings, PreparedSeries, prepare, target_mask, targets
from ..forecasting.zoos import forecast_zoo_specs, pytorch_only_note, trained_in
from ..models.forecast_spec import ForecastBaselineSpec, ForecasterSpec
from ..models.forecaster import forecaster_for
from ..models.spec import FRAMEWORKS
from ..models.torch_zoo import count_parameters
from ..store import RunClaim, Store
from ..tasks import FORECASTING
from ..threads import single_thread
from .config import TrainConfig
from .request import FORECASTERS, TrainRequest
from .train import STATUS_INTERVAL, Outcome, run_id_for, train_each


@dataclass(frozen=True)
class PlannedForecaster:
    run_id: str
    framework: str  # torch | keras | baseline | statsmodels
    spec: ForecasterSpec | ForecastBaselineSpec
    config: TrainConfig


def series_summary(prepared: PreparedSeries) -> dict:
    """dataset.json for a forecasting data set."""
    series, info = prepared.series, prepared.series.info
    return {
        "key": info.key, "title": info.title, "task": FORECASTING.name, "source": info.source,
        "citation": info.citation, "training_defaults": info.training,
        "splits": {part: {"size": facts["size"]} for part, facts in prepared.summary().items()},
        "series": {
            "frequency": series.frequency, "season": info.season, "unit": info.unit, "length": len(series),
            "start": str(series.dates[0].date()), "end": str(series.dates[-1].date()),
            "fingerprint": series.fingerprint(), "gaps": series.gaps, "filled": int((~series.observed).sum()),
            "mean": prepared.mean, "scale": prepared.scale, "settings": prepared.settings.to_json(),
            "parts": prepared.summary(),
        },
    }  # fmt: skip


def prepare_series(store: Store, series: Series, settings: ForecastSettings) -> PreparedSeries:
    """Cut and scale the series; (re)write its dataset.json and series.parquet when they differ."""
    prepared = prepare(series, settings)
    summary = series_summary(prepared)
    try:
        stored = store.read_dataset(series.key).model_dump(mode="json").get("series")
    except ValueError:
        stored = None  # missing or damaged: write it again
    if stored != summary["series"] or not (store.dataset_dir(series.key) / "series.parquet").is_file():
        frame = series.frame().assign(part=prepared.split_of())
        store.write_series_dataset(summary, frame)
    return prepared


def plan_forecasters(prepared: PreparedSeries, specs: list, config: TrainConfig,
                     frameworks: tuple[str, ...] = ("torch",)) -> list[PlannedForecaster]:  # fmt: skip
    """One run per spec and framework it trains in (`zoos.trained_in`: a baseline once, the encoder-decoder in
    each framework asked, the direct forecasters in PyTorch)."""
    settings, series = prepared.settings, prepared.series
    planned = []
    for spec in specs:
        if isinstance(spec, ForecastBaselineSpec):
            resolved = spec.resolved(settings.lookback, settings.horizon, series.info.season)
            run_config = TrainConfig()  # a baseline trains no weights: the training flags do not change it
        else:
            resolved = spec.resolved(settings.lookback, settings.horizon, prepared.mean, prepared.scale)
            run_config = config
        identity = f"{series.fingerprint()}:{settings.to_json()}"
        for framework in trained_in(spec, frameworks):
            run_id = run_id_for(framework, resolved, series.key, identity, run_config, task=FORECASTING.name)
            planned.append(PlannedForecaster(run_id, framework, resolved, run_config))
    return planned


def _spec_document(run: PlannedForecaster, prepared: PreparedSeries, zoo_name: str, device: str) -> dict:
    series = prepared.series
    return {
        "run_id": run.run_id, "framework": run.framework, "task": FORECASTING.name, "label": run.spec.label(),
        "zoo": zoo_name,
        "dataset": {"key": series.key, "title": series.info.title, "series_fingerprint": series.fingerprint()},
        "model": run.spec.to_json(),
        "training": {**(run.config.to_json() if run.framework in FRAMEWORKS else {}), **prepared.settings.to_json()},
        "device": device,
        "versions": {**common_versions(), **_versions(run.framework)},
        "created_at": time.time(),
    }  # fmt: skip


def _versions(framework: str) -> dict:
    import importlib.metadata

    packages = {"torch": ["torch"], "keras": ["tensorflow", "keras"], "statsmodels": ["statsmodels"]}.get(framework, [])
    return {package: importlib.metadata.version(package) for package in packages}


def score(prepared: PreparedSeries, spec, forecast) -> tuple[dict, pd.DataFrame]:
    """Metrics and the predictions table of a forecaster, on the test part's origins.

    `forecast(origins)` returns forecasts (origins, horizon) in the series' units.
    """
    values, observed, season = prepared.values, prepared.series.observed, prepared.series.info.season
    horizon, lookback = prepared.settings.horizon, prepared.settings.lookback
    origins = prepared.origins("test", lookback, horizon)
    predicted, actual = forecast(origins), targets(values, origins, horizon)
    valid = target_mask(observed, origins, horizon)
    scale = mase_scale(values[: prepared.train_end], observed[: prepared.train_end], season)
    metrics = forecast_metrics(actual, predicted, values[origins], valid, scale)
    validation_origins = prepared.origins("validation", lookback, horizon)
    validation_errors = forecast(validation_origins) - targets(values, validation_origins, horizon)
    validation_valid = target_mask(observed, validation_origins, horizon)
    validation_rmse = [float(np.sqrt(np.mean(validation_errors[validation_valid[:, k], k] ** 2)))
                       for k in range(horizon)]  # fmt: skip
    metrics.update(method=spec.method, lookback=lookback, horizon=horizon, season=season,
                   test_origins=len(origins), mase_scale=scale, validation_rmse=validation_rmse)  # fmt: skip
    dates = prepared.series.dates
    steps = np.tile(np.arange(1, horizon + 1), len(origins))
    repeated = np.repeat(origins, horizon)
    table = pd.DataFrame({
        "id": [f"{origin}+{step}" for origin, step in zip(repeated, steps)],
        "origin": dates[repeated].strftime("%Y-%m-%d"), "step": steps,
        "date": dates[np.minimum(repeated + steps, len(dates) - 1)].strftime("%Y-%m-%d"),
        "label": actual.ravel(), "predicted": predicted.ravel(), "observed": valid.ravel(),
    })  # fmt: skip
    return metrics, table


def train_forecaster(run: PlannedForecaster, prepared: PreparedSeries, claim: RunClaim, zoo_name: str,
                     device: str = "auto", on_step=None) -> dict:  # fmt: skip
    """Fit, score and store one claimed forecasting run; returns its metrics."""
    started = time.time()
    if run.framework == "keras":
        from ..keras_backend import pick_tf_device  # imports TensorFlow

        framework_device, device_name = pick_tf_device(device)  # "/CPU:0" or "/GPU:0", and its name
    else:
        framework_device = pick_device(device)
        device_name = str(framework_device) if run.framework == "torch" else "cpu"
    claim.write_json("spec.json", _spec_document(run, prepared, zoo_name, device_name))
    claim.set_status("running", progress=0.0, started_at=started)
    facts: dict = {"device": device_name}
    if isinstance(run.spec, ForecastBaselineSpec):
        fit_start = time.perf_counter()
        parameters = baselines.fit(run.spec, prepared.values[: prepared.train_end])
        facts.update(train_seconds=time.perf_counter() - fit_start, parameters=len(_numbers(parameters)))
        forecast = lambda origins: baselines.forecast(run.spec, parameters, prepared.values, origins)  # noqa: E731
    else:
        model, fitted = _fit_recurrent(run, prepared, framework_device, claim, started, on_step)
        claim.write_frame("history.csv", pd.DataFrame(fitted.history))
        facts.update(parameters=_parameters(model, run.framework), **fitted.facts())
        forecast = lambda origins: recurrent_forecasts(model, run.spec, prepared.values, origins)  # noqa: E731
    predict_start = time.perf_counter()
    metrics, table = score(prepared, run.spec, forecast)
    metrics.update(facts, predict_seconds=time.perf_counter() - predict_start)
    FORECASTING.metrics.model_validate(metrics)  # what every reader will expect of the file
    claim.write_frame("predictions.csv", table)
    if isinstance(run.spec, ForecastBaselineSpec):
        claim.write_json("baseline.json", parameters)
    elif run.framework == "keras":  # saved whole, as Keras classifiers are; loaded with safe_mode (no code runs)
        claim.write_file("model.keras", lambda path: model.save(str(path)))
    else:
        from safetensors.torch import save_file

        tensors = {name: tensor.detach().cpu().contiguous() for name, tensor in model.state_dict().items()}
        claim.write_file("weights.safetensors", lambda path: save_file(tensors, str(path), metadata={"format": "pt"}))
    claim.write_json("metrics.json", metrics)
    claim.set_status("done", progress=1.0, started_at=started, finished_at=time.time(), elapsed=time.time() - started)
    return metrics


def _parameters(model, framework: str) -> int:
    if framework == "keras":
        from ..models.keras_zoo import count_keras_parameters

        return count_keras_parameters(model)
    return count_parameters(model)


def _numbers(parameters: dict) -> list[float]:
    flat = []
    for value in parameters.values():
        flat += value if isinstance(value, list) else [value] if isinstance(value, float) else []
    return flat


def _fit_recurrent(run: PlannedForecaster, prepared: PreparedSeries, device, claim: RunClaim, started: float,
                   on_step):  # fmt: skip
    from .forecast_loop import fit

    spec, last_write = run.spec, [0.0]

    def report(progress: dict) -> None:
        if on_step:
            on_step(progress)
        finished = (progress["epoch"] - 1) * progress["steps"] + progress["step"]
        fraction = finished / (progress["epochs"] * progress["steps"])
        if time.monotonic() - last_write[0] >= STATUS_INTERVAL or progress["step"] == progress["steps"]:
            last_write[0] = time.monotonic()
            claim.set_status("running", progress=round(fraction, 4), elapsed=time.time() - started, **progress)

    train = prepared.windows("train", spec.lookback, spec.horizon, spec.relative)
    validation = prepared.windows("validation", spec.lookback, spec.horizon, spec.relative)
    if run.framework == "keras":
        return _fit_keras(run, train, validation, device, report)
    seed_everything(run.config.seed)  # the initial weights are part of what a seed reproduces
    model = forecaster_for(spec)
    # A batch of 32 one-value windows is a few microseconds of work per time step: on the CPU a second
    # thread mostly waits at each step's barrier (pipelines/threads.py). On our shared 2-core machine a
    # 2-epoch co2 run took 24-38 s on two threads and about 1 s on one.
    with single_thread(device.type == "cpu"):
        return model, fit(model, train, validation, run.config, device, report)


def _fit_keras(run: PlannedForecaster, train, validation, device: str, report):
    """The seed's Keras model (`keras_forecaster_for`) trained in the shared epoch loop on `device` (TensorFlow's)."""
    import keras

    from ..models.keras_forecaster import keras_forecaster_for
    from .keras_forecast_loop import fit

    keras.utils.set_random_seed(run.config.seed)  # the initial weights are part of what a seed reproduces
    model = keras_forecaster_for(run.spec)
    return model, fit(model, train, validation, run.config, run.spec.relative, device, report)


def train(store: Store, request: TrainRequest) -> list[Outcome]:
    """Train every forecaster of the request's zoo (or those matching `only`) that the store does not have yet."""
    assert request.kind == FORECASTERS, request.kind  # pipelines.training.dispatch sends the others elsewhere
    zoo_name, device = request.zoo, request.device
    specs = forecast_zoo_specs(zoo_name, list(request.only) if request.only else None)
    series = load_series(request.dataset, data_dir=request.data_dir, date_column=request.date_column,
                         value_column=request.value_column)  # fmt: skip
    # The series' own settings, then the request's: checked before anything is written.
    config = TrainConfig.layered(series.info.training, request.overrides)
    forecast_settings = ForecastSettings.layered(series.info.forecasting, request.forecast_settings)
    prepared = prepare_series(store, series, forecast_settings)
    planned = plan_forecasters(prepared, specs, config, request.frameworks)
    note = pytorch_only_note(specs, request.frameworks)
    if note:
        tqdm.write(note)
    job = {"dataset": series.key, "zoo": zoo_name, "frameworks": sorted({run.framework for run in planned})}
    for run in planned:
        store.mark_queued(series.key, run.run_id, job)

    by_id = {run.run_id: run for run in planned}

    def train_one(run_id: str, claim: RunClaim, on_step) -> str:
        metrics = train_forecaster(by_id[run_id], prepared, claim, zoo_name, device, on_step)
        first, last = metrics["per_step"][0], metrics["per_step"][-1]
        return (f"RMSE {metrics['overall']['rmse']:.4g} (step 1 {first['rmse']:.4g}, step {len(metrics['per_step'])} "
                f"{last['rmse']:.4g}), MASE {_number(metrics['overall']['mase'])}, {metrics['train_seconds']:.0f}s")

    return train_each(store, series.key, list(by_id), f"{zoo_name} zoo on {series.key}", train_one,
                      request.show_progress)


def _number(value) -> str:
    return "-" if value is None else f"{value:.3f}"


def train_forecast_zoo(store: Store, dataset: str, zoo_name: str, *, settings: dict | None = None,
                       **options) -> list[Outcome]:  # fmt: skip
    """`train(store, TrainRequest(...))` for scripts and tests (`settings` are the request's forecast_settings)."""
    return train(store, TrainRequest(dataset=dataset, zoo=zoo_name, forecast_settings=settings or {}, **options))
