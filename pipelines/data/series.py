"""Time series for forecasting: the real ones that ship inside statsmodels' wheel, and a CSV of your own.

    series = load_series("co2")                    # weekly Mauna Loa CO2, 1958-2001
    series = load_series("my-sales.csv")           # a date column and a value column
    series.values, series.dates, series.observed   # observed is False where a gap was filled

Gaps, said once: the dates are put on their regular grid (weekly, monthly, ...;
a date missing from the file is a gap too), missing values at the start or end
are cut, and a gap inside the series is filled by linear interpolation in time,
as long as it is at most `max_gap` steps (the season, or 10 steps if that is
longer); a longer gap is refused with its dates. Filled values are marked
(`observed` False): models may read them, but no test score is computed on them.
"""

from __future__ import annotations

import hashlib
import importlib.util
import re
from dataclasses import dataclass, field, replace
from pathlib import Path

import numpy as np
import pandas as pd

from .base import DataError, data_dirs

SERIES_KEYS = ("co2", "sunspots", "elnino")
CSV_SUFFIX = ".csv"
KEY_FINGERPRINT = 8  # hex digits of a CSV's content in its store key
MIN_GAP_LIMIT = 10  # a gap this long is always filled; longer seasons allow longer gaps
DATE_NAMES = ("date", "ds", "time", "timestamp", "datetime", "period", "month", "year", "week", "day")
# Season length per pandas frequency (the first letters of its name).
SEASONS = {"W": 52, "M": 12, "Q": 4, "D": 7, "B": 5, "h": 24, "H": 24, "Y": 1, "A": 1}


@dataclass(frozen=True)
class SeriesInfo:
    key: str  # store folder name, e.g. "co2" or "csv-my-sales-3f9a1c2e"
    title: str
    source: str
    citation: str = ""
    unit: str = ""
    season: int = 1  # steps per season: seasonal naive repeats the value this many steps back; 1 = none
    # Forecasting settings that suit this series (lookback, horizon) and training settings (epochs, ...).
    forecasting: dict = field(default_factory=dict)
    training: dict = field(default_factory=dict)


@dataclass(frozen=True)
class Series:
    info: SeriesInfo
    dates: pd.DatetimeIndex  # regular: one step apart
    values: np.ndarray  # (time,) float64, gaps filled
    observed: np.ndarray  # (time,) bool: False where a gap was filled
    frequency: str  # pandas frequency, e.g. "W-SAT"
    gaps: list[dict]  # each filled gap: start, end (dates), length (steps)

    def __len__(self) -> int:
        return len(self.values)

    @property
    def key(self) -> str:
        return self.info.key

    def fingerprint(self) -> str:
        """Changes whenever a value, a date or a filled point changes: part of every run id."""
        digest = hashlib.sha256()
        digest.update(np.ascontiguousarray(self.values, dtype=np.float64).tobytes())
        digest.update(np.ascontiguousarray(self.observed).tobytes())
        digest.update(f"{self.dates[0]}|{self.frequency}|{self.info.season}".encode())
        return digest.hexdigest()[:12]

    def frame(self) -> pd.DataFrame:
        return pd.DataFrame({"date": self.dates, "value": self.values, "observed": self.observed})


FORECAST_TRAINING = {"epochs": 60, "batch_size": 32, "learning_rate": 0.003, "patience": 8, "lr_patience": 3}
BUILT_IN = {
    "co2": SeriesInfo(
        key="co2", title="Mauna Loa CO₂, weekly 1958-2001", unit="ppm", season=52,
        source="statsmodels.datasets.co2 (Keeling & Whorf, Scripps Institution of Oceanography)",
        citation="Keeling, C.D. and T.P. Whorf. 2004. Atmospheric CO2 concentrations derived from flask air "
                 "samples at sites in the SIO network. Trends: A Compendium of Data on Global Change, CDIAC.",
        forecasting={"lookback": 104, "horizon": 52}, training=FORECAST_TRAINING,
    ),
    "sunspots": SeriesInfo(
        key="sunspots", title="Yearly sunspot numbers, 1700-2008", unit="sunspots", season=11,
        source="statsmodels.datasets.sunspots (Wolfer sunspot numbers, SIDC)",
        citation="SIDC-team, World Data Center for the Sunspot Index, Royal Observatory of Belgium.",
        forecasting={"lookback": 33, "horizon": 11}, training={**FORECAST_TRAINING, "batch_size": 16},
    ),
    "elnino": SeriesInfo(
        key="elnino", title="El Niño sea surface temperature, monthly 1950-2010", unit="°C", season=12,
        source="statsmodels.datasets.elnino (NOAA Climate Prediction Center, Niño 1+2)",
        forecasting={"lookback": 36, "horizon": 12}, training={**FORECAST_TRAINING, "batch_size": 16},
    ),
}  # fmt: skip


def is_series_key(key: str) -> bool:
    """Whether `key` names a series (built in, a CSV path, or the store key of a CSV: csv-NAME-CONTENT)."""
    return key in BUILT_IN or key.lower().endswith(CSV_SUFFIX) or key.startswith("csv-")


def csv_key(path: str | Path, fingerprint: str) -> str:
    """The store key of a user's CSV: csv-, its name and its content, e.g. csv-my-sales-3f9a1c2e.

    The name alone is not enough: `good.csv` and `other/good.csv`, or two names with no ASCII letters, would
    share a folder, and training one would replace the series the other's runs were trained on.
    """
    stem = re.sub(r"[^A-Za-z0-9_-]+", "-", Path(path).stem).strip("-").lower() or "series"
    return f"csv-{stem}-{fingerprint[:KEY_FINGERPRINT]}"


def series_key(key: str, data_dir=None, date_column: str | None = None, value_column: str | None = None) -> str:
    """The store folder of a series: a built-in key as it is; a CSV's is read from its content (`csv_key`)."""
    if not key.lower().endswith(CSV_SUFFIX):
        return key
    return load_series(key, data_dir=data_dir, date_column=date_column, value_column=value_column).key


# ----------------------------------------------------------------------------
# Loading


def load_series(key: str, data_dir=None, date_column: str | None = None, value_column: str | None = None) -> Series:
    """A series by key (co2, sunspots, elnino) or a CSV path; DataError with what to do when it cannot be read."""
    if key.lower().endswith(CSV_SUFFIX):
        path = _find_csv(key, data_dir)
        dates, values = _read_user_csv(path, date_column, value_column)
        info = SeriesInfo(key=path.name, title=f"{path.name} ({value_column or 'values'})", source=str(path),
                          forecasting={}, training=FORECAST_TRAINING)  # fmt: skip
        series = regular_series(info, dates, values, season=None)
        return replace(series, info=replace(series.info, key=csv_key(path, series.fingerprint())))
    if key not in BUILT_IN:
        known = ", ".join(SERIES_KEYS)
        raise DataError(f"unknown series {key!r}; choose one of: {known}, or a CSV file (path ending in .csv)")
    if date_column or value_column:
        raise DataError("--date-column and --value-column apply to a CSV of your own, not to a built-in series")
    dates, values = READERS[key](_statsmodels_file(key))
    return regular_series(BUILT_IN[key], dates, values, season=BUILT_IN[key].season)


def _statsmodels_file(key: str) -> Path:
    """The series' CSV inside the installed statsmodels wheel (found without importing statsmodels)."""
    spec = importlib.util.find_spec("statsmodels")
    if spec is None or not spec.submodule_search_locations:
        raise DataError(f"the {key} series ships inside statsmodels, which is not installed; "
                        "pip install -r requirements.txt")  # fmt: skip
    path = Path(list(spec.submodule_search_locations)[0]) / "datasets" / key / f"{key}.csv"
    if not path.is_file():
        raise DataError(f"{path} is missing from the installed statsmodels; reinstall it "
                        "(pip install -r requirements.txt)")
    return path


def _read_co2(path: Path) -> tuple[pd.DatetimeIndex, np.ndarray]:
    frame = pd.read_csv(path)
    return pd.DatetimeIndex(pd.to_datetime(frame["date"].astype(str), format="%Y%m%d")), frame["co2"].to_numpy(float)


def _read_sunspots(path: Path) -> tuple[pd.DatetimeIndex, np.ndarray]:
    frame = pd.read_csv(path)
    years = pd.to_datetime(frame["YEAR"].astype(int).astype(str), format="%Y")
    return pd.DatetimeIndex(years), frame["SUNACTIVITY"].to_numpy(float)


def _read_elnino(path: Path) -> tuple[pd.DatetimeIndex, np.ndarray]:
    """One row per year, one column per month: read as one monthly series."""
    frame = pd.read_csv(path)
    long = frame.melt(id_vars="YEAR", var_name="month", value_name="value")
    long["date"] = pd.to_datetime(long["YEAR"].astype(int).astype(str) + "-" + long["month"], format="%Y-%b")
    long = long.sort_values("date")
    return pd.DatetimeIndex(long["date"]), long["value"].to_numpy(float)


READERS = {"co2": _read_co2, "sunspots": _read_sunspots, "elnino": _read_elnino}


def _find_csv(name: str, data_dir) -> Path:
    path = Path(name).expanduser()
    candidates = [path] + ([folder / path for folder in data_dirs(data_dir)] if not path.is_absolute() else [])
    for candidate in candidates:
        if candidate.is_file():
            return candidate.resolve()
    where = ", ".join(str(candidate) for candidate in candidates)
    raise DataError(f"no CSV file {name}: looked at {where}")


def _read_user_csv(path: Path, date_column: str | None,
                   value_column: str | None) -> tuple[pd.DatetimeIndex, np.ndarray]:  # fmt: skip
    """A date column and a value column; either may be named, else they are found."""
    try:
        frame = pd.read_csv(path)
    except (OSError, ValueError, UnicodeDecodeError) as error:
        raise DataError(f"{path.name} cannot be read as CSV ({type(error).__name__}: {error})") from error
    if frame.shape[1] < 2 or frame.empty:
        raise DataError(f"{path.name} needs a header row, a date column and a value column, and at least one row")
    columns = list(frame.columns)
    for given, flag in ((date_column, "--date-column"), (value_column, "--value-column")):
        if given is not None and given not in columns:
            raise DataError(f"{path.name} has no column {given!r} ({flag}); its columns: "
                            f"{', '.join(map(str, columns))}")
    date_column = date_column or next((c for c in columns if str(c).strip().lower() in DATE_NAMES), columns[0])
    if value_column is None:  # the one other column, or the one numeric one among several
        others = [c for c in columns if c != date_column]
        numeric = [c for c in others if pd.api.types.is_numeric_dtype(frame[c])]
        if len(others) != 1 and len(numeric) != 1:
            found = ", ".join(map(str, numeric)) if numeric else "none"
            raise DataError(f"{path.name}: pick the value column with --value-column (numeric columns: {found})")
        value_column = others[0] if len(others) == 1 else numeric[0]
    values = pd.to_numeric(frame[value_column], errors="coerce")
    unreadable = frame[value_column].notna() & values.isna()
    if unreadable.any():
        row = int(np.flatnonzero(unreadable.to_numpy())[0])
        raise DataError(f"{path.name}: value {frame[value_column].iloc[row]!r} in row {row + 2} is not a number")
    return _parse_dates(frame[date_column], path.name), values.to_numpy(float)


def _parse_dates(column: pd.Series, name: str) -> pd.DatetimeIndex:
    """Dates as written: ISO dates, YYYYMMDD numbers, or plain years."""
    text = column.astype(str).str.strip()
    try:
        if text.str.fullmatch(r"\d{4}").all():
            return pd.DatetimeIndex(pd.to_datetime(text, format="%Y"))
        if text.str.fullmatch(r"\d{8}").all():
            return pd.DatetimeIndex(pd.to_datetime(text, format="%Y%m%d"))
        return pd.DatetimeIndex(pd.to_datetime(text, format="mixed"))
    except (ValueError, TypeError) as error:
        raise DataError(f"{name}: the date column {column.name!r} has a value that is not a date ({error})") from error


# ----------------------------------------------------------------------------
# Regular grid, gaps


def infer_frequency(dates: pd.DatetimeIndex) -> str:
    """The regular step of dates that may have holes: pandas' guess on the dates, or on a gap-free stretch."""
    frequency = _guess_step(dates) if len(dates) >= 3 else None
    if frequency is None:
        steps = np.diff(dates.asi8)
        common = np.median(steps)
        for start in range(0, max(len(dates) - 3, 1)):  # the first three dates one common step apart
            if (steps[start : start + 2] == common).all():
                frequency = _guess_step(dates[start : start + 3])
                break
    if frequency is None:
        raise DataError("the dates are not evenly spaced (daily, weekly, monthly, yearly, ...), so the series "
                        "has no regular step to forecast")  # fmt: skip
    return frequency


def _guess_step(dates: pd.DatetimeIndex) -> str | None:
    """pandas' name for the dates' step ("W-SAT", "MS", ...), or None if they have no single step."""
    with pd.option_context("future.infer_freq_returns_offset", True):  # pandas' coming behaviour: an offset
        offset = pd.infer_freq(dates)
    return None if offset is None else offset.freqstr


def season_for(frequency: str) -> int:
    letters = re.sub(r"[^A-Za-z]", "", frequency.split("-")[0])
    for prefix, season in SEASONS.items():
        if letters.startswith(prefix) or letters.rstrip("SE") == prefix:
            return season
    return 1


def regular_series(info: SeriesInfo, dates: pd.DatetimeIndex, values: np.ndarray, season: int | None) -> Series:
    """Put `values` on their regular date grid and fill the gaps inside (see the module's docstring)."""
    if len(dates) != len(values):
        raise ValueError("dates and values differ in length")
    order = np.argsort(dates.asi8, kind="stable")
    dates, values = dates[order], np.asarray(values, dtype=float)[order]
    if dates.has_duplicates:
        raise DataError(f"{info.key}: the date {dates[dates.duplicated()][0].date()} appears twice")
    if not np.isfinite(values).any():
        raise DataError(f"{info.key}: the series has no values (all missing)")
    frequency = infer_frequency(dates)
    grid = pd.date_range(dates[0], dates[-1], freq=frequency)
    if not dates.isin(grid).all():
        stray = dates[~dates.isin(grid)][0]
        raise DataError(f"{info.key}: the date {stray} is off the series' {frequency} grid; dates must be evenly "
                        "spaced")
    on_grid = pd.Series(values, index=dates).reindex(grid)
    on_grid[~np.isfinite(on_grid)] = np.nan
    observed = on_grid.notna()
    first, last = np.flatnonzero(observed)[[0, -1]]
    on_grid, observed = on_grid.iloc[first : last + 1], observed.iloc[first : last + 1]
    season = season if season is not None else season_for(frequency)
    limit = max(season, MIN_GAP_LIMIT)
    gaps = _gaps(observed)
    for gap in gaps:
        if gap["length"] > limit:
            raise DataError(f"{info.key}: {gap['length']} values are missing from {gap['start']} to {gap['end']}, "
                            f"more than the {limit} steps a gap may be filled over; cut the series or fill it")
    filled = on_grid.interpolate(method="time")
    info = replace(info, season=season)
    return Series(info, pd.DatetimeIndex(filled.index), filled.to_numpy(float), observed.to_numpy(bool), frequency,
                  gaps)  # fmt: skip


def _gaps(observed: pd.Series) -> list[dict]:
    missing = ~observed.to_numpy()
    gaps, start = [], None
    for index, is_missing in enumerate(np.append(missing, False)):
        if is_missing and start is None:
            start = index
        elif not is_missing and start is not None:
            dates = observed.index
            gaps.append({"start": str(dates[start].date()), "end": str(dates[index - 1].date()),
                         "length": index - start})  # fmt: skip
            start = None
    return gaps
