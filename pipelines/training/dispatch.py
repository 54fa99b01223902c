"""Send a training request to the trainer of its kind of data.

    outcomes = train(Store(), TrainRequest(dataset="co2", zoo="forecast-quick"))

Text data sets and memory tasks go to `train.py` (classifiers), series to
`forecast.py` (forecasters), character corpora to `language_models.py`, sequence-to-sequence tasks
(dates, reverse-N, copy-N) to `seq2seq.py`; each
trainer is imported only when a request needs it (they import PyTorch).
"""

from __future__ import annotations

from ..store import Store
from .progress import Outcome
from .request import CLASSIFIERS, FORECASTERS, LANGUAGE_MODELS, SEQ2SEQ_MODELS, TrainRequest


def train(store: Store, request: TrainRequest) -> list[Outcome]:
    """Train every run of the request that the store does not have yet; one outcome per run."""
    if request.kind == CLASSIFIERS:
        from .train import train as train_classifiers
        return train_classifiers(store, request)
    if request.kind == FORECASTERS:
        from .forecast import train as train_forecasters  # imports statsmodels too
        return train_forecasters(store, request)
    if request.kind == SEQ2SEQ_MODELS:
        from .seq2seq import train as train_encoder_decoders
        return train_encoder_decoders(store, request)
    assert request.kind == LANGUAGE_MODELS, request.kind
    from .language_models import train as train_language_models
    return train_language_models(store, request)
