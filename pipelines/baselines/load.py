"""A finished baseline run, ready to predict and explain: what the Playground and the report ask of it.

    baseline = load_baseline(Store(), "rt-polarity", "sklearn-tfidf-lr-1-2gram-1a2b3c4d")
    baseline.predict_proba(["A gorgeous, moving film."])
    baseline.word_weights("A gorgeous, moving film.")   # its explanation: each word's weight in log-odds

Nothing here imports `pipelines.training` or any deep-learning framework.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..data.text import WordCoverage
from ..records import LoadedFromRecord, RunRecord
from ..store import Store
from ..tasks import BASELINE, Capability
from .model import BaselineModel, WordWeights
from ..models.bag_of_words_spec import BaselineSpec


class BaselineNotReady(ValueError):
    """The run is not a finished baseline, or its files cannot be read."""


@dataclass
class LoadedBaseline(LoadedFromRecord):
    record: RunRecord
    spec: BaselineSpec
    classes: list[str]
    model: BaselineModel

    @property
    def label(self) -> str:
        return self.spec.label()

    @property
    def capabilities(self) -> frozenset[Capability]:
        """Predict and weigh words (`pipelines.loaded`): it reads no sequence, so nothing looks inside it."""
        return BASELINE.capabilities

    def predict_proba(self, texts: list[str]) -> np.ndarray:
        return self.model.predict_proba(texts)

    def word_coverage(self, text: str) -> WordCoverage | None:
        """How many words it knows (the rest are dropped); None for the majority class, which reads none."""
        return self.model.word_coverage(text)

    def word_weights(self, text: str, target: int | str | None = None) -> WordWeights:
        if not text or not text.strip():
            raise ValueError("the text is empty; type a review")
        return self.model.word_weights(text, target)


def load_baseline(store: Store, dataset: str, run_id: str) -> LoadedBaseline:
    record = store.run(dataset, run_id)
    if record.state != "done":
        reason = f": {record.problem}" if record.problem else ""
        raise BaselineNotReady(f"run {run_id} of {dataset} is {record.state}{reason}")
    if not isinstance(record.model_spec, BaselineSpec):
        raise BaselineNotReady(f"run {run_id} is a {record.task} run, not a baseline")
    try:
        model = BaselineModel.load(record.path, record.model_spec)
    except (OSError, ValueError, KeyError, TypeError) as error:
        raise BaselineNotReady(f"the baseline {run_id} cannot be loaded ({type(error).__name__}: {error})") from error
    return LoadedBaseline(record, record.model_spec, record.classes, model)
