"""An honest forecasting set-up: chronological parts, a scaler fitted on the past, windows that never look ahead.

    settings = ForecastSettings.layered(series.info.forecasting, {"horizon": 12})
    prepared = prepare(series, settings)                # split points, scaler, checks
    windows = prepared.windows("train", lookback=104, horizon=52)

The series is cut in time: train, then validation, then test (no shuffling
across time). A window's origin `t` is the last value it reads; it reads
`t-lookback+1 .. t` and is scored on `t+1 .. t+horizon`. A window belongs to a
part when all its targets lie in that part; it may read values from the parts
before (they are the past), never from after. The scaler is fitted on the
training part alone, and a training window reads and predicts nothing beyond it.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields

import numpy as np

from ..data.base import DataError
from ..data.series import Series

PARTS = ("train", "validation", "test")
MIN_TRAIN_WINDOWS = 8  # fewer training windows than this teach a model nothing


@dataclass(frozen=True)
class ForecastSettings:
    """How a series is cut and read; every field is a `train` flag (--lookback, --horizon, ...)."""

    lookback: int = 52  # values a model reads before it forecasts
    horizon: int = 12  # values it forecasts at once: steps 1..horizon
    validation_fraction: float = 0.15  # the part after training, for early stopping and the fan's width
    test_fraction: float = 0.15  # the last part: every score is computed here

    def __post_init__(self):
        if self.lookback < 1 or self.horizon < 1:
            raise ValueError(f"lookback and horizon must be at least 1, got {self.lookback} and {self.horizon}")
        if not (0 < self.validation_fraction < 0.5 and 0 < self.test_fraction < 0.5):
            raise ValueError("validation_fraction and test_fraction must each be between 0 and 0.5")

    @classmethod
    def layered(cls, *layers: dict) -> "ForecastSettings":
        """Defaults, then the series' own, then the user's; None means "not given"; unknown keys are refused."""
        names = {f.name: f for f in fields(cls)}
        values: dict = {}
        for layer in layers:
            for key, value in layer.items():
                if value is None:
                    continue
                if key not in names:
                    raise ValueError(f"unknown forecasting setting {key!r}; known: {', '.join(names)}")
                values[key] = type(names[key].default)(value)
        return cls(**values)

    def to_json(self) -> dict:
        return asdict(self)


@dataclass(frozen=True)
class Windows:
    origins: np.ndarray  # (windows,) index of the last value each window reads
    inputs: np.ndarray  # (windows, lookback) float32, encoded
    targets: np.ndarray  # (windows, horizon) float32, encoded
    observed: np.ndarray  # (windows, horizon) bool: False where the target is a filled gap

    def __len__(self) -> int:
        return len(self.origins)


@dataclass(frozen=True)
class PreparedSeries:
    series: Series
    settings: ForecastSettings
    train_end: int  # train = [0, train_end), validation = [train_end, validation_end), test = [validation_end, n)
    validation_end: int
    mean: float  # the training part's, observed values only
    scale: float

    @property
    def values(self) -> np.ndarray:
        return self.series.values

    def bounds(self, part: str) -> tuple[int, int]:
        return {"train": (0, self.train_end), "validation": (self.train_end, self.validation_end),
                "test": (self.validation_end, len(self.series))}[part]  # fmt: skip

    def origins(self, part: str, lookback: int, horizon: int) -> np.ndarray:
        """Origins whose `horizon` targets all lie in `part` and whose window starts at or after the first value."""
        start, end = self.bounds(part)
        first = max(lookback - 1, start - 1)
        return np.arange(first, end - horizon, dtype=np.int64)

    def windows(self, part: str, lookback: int, horizon: int, relative: bool = True) -> Windows:
        origins = self.origins(part, lookback, horizon)
        return Windows(origins, *encode(self.values, origins, lookback, horizon, self.mean, self.scale, relative),
                       target_mask(self.series.observed, origins, horizon))  # fmt: skip

    def split_of(self) -> np.ndarray:
        """Each value's part, as a name."""
        names = np.empty(len(self.series), dtype=object)
        for part in PARTS:
            start, end = self.bounds(part)
            names[start:end] = part
        return names

    def summary(self) -> dict:
        """What dataset.json says about the cut: sizes and the dates where each part starts and ends."""
        dates = self.series.dates
        return {part: {"size": end - start, "start": str(dates[start].date()), "end": str(dates[end - 1].date())}
                for part, (start, end) in ((part, self.bounds(part)) for part in PARTS)}  # fmt: skip


def encode(values: np.ndarray, origins: np.ndarray, lookback: int, horizon: int, mean: float, scale: float,
           relative: bool = True) -> tuple[np.ndarray, np.ndarray]:  # fmt: skip
    """(inputs (windows, lookback), targets (windows, horizon)) in the model's units.

    Targets past the end of the series (a forecast of the real future) come back as NaN.
    """
    reads = origins[:, None] + np.arange(-lookback + 1, 1)[None, :]  # (windows, lookback)
    ahead = origins[:, None] + np.arange(1, horizon + 1)[None, :]  # (windows, horizon)
    padded = np.append(values, np.full(horizon, np.nan))
    reference = values[origins][:, None] if relative else mean
    inputs = (values[reads] - reference) / scale
    targets = (padded[ahead] - reference) / scale
    return inputs.astype(np.float32), targets.astype(np.float32)


def decode(outputs: np.ndarray, values: np.ndarray, origins: np.ndarray, mean: float, scale: float,
           relative: bool = True) -> np.ndarray:  # fmt: skip
    """The model's outputs (windows, horizon) as values of the series."""
    reference = values[origins][:, None] if relative else mean
    return np.asarray(outputs, dtype=np.float64) * scale + reference


def target_mask(observed: np.ndarray, origins: np.ndarray, horizon: int) -> np.ndarray:
    """(windows, horizon): True where the target was observed (not a filled gap, not past the end)."""
    padded = np.append(observed, np.zeros(horizon, dtype=bool))
    return padded[origins[:, None] + np.arange(1, horizon + 1)[None, :]]


def targets(values: np.ndarray, origins: np.ndarray, horizon: int) -> np.ndarray:
    """The actual values (windows, horizon) after each origin; NaN past the end."""
    padded = np.append(values, np.full(horizon, np.nan))
    return padded[origins[:, None] + np.arange(1, horizon + 1)[None, :]]


def prepare(series: Series, settings: ForecastSettings) -> PreparedSeries:
    """Cut the series in time and fit the scaler on its training part; DataError if it cannot be forecast."""
    size = len(series)
    validation_end = size - max(int(round(size * settings.test_fraction)), 1)
    train_end = validation_end - max(int(round(size * settings.validation_fraction)), 1)
    lookback, horizon = settings.lookback, settings.horizon
    if min(train_end, validation_end - train_end, size - validation_end) < horizon:
        raise DataError(f"{series.key} has {size} values: too short for a horizon of {horizon} (each of the "
                        f"train, validation and test parts needs {horizon} values at least)")  # fmt: skip
    train_windows = train_end - horizon - lookback + 1
    if train_windows < MIN_TRAIN_WINDOWS:
        raise DataError(
            f"{series.key} has {size} values, {train_end} of them for training: too short for lookback "
            f"{lookback} + horizon {horizon} ({max(train_windows, 0)} training windows, {MIN_TRAIN_WINDOWS} needed); "
            "use a shorter --lookback or --horizon"
        )
    train = series.values[:train_end][series.observed[:train_end]]
    if np.ptp(series.values) == 0:
        raise DataError(f"{series.key} is constant (every value is {series.values[0]:g}): there is nothing to "
                        "forecast, and MASE, R² and the scaler are undefined")  # fmt: skip
    if np.ptp(train) == 0:
        raise DataError(f"the training part of {series.key} is constant ({train[0]:g}): the scaler has no spread "
                        "to learn; use a longer series or a smaller --validation-fraction/--test-fraction")
    from sklearn.preprocessing import StandardScaler  # not at the top: `list` and the CLI's parser import this module

    scaler = StandardScaler().fit(train.reshape(-1, 1))
    return PreparedSeries(series, settings, train_end, validation_end, float(scaler.mean_[0]), float(scaler.scale_[0]))
