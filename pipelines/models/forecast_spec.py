"""What a forecasting run is: a recurrent forecaster or a baseline, each a small frozen spec.

    recurrent: window of `lookback` values -> [RNN | LSTM | GRU] x layers -> last state -> dense -> `horizon` values
    encoder-decoder (seed 001's build_seq2seq_model): window -> encoder LSTM -> its final states (the context
               vector) start a decoder LSTM that runs `horizon` steps -> dense on each step -> `horizon` values
    baselines: naive (the last value), seasonal naive (the value one season back), Holt-Winters (statsmodels)

A recurrent forecaster predicts all `horizon` steps at once (the direct,
multi-output strategy of seed 001 section 7.6.1); the encoder-decoder writes
them one decoder step at a time from the encoder's final states (section 7.5.3). With `relative` (the default)
it reads its window as changes from the window's last value and predicts the
change from that value, both in units of the training part's standard
deviation, so a series that drifts out of the training range (CO₂ rises every
year) still looks familiar to it. The scaler is fitted on the training part
only and kept here, so the spec alone turns the model's outputs into values.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields, replace

from .cells import CELL_NAMES, CELLS

BASELINE_METHODS = ("naive", "seasonal-naive", "holt-winters")
ARCHITECTURES = ("direct", "encoder-decoder")
BASELINE_TITLES = {"naive": "Naive (last value)", "seasonal-naive": "Seasonal naive", "holt-winters": "Holt-Winters"}
# Who computes each kind of forecaster: the run's framework in spec.json and its id.
BASELINE_FRAMEWORKS = {"naive": "baseline", "seasonal-naive": "baseline", "holt-winters": "statsmodels"}


def _check_window(lookback: int, horizon: int) -> None:
    if lookback < 1 or horizon < 1:
        raise ValueError(f"lookback and horizon must be at least 1, got {lookback} and {horizon}")


@dataclass(frozen=True)
class ForecasterSpec:
    cell: str = "lstm"
    layers: int = 1
    hidden_size: int = 64
    dropout: float = 0.0  # between stacked layers only
    lookback: int = 0  # filled in from the settings (see `resolved`)
    horizon: int = 0
    relative: bool = True  # read and predict changes from the window's last value
    scaler_mean: float = 0.0  # the training part's mean and standard deviation
    scaler_scale: float = 1.0
    method: str = "recurrent"
    architecture: str = "direct"  # or "encoder-decoder" (seed 001's build_seq2seq_model)

    def __post_init__(self):
        if self.cell not in CELLS:
            raise ValueError(f"cell must be one of {CELLS}, got {self.cell!r}")
        if not 1 <= self.layers <= 3 or self.hidden_size < 1 or not 0.0 <= self.dropout < 1.0:
            raise ValueError("layers must be 1-3, hidden_size positive and dropout in [0, 1)")
        if self.scaler_scale <= 0:
            raise ValueError(f"scaler_scale must be positive, got {self.scaler_scale}")
        if self.method != "recurrent":
            raise ValueError(f"a recurrent forecaster's method is 'recurrent', got {self.method!r}")
        if self.architecture not in ARCHITECTURES:
            raise ValueError(f"architecture must be one of {ARCHITECTURES}, got {self.architecture!r}")
        if self.architecture == "encoder-decoder" and self.layers != 1:
            raise ValueError("an encoder-decoder forecaster has one encoder and one decoder layer (layers=1)")

    @property
    def bidirectional(self) -> bool:
        return False  # a forecaster reads the past one way

    def resolved(self, lookback: int, horizon: int, mean: float, scale: float) -> "ForecasterSpec":
        _check_window(lookback, horizon)
        return replace(self, lookback=lookback, horizon=horizon, scaler_mean=float(mean), scaler_scale=float(scale))

    def short_name(self) -> str:
        """Readable part of a run id, e.g. 'lstm-1x64-lb104-h52' or 'lstm-encdec-64-lb104-h52'."""
        shape = f"encdec-{self.hidden_size}" if self.encoder_decoder else f"{self.layers}x{self.hidden_size}"
        return f"{self.cell}-{shape}-lb{self.lookback}-h{self.horizon}"

    @property
    def encoder_decoder(self) -> bool:
        return self.architecture == "encoder-decoder"

    @property
    def keras_twin(self) -> bool:
        """Seed 001 writes one forecaster in Keras, the LSTM encoder-decoder (`build_seq2seq_model`): only it also
        trains with `--framework keras` (pipelines/models/keras_forecaster.py); the others train in PyTorch."""
        return self.encoder_decoder and self.cell == "lstm"

    def label(self) -> str:
        if self.encoder_decoder:
            return f"{CELL_NAMES[self.cell]} {self.hidden_size} encoder-decoder"
        return f"{CELL_NAMES[self.cell]} {self.layers}×{self.hidden_size}"

    def to_json(self) -> dict:
        data = asdict(self)
        if not self.encoder_decoder:
            del data["architecture"]  # the direct forecasters keep the spec.json (and run ids) they had before
        return data


@dataclass(frozen=True)
class ForecastBaselineSpec:
    """A baseline forecaster (naive, seasonal naive, Holt-Winters); not `pipelines.baselines.BaselineSpec`,
    the bag-of-words classifiers. spec.json stores it as before: its fields, with `method` telling it apart."""

    method: str = "seasonal-naive"
    season: int = 1  # seasonal naive repeats the value this many steps back; Holt-Winters' seasonal period
    horizon: int = 0
    damped: bool = False  # Holt-Winters: a damped trend (on CO₂ the trend is real: undamped halves the 52-step error)
    lookback: int = 0  # what the recurrent models of the same zoo read: only so tables can line them up

    def __post_init__(self):
        if self.method not in BASELINE_METHODS:
            raise ValueError(f"baseline method must be one of {BASELINE_METHODS}, got {self.method!r}")
        if self.season < 1:
            raise ValueError(f"season must be at least 1, got {self.season}")

    @property
    def framework(self) -> str:
        return BASELINE_FRAMEWORKS[self.method]

    def resolved(self, lookback: int, horizon: int, season: int) -> "ForecastBaselineSpec":
        _check_window(lookback, horizon)
        return replace(self, lookback=lookback, horizon=horizon, season=season)

    def short_name(self) -> str:
        season = f"-s{self.season}" if self.method != "naive" else ""
        return f"{self.method}{season}-h{self.horizon}"

    def label(self) -> str:
        title = BASELINE_TITLES[self.method]
        return f"{title} ({self.season})" if self.method == "seasonal-naive" else title

    def to_json(self) -> dict:
        return asdict(self)




def forecast_spec_from_json(data: dict) -> ForecasterSpec | ForecastBaselineSpec:
    """spec.json's model section of a forecasting run: a recurrent forecaster or a baseline."""
    kind = ForecasterSpec if data.get("method", "recurrent") == "recurrent" else ForecastBaselineSpec
    unknown = set(data) - {f.name for f in fields(kind)}
    if unknown:
        raise ValueError(f"unknown forecaster spec keys: {', '.join(sorted(unknown))}")
    return kind(**data)
