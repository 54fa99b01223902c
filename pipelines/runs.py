"""Loading a finished run: the model contract the dashboard and the CLI draw from.

    run = load_run(Store(), "rt-polarity", "torch-gru-bi-1x64-max-7deb1978")
    run.predict_proba(["A gorgeous, moving film."])  # (1, classes)
    run.explain("A gorgeous, moving film.")          # states, gates, attributions: pipelines.explain
    run.torch_model()                                # the model as a PyTorch RecurrentClassifier, any framework

Whatever the framework, a loaded run offers the same calls and returns plain
NumPy arrays; callers never ask which framework made it. The model is rebuilt
from spec.json alone, never through the training code path (nothing here
imports `pipelines.training`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Callable

import numpy as np

from .backends import Backend, backend_for
from .data import Vocabulary
from .encoding import EncodedSplit
from .models.spec import ModelSpec
from .models.torch_zoo import RecurrentClassifier
from .store import RunRecord, Store
from .tasks import require_recurrent_classifier


class RunNotReady(ValueError):
    """The run cannot be loaded (not finished, damaged, not a recurrent classifier, or its vocabulary changed)."""


@dataclass
class LoadedRun:
    record: RunRecord
    spec: ModelSpec
    classes: list[str]
    vocabulary: Vocabulary
    backend: Backend
    model: object  # the framework's own model object
    _torch_model: RecurrentClassifier | None = field(default=None, repr=False)

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
        return EncodedSplit.of_texts(texts, self.vocabulary)

    def predict_proba(self, texts: list[str]) -> np.ndarray:
        """Class probabilities (texts, classes). A text without tokens reads as one unknown word."""
        if isinstance(texts, str):
            raise ValueError("predict_proba takes a list of texts, not one string")
        if not texts:
            return np.zeros((0, len(self.classes)), dtype=np.float32)
        return self.backend.predict(self.model, self.encode(list(texts)))

    def torch_model(self) -> RecurrentClassifier:
        """The run's model as a PyTorch `RecurrentClassifier`: its own for a torch run, a converted twin for Keras.

        The twin holds the same weights (outputs equal to 1e-5) and is built once per loaded run.
        """
        if self.framework == "torch":
            return self.model
        if self._torch_model is None:
            import torch

            from .models.convert import keras_to_torch_state  # reads Keras weights: import only when asked

            twin = RecurrentClassifier(self.spec)
            state = keras_to_torch_state(self.spec, self.model)
            twin.load_state_dict({name: torch.as_tensor(np.asarray(value)) for name, value in state.items()})
            self._torch_model = twin.eval()
        return self._torch_model

    def explain(self, text: str, **options):
        """Prediction, every layer's states and gates, and word attributions for one text.

        Options and result: `pipelines.explain.explain`.
        """
        from .explain import explain  # imports Captum: only when asked

        return explain(self, text, **options)


def load_run(store: Store, dataset: str, run_id: str, device: str = "cpu") -> LoadedRun:
    """Rebuild a finished recurrent classifier's model from its spec and weights."""
    record, vocabulary = ready_run(store, dataset, run_id, require_recurrent_classifier)
    backend = backend_for(record.framework, device)
    model = backend.load(record.model_spec, record.path / backend.weights_file)
    return LoadedRun(record, record.model_spec, record.classes, vocabulary, backend, model)


def ready_run(store: Store, dataset: str, run_id: str,
              require: Callable[[RunRecord, str], None]) -> tuple[RunRecord, Vocabulary]:  # fmt: skip
    """A finished run that `require` accepts (e.g. `require_recurrent_classifier`), and its data set's
    vocabulary, the same it was trained with; RunNotReady, saying why, for any other run."""
    record = store.run(dataset, run_id)
    if record.state != "done":
        reason = f": {record.problem}" if record.problem else ""
        raise RunNotReady(f"run {run_id} of {dataset} is {record.state}{reason}")
    try:
        require(record, "loading a model")
    except ValueError as error:
        raise RunNotReady(str(error)) from None
    vocabulary = store.read_vocabulary(dataset)
    expected = record.spec.dataset.vocabulary_fingerprint
    if vocabulary.fingerprint() != expected:
        raise RunNotReady(
            f"run {run_id} was trained with vocabulary {expected}, but {dataset}/vocab.json is now "
            f"{vocabulary.fingerprint()}; retrain it"
        )
    return record, vocabulary
