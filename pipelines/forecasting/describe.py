"""A forecast in words: which origin `--origin` means, how the series' dates are printed, the forecast's table.

    origin = resolve_origin(run, "2019-12-31")      # the last value read, an index into the series
    print(describe(run, origin, run.forecast_from(origin)))

`python -m pipelines forecast` (pipelines/commands/forecast.py) prints what these return.
"""

from __future__ import annotations

import re

import numpy as np
import pandas as pd


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
