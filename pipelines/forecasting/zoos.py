"""Named forecast zoos: recurrent forecasters and the baselines they are judged against, trained together.

- forecast: RNN, LSTM and GRU, one layer of 32 and of 64 units and two layers of 64, the encoder-decoder LSTM of
  64 units (seed 001's build_seq2seq_model), plus the baselines;
- forecast-quick: one small model per cell and an encoder-decoder LSTM of 32, plus the baselines (a minute or two
  on a CPU).

`--framework keras` trains the encoder-decoder in Keras, as seed 001 writes it (`trained_in`): it is the one
forecaster with a Keras twin, so the direct forecasters are left out (a note says so) and `--framework both`
trains them in PyTorch beside the encoder-decoder in both frameworks. The baselines are trained once either way.
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


def trained_in(spec, frameworks: tuple[str, ...]) -> tuple[str, ...]:
    """The frameworks a zoo member trains in when `--framework` asks for `frameworks`: a baseline in its own, once,
    whatever is asked; a recurrent forecaster in each framework asked that it is written in (Keras: the
    encoder-decoder LSTM only, `ForecasterSpec.keras_twin`)."""
    if isinstance(spec, ForecastBaselineSpec):
        return (spec.framework,)
    return tuple(name for name in frameworks if name == "torch" or spec.keras_twin)


def check_keras_selection(zoo_name: str, only: list[str] | None, frameworks: tuple[str, ...]) -> None:
    """A ValueError naming --framework when Keras is asked for and the zoo (or `--only`) selects no forecaster
    with a Keras twin; nothing to say when Keras is not asked for."""
    if "keras" not in frameworks:
        return
    specs = forecast_zoo_specs(zoo_name, only)  # a ValueError naming --only when it matches nothing
    if not any("keras" in trained_in(spec, frameworks) for spec in specs):
        chosen = f"--only {' '.join(only)}" if only else f"the {zoo_name} zoo"
        raise ValueError(f"--framework {'both' if len(frameworks) > 1 else 'keras'}: only the encoder-decoder "
                         f"forecaster (seed 001's build_seq2seq_model) has a Keras twin, and {chosen} selects none; "
                         "use --framework torch, or add --only 'lstm-encdec-*'")  # fmt: skip


def pytorch_only_note(specs: list, frameworks: tuple[str, ...]) -> str | None:
    """What `train` says when Keras is asked for and some selected forecasters have no Keras twin; else None."""
    missing = [_name(spec) for spec in specs if "keras" in frameworks and isinstance(spec, ForecasterSpec)
               and not spec.keras_twin]  # fmt: skip
    if not missing:
        return None
    fate = "trained in PyTorch only" if "torch" in frameworks else "left out (--framework both trains them in PyTorch)"
    return (f"note: only the encoder-decoder forecaster (seed 001's build_seq2seq_model) has a Keras twin; "
            f"{', '.join(missing)} {'is' if len(missing) == 1 else 'are'} {fate}")


def _name(spec) -> str:
    """A zoo member's name before the data fills in lookback and horizon: 'lstm-1x64', 'lstm-encdec-64',
    'holt-winters'."""
    if isinstance(spec, ForecastBaselineSpec):
        return spec.method
    return spec.short_name().rsplit("-lb", 1)[0]
