"""Named forecast zoos: recurrent forecasters and the baselines they are judged against, trained together.

- forecast: RNN, LSTM and GRU, one layer of 32 and of 64 units and two layers of 64, the encoder-decoder LSTM of
  64 units (seed 001's build_seq2seq_model), plus the baselines;
- forecast-quick: one small model per cell and an encoder-decoder LSTM of 32, plus the baselines (a minute or two
  on a CPU).
"""

from __future__ import annotations

from fnmatch import fnmatch

from ..models.cells import CELLS
from ..models.forecast_spec import BASELINE_METHODS, ForecastBaselineSpec, ForecasterSpec

BASELINES = [ForecastBaselineSpec(method=method) for method in BASELINE_METHODS]


def forecast_zoo() -> list:
    shapes = ((1, 32), (1, 64), (2, 64))
    recurrent = [ForecasterSpec(cell=cell, layers=layers, hidden_size=hidden, dropout=0.1 if layers > 1 else 0.0)
                 for cell in CELLS for layers, hidden in shapes]  # fmt: skip
    return recurrent + [ForecasterSpec(cell="lstm", hidden_size=64, architecture="encoder-decoder")] + BASELINES


def forecast_quick_zoo() -> list:
    return ([ForecasterSpec(cell=cell, hidden_size=32) for cell in CELLS]
            + [ForecasterSpec(cell="lstm", hidden_size=32, architecture="encoder-decoder")] + BASELINES)


FORECAST_ZOOS = {"forecast": forecast_zoo, "forecast-quick": forecast_quick_zoo}


def forecast_zoo_specs(name: str, only: list[str] | None = None) -> list:
    """The specs of a forecast zoo; `only` keeps those whose name (e.g. 'lstm-*', 'naive') matches a glob."""
    if name not in FORECAST_ZOOS:
        raise ValueError(f"unknown forecast zoo {name!r}; choose one of: {', '.join(FORECAST_ZOOS)}")
    specs = FORECAST_ZOOS[name]()
    if only:
        specs = [spec for spec in specs if any(fnmatch(_name(spec), pattern) for pattern in only)]
        if not specs:
            names = ", ".join(_name(spec) for spec in FORECAST_ZOOS[name]())
            raise ValueError(f"--only {' '.join(only)} matches nothing in the {name} zoo; its models: {names}")
    return specs


def _name(spec) -> str:
    """A zoo member's name before the data fills in lookback and horizon: 'lstm-1x64', 'lstm-encdec-64',
    'holt-winters'."""
    if isinstance(spec, ForecastBaselineSpec):
        return spec.method
    return spec.short_name().rsplit("-lb", 1)[0]
