"""The `train` command for character corpora: the n-gram baselines, then the recurrent language models.

    outcomes = train(Store(), TrainRequest(dataset="rt-polarity-chars", zoo="charlm"))

The same store, run ids, locks, progress bars and training loop as the
classifiers (`progress.train_each`, `torch_loop.train_loop`): a run is
content-addressed, trained once, redone when it was killed, and the loop keeps
the best validation epoch. Each run is scored on the held-out test passages in
bits per character (`pipelines.generation.scoring`) and writes a few seeded
samples into its metrics, so `list`, the Overview and the README can show what
it writes.
"""

from __future__ import annotations

import time
from dataclasses import asdict, dataclass
from functools import partial

import numpy as np
import pandas as pd
import torch
from torch import nn

from ..backends import TorchBackend, backend_for
from ..data.characters import Alphabet, Corpus, corpus_summary, load_corpus, resolve_corpus
from ..devices import autocast, seed_everything
from ..encoding import IGNORED, EncodedPassages
from ..generation.ngram import NGramModel
from ..generation.sampling import SamplingSettings
from ..generation.scoring import Scores, bits, language_model_metrics, loss_and_accuracy, score_ngram, score_recurrent
from ..generation.writer import LoadedLanguageModel, NGramReader, Reader, RecurrentReader
from ..models.language_model import CharLanguageModel, count_parameters, parameter_count
from ..models.language_model_spec import LanguageModelSpec, NGramSpec, language_model_zoo
from ..records import GenerationMetrics
from ..store import RunClaim, Store
from ..tasks import GENERATION, NGRAM
from .config import TrainConfig
from .loop import ProgressCallback
from .bucketing import length_buckets
from .torch_loop import BatchLoss, train_loop
from .progress import Outcome, train_each
from .request import LANGUAGE_MODELS, TrainRequest
from .run_files import finish, run_id_for, spec_document, status_reporter
from .train import stored_fingerprint

# What each run writes when it is trained: a review from nothing, and two openings (seed 0, temperature 0.8).
SAMPLE_PROMPTS = ("", "The film ", "It's a ")
SAMPLE_SETTINGS = SamplingSettings(length=300, temperature=0.8, seed=0, stop_at_end=True)


@dataclass(frozen=True)
class NGramTraining:
    """An n-gram model's "training settings": only its smoothing (epochs and learning rates mean nothing to it)."""

    smoothing: str = "interpolated Kneser-Ney, D = n1 / (n1 + 2 n2) per order"

    def to_json(self) -> dict:
        return asdict(self)


@dataclass
class PreparedCorpus:
    corpus: Corpus
    alphabet: Alphabet
    train: EncodedPassages
    validation: EncodedPassages
    test: EncodedPassages

    @property
    def key(self) -> str:
        return self.corpus.info.key

    def dataset_ref(self) -> dict:
        """What a run's spec.json says about the corpus it read (`pipelines.records.DatasetRef`)."""
        return {"key": self.key, "title": self.corpus.info.title, "classes": [],
                "vocabulary_fingerprint": self.alphabet.fingerprint(), "vocabulary_size": len(self.alphabet),
                "maxlen": self.corpus.info.max_characters}  # fmt: skip


def prepare_corpus(store: Store, key: str, data_dir=None, limit: int | None = None) -> PreparedCorpus:
    """Load a corpus and its alphabet (training passages only); (re)write its card, alphabet and test passages."""
    corpus = load_corpus(key, data_dir=data_dir, limit=limit)
    info = corpus.info
    alphabet = Alphabet.build(corpus.train, info.min_count, info.max_characters)
    if stored_fingerprint(store, info.key) != alphabet.fingerprint():
        test = pd.DataFrame({"id": [f"{info.key}-{index}" for index in range(len(corpus.test))], "text": corpus.test})
        store.write_dataset(corpus_summary(corpus, alphabet), alphabet.vocabulary, test)
    encode = partial(EncodedPassages.encode, alphabet=alphabet)
    return PreparedCorpus(corpus, alphabet, encode(corpus.train), encode(corpus.validation), encode(corpus.test))


# ----------------------------------------------------------------------------
# One run of each kind


def fit(model: CharLanguageModel, train: EncodedPassages, validation: EncodedPassages, config: TrainConfig,
        device: torch.device, on_progress: ProgressCallback | None = None):  # fmt: skip
    """Train a character model with the shared loop: every position predicts the next symbol."""
    loss_function = nn.CrossEntropyLoss(ignore_index=IGNORED)

    def batch_loss(indices: np.ndarray) -> BatchLoss:
        inputs, targets = (torch.from_numpy(array).to(device) for array in train.padded(indices))
        with autocast(device):
            logits, _, _ = model(inputs)  # (batch, time, alphabet)
            loss = loss_function(logits.float().flatten(0, 1), targets.flatten())
        real = targets != IGNORED
        return loss, int((logits.argmax(-1) == targets)[real].sum()), int(real.sum())

    batches = length_buckets(train.lengths, config.batch_size)
    validate = lambda: loss_and_accuracy(model, validation, device)  # noqa: E731
    fitted = train_loop(model, batches, batch_loss, validate, config, device, on_progress)
    for row in fitted.history:  # the same losses in the unit language models are compared in
        row["train_bits_per_character"], row["val_bits_per_character"] = bits(row["train_loss"]), bits(row["val_loss"])
    return fitted


def write_samples(run_id: str, label: str, data: PreparedCorpus, reader: Reader) -> list[dict]:
    """A few seeded texts the model writes, kept with its metrics."""
    writer = LoadedLanguageModel(run_id, label, data.alphabet, reader)
    readable = [prompt for prompt in SAMPLE_PROMPTS if not data.alphabet.unknown(prompt)]  # a tiny corpus lacks some
    return [{"prompt": prompt, "text": writer.write(prompt, SAMPLE_SETTINGS).text, **SAMPLE_SETTINGS.to_json()}
            for prompt in readable]  # fmt: skip


def train_recurrent(run_id: str, spec: LanguageModelSpec, config: TrainConfig, data: PreparedCorpus,
                    backend: TorchBackend, zoo_name: str, claim: RunClaim, on_step=None) -> dict:  # fmt: skip
    started, device = time.time(), backend.device
    report = status_reporter(claim, started, on_step)  # status first: a kill in between reads as interrupted
    claim.write_json("spec.json", spec_document(run_id, "torch", GENERATION.name, spec, zoo_name, data.dataset_ref(),
                                                config.to_json(), backend.device_name, backend.versions()))  # fmt: skip
    seed_everything(config.seed)  # the initial weights are part of what a seed reproduces
    model = CharLanguageModel(spec)
    fitted = fit(model, data.train, data.validation, config, device, report)
    claim.write_frame("history.csv", pd.DataFrame(fitted.history))

    scoring_started = time.perf_counter()
    test = score_recurrent(model, data.test, device)
    predict_seconds = time.perf_counter() - scoring_started
    metrics = language_model_metrics(test, data.alphabet)
    metrics.update(
        validation_bits_per_character=fitted.best.get("val_bits_per_character"),
        parameters=count_parameters(model),
        parameters_formula=parameter_count(spec),
        **fitted.facts(),  # its examples per second are characters
        predict_seconds=predict_seconds,
        device=backend.device_name,
        samples=write_samples(run_id, spec.label(), data, RecurrentReader(model, device)),
    )
    GenerationMetrics.model_validate(metrics)  # what every reader will expect of the file
    claim.write_file(backend.weights_file, lambda path: backend.save(model, path))
    finish(claim, metrics, started)
    return metrics


def train_ngram(run_id: str, spec: NGramSpec, data: PreparedCorpus, zoo_name: str, claim: RunClaim,
                on_step=None) -> dict:  # fmt: skip
    started = time.time()
    status_reporter(claim, started, on_step)  # status first: a kill in between reads as interrupted
    claim.write_json("spec.json", spec_document(run_id, "ngram", NGRAM.name, spec, zoo_name, data.dataset_ref(),
                                                NGramTraining().to_json(), "cpu", {}))  # fmt: skip
    fitting_started = time.perf_counter()
    model = NGramModel.fit(data.alphabet, data.corpus.train, spec.order)
    train_seconds = time.perf_counter() - fitting_started
    validation: Scores = score_ngram(model, data.corpus.validation)
    scoring_started = time.perf_counter()
    test = score_ngram(model, data.corpus.test)
    metrics = language_model_metrics(test, data.alphabet, validation)
    metrics.update(
        parameters=model.parameters,
        train_seconds=train_seconds,
        predict_seconds=time.perf_counter() - scoring_started,
        validation_loss=-float(validation.log_probabilities.mean()),
        validation_accuracy=float(validation.correct.mean()),
        device="cpu",
        samples=write_samples(run_id, spec.label(), data, NGramReader(model)),
    )
    GenerationMetrics.model_validate(metrics)
    claim.write_file("ngram.safetensors", model.save)
    finish(claim, metrics, started)
    return metrics


# ----------------------------------------------------------------------------
# The zoo


def train(store: Store, request: TrainRequest) -> list[Outcome]:
    """Train every language model of the request's zoo (and its n-gram baselines) that the store does not have yet."""
    assert request.kind == LANGUAGE_MODELS, request.kind  # pipelines.training.dispatch sends the others elsewhere
    zoo_name, device = request.zoo, request.device
    specs = language_model_zoo(zoo_name, list(request.only) if request.only else None)
    # The corpus's own settings, then the request's: checked before anything is read or written.
    config = TrainConfig.layered(resolve_corpus(request.dataset, request.limit).training, request.overrides)
    backend = backend_for("torch", device)
    data = prepare_corpus(store, request.dataset, data_dir=request.data_dir, limit=request.limit)
    fingerprint = data.alphabet.fingerprint()
    trainers = {}  # run id -> trainer(claim=..., on_step=...) -> the run's metrics
    for spec in specs:
        spec = spec.resolved(len(data.alphabet))
        if isinstance(spec, NGramSpec):
            run_id = run_id_for("ngram", spec, data.key, fingerprint, NGramTraining(), NGRAM.name)
            trainers[run_id] = partial(train_ngram, run_id, spec, data, zoo_name)
        else:
            run_id = run_id_for("torch", spec, data.key, fingerprint, config, GENERATION.name)
            trainers[run_id] = partial(train_recurrent, run_id, spec, config, data, backend, zoo_name)
    job = {"dataset": data.key, "zoo": zoo_name, "frameworks": ["ngram", "torch"]}
    for run_id in trainers:
        store.mark_queued(data.key, run_id, job)

    def train_one(run_id: str, claim: RunClaim, on_step) -> str:
        return _detail(trainers[run_id](claim=claim, on_step=on_step))

    return train_each(store, data.key, list(trainers), f"{zoo_name} zoo on {data.key}", train_one,
                      request.show_progress)


def train_language_models(store: Store, dataset: str, zoo_name: str = "charlm", **options) -> list[Outcome]:
    """`train(store, TrainRequest(...))` for scripts and tests."""
    return train(store, TrainRequest(dataset=dataset, zoo=zoo_name, **options))


def _detail(metrics: dict) -> str:
    return (f"{metrics['bits_per_character']:.3f} bits per character (validation "
            f"{metrics['validation_bits_per_character']:.3f}), {metrics['train_seconds']:.0f}s")  # fmt: skip
