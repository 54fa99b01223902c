"""Training a PyTorch zoo model: one readable loop and a few named helpers.

Adam with gradient clipping, ReduceLROnPlateau on the validation loss, early
stopping that restores the best weights, length-bucketed batches, automatic
mixed precision on CUDA, and a seeded start so the same run trains the same way.
"""

from __future__ import annotations

import copy
import math
import random
import time
from dataclasses import dataclass, field
from typing import Callable

import numpy as np
import torch
from torch import nn

from .batching import EncodedSplit, bucketed_batches, inference_batches
from .config import TrainConfig
from .threads import SMALL_BATCH, single_thread

EVAL_BATCH_SIZE = 256
ProgressCallback = Callable[[dict], None]


def pick_device(name: str = "auto") -> torch.device:
    if name == "auto":
        return torch.device("cuda" if torch.cuda.is_available() else "cpu")
    if name == "cuda" and not torch.cuda.is_available():
        raise ValueError("--device cuda was asked for, but PyTorch sees no CUDA GPU; use --device auto or cpu")
    if name not in ("cpu", "cuda"):
        raise ValueError(f"--device must be auto, cpu or cuda, got {name!r}")
    return torch.device(name)


def seed_everything(seed: int) -> None:
    random.seed(seed)
    np.random.seed(seed)
    torch.manual_seed(seed)  # also seeds every CUDA device


def _autocast(device: torch.device):
    """bfloat16 autocast on CUDA (no loss scaling needed); a no-op on the CPU."""
    enabled = device.type == "cuda" and torch.cuda.is_bf16_supported()
    return torch.autocast(device_type=device.type, dtype=torch.bfloat16, enabled=enabled)


def _to_device(device: torch.device, *arrays: np.ndarray) -> list[torch.Tensor]:
    return [torch.from_numpy(array).to(device, non_blocking=True) for array in arrays]


def predict_probabilities(model: nn.Module, split: EncodedSplit, device: torch.device) -> np.ndarray:
    """Class probabilities (examples, classes) in the split's order."""
    model.eval()
    probabilities = np.zeros((len(split), model.spec.num_classes), dtype=np.float32)
    few_texts = device.type == "cpu" and len(split) <= SMALL_BATCH  # e.g. one text typed in the dashboard
    with torch.inference_mode(), single_thread(few_texts):
        for indices in inference_batches(split.lengths, EVAL_BATCH_SIZE):
            ids, lengths, _ = split.padded(indices)
            ids, lengths = _to_device(device, ids, lengths)
            with _autocast(device):
                logits = model(ids, lengths)
            probabilities[indices] = torch.softmax(logits.float(), dim=-1).cpu().numpy()
    return probabilities


def _loss_and_accuracy(probabilities: np.ndarray, labels: np.ndarray) -> tuple[float, float]:
    picked = np.clip(probabilities[np.arange(len(labels)), labels], 1e-12, 1.0)
    return float(-np.log(picked).mean()), float((probabilities.argmax(1) == labels).mean())


def _adam(model: nn.Module, config: TrainConfig) -> torch.optim.Adam:
    """Adam, with PyTorch's fused kernel where the device has one.

    Most of a zoo model's parameters are its embedding table, and the unfused
    update walks that table in several passes: on this project's 2-core CPU a
    fused step is about 6x faster (BENCHMARKS.md), the same maths in one pass.
    """
    options = dict(lr=config.learning_rate, weight_decay=config.weight_decay)
    try:
        return torch.optim.Adam(model.parameters(), fused=True, **options)
    except RuntimeError:  # no fused kernel for this device
        return torch.optim.Adam(model.parameters(), **options)


@dataclass
class FitResult:
    history: list[dict] = field(default_factory=list)
    best_epoch: int = 0
    seconds: float = 0.0
    stopped_early: bool = False


@dataclass
class EpochTally:
    """One epoch's running sums over its training batches, and the history row they make.

    Shared by the PyTorch and the Keras loops, so both report the same columns and progress messages.
    """

    epoch: int
    epochs: int
    steps: int
    on_progress: ProgressCallback | None
    started: float = field(default_factory=time.perf_counter)
    loss_sum: float = 0.0
    correct: int = 0
    seen: int = 0
    grad_norms: list[float] = field(default_factory=list)
    train_seconds: float = 0.0

    def add(self, step: int, loss: float, correct: int, examples: int, grad_norm: float) -> None:
        self.loss_sum += loss * examples
        self.correct += correct
        self.seen += examples
        self.grad_norms.append(grad_norm)
        self._report(step=step, train_loss=self.loss_sum / self.seen)

    def end_training(self) -> None:
        """Mark the end of the training batches; the validation pass that follows is not throughput."""
        self.train_seconds = time.perf_counter() - self.started

    def row(self, val_loss: float, val_accuracy: float, learning_rate: float) -> dict:
        row = {
            "epoch": self.epoch,
            "train_loss": self.loss_sum / self.seen,
            "train_accuracy": self.correct / self.seen,
            "val_loss": val_loss,
            "val_accuracy": val_accuracy,
            "learning_rate": learning_rate,
            "grad_norm": float(np.mean(self.grad_norms)),
            "grad_norm_max": float(np.max(self.grad_norms)),
            "seconds": time.perf_counter() - self.started,
            "examples_per_second": self.seen / self.train_seconds,
        }
        self._report(step=self.steps, train_loss=row["train_loss"], val_loss=val_loss, val_accuracy=val_accuracy)
        return row

    def _report(self, **fields) -> None:
        if self.on_progress:
            self.on_progress({"epoch": self.epoch, "epochs": self.epochs, "steps": self.steps, **fields})


def fit(
    model: nn.Module,
    train: EncodedSplit,
    validation: EncodedSplit,
    config: TrainConfig,
    device: torch.device,
    on_progress: ProgressCallback | None = None,
) -> FitResult:
    """Train `model` in place; on return it holds the weights of the best validation epoch."""
    seed_everything(config.seed)
    rng = np.random.default_rng(config.seed)
    model.to(device)
    optimizer = _adam(model, config)
    scheduler = torch.optim.lr_scheduler.ReduceLROnPlateau(
        optimizer, mode="min", factor=config.lr_factor, patience=config.lr_patience
    )
    loss_function = nn.CrossEntropyLoss()
    result = FitResult()
    best_loss, best_state = math.inf, copy.deepcopy(model.state_dict())
    started = time.perf_counter()

    for epoch in range(1, config.epochs + 1):
        model.train()
        batches = bucketed_batches(train.lengths, config.batch_size, rng)
        tally = EpochTally(epoch, config.epochs, len(batches), on_progress)
        for step, indices in enumerate(batches, start=1):
            ids, lengths, labels = _to_device(device, *train.padded(indices))
            with _autocast(device):
                logits = model(ids, lengths)  # (batch, classes)
                loss = loss_function(logits.float(), labels)
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            grad_norm = nn.utils.clip_grad_norm_(model.parameters(), config.clip_norm)  # norm before clipping
            optimizer.step()
            tally.add(step, loss.item(), (logits.argmax(1) == labels).sum().item(), len(indices), grad_norm.item())

        tally.end_training()
        val_loss, val_accuracy = _loss_and_accuracy(predict_probabilities(model, validation, device), validation.labels)
        result.history.append(tally.row(val_loss, val_accuracy, optimizer.param_groups[0]["lr"]))
        scheduler.step(val_loss)
        if val_loss < best_loss - 1e-4:
            best_loss, result.best_epoch = val_loss, epoch
            best_state = copy.deepcopy(model.state_dict())
        elif epoch - result.best_epoch >= config.patience:
            result.stopped_early = True
            break

    model.load_state_dict(best_state)
    result.seconds = time.perf_counter() - started
    return result
