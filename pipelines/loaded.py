"""One shape for a loaded run, whatever its kind: what the dashboard's one model cache holds and pages ask.

    run = load(Store(), "rt-polarity", run_id)       # loaded by its kind: a recurrent classifier, a baseline, ...
    run.record.run_id, run.spec, run.label           # its run, its typed spec, its chart label
    if Capability.EXPLAIN in run.capabilities:       # what it can be asked (pipelines.tasks.Capability)
        run.explain("A gorgeous, moving film.")

As in LIT's model API (`lit_nlp/api/model.py`) the interface is small and typed:
a run says what it can do, and a caller decides from that (and from the spec)
what to ask and draw, never from the class or the framework behind it. Each
kind implements it: `runs.LoadedRun` (recurrent classifiers),
`baselines.load.LoadedBaseline` (bag-of-words baselines),
`forecasting.runs.LoadedForecaster` (forecasters and their baselines) and
`generation.writer.LoadedLanguageModel` (character language models and n-grams) and
`translation.runs.LoadedTranslator` (encoder-decoders).
Loading imports no trainer, and a kind's framework only when a run of it loads.
"""

from __future__ import annotations

from typing import Callable, Protocol, runtime_checkable

from .records import RunRecord
from .store import Store
from .tasks import BASELINE, CLASSIFICATION, FORECASTING, GENERATION, MEMORY, NGRAM, SEQ2SEQ, Capability


# The calls each capability promises: a run that has it answers these (tests/test_loaded.py holds every kind to it).
CALLS: dict[Capability, tuple[str, ...]] = {
    Capability.PREDICT: ("predict_proba",),
    Capability.WORD_WEIGHTS: ("word_weights",),
    Capability.EXPLAIN: ("explain", "torch_model"),
    Capability.GRADIENTS: ("gradients",),
    Capability.FORECAST: ("forecast_from", "forecasts"),
    Capability.HIDDEN_STATES: ("hidden_states",),
    Capability.GENERATE: ("write",),
    Capability.TRANSLATE: ("translate",),
}


@runtime_checkable
class LoadedModel(Protocol):
    """A finished run with its model in memory."""

    @property
    def record(self) -> RunRecord: ...  # the run as the store keeps it: id, data set, state, metrics

    @property
    def spec(self) -> object: ...  # the kind's typed spec (ModelSpec, BaselineSpec, ForecasterSpec, ...)

    @property
    def label(self) -> str: ...  # for charts and tables, e.g. "BiGRU 1×64 (torch)"

    @property
    def capabilities(self) -> frozenset[Capability]: ...  # what it answers: its kind's, or fewer


def _recurrent_classifier(store: Store, dataset: str, run_id: str, device: str) -> LoadedModel:
    from .runs import load_run  # imports PyTorch or Keras

    return load_run(store, dataset, run_id, device=device)


def _baseline(store: Store, dataset: str, run_id: str, device: str) -> LoadedModel:
    from .baselines.load import load_baseline  # scikit-learn's maths, no deep-learning framework

    return load_baseline(store, dataset, run_id)


def _forecaster(store: Store, dataset: str, run_id: str, device: str) -> LoadedModel:
    from .forecasting.runs import load_forecaster  # imports PyTorch for a recurrent forecaster

    return load_forecaster(store, dataset, run_id, device=device)


def _language_model(store: Store, dataset: str, run_id: str, device: str) -> LoadedModel:
    from .generation.writer import load_language_model  # imports PyTorch

    return load_language_model(store, dataset, run_id, device=device)


def _encoder_decoder(store: Store, dataset: str, run_id: str, device: str) -> LoadedModel:
    from .translation.runs import load_translator  # imports PyTorch

    return load_translator(store, dataset, run_id, device=device)


LOADERS: dict[str, Callable[[Store, str, str, str], LoadedModel]] = {
    CLASSIFICATION.name: _recurrent_classifier,
    MEMORY.name: _recurrent_classifier,
    BASELINE.name: _baseline,
    FORECASTING.name: _forecaster,
    GENERATION.name: _language_model,
    NGRAM.name: _language_model,
    SEQ2SEQ.name: _encoder_decoder,
}


def load(store: Store, dataset: str, run_id: str, device: str = "cpu") -> LoadedModel:
    """A finished run's model, loaded by its kind.

    Raises ValueError (the kind's own: RunNotReady, BaselineNotReady, ForecastNotReady) saying why a run cannot
    be loaded: not finished, damaged, trained on data that has changed since, or of a kind nothing loads.
    """
    record = store.run(dataset, run_id)
    loader = LOADERS.get(record.task)
    if loader is None:
        raise ValueError(f"{run_id} is a run of kind {record.task!r}, which this version cannot load")
    return loader(store, dataset, run_id, device)
