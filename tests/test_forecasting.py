"""Forecasting: series and gaps, the honest cut (no look-ahead), the scores, the baselines, training end to end."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from pipelines.cli import main
from pipelines.data import DataError
from pipelines.data.series import SeriesInfo, load_series, regular_series, series_key
from pipelines.forecasting import baselines
from pipelines.forecasting.metrics import forecast_metrics, forecast_scores, mase_scale
from pipelines.forecasting.windows import ForecastSettings, encode, prepare
from pipelines.models.forecast_spec import ForecastBaselineSpec, ForecasterSpec, forecast_spec_from_json
from pipelines.store import Store

TINY = {"lookback": 12, "horizon": 4}


def seasonal_values(size: int = 240, season: int = 12, seed: int = 0) -> np.ndarray:
    """A rising series with a season and a little noise: what the forecasters should learn."""
    rng = np.random.default_rng(seed)
    steps = np.arange(size)
    return 50 + 0.05 * steps + 3 * np.sin(2 * np.pi * steps / season) + rng.normal(0, 0.3, size)


def write_csv(folder, name: str = "sales.csv", values=None, dates=None, **columns) -> str:
    values = seasonal_values() if values is None else np.asarray(values, dtype=float)
    dates = pd.date_range("2000-01-01", periods=len(values), freq="MS") if dates is None else dates
    frame = pd.DataFrame({"month": [date.strftime("%Y-%m-%d") for date in dates], "sales": values, **columns})
    path = folder / name
    frame.to_csv(path, index=False)
    return str(path)


def series_of(values, season: int = 12):
    dates = pd.date_range("2000-01-01", periods=len(values), freq="MS")
    return regular_series(SeriesInfo("toy", "toy", "test"), dates, np.asarray(values, dtype=float), season)


# -- series and gaps --------------------------------------------------------------------------------


def test_the_statsmodels_series_load_with_their_gaps_filled_and_marked():
    co2 = load_series("co2")
    assert len(co2) == 2284 and co2.frequency == "W-SAT" and co2.info.season == 52
    assert (~co2.observed).sum() == 59 and max(gap["length"] for gap in co2.gaps) == 18
    assert np.isfinite(co2.values).all()
    sunspots, elnino = load_series("sunspots"), load_series("elnino")
    assert len(sunspots) == 309 and sunspots.observed.all() and (sunspots.values == 0).sum() == 3
    assert len(elnino) == 61 * 12 and elnino.info.season == 12 and elnino.dates[1] == pd.Timestamp("1950-02-01")


def test_a_csv_of_your_own_with_missing_rows_and_empty_values(tmp_path):
    values = seasonal_values(60)
    values[10] = np.nan  # an empty cell
    dates = pd.date_range("2000-01-01", periods=60, freq="MS")
    keep = np.ones(60, dtype=bool)
    keep[[20, 21]] = False  # two months missing from the file altogether
    path = write_csv(tmp_path, values=values[keep], dates=dates[keep])
    series = load_series(path)
    assert series.key == f"csv-sales-{series.fingerprint()[:8]}"  # its name, and its content
    assert series.frequency == "MS" and series.info.season == 12 and len(series) == 60
    assert list(np.flatnonzero(~series.observed)) == [10, 20, 21]
    assert series.values[10] == pytest.approx((values[9] + values[11]) / 2, rel=0.02)  # linear in time
    assert [gap["length"] for gap in series.gaps] == [1, 2]


@pytest.mark.parametrize("case, message", [
    ("two numeric columns", "pick the value column with --value-column"),
    ("a word among the values", "is not a number"),
    ("a date twice", "appears twice"),
    ("uneven dates", "not evenly spaced"),
    ("a long gap", "more than the 12 steps"),
    ("no values", "no values"),
    ("no such column", "has no column 'revenue'"),
])  # fmt: skip
def test_a_bad_csv_gets_a_clear_message(case, message, tmp_path):
    values, dates, extra, options = seasonal_values(60), None, {}, {}
    if case == "two numeric columns":
        extra = {"returns": np.arange(60)}
    elif case == "a word among the values":
        values = values.astype(object)
        values[5] = "n/a?"
    elif case == "a date twice":
        dates = pd.date_range("2000-01-01", periods=60, freq="MS").insert(3, pd.Timestamp("2000-03-01"))[:60]
    elif case == "uneven dates":
        dates = pd.DatetimeIndex(pd.Timestamp("2000-01-01") + pd.to_timedelta(np.cumsum(np.arange(60) % 7 + 1), "D"))
    elif case == "a long gap":
        values[20:40] = np.nan
    elif case == "no values":
        values[:] = np.nan
    else:
        options = {"value_column": "revenue"}
    frame_values = pd.Series(values)
    path = tmp_path / "bad.csv"
    dates = pd.date_range("2000-01-01", periods=60, freq="MS") if dates is None else dates
    pd.DataFrame({"date": dates.strftime("%Y-%m-%d"), "value": frame_values, **extra}).to_csv(path, index=False)
    with pytest.raises(DataError, match=message):
        load_series(str(path), **options)


def test_too_short_and_constant_series_are_refused_in_words():
    with pytest.raises(DataError, match="too short for lookback 24 \\+ horizon 4"):
        prepare(series_of(seasonal_values(40)), ForecastSettings(lookback=24, horizon=4))
    with pytest.raises(DataError, match="too short for a horizon of 30"):
        prepare(series_of(seasonal_values(100)), ForecastSettings(lookback=4, horizon=30))
    with pytest.raises(DataError, match="is constant \\(every value is 7\\).*MASE, R² and the scaler are undefined"):
        prepare(series_of(np.full(120, 7.0)), ForecastSettings(**TINY))


# -- the honest cut ----------------------------------------------------------------------------------


def test_no_test_value_reaches_training_windows_or_the_scaler():
    """Change every value after the training part: the scaler and every training window stay the same."""
    values = seasonal_values()
    settings = ForecastSettings(**TINY)
    before = prepare(series_of(values), settings)
    changed = values.copy()
    changed[before.train_end :] = 1e6  # the future, made absurd
    after = prepare(series_of(changed), settings)
    assert (after.mean, after.scale) == (before.mean, before.scale)
    train_before, train_after = before.windows("train", 12, 4), after.windows("train", 12, 4)
    np.testing.assert_array_equal(train_before.inputs, train_after.inputs)
    np.testing.assert_array_equal(train_before.targets, train_after.targets)
    assert train_before.origins.max() + 4 < before.train_end  # the last target read is still in the past
    # Test windows read the past and are scored on the test part only.
    test = before.origins("test", 12, 4)
    assert test.min() + 1 == before.validation_end and test.max() + 4 == len(values) - 1


def test_forecasts_from_an_origin_never_see_what_comes_after_it():
    values = seasonal_values()
    prepared = prepare(series_of(values), ForecastSettings(**TINY))
    origins = prepared.origins("test", 12, 4)
    later = values.copy()
    later[origins[0] + 1 :] += 100.0  # everything after the first test origin
    for method in ("naive", "seasonal-naive", "holt-winters"):
        spec = ForecastBaselineSpec(method).resolved(12, 4, 12)
        parameters = baselines.fit(spec, values[: prepared.train_end])
        first = baselines.forecast(spec, parameters, values, origins[:1])
        assert np.allclose(first, baselines.forecast(spec, parameters, later, origins[:1])), method
    import torch

    from pipelines.forecasting.runs import recurrent_forecasts
    from pipelines.models.forecaster import RecurrentForecaster

    torch.manual_seed(0)
    spec = ForecasterSpec(cell="gru", hidden_size=5).resolved(12, 4, prepared.mean, prepared.scale)
    model = RecurrentForecaster(spec)
    np.testing.assert_allclose(recurrent_forecasts(model, spec, values, origins[:1]),
                               recurrent_forecasts(model, spec, later, origins[:1]), rtol=1e-6)  # fmt: skip


def test_relative_windows_read_changes_from_the_last_value():
    values = np.arange(10, dtype=float)
    inputs, targets = encode(values, np.array([4]), lookback=3, horizon=2, mean=5.0, scale=2.0, relative=True)
    np.testing.assert_allclose(inputs, [[-1.0, -0.5, 0.0]])  # (2, 3, 4) - 4, over 2
    np.testing.assert_allclose(targets, [[0.5, 1.0]])  # (5, 6) - 4, over 2
    inputs, targets = encode(values, np.array([9]), lookback=3, horizon=2, mean=5.0, scale=2.0, relative=False)
    np.testing.assert_allclose(inputs, [[1.0, 1.5, 2.0]])
    assert np.isnan(targets).all()  # past the end: the real future


# -- scores ----------------------------------------------------------------------------------------


def test_scores_against_hand_computed_values():
    actual, predicted, last = np.array([2.0, 4.0, 6.0]), np.array([3.0, 4.0, 3.0]), np.array([1.0, 5.0, 5.0])
    scores = forecast_scores(actual, predicted, last, mase_scale=2.0)
    assert scores["mse"] == pytest.approx((1 + 0 + 9) / 3)
    assert scores["rmse"] == pytest.approx(np.sqrt(10 / 3))
    assert scores["mae"] == pytest.approx(4 / 3)
    assert scores["mape"] == pytest.approx(100 * (1 / 2 + 0 + 3 / 6) / 3)
    assert scores["smape"] == pytest.approx(200 * (1 / 5 + 0 + 3 / 9) / 3)
    assert scores["r2"] == pytest.approx(1 - 10 / 8)  # residual 10, total (4 + 0 + 4)
    # Moves from the last value: actual up, down, up; forecast up, down, down: two of three right.
    assert scores["direction_accuracy"] == pytest.approx(2 / 3)
    assert scores["mase"] == pytest.approx((4 / 3) / 2.0)


def test_undefined_scores_are_none_and_say_why():
    scores = forecast_scores(np.array([0.0, 2.0]), np.array([1.0, 2.0]), np.array([1.0, 1.0]), mase_scale=None)
    assert scores["mape"] is None and scores["mase"] is None  # an actual 0; no seasonal scale
    table = forecast_metrics(np.array([[0.0, 2.0]]), np.array([[1.0, 2.0]]), np.array([1.0]),
                             np.array([[True, True]]), None)  # fmt: skip
    assert "MAPE is undefined" in table["mape_note"]
    assert mase_scale(np.array([1.0, 2.0, 3.0, 4.0]), np.ones(4, bool), season=2) == pytest.approx(2.0)


def test_scores_per_step_skip_filled_targets():
    actual = np.array([[1.0, 2.0], [3.0, 5.0]])
    predicted = np.array([[1.0, 9.0], [4.0, 5.0]])
    valid = np.array([[True, False], [True, True]])  # 9 was forecast for a filled gap: not scored
    table = forecast_metrics(actual, predicted, np.array([0.0, 0.0]), valid, 1.0)
    assert table["per_step"][0]["mae"] == pytest.approx(0.5) and table["per_step"][1]["mae"] == 0.0
    assert table["overall"]["mae"] == pytest.approx(1 / 3) and table["test_targets"] == 3


# -- baselines -----------------------------------------------------------------------------------------


def test_naive_and_seasonal_naive_repeat_the_right_values():
    values = np.arange(20, dtype=float)
    naive = baselines.forecast(ForecastBaselineSpec("naive").resolved(4, 3, 4), {}, values, np.array([9]))
    np.testing.assert_array_equal(naive, [[9, 9, 9]])
    seasonal = baselines.forecast(ForecastBaselineSpec("seasonal-naive").resolved(4, 6, 4), {}, values, np.array([9]))
    np.testing.assert_array_equal(seasonal, [[6, 7, 8, 9, 6, 7]])  # steps 5 and 6 go two seasons back
    with pytest.raises(ValueError, match="full season"):
        baselines.forecast(ForecastBaselineSpec("seasonal-naive").resolved(4, 2, 12), {}, values, np.array([3]))


def test_holt_winters_forecasts_equal_statsmodels_own_from_every_origin():
    from statsmodels.tsa.holtwinters import ExponentialSmoothing

    values = seasonal_values()
    spec = ForecastBaselineSpec("holt-winters").resolved(12, 6, 12)
    parameters = baselines.fit(spec, values[:150])
    assert json.loads(json.dumps(parameters)) == parameters  # plain JSON: no pickle
    origins = np.array([160, 200, 233])
    ours = baselines.forecast(spec, parameters, values, origins)
    for row, origin in enumerate(origins):
        model = ExponentialSmoothing(values[: origin + 1], trend="add", seasonal="add", seasonal_periods=12,
                                     initialization_method="known", initial_level=parameters["initial_level"],
                                     initial_trend=parameters["initial_trend"],
                                     initial_seasonal=parameters["initial_seasons"])  # fmt: skip
        fitted = model.fit(smoothing_level=parameters["smoothing_level"], smoothing_trend=parameters["smoothing_trend"],
                           smoothing_seasonal=parameters["smoothing_seasonal"], optimized=False)  # fmt: skip
        np.testing.assert_allclose(ours[row], fitted.forecast(6), rtol=1e-9)


def test_specs_round_trip_through_json():
    recurrent = ForecasterSpec(cell="lstm", layers=2, hidden_size=8).resolved(24, 6, 3.0, 2.0)
    baseline = ForecastBaselineSpec("holt-winters").resolved(24, 6, 12)
    for spec in (recurrent, baseline):
        assert forecast_spec_from_json(json.loads(json.dumps(spec.to_json()))) == spec
    with pytest.raises(ValueError, match="unknown forecaster spec keys: pooling"):
        forecast_spec_from_json({**recurrent.to_json(), "pooling": "max"})


# -- end to end ----------------------------------------------------------------------------------------


def train_args(store, path, *extra):
    return ["--artifacts", str(store), "train", "--dataset", path, "--zoo", "forecast-quick", "--epochs", "3",
            "--lookback", "12", "--horizon", "4", "--quiet", *extra]  # fmt: skip


def test_train_list_forecast_and_train_again_from_the_command_line(tmp_path, capsys):
    path, store_dir = write_csv(tmp_path), tmp_path / "store"
    assert main(train_args(store_dir, path)) == 0
    assert "7 trained, 0 skipped" in capsys.readouterr().out
    store, key = Store(store_dir), load_series(path).key
    records = {record.run_id: record for record in store.runs(key)}
    assert len(records) == 7 and {record.state for record in records.values()} == {"done"}
    assert {record.framework for record in records.values()} == {"torch", "baseline", "statsmodels"}
    recurrent = next(record for record in records.values() if record.framework == "torch")
    metrics = recurrent.metrics
    assert metrics.horizon == 4 and len(metrics.per_step) == 4 and len(metrics.validation_rmse) == 4
    assert metrics.test_origins == 36 - 4 + 1 and metrics.epochs_trained == 3  # 36 test values, 4 ahead
    assert list(store.read_history(key, recurrent.run_id)["epoch"]) == [1, 2, 3]
    assert len(store.read_predictions(key, recurrent.run_id)) == metrics.test_origins * 4
    assert set(store.read_series(key)["part"]) == {"train", "validation", "test"}
    assert store.read_dataset(key).series.season == 12

    assert main(["--artifacts", str(store_dir), "list"]) == 0
    listing = capsys.readouterr().out
    assert "[forecasting]" in listing and "RMSE" in listing and "MASE" in listing

    assert main(["--artifacts", str(store_dir), "forecast", "--run", recurrent.run_id, "--json"]) == 0
    document = json.loads(capsys.readouterr().out)
    assert len(document["forecast"]) == 4 and document["origin"]["date"] == "2019-12-01"
    assert document["forecast"][0]["date"] == "2020-01-01" and document["forecast"][0]["actual"] is None
    step = document["forecast"][-1]
    assert step["low 95%"] < step["low 80%"] < step["forecast"] < step["high 80%"] < step["high 95%"]
    holt = next(run_id for run_id, record in records.items() if record.framework == "statsmodels")
    assert main(["--artifacts", str(store_dir), "forecast", "--run", holt, "--origin", "2015-06-01"]) == 0
    text = capsys.readouterr().out
    assert "forecast from 2015-06-01" in text and "Holt-Winters" in text

    assert main(train_args(store_dir, path)) == 0
    assert "0 trained, 7 skipped" in capsys.readouterr().out


def test_two_series_never_share_a_folder_nor_overwrite_each_others_data(tmp_path, capsys):
    """good.csv and other/good.csv (and two names without ASCII letters) are different series: each keeps its
    own folder, so training the second leaves the first one's runs done and forecasting."""
    (tmp_path / "other").mkdir()
    first = write_csv(tmp_path, "good.csv")
    second = write_csv(tmp_path / "other", "good.csv", values=seasonal_values() * 2 + 1)
    third, fourth = write_csv(tmp_path, "продажи.csv"), write_csv(tmp_path, "売上.csv", values=seasonal_values() + 5)
    store_dir = tmp_path / "store"
    for path in (first, second, third, fourth):
        assert main(train_args(store_dir, path, "--only", "naive")) == 0
    keys = [load_series(path).key for path in (first, second, third, fourth)]
    assert len(set(keys)) == 4 and keys[0].startswith("csv-good-") and keys[2].startswith("csv-series-")
    assert series_key(first) == keys[0] and series_key("co2") == "co2"  # the Train page's jobs agree
    store = Store(store_dir)
    run_id = store.runs(keys[0])[0].run_id
    assert store.run(keys[0], run_id).state == "done"
    assert store.read_dataset(keys[0]).series.fingerprint == load_series(first).fingerprint()
    capsys.readouterr()
    assert main(["--artifacts", str(store_dir), "forecast", "--run", run_id, "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["forecast"]


def test_a_different_series_never_replaces_the_data_finished_runs_were_trained_on(tmp_path):
    """Should two series ever meet under one key (a built-in series read from another statsmodels), the second
    is refused and the first one's series.parquet stays as it was."""
    from dataclasses import replace

    from pipelines.training.forecast import train_forecast_zoo

    store = Store(tmp_path / "store")
    path = write_csv(tmp_path)
    settings = {"lookback": 12, "horizon": 4}
    train_forecast_zoo(store, path, "forecast-quick", settings=settings, only=["naive"], show_progress=False)
    key = load_series(path).key
    before = (store.dataset_dir(key) / "series.parquet").read_bytes()
    other = load_series(write_csv(tmp_path, "changed.csv", values=seasonal_values() + 3))
    impostor = replace(other, info=replace(other.info, key=key))
    from pipelines.training.forecast import prepare_series

    with pytest.raises(DataError, match="differs from the one 1 run"):
        prepare_series(store, impostor, ForecastSettings.layered({}, settings))
    assert (store.dataset_dir(key) / "series.parquet").read_bytes() == before
    assert store.runs(key)[0].state == "done"


@pytest.mark.parametrize("case, message", [
    ("constant", "is constant"),
    ("short", "too short"),
    ("unknown series", "no-such-series is not a series. Series: co2, sunspots, elnino"),
    ("text zoo on a series", "train a forecast zoo on it"),
    ("forecast zoo on text", "is not a series"),
    ("no twin selected", "--framework keras: only the encoder-decoder forecaster"),
    ("limit", "--limit and --language apply to text"),
])  # fmt: skip
def test_bad_training_requests_exit_2_with_one_line(case, message, tmp_path, capsys):
    store = tmp_path / "store"
    path = write_csv(tmp_path)
    args = {
        "constant": train_args(store, write_csv(tmp_path, "flat.csv", values=np.full(120, 3.0))),
        "short": train_args(store, write_csv(tmp_path, "short.csv", values=seasonal_values(30))),
        "unknown series": train_args(store, "co2")[:4] + ["no-such-series", "--zoo", "forecast-quick"],
        "text zoo on a series": ["--artifacts", str(store), "train", "--dataset", "co2", "--zoo", "quick"],
        "forecast zoo on text": ["--artifacts", str(store), "train", "--dataset", "rt-polarity", "--zoo", "forecast"],
        "no twin selected": train_args(store, path, "--framework", "keras", "--only", "gru-*"),
        "limit": train_args(store, path, "--limit", "50"),
    }[case]
    assert main(args) == 2
    error = capsys.readouterr().err
    assert message in error and error.count("\n") == 1 and "Traceback" not in error
    assert not any(Store(store).runs()) if Store(store).root.exists() else True  # nothing half-written


def test_forecast_refuses_bad_origins_and_runs_of_another_kind(tmp_path, capsys):
    path, store_dir = write_csv(tmp_path), tmp_path / "store"
    assert main(train_args(store_dir, path, "--only", "naive")) == 0
    run_id = Store(store_dir).runs(load_series(path).key)[0].run_id
    capsys.readouterr()
    for origin, message in (("3", "an origin must be between"), ("1990-01-01", "before the series starts"),
                            ("someday", "--origin must be 'last'")):  # fmt: skip
        assert main(["--artifacts", str(store_dir), "forecast", "--run", run_id, "--origin", origin]) == 2
        assert message in capsys.readouterr().err
    assert main(["--artifacts", str(store_dir), "forecast", "--run", "no-such-run"]) == 2
    assert "no run 'no-such-run'" in capsys.readouterr().err
    assert main(["--artifacts", str(store_dir), "verify", "--run", run_id]) == 2
    assert "verify works on recurrent classifiers; " + run_id + " is a forecaster" in capsys.readouterr().err


@pytest.mark.slow
def test_the_real_co2_series_trains_end_to_end(tmp_path, capsys):
    """One small real run: a GRU and seasonal naive on Mauna Loa CO2 (shipped inside statsmodels)."""
    args = ["--artifacts", str(tmp_path), "train", "--dataset", "co2", "--zoo", "forecast-quick", "--epochs", "2",
            "--lookback", "26", "--horizon", "8", "--only", "gru-*", "--only", "seasonal-naive", "--quiet"]
    assert main(args) == 0
    records = {record.model_spec.method: record for record in Store(tmp_path).runs("co2")}
    assert set(records) == {"recurrent", "seasonal-naive"}
    seasonal = records["seasonal-naive"].metrics
    assert seasonal.season == 52 and 1.5 < seasonal.step(1).rmse < 2.5  # last year's value: the yearly rise, ~1.9 ppm
    assert records["recurrent"].metrics.step(1).rmse < seasonal.step(1).rmse  # even two epochs read the last value


def test_the_seeds_keras_encoder_decoder_is_the_network_the_zoo_trains():
    """Seed 001's build_seq2seq_model (Keras, as written there) with a trained PyTorch twin's weights copied in
    forecasts what the twin forecasts; run ids of the direct forecasters stay what they were."""
    import torch

    from pipelines.forecasting.zoos import forecast_zoo_specs
    from pipelines.models.forecaster import EncoderDecoderForecaster, forecaster_for
    from pipelines.models.keras_forecaster import build_seq2seq_model, keras_forecasts, keras_from_torch

    assert [spec.short_name() for spec in forecast_zoo_specs("forecast-quick", ["*encdec*"])] == \
        ["lstm-encdec-32-lb0-h0"]  # fmt: skip
    assert "architecture" not in ForecasterSpec().to_json()  # the direct forecasters' ids do not change
    spec = ForecasterSpec(cell="lstm", hidden_size=6, architecture="encoder-decoder").resolved(12, 4, 0.0, 1.0)
    assert forecast_spec_from_json(json.loads(json.dumps(spec.to_json()))) == spec
    torch.manual_seed(0)
    model = forecaster_for(spec)
    assert isinstance(model, EncoderDecoderForecaster)
    windows = torch.from_numpy(np.sin(np.arange(40)[:, None] / 3 + np.arange(12)[None, :] / 2).astype(np.float32))
    optimizer = torch.optim.Adam(model.parameters(), 0.05)
    for _ in range(20):  # trained a little, so no weight is left at its initial value
        loss = ((model(windows[:, :8].repeat(1, 2)[:, :12]) - windows[:, 8:12]) ** 2).mean()
        optimizer.zero_grad()
        loss.backward()
        optimizer.step()
    with torch.no_grad():
        expected = model.eval()(windows).numpy()
    assert np.abs(keras_forecasts(keras_from_torch(model), windows.numpy()) - expected).max() < 1e-5
    assert model.layer_outputs(windows)[0].shape == (40, 12, 6)
    seed = build_seq2seq_model()  # the seed's defaults: 10 steps in, 10 out, 64 units
    assert [layer.name for layer in seed.layers if layer.weights] == ["encoder_lstm", "decoder_lstm", "decoder_dense"]
    with pytest.raises(ValueError, match="layers=1"):
        ForecasterSpec(layers=2, architecture="encoder-decoder")


def test_only_the_encoder_decoder_has_a_twin_in_the_other_framework():
    """`--framework keras|both` on a forecast zoo: the encoder-decoder in each framework asked, the direct forecasters
    in PyTorch (a note says so), the baselines once; a selection with no twin is refused, naming the flag.
    (No TensorFlow here: the request and the zoo's plan import no framework.)"""
    from pipelines.forecasting.zoos import pytorch_only_note, trained_in
    from pipelines.training.request import TrainRequest

    specs = forecast_zoo_specs_of("forecast-quick")
    planned = {name: trained_in(spec, ("torch", "keras")) for name, spec in specs.items()}
    assert planned == {"rnn-1x32": ("torch",), "lstm-1x32": ("torch",), "gru-1x32": ("torch",),
                       "lstm-encdec-32": ("torch", "keras"), "naive": ("baseline",),
                       "seasonal-naive": ("baseline",), "holt-winters": ("statsmodels",)}  # fmt: skip
    assert trained_in(specs["gru-1x32"], ("keras",)) == () and trained_in(specs["naive"], ("keras",)) == ("baseline",)
    note = pytorch_only_note(list(specs.values()), ("keras",))
    assert "rnn-1x32, lstm-1x32, gru-1x32 are left out" in note and "--framework both" in note
    assert "are trained in PyTorch only" in pytorch_only_note(list(specs.values()), ("torch", "keras"))
    assert pytorch_only_note(list(specs.values()), ("torch",)) is None
    assert pytorch_only_note([specs["lstm-encdec-32"]], ("keras",)) is None

    TrainRequest(dataset="co2", zoo="forecast-quick", frameworks=("keras",))  # the encoder-decoder and baselines
    TrainRequest(dataset="co2", zoo="forecast", frameworks=("torch", "keras"), only=("lstm-*",))
    for frameworks, only, flag in ((("keras",), ("gru-*", "naive"), "--framework keras"),
                                   (("torch", "keras"), ("rnn-*",), "--framework both")):  # fmt: skip
        with pytest.raises(ValueError, match=f"^{flag}: only the encoder-decoder forecaster .* selects none"):
            TrainRequest(dataset="co2", zoo="forecast-quick", frameworks=frameworks, only=only)
    with pytest.raises(ValueError, match="--only nothing-like-this matches nothing"):
        TrainRequest(dataset="co2", zoo="forecast-quick", frameworks=("keras",), only=("nothing-like-this",))


def forecast_zoo_specs_of(zoo: str) -> dict:
    from pipelines.forecasting.zoos import _name, forecast_zoo_specs

    return {_name(spec): spec for spec in forecast_zoo_specs(zoo)}


def test_the_keras_encoder_decoder_trains_is_stored_and_forecasts_beside_its_torch_twin(tmp_path, capsys):
    """`--framework both`: seed 001's Keras model trains in the shared epoch loop as a run of its own, is stored
    with its checksums, and loads for `forecast`, the pages' forecasts and the encoder's states."""
    import keras

    from pipelines.loaded import load
    from pipelines.models.keras_forecaster import encoder_states

    path, store_dir = write_csv(tmp_path), tmp_path / "store"
    args = train_args(store_dir, path, "--framework", "both", "--only", "lstm-encdec-*", "--only", "seasonal-naive")
    assert main(args) == 0
    assert "3 trained, 0 skipped" in capsys.readouterr().out
    store, key = Store(store_dir), load_series(path).key
    records = {record.framework: record for record in store.runs(key)}
    assert set(records) == {"torch", "keras", "baseline"} and {r.state for r in records.values()} == {"done"}
    keras_run, torch_run = records["keras"], records["torch"]
    assert keras_run.run_id.startswith("keras-lstm-encdec-32-lb12-h4-") and (keras_run.path / "model.keras").is_file()
    assert keras_run.spec.twin_key() == torch_run.spec.twin_key()  # one architecture, settings and data
    assert keras_run.spec.versions["keras"] == keras.__version__
    hidden = 32
    assert keras_run.metrics.parameters == torch_run.metrics.parameters - 2 * 4 * hidden  # one LSTM bias, not two
    assert keras_run.metrics.epochs_trained == 3 and list(store.read_history(key, keras_run.run_id)["epoch"]) == [1, 2, 3]
    assert keras_run.metrics.overall.rmse < 10  # a forecast of a series near 60, not a broken one

    run = load(store, key, keras_run.run_id)
    stored = store.read_predictions(key, keras_run.run_id)
    first = stored.groupby("origin", sort=False)["predicted"].apply(list)
    test_origins = np.flatnonzero(store.read_series(key)["date"].dt.strftime("%Y-%m-%d").isin(first.index))
    assert np.abs(run.forecasts(test_origins) - np.array(first.tolist())).max() < 1e-4  # as scored when trained

    states = run.hidden_states(len(run.series) - 1)
    assert [layer.shape for layer in states] == [(12, hidden)]
    encoder = run.model.get_layer("encoder_lstm")
    last_state = keras.Model(run.model.get_layer("encoder_input").output, encoder.output[1])
    windows = np.random.default_rng(0).normal(size=(3, 12)).astype(np.float32)
    assert np.abs(encoder_states(run.model, windows)[:, -1] - np.asarray(last_state(windows[..., None]))).max() < 1e-5

    assert main(["--artifacts", str(store_dir), "forecast", "--run", keras_run.run_id]) == 0
    assert "encoder-decoder (keras)" in capsys.readouterr().out
    (keras_run.path / "model.keras").write_bytes(b"not a model")
    assert store.run(key, keras_run.run_id).state == "corrupt"  # the checksums see it
