"""Every numeric flag of every command, fed any float (nan and ±inf too) as a property-based test: the answer
is exit status 2 with one line that names the flag, or a finite, correct result. Nothing starts first."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from pipelines.cli import main
from pipelines.generation.sampling import MAX_TEMPERATURE, SamplingSettings, sampling_distribution
from pipelines.training.config import FIELDS

QUICK = settings(max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
FLOATS = st.floats(allow_nan=True, allow_infinity=True) | st.sampled_from([math.nan, math.inf, -math.inf, 0.0, -0.0,
                                                                            1e-320, 1e308])  # fmt: skip


def run(arguments: list[str], capsys) -> tuple[int, str]:
    try:
        code = main(arguments)
    except SystemExit as stop:  # argparse: a value of the wrong type
        code = stop.code
    error = capsys.readouterr().err
    assert "Traceback" not in error, error
    return code, error


def refused_in_one_line(code: int, error: str, flag: str) -> None:
    lines = error.strip().splitlines()
    assert code == 2 and lines[-1].startswith(("error:", "python -m pipelines")) and flag in lines[-1], error
    assert sum(line.startswith("error:") for line in lines) <= 1, error


@pytest.fixture
def no_training(monkeypatch):
    """Everything up to reading the data is what is tested: reaching it means the flags were accepted."""
    import pipelines.training.train as train
    from pipelines.data import DataError

    def no_data(*args, **kwargs):
        raise DataError("flags accepted; no data in this test")

    monkeypatch.setattr(train, "load_dataset", no_data)


FLOAT_SETTINGS = [name for name, setting in FIELDS.items() if setting.type is float]


@QUICK
@given(name=st.sampled_from(FLOAT_SETTINGS), value=FLOATS)
@example(name="learning_rate", value=math.nan)
@example(name="weight_decay", value=math.inf)
def test_every_float_training_setting_is_finite_or_refused(name, value, tmp_path, no_training, capsys):
    flag = f"--{name.replace('_', '-')}"
    code, error = run(["--artifacts", str(tmp_path), "train", "--dataset", "rt-polarity", flag, repr(value)], capsys)
    if not math.isfinite(value):
        refused_in_one_line(code, error, flag)
    else:
        assert code == 2 and ("flags accepted" in error or flag.lstrip("-").replace("-", "_") in error
                              or flag in error), error  # fmt: skip


@QUICK
@given(flag=st.sampled_from(["--cpus-per-run", "--gpus-per-run"]), value=FLOATS)
@example(flag="--cpus-per-run", value=math.nan)
def test_ray_resources_are_refused_before_ray_starts(flag, value, tmp_path, no_training, monkeypatch, capsys):
    import pipelines.training.ray_executor as ray_executor

    def no_ray(*args, **kwargs):
        raise ValueError("flags accepted; Ray would start here")

    monkeypatch.setattr(ray_executor, "connect", no_ray)
    code, error = run(["--artifacts", str(tmp_path), "train", "--executor", "ray", flag, repr(value)], capsys)
    if not math.isfinite(value) or value < 0 or (flag == "--cpus-per-run" and value == 0):
        refused_in_one_line(code, error, flag)
    else:
        assert code == 2 and ("flags accepted" in error or flag in error), error


@QUICK
@given(value=FLOATS)
@example(value=math.nan)
def test_significance_confidence_is_refused_in_one_line_outside_its_range(value, tmp_path, capsys):
    code, error = run(["--artifacts", str(tmp_path), "significance", "--dataset", "ds", "--confidence", repr(value)],
                      capsys)  # fmt: skip
    if not 0.5 <= value < 1:
        refused_in_one_line(code, error, "--confidence")


@QUICK
@given(value=st.integers(-10**9, 99) | st.integers(1_000_001, 10**12) | FLOATS.map(repr))
@example(value=1)
@example(value=0)
@example(value=-5)
def test_report_and_significance_refuse_too_few_or_too_many_resamples(value, tmp_path, capsys):
    for command in (["report", "--out", str(tmp_path / "r.html")], ["significance", "--dataset", "ds"]):
        code, error = run(["--artifacts", str(tmp_path), *command, "--resamples", str(value)], capsys)
        refused_in_one_line(code, error, "--resamples")
        assert not (tmp_path / "r.html").exists()


@QUICK
@given(temperature=FLOATS)
@example(temperature=1e-320)
def test_any_accepted_temperature_gives_a_finite_distribution(temperature):
    probabilities = np.random.default_rng(0).dirichlet(np.ones(12))
    try:
        sampling = SamplingSettings(temperature=temperature)
    except ValueError as error:
        assert "temperature" in str(error) and not 0 < temperature <= MAX_TEMPERATURE
        return
    distribution = sampling_distribution(probabilities, sampling)
    assert np.isfinite(distribution).all() and distribution.sum() == pytest.approx(1.0)
    if temperature < 1e-3:  # all but greedy: the likeliest character (pad and <unk> aside)
        kept = probabilities.copy()
        kept[:2] = 0
        assert distribution.argmax() == kept.argmax() and distribution.max() > 0.99


# -- forecast --origin -------------------------------------------------------------------------------------


@pytest.fixture(scope="module")
def hourly_store(tmp_path_factory):
    """A naive forecaster of an hourly series: trains in a second."""
    base = tmp_path_factory.mktemp("hourly")
    dates = pd.date_range("2024-01-01", periods=200, freq="h")
    pd.DataFrame({"date": dates, "value": np.sin(np.arange(200) / 5) * 10 + 50}).to_csv(base / "hourly.csv",
                                                                                      index=False)  # fmt: skip
    root = base / "store"
    assert main(["--artifacts", str(root), "train", "--dataset", str(base / "hourly.csv"), "--zoo",
                 "forecast-quick", "--only", "naive", "--horizon", "4", "--quiet"]) == 0  # fmt: skip
    from pipelines.store import Store

    (record,) = Store(root).runs()  # a CSV's store key is csv-hourly-<its content>
    return root, record.run_id


def test_hourly_forecasts_keep_their_time_of_day(hourly_store, capsys):
    import json

    root, run_id = hourly_store
    assert main(["--artifacts", str(root), "forecast", "--run", run_id]) == 0
    out = capsys.readouterr().out
    assert "forecast from 2024-01-09 07:00" in out
    assert all(f"2024-01-09 {hour:02d}:00" in out for hour in (8, 9, 10, 11))
    assert main(["--artifacts", str(root), "forecast", "--run", run_id, "--json", "--origin", "2024-01-05T10:30"]) == 0
    document = json.loads(capsys.readouterr().out)
    assert document["origin"]["date"] == "2024-01-05 10:00"
    assert [row["date"] for row in document["forecast"]] == [f"2024-01-05 {hour}:00" for hour in (11, 12, 13, 14)]


@pytest.mark.parametrize("origin,message", [
    ("²", "--origin must be 'last', an index or a date"),
    ("NaT", "--origin must be 'last', an index or a date"),
    ("", "--origin must be 'last', an index or a date"),
    ("2030-01-01", "--origin 2030-01-01 is after the series ends (2024-01-09 07:00)"),
    ("1999-01-01", "is before the series starts"),
])  # fmt: skip
def test_an_origin_that_is_no_date_of_the_series_is_refused(origin, message, hourly_store, capsys):
    root, run_id = hourly_store
    code, error = run(["--artifacts", str(root), "forecast", "--run", run_id, "--origin", origin], capsys)
    assert code == 2 and message in error and len(error.strip().splitlines()) == 1, error


@QUICK
@given(origin=FLOATS.map(repr) | st.integers(-400, 400).map(str) | st.text(max_size=8))
@example(origin="²")
def test_any_origin_is_a_forecast_or_one_line(origin, hourly_store, capsys):
    root, run_id = hourly_store
    code, error = run(["--artifacts", str(root), "forecast", "--run", run_id, f"--origin={origin}"], capsys)
    assert code in (0, 2) and (code == 0 or len(error.strip().splitlines()) == 1), error
