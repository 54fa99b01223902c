"""The `train` command for sequence-to-sequence tasks: the encoder-decoders of a seq2seq zoo.

    outcomes = train(Store(), TrainRequest(dataset="dates", zoo="seq2seq"))

The same store, run ids, locks, progress bars and training loop as every other
kind (`progress.train_each`, `torch_loop.train_loop`): teacher forcing in
training (each step reads the true previous symbol), a validation epoch scored
by greedy decoding (its exact-match accuracy is what `stop_at_accuracy` reads),
the best validation epoch kept. Each run is scored on the test split by greedy
decoding: exact-sequence and per-token accuracy, overall and by source length.

Every epoch also scores a subset of the validation pairs both ways (exposure
bias, seed 001 section 7.8): teacher-forced, each step reading the true
previous symbol, and free-running, each step reading the model's own previous
guess, as at inference. The history keeps both losses and per-token accuracies
(`free_running_loss`, ...): the Teacher forcing page draws them.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from functools import partial

import numpy as np
import pandas as pd
import torch
from torch import nn

from ..backends import TorchBackend, backend_for
from ..data.seq2seq import PairDataset, Symbols, Words, build_table, load_pairs, pairs_summary, resolve_pairs
from ..devices import autocast, seed_everything
from ..models.seq2seq import EncoderDecoder, count_parameters
from ..models.seq2seq_spec import Seq2SeqSpec, seq2seq_zoo_specs
from ..records import Seq2SeqMetrics
from ..store import RunClaim, Store
from ..tasks import SEQ2SEQ
from ..threads import limited_threads
from ..translation.baselines import baseline_scores, text_scores
from ..translation.pairs import IGNORED, EncodedPairs, decode_split, sequence_metrics
from .bucketing import length_buckets
from .config import TrainConfig
from .loop import ProgressCallback
from .progress import Outcome, train_each
from .request import SEQ2SEQ_MODELS, TrainRequest
from .run_files import finish, run_id_for, spec_document, status_reporter
from .torch_loop import BatchLoss, train_loop
from .train import stored_fingerprint

SAMPLES = 5  # test pairs kept with the metrics, with what the model wrote
EXPOSURE_PAIRS = 128  # validation pairs scored teacher-forced and free-running every epoch: cheap, and enough


@dataclass
class PreparedPairs:
    data: PairDataset
    symbols: Symbols | Words
    train: EncodedPairs
    validation: EncodedPairs
    test: EncodedPairs

    @property
    def key(self) -> str:
        return self.data.info.key

    @property
    def longest_target(self) -> int:
        return int(max(len(self.symbols.split(pair.target)) for pair in self.data.train))  # symbols, not characters

    def dataset_ref(self) -> dict:
        """What a run's spec.json says about the task it read (`pipelines.records.DatasetRef`)."""
        return {"key": self.key, "title": self.data.info.title, "classes": [],
                "vocabulary_fingerprint": self.symbols.fingerprint(), "vocabulary_size": len(self.symbols),
                "maxlen": self.data.info.longest_source}  # fmt: skip


def prepare_pairs(store: Store, key: str, limit: int | None = None, data_dir=None) -> PreparedPairs:
    """Generate (or read) a task and its symbols (training pairs only); (re)write its card, symbols and test pairs.
    A text task's card holds its baselines' BLEU and chrF on the test split."""
    data = load_pairs(key, limit, data_dir)
    symbols = build_table(data)
    if stored_fingerprint(store, data.info.key) != symbols.fingerprint():
        test = pd.DataFrame({"id": [pair.id for pair in data.test], "text": [pair.source for pair in data.test],
                             "target": [pair.target for pair in data.test]})  # fmt: skip
        summary = pairs_summary(data, symbols)
        if symbols.unit == "words":
            summary["baselines"] = baseline_scores(data.train, data.test)
        store.write_dataset(summary, symbols.vocabulary, test)
    encode = partial(EncodedPairs.encode, symbols=symbols)
    return PreparedPairs(data, symbols, encode(data.train), encode(data.validation), encode(data.test))


# ----------------------------------------------------------------------------
# One run


def fit(model: EncoderDecoder, data: PreparedPairs, config: TrainConfig, device: torch.device,
        on_progress: ProgressCallback | None = None):  # fmt: skip
    """Train with teacher forcing in the shared loop; validation: the loss per symbol, and greedy exact match."""
    loss_function = nn.CrossEntropyLoss(ignore_index=IGNORED)

    def batch_loss(indices: np.ndarray) -> BatchLoss:
        source, lengths, inputs, targets = data.train.padded(indices)
        source, inputs, targets = (torch.from_numpy(array).to(device) for array in (source, inputs, targets))
        with autocast(device):
            logits, _ = model(source, torch.from_numpy(lengths), inputs)  # (B, T, V)
            loss = loss_function(logits.float().flatten(0, 1), targets.flatten())
        real = targets != IGNORED
        return loss, int((logits.argmax(-1) == targets)[real].sum()), int(real.sum())

    exposure: list[dict] = []  # per epoch: the subset's losses and accuracies both ways

    def validate() -> tuple[float, float]:
        model.eval()
        loss, _ = scored(model, data.validation, np.arange(len(data.validation)), device)
        subset = np.arange(min(EXPOSURE_PAIRS, len(data.validation)))
        forced_loss, forced_accuracy = scored(model, data.validation, subset, device)
        free_loss, free_accuracy = scored(model, data.validation, subset, device, teacher_forcing=False)
        exposure.append({"forced_loss": forced_loss, "forced_token_accuracy": forced_accuracy,
                         "free_running_loss": free_loss, "free_running_token_accuracy": free_accuracy})  # fmt: skip
        written = decode_split(model, data.validation, device, data.symbols)
        exact = float(np.mean([pair.target == output for pair, output in zip(data.validation.texts, written)]))
        return loss, exact

    batches = length_buckets(data.train.lengths, config.batch_size)
    fitted = train_loop(model, batches, batch_loss, validate, config, device, on_progress)
    for row, extra in zip(fitted.history, exposure):  # a validation that raised left no history row
        row.update(extra)
    return fitted


def scored(model: EncoderDecoder, pairs: EncodedPairs, indices: np.ndarray, device: torch.device,
           teacher_forcing: bool = True) -> tuple[float, float]:  # fmt: skip
    """(loss per target symbol, share of target symbols predicted right) over `pairs[indices]`, each step reading
    the true previous symbol (teacher forcing) or the model's own likeliest one (free-running)."""
    total, right, count = 0.0, 0, 0
    with torch.no_grad():
        for start in range(0, len(indices), 256):
            source, lengths, inputs, targets = pairs.padded(indices[start : start + 256])
            logits, _ = model(torch.from_numpy(source).to(device), torch.from_numpy(lengths),
                              torch.from_numpy(inputs).to(device), teacher_forcing=teacher_forcing)  # fmt: skip
            targets = torch.from_numpy(targets).to(device)
            total += float(nn.functional.cross_entropy(logits.float().flatten(0, 1), targets.flatten(),
                                                       ignore_index=IGNORED, reduction="sum"))  # fmt: skip
            real = targets != IGNORED
            right += int((logits.argmax(-1) == targets)[real].sum())
            count += int(real.sum())
    return total / count, right / count


def train_encoder_decoder(run_id: str, spec: Seq2SeqSpec, config: TrainConfig, data: PreparedPairs,
                          backend: TorchBackend, zoo_name: str, claim: RunClaim, on_step=None) -> dict:  # fmt: skip
    started, device = time.time(), backend.device
    report = status_reporter(claim, started, on_step)  # status first: a kill in between reads as interrupted
    claim.write_json("spec.json", spec_document(run_id, "torch", SEQ2SEQ.name, spec, zoo_name, data.dataset_ref(),
                                                config.to_json(), backend.device_name, backend.versions()))  # fmt: skip
    seed_everything(config.seed)  # the initial weights are part of what a seed reproduces
    model = EncoderDecoder(spec)
    fitted = fit(model, data, config, device, report)
    claim.write_frame("history.csv", pd.DataFrame(fitted.history))

    scoring_started = time.perf_counter()
    written = decode_split(model, data.test, device, data.symbols)
    predict_seconds = time.perf_counter() - scoring_started
    sources = [pair.source for pair in data.test.texts]
    targets = [pair.target for pair in data.test.texts]
    metrics = sequence_metrics(sources, targets, written, data.symbols.split)
    if data.symbols.unit == "words":
        metrics.update(text_scores(targets, written))
    metrics.update(
        validation_exact_match=fitted.best.get("val_accuracy"),
        parameters=count_parameters(model),
        **fitted.facts(),  # its accuracy is the validation exact match; its examples per second are pairs
        predict_seconds=predict_seconds,
        device=backend.device_name,
        samples=[{"source": s, "target": t, "written": w} for s, t, w in zip(sources, targets, written)][:SAMPLES],
    )
    Seq2SeqMetrics.model_validate(metrics)  # what every reader will expect of the file
    claim.write_frame("predictions.csv", pd.DataFrame({
        "id": [pair.id for pair in data.test.texts], "source": sources, "target": targets, "written": written,
        "length": [len(data.symbols.split(source)) for source in sources],
        "exact": [t == w for t, w in zip(targets, written)]}))  # fmt: skip
    claim.write_file(backend.weights_file, lambda path: backend.save(model, path))
    finish(claim, metrics, started)
    return metrics


# ----------------------------------------------------------------------------
# The zoo


def train(store: Store, request: TrainRequest) -> list[Outcome]:
    """Train every encoder-decoder of the request's zoo that the store does not have yet."""
    assert request.kind == SEQ2SEQ_MODELS, request.kind  # pipelines.training.dispatch sends the others elsewhere
    info = resolve_pairs(request.dataset, request.limit)
    specs = seq2seq_zoo_specs(request.zoo, info.hidden_size, info.bidirectional,
                              list(request.only) if request.only else None)  # fmt: skip
    config = TrainConfig.layered(info.training, request.overrides)  # checked before anything is written
    backend = backend_for("torch", request.device)
    data = prepare_pairs(store, request.dataset, request.limit, request.data_dir)
    trainers = {}
    for spec in specs:
        spec = spec.resolved(len(data.symbols), data.longest_target)
        run_id = run_id_for("torch", spec, data.key, data.symbols.fingerprint(), config, SEQ2SEQ.name)
        trainers[run_id] = partial(train_encoder_decoder, run_id, spec, config, data, backend, request.zoo)
    job = {"dataset": data.key, "zoo": request.zoo, "frameworks": ["torch"]}
    for run_id in trainers:
        store.mark_queued(data.key, run_id, job)

    def train_one(run_id: str, claim: RunClaim, on_step) -> str:
        with limited_threads(info.threads):
            return _detail(trainers[run_id](claim=claim, on_step=on_step))

    return train_each(store, data.key, list(trainers), f"{request.zoo} zoo on {data.key}", train_one,
                      request.show_progress)


def train_seq2seq_zoo(store: Store, dataset: str, zoo_name: str = "seq2seq", **options) -> list[Outcome]:
    """`train(store, TrainRequest(...))` for scripts and tests."""
    return train(store, TrainRequest(dataset=dataset, zoo=zoo_name, **options))


def _detail(metrics: dict) -> str:
    text = f", BLEU {metrics['bleu']:.1f}, chrF {metrics['chrf']:.1f}" if metrics.get("bleu") is not None else ""
    return (f"exact match {metrics['exact_match']:.3f}, per token {metrics['token_accuracy']:.3f}{text}, "
            f"{metrics['train_seconds']:.0f}s")  # fmt: skip
