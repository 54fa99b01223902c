"""Run kinds: what a run does decides which spec, metrics and files it has, and what can be asked of it.

    task = task_of(record)                     # TASKS[record.task]
    task.can(Capability.EXPLAIN)               # what its loaded model answers: pipelines/loaded.py
    require_recurrent_classifier(record, "verify")   # ValueError: "verify works on recurrent classifiers; ..."
    require_language_model(record, "generate")        # ValueError: "generate works on language models; ..."
    require_seq2seq(record, "translate")              # ValueError: "translate works on encoder-decoders; ..."

Every run's spec.json names its kind (`task`); a run written before kinds
existed is a classifier. Commands and pages dispatch on it: `list` leads with
the kind's headline metrics, `verify`, `explain` and `top-words` work on
recurrent classifiers only, and each dashboard page says which kinds it draws.
The store's contract for each kind is in artifacts/README.md.
"""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Callable

from .models.bag_of_words_spec import BaselineSpec
from .models.forecast_spec import forecast_spec_from_json
from .models.language_model_spec import LanguageModelSpec, NGramSpec
from .models.seq2seq_spec import Seq2SeqSpec
from .models.spec import ModelSpec
from .records import (BaselineMetrics, ClassificationMetrics, ForecastMetrics, GenerationMetrics, Metrics, RunRecord,
                      Seq2SeqMetrics)


class Capability(StrEnum):
    """What a loaded run can be asked; each names the calls a run that has it answers (pipelines/loaded.py)."""

    PREDICT = "predict"  # predict_proba(texts) -> (texts, classes) probabilities
    WORD_WEIGHTS = "word_weights"  # word_weights(text) -> WordWeights: a bag-of-words baseline's explanation
    EXPLAIN = "explain"  # explain(text, methods, target) and torch_model(): states, gates, attributions, verify
    GRADIENTS = "gradients"  # gradients(text, target): gradient flow through time, trained and at initialisation
    FORECAST = "forecast"  # forecast_from(origin) -> the next `horizon` values with their fan; forecasts(origins)
    HIDDEN_STATES = "hidden_states"  # hidden_states(origin): each layer's states over a window (recurrent only)
    GENERATE = "generate"  # write(prompt, settings) -> Generation, character by character
    TRANSLATE = "translate"  # translate(source, beam) -> Translation: output, attention, hidden states, candidates


READS_TEXT = frozenset({Capability.PREDICT, Capability.EXPLAIN, Capability.GRADIENTS})


@dataclass(frozen=True)
class Task:
    name: str
    title: str  # for messages: "this run is a {title}"
    model_spec: Callable[[dict], object]  # spec.json's "model" section -> the typed spec; ValueError if wrong
    metrics: type[Metrics]  # metrics.json's type once the run is done
    files_when_done: tuple[str, ...]  # besides status.json and spec.json
    weight_files: tuple[str, ...]  # a done run has one of these
    capabilities: frozenset[Capability]  # the most a loaded run of this kind answers (one model may answer less)

    def can(self, capability: Capability) -> bool:
        return capability in self.capabilities

    @property
    def recurrent_classifier(self) -> bool:
        """A RecurrentClassifier reads text: explain, verify, top words, Inside, Glass box."""
        return self.can(Capability.EXPLAIN)

    @property
    def language_model(self) -> bool:
        """Predicts the next character: generate, the Write page."""
        return self.can(Capability.GENERATE)

    @property
    def classifier(self) -> bool:
        """Scored as a classifier (accuracy, F1, ROC): the results pages draw it."""
        return issubclass(self.metrics, ClassificationMetrics)


RECURRENT_CLASSIFIER_FILES = ("metrics.json", "history.csv", "predictions.csv")
FRAMEWORK_WEIGHTS = ("weights.safetensors", "model.keras")

TASKS: dict[str, Task] = {}


def register(task: Task) -> Task:
    TASKS[task.name] = task
    return task


CLASSIFICATION = register(Task(
    name="classification", title="sentiment classifier", model_spec=ModelSpec.from_json,
    metrics=ClassificationMetrics, files_when_done=RECURRENT_CLASSIFIER_FILES, weight_files=FRAMEWORK_WEIGHTS,
    capabilities=READS_TEXT,
))  # fmt: skip
# Recurrent forecasters and the baselines they are judged against (pipelines/forecasting): one kind, so
# `list`, the tables and the pages put them side by side. A baseline keeps its parameters in baseline.json; the
# seed's Keras encoder-decoder is saved whole as model.keras.
FORECASTING = register(Task(
    name="forecasting", title="forecaster", model_spec=forecast_spec_from_json, metrics=ForecastMetrics,
    files_when_done=("metrics.json", "predictions.csv"), weight_files=(*FRAMEWORK_WEIGHTS, "baseline.json"),
    capabilities=frozenset({Capability.FORECAST, Capability.HIDDEN_STATES}),  # a baseline has no hidden states
))  # fmt: skip


MEMORY = register(Task(
    name="memory", title="memory-lab classifier", model_spec=ModelSpec.from_json, metrics=ClassificationMetrics,
    files_when_done=RECURRENT_CLASSIFIER_FILES, weight_files=FRAMEWORK_WEIGHTS, capabilities=READS_TEXT,
))  # fmt: skip

# Majority class and TF-IDF + logistic regression, trained beside every zoo (pipelines/baselines/): scored like a
# classifier, so the results pages draw them; they read no sequence, so nothing looks inside them.
BASELINE = register(Task(
    name="baseline", title="bag-of-words baseline", model_spec=BaselineSpec.from_json, metrics=BaselineMetrics,
    files_when_done=("metrics.json", "predictions.csv", "features.json"), weight_files=("weights.safetensors",),
    capabilities=frozenset({Capability.PREDICT, Capability.WORD_WEIGHTS}),
))  # fmt: skip

# Character language models (`train --dataset rt-polarity-chars --zoo charlm`) and their n-gram baselines:
# both are scored in bits per character and both can write (`generate`, the Write page).
GENERATION = register(Task(
    name="generation", title="character language model", model_spec=LanguageModelSpec.from_json,
    metrics=GenerationMetrics, files_when_done=("metrics.json", "history.csv"), weight_files=("weights.safetensors",),
    capabilities=frozenset({Capability.GENERATE}),
))  # fmt: skip
NGRAM = register(Task(
    name="ngram", title="character n-gram model", model_spec=NGramSpec.from_json, metrics=GenerationMetrics,
    files_when_done=("metrics.json",), weight_files=("ngram.safetensors",),
    capabilities=frozenset({Capability.GENERATE}),
))  # fmt: skip

# Encoder-decoders (`train --dataset dates|reverse-N|copy-N --zoo seq2seq`): scored by exact-sequence and per-token
# accuracy by source length; they translate (`translate`, the Translate page).
SEQ2SEQ = register(Task(
    name="seq2seq", title="encoder-decoder", model_spec=Seq2SeqSpec.from_json, metrics=Seq2SeqMetrics,
    files_when_done=("metrics.json", "history.csv", "predictions.csv"), weight_files=("weights.safetensors",),
    capabilities=frozenset({Capability.TRANSLATE}),
))  # fmt: skip


def task_named(name: str) -> Task:
    try:
        return TASKS[name]
    except KeyError:
        raise ValueError(f"unknown run kind {name!r}; this version knows {', '.join(TASKS)}") from None


def task_of(record: RunRecord) -> Task:
    return task_named(record.task)


def require_recurrent_classifier(record: RunRecord, action: str) -> None:
    """Refuse, in words, to `action` (e.g. "verify") a run that is not a recurrent classifier."""
    _require(record, action, lambda task: task.can(Capability.EXPLAIN), "recurrent classifiers")


def require_language_model(record: RunRecord, action: str) -> None:
    """Refuse, in words, to `action` (e.g. "generate") a run that is not a language model."""
    _require(record, action, lambda task: task.can(Capability.GENERATE), "language models")


def require_seq2seq(record: RunRecord, action: str) -> None:
    """Refuse, in words, to `action` (e.g. "translate") a run that is not an encoder-decoder."""
    _require(record, action, lambda task: task.can(Capability.TRANSLATE), "encoder-decoders")


def _require(record: RunRecord, action: str, able: Callable[[Task], bool], kinds: str) -> None:
    task = TASKS.get(record.task)
    if task is None or not able(task):
        title = task.title if task else f"run of kind {record.task!r}"
        raise ValueError(f"{action} works on {kinds}; {record.run_id} is a {title}")
