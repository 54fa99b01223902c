"""The command line for forecasting: `train --dataset co2 --zoo forecast` and `forecast --run RUN`.

`pipelines.cli` hands a forecasting data set's `train` here (`is_forecasting`)
and registers the `forecast` command from `add_forecast_command`.
"""

from __future__ import annotations

import argparse
import json
import re

import numpy as np
import pandas as pd

from ..data.series import SERIES_KEYS, is_series_key
from ..store import Store
from .windows import ForecastSettings
from .zoos import FORECAST_ZOOS

SETTING_HELP = {
    "lookback": "values a forecaster reads before it forecasts (default: the series' own, e.g. 104 weeks for co2)",
    "horizon": "values forecast at once, steps 1..N (default: the series' own, e.g. 52 weeks for co2)",
    "validation_fraction": "share of the series after training, for early stopping (default 0.15)",
    "test_fraction": "share at the end of the series that every score is computed on (default 0.15)",
}


def is_forecasting(args) -> bool:
    """Whether `train` was asked for a series (a built-in key or a CSV) or a forecast zoo."""
    return is_series_key(args.dataset) or args.zoo in FORECAST_ZOOS


def add_train_arguments(train: argparse.ArgumentParser) -> None:
    """The flags only forecasting uses: the cut of the series and the CSV's columns."""
    group = train.add_argument_group("forecasting", f"series: {', '.join(SERIES_KEYS)}, or a CSV file (PATH.csv)")
    for name, value in ForecastSettings().to_json().items():
        group.add_argument(f"--{name.replace('_', '-')}", type=type(value), default=None, metavar="N",
                           help=SETTING_HELP[name])  # fmt: skip
    group.add_argument("--date-column", default=None, help="a CSV's date column (default: found by name, or the first)")
    group.add_argument("--value-column", default=None, help="a CSV's value column (default: its one numeric column)")


def cmd_train_forecast(args, overrides: dict) -> list:
    """`train` for a series; returns the outcomes (cli.cmd_train prints the counts)."""
    if not is_series_key(args.dataset):
        raise ValueError(f"the {args.zoo} zoo trains forecasters; {args.dataset} is not a series. Series: "
                         f"{', '.join(SERIES_KEYS)}, or a CSV file (PATH.csv)")  # fmt: skip
    if args.zoo not in FORECAST_ZOOS:
        raise ValueError(f"{args.dataset} is a series: train a forecast zoo on it ({', '.join(FORECAST_ZOOS)}), "
                         f"not {args.zoo}")  # fmt: skip
    if args.framework != "torch":
        raise ValueError("forecasters train in PyTorch only (--framework torch); the baselines need no framework")
    if args.limit is not None or args.language is not None:
        raise ValueError("--limit and --language apply to text data sets; cut a series with --test-fraction")
    if getattr(args, "seeds", 1) != 1:
        raise ValueError("--seeds repeats classifiers; a forecast zoo trains each model once (its seed: --seed)")
    if getattr(args, "executor", "local") != "local":
        raise ValueError("forecasters train in this process (--executor local); a Ray cluster trains text zoos")
    from ..training.forecast import train_forecast_zoo  # imports torch and statsmodels

    settings = {name: getattr(args, name) for name in ForecastSettings().to_json()}
    return train_forecast_zoo(
        Store(args.artifacts), args.dataset, args.zoo, device=args.device, overrides=overrides, settings=settings,
        data_dir=args.data_dir, date_column=args.date_column, value_column=args.value_column, only=args.only,
        show_progress=not args.quiet,
    )  # fmt: skip


def cmd_forecast(args) -> int:
    from .runs import load_forecaster  # imports torch for a recurrent run

    store = Store(args.artifacts)
    record = store.find_run(args.run, args.dataset)
    if record.task != "forecasting":
        raise ValueError(f"forecast works on forecasting runs; {record.run_id} is a {record.task} run "
                         "(`python -m pipelines list` shows each run's kind)")  # fmt: skip
    run = load_forecaster(store, record.dataset, record.run_id, device=args.device)
    origin = resolve_origin(run, args.origin)
    table = run.forecast_from(origin)
    if args.json:
        document = {
            "run_id": run.run_id, "dataset": record.dataset, "label": run.spec.label(), "framework": record.framework,
            "origin": {"index": origin, "date": run.series["date"].iloc[origin].strftime(date_format(run.series)),
                       "value": float(run.values[origin])},
            "forecast": json.loads(table.assign(date=table["date"].dt.strftime(date_format(run.series)))
                                   .to_json(orient="records")),
            "metrics": run.metrics.to_json(),
        }  # fmt: skip
        print(json.dumps(document, indent=1, allow_nan=False))
        return 0
    print(describe(run, origin, table))
    return 0


def resolve_origin(run, origin: str | None) -> int:
    """--origin: 'last' (forecast the real future), an index, or a date of the series (the last value read)."""
    if origin in (None, "last"):
        return len(run.series) - 1
    if re.fullmatch(r"-?[0-9]+", origin):  # ASCII digits only: str.isdigit() also takes '²', which int() refuses
        index = int(origin)
        return run.check_origin(index if index >= 0 else len(run.series) + index)
    try:
        date = np.datetime64(origin.strip())
    except (ValueError, OverflowError):
        date = np.datetime64("NaT")
    if np.isnat(date):  # '' and 'NaT' parse to "no date": they must not quietly mean 'last'
        raise ValueError(f"--origin must be 'last', an index or a date (YYYY-MM-DD), got {origin!r}")
    dates = run.series["date"]
    fmt = date_format(run.series)
    if date > dates.iloc[-1].to_datetime64():  # a forecast from the future would silently start at the end
        raise ValueError(f"--origin {origin} is after the series ends ({dates.iloc[-1].strftime(fmt)}); "
                         "use 'last' to forecast the real future")  # fmt: skip
    index = int(np.searchsorted(dates.to_numpy(), date, side="right")) - 1
    if index < 0:
        raise ValueError(f"--origin {origin} is before the series starts ({dates.iloc[0].strftime(fmt)})")
    return run.check_origin(index)


def date_format(series: pd.DataFrame) -> str:
    """How the series' dates are printed: with the time of day when its steps are finer than a day (four hourly
    steps must not all read 2024-01-21)."""
    dates = series["date"]
    if (dates.dt.second != 0).any():
        return "%Y-%m-%d %H:%M:%S"
    finer_than_a_day = (dates.diff().dropna() < pd.Timedelta(days=1)).any()
    if finer_than_a_day or (dates.dt.hour != 0).any() or (dates.dt.minute != 0).any():
        return "%Y-%m-%d %H:%M"
    return "%Y-%m-%d"


def describe(run, origin: int, table) -> str:
    metrics, record = run.metrics, run.record
    fmt = date_format(run.series)
    date = run.series["date"].iloc[origin].strftime(fmt)
    width = len(date)
    lines = [f"{run.spec.label()} ({record.framework}) on {record.dataset}: {run.run_id}",
             f"test RMSE {metrics.rmse:.4g}, MAE {metrics.mae:.4g}, MASE {_number(metrics.mase)}"
             f" over {metrics.test_origins} forecasts of {metrics.horizon} steps",
             f"forecast from {date} (value {run.values[origin]:.4g}):",
             f"  {'step':>4}  {'date':<{width}}  {'forecast':>10}  {'95% band':>21}  {'actual':>10}"]  # fmt: skip
    for _, row in table.iterrows():
        band = f"{row['low 95%']:.4g} .. {row['high 95%']:.4g}"
        actual = "-" if np.isnan(row["actual"]) else f"{row['actual']:.4g}"
        date = row["date"].strftime(fmt)
        lines.append(f"  {row['step']:>4}  {date:<{width}}  {row['forecast']:>10.4g}  {band:>21}  {actual:>10}")
    if metrics.mape_note:
        lines.append(metrics.mape_note)
    return "\n".join(lines)


def _number(value) -> str:
    return "-" if value is None else f"{value:.3f}"


def add_forecast_command(commands, run_arguments) -> None:
    forecast = commands.add_parser("forecast", help="a forecasting run's forecast from the series' end or an origin")
    run_arguments(forecast)
    forecast.add_argument("--origin", default=None,
                          help="forecast after this value: 'last' (default: the real future), an index, or a date")
    forecast.add_argument("--json", action="store_true", help="the forecast, its bands and the run's metrics as JSON")
    forecast.set_defaults(handler=cmd_forecast)
