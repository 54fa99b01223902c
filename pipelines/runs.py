"""Loading a finished run: the model contract the dashboard and the CLI draw from.

    run = load_run(Store(), "rt-polarity", "torch-gru-bi-1x64-max-7deb1978")
    run.predict_proba(["A gorgeous, moving film."])  # (1, classes)
    run.explain("A gorgeous, moving film.")          # states, gates, attributions: pipelines.explain

Whatever the framework, a loaded run offers the same calls and returns plain
NumPy arrays; callers never ask which framework made it. The model is rebuilt
from spec.json alone, never through the training code path.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from .backends import Backend, backend_for
from .batching import EncodedSplit
from .data import Example, Vocabulary
from .models.spec import ModelSpec
from .store import RunRecord, Store


class RunNotReady(ValueError):
    """The run cannot be loaded (not finished, damaged, or its vocabulary changed)."""


@dataclass
class LoadedRun:
    record: RunRecord
    spec: ModelSpec
    classes: list[str]
    vocabulary: Vocabulary
    backend: Backend
    model: object  # the framework's own model object

    @property
    def run_id(self) -> str:
        return self.record.run_id

    @property
    def dataset(self) -> str:
        return self.record.dataset

    @property
    def framework(self) -> str:
        return self.backend.name

    @property
    def label(self) -> str:
        """Chart label, e.g. 'BiGRU 1×64 (torch)'."""
        return f"{self.spec.label()} ({self.framework})"

    def encode(self, texts: list[str]) -> EncodedSplit:
        return EncodedSplit.encode([Example(str(i), text, 0) for i, text in enumerate(texts)], self.vocabulary)

    def predict_proba(self, texts: list[str]) -> np.ndarray:
        """Class probabilities (texts, classes). A text without tokens reads as one unknown word."""
        if isinstance(texts, str):
            raise ValueError("predict_proba takes a list of texts, not one string")
        if not texts:
            return np.zeros((0, len(self.classes)), dtype=np.float32)
        return self.backend.predict(self.model, self.encode(list(texts)))

    def explain(self, text: str, **options):
        """Prediction, every layer's states and gates, and word attributions for one text.

        Options and result: `pipelines.explain.explain`.
        """
        from .explain import explain  # imports Captum: only when asked

        return explain(self, text, **options)


def load_run(store: Store, dataset: str, run_id: str, device: str = "cpu") -> LoadedRun:
    """Rebuild a finished run's model from its spec and weights."""
    record = store.run(dataset, run_id)
    if record.state != "done":
        reason = f": {record.problem}" if record.problem else ""
        raise RunNotReady(f"run {run_id} of {dataset} is {record.state}{reason}")
    vocabulary = store.read_vocabulary(dataset)
    expected = record.spec["dataset"]["vocabulary_fingerprint"]
    if vocabulary.fingerprint() != expected:
        raise RunNotReady(
            f"run {run_id} was trained with vocabulary {expected}, but {dataset}/vocab.json is now "
            f"{vocabulary.fingerprint()}; retrain it"
        )
    spec = ModelSpec.from_json(record.spec["model"])
    backend = backend_for(record.framework, device)
    model = backend.load(spec, record.path / backend.weights_file)
    return LoadedRun(record, spec, list(record.spec["dataset"]["classes"]), vocabulary, backend, model)
