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

import threading
from dataclasses import dataclass, field
from typing import Callable

import numpy as np

from .backends import Backend, backend_for
from .data import Vocabulary, WordCoverage
from .devices import random_state_kept
from .encoding import EncodedSplit
from .models.spec import ModelSpec
from .models.torch_zoo import RecurrentClassifier
from .records import LoadedFromRecord
from .store import RunRecord, Store
from .tasks import READS_TEXT, Capability, require_recurrent_classifier


class RunNotReady(ValueError):
    """The run cannot be loaded (not finished, damaged, not a recurrent classifier, or its vocabulary changed)."""


@dataclass
class LoadedRun(LoadedFromRecord):
    record: RunRecord
    spec: ModelSpec
    classes: list[str]
    vocabulary: Vocabulary
    backend: Backend
    model: object  # the framework's own model object
    _torch_model: RecurrentClassifier | None = field(default=None, repr=False)
    _twin_lock: threading.Lock = field(default_factory=threading.Lock, repr=False)  # one run, many sessions

    @property
    def framework(self) -> str:
        return self.backend.name

    @property
    def label(self) -> str:
        """Chart label, e.g. 'BiGRU 1×64 (torch)'."""
        return f"{self.spec.label()} ({self.framework})"

    @property
    def capabilities(self) -> frozenset[Capability]:
        """Predict, explain, gradients (`pipelines.loaded`): any recurrent classifier, whatever its framework."""
        return READS_TEXT

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
        with self._twin_lock:  # sessions that ask at once get the one twin, converted once
            return self._torch_twin()

    def _torch_twin(self) -> RecurrentClassifier:
        if self._torch_model is None:
            self._torch_model = _torch_twin(self.spec, self.model)
        return self._torch_model

    def initial_torch_model(self) -> RecurrentClassifier:
        """The run's model as it was before training: the same spec and seed give the same initial weights.

        A Keras run's initial Keras weights, converted like `torch_model`.
        """
        seed = int(self.record.spec.training.get("seed", 0)) if self.record.spec else 0
        with random_state_kept():  # a page asking for it must not reseed the server's random streams
            model = self.backend.build(self.spec, seed=seed)
        if self.framework == "torch":
            return model.eval()
        return _torch_twin(self.spec, model)

    def word_coverage(self, text: str) -> WordCoverage:
        """How many of the words it reads (within maxlen) the run's vocabulary knows; the others read as <unk>."""
        return self.vocabulary.coverage(text)

    def gradients(self, text: str, **options):
        """Gradient flow through time for one text, trained and at initialisation: `pipelines.explain.gradients`."""
        from .explain.gradients import gradient_flow

        return gradient_flow(self, text, **options)

    def explain(self, text: str, **options):
        """Prediction, every layer's states and gates, and word attributions for one text.

        Options and result: `pipelines.explain.explain`.
        """
        from .explain import explain  # imports Captum: only when asked

        return explain(self, text, **options)


def _torch_twin(spec: ModelSpec, keras_model) -> RecurrentClassifier:
    """A Keras model's weights in a PyTorch RecurrentClassifier (outputs equal to 1e-5)."""
    import torch

    from .models.convert import keras_to_torch_state  # reads Keras weights: import only when asked

    twin = RecurrentClassifier(spec)
    state = keras_to_torch_state(spec, keras_model)
    twin.load_state_dict({name: torch.as_tensor(np.asarray(value)) for name, value in state.items()})
    return twin.eval()


def load_run(store: Store, dataset: str, run_id: str, device: str = "cpu") -> LoadedRun:
    """Rebuild a finished recurrent classifier's model from its spec and weights."""
    record, vocabulary = ready_run(store, dataset, run_id, require_recurrent_classifier)
    backend = backend_for(record.framework, device)
    try:
        model = backend.load(record.model_spec, record.path / backend.weights_file)
    except Exception as error:  # safetensors, Keras and zip each raise their own kinds for a damaged file
        raise RunNotReady(f"the weights of run {run_id} of {dataset} cannot be read ({backend.weights_file}: "
                          f"{type(error).__name__}: {error}); train again to redo the run") from error  # fmt: skip
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
