"""The one epoch loop every model trains with, whatever its framework or task.

    result = epoch_loop(EpochSteps(batches, train_batch, validate, ...), config, on_progress)

A framework (torch_loop.py, keras_loop.py) supplies the steps: how an epoch's
batches are drawn, one optimisation step, validation, the learning-rate
schedule, and how to keep and restore the best weights. The loop itself, and
so early stopping, the history's columns and the progress messages, is written
once, here: a change to any of them reaches classifiers, memory runs,
forecasters and language models, in PyTorch and in Keras, alike.

- `epoch_loop` and `EpochSteps`: the loop and what it asks of a framework;
- `EpochTally`: one epoch's running sums, its progress messages and its history row;
- `EarlyStopping`: the best validation epoch so far, and when to stop;
- `FitResult`: what a loop returns;
- `check_finite`: the stop, with its reason, of a run whose loss is no longer a number.
"""

from __future__ import annotations

import math
import time
from dataclasses import dataclass, field
from typing import Any, Callable

import numpy as np

ProgressCallback = Callable[[dict], None]
# One epoch's training batches (arrays of example indices), drawn with the loop's seeded generator.
Batches = Callable[[np.random.Generator], list[np.ndarray]]
MIN_IMPROVEMENT = 1e-4  # a validation loss must fall by this much to count as better


class TrainingDiverged(ValueError):
    """A loss became nan or infinite: every later epoch would be nan too, so the run fails now, alone."""


def check_finite(epoch: int, train_loss: float, val_loss: float | None = None) -> None:
    """Raise `TrainingDiverged` if a loss is not finite: nan and inf must not reach the history or status.json."""
    for name, loss in (("training", train_loss), ("validation", val_loss)):
        if loss is not None and not math.isfinite(loss):
            raise TrainingDiverged(f"training diverged: {name} loss is {loss} at epoch {epoch}; "
                                   "try a smaller --learning-rate or check the data for extreme values")  # fmt: skip


@dataclass
class FitResult:
    history: list[dict] = field(default_factory=list)
    best_epoch: int = 0
    seconds: float = 0.0
    stopped_early: bool = False

    @property
    def best(self) -> dict:
        """The best epoch's history row ({} when no epoch ran)."""
        return self.history[self.best_epoch - 1] if self.best_epoch else {}

    def facts(self) -> dict:
        """What every kind's metrics.json keeps of the training: time, epochs, the best epoch's validation scores
        and the training speed (examples, or characters, per second)."""
        return dict(
            train_seconds=self.seconds,
            epochs_trained=len(self.history),
            best_epoch=self.best_epoch,
            stopped_early=self.stopped_early,
            validation_loss=self.best.get("val_loss"),
            validation_accuracy=self.best.get("val_accuracy"),
            examples_per_second=float(np.mean([row["examples_per_second"] for row in self.history])),
        )


def loss_and_accuracy(probabilities: np.ndarray, labels: np.ndarray) -> tuple[float, float]:
    """Mean cross-entropy and accuracy of class probabilities (examples, classes) against labels."""
    picked = np.clip(probabilities[np.arange(len(labels)), labels], 1e-12, 1.0)
    return float(-np.log(picked).mean()), float((probabilities.argmax(1) == labels).mean())


@dataclass
class EarlyStopping:
    """Keeps the best validation epoch; says when `patience` epochs have passed without a better one,
    or when the validation accuracy has reached `solved_at` (0: never) and there is nothing left to learn."""

    patience: int
    solved_at: float = 0.0
    best_loss: float = math.inf
    best_epoch: int = 0

    def improved(self, epoch: int, val_loss: float) -> bool:
        """Record an epoch's validation loss; True if it is the best so far (keep its weights)."""
        if val_loss < self.best_loss - MIN_IMPROVEMENT:
            self.best_loss, self.best_epoch = val_loss, epoch
            return True
        return False

    def should_stop(self, epoch: int, val_accuracy: float) -> bool:
        solved = self.solved_at > 0 and val_accuracy >= self.solved_at and self.best_epoch == epoch
        return solved or epoch - self.best_epoch >= self.patience


@dataclass
class EpochTally:
    """One epoch's running sums over its training batches, and the history row they make."""

    epoch: int
    epochs: int
    steps: int
    on_progress: ProgressCallback | None
    started: float = field(default_factory=time.perf_counter)
    loss_sum: float = 0.0
    correct: float = 0  # a forecaster counts a window's share of right directions
    seen: int = 0
    grad_norms: list[float] = field(default_factory=list)
    train_seconds: float = 0.0

    def add(self, step: int, loss: float, correct: float, examples: int, grad_norm: float) -> None:
        self.loss_sum += loss * examples
        self.correct += correct
        self.seen += examples
        self.grad_norms.append(grad_norm)
        check_finite(self.epoch, self.loss_sum / self.seen)  # one nan batch makes the whole epoch's mean nan
        self._report(step=step, train_loss=self.loss_sum / self.seen)

    def end_training(self) -> None:
        """Mark the end of the training batches; the validation pass that follows is not throughput."""
        self.train_seconds = time.perf_counter() - self.started

    def row(self, val_loss: float, val_accuracy: float, learning_rate: float) -> dict:
        check_finite(self.epoch, self.loss_sum / self.seen, val_loss)
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


@dataclass(frozen=True)
class EpochSteps:
    """What a framework does inside the shared loop."""

    batches: Batches
    train_batch: Callable[[np.ndarray], tuple[float, float, int, float]]  # -> loss, correct, examples, grad norm
    validate: Callable[[], tuple[float, float]]  # -> validation loss, validation accuracy
    learning_rate: Callable[[], float]  # the rate the epoch trained with
    end_epoch: Callable[[float], Any]  # the schedule's step, given the validation loss
    snapshot: Callable[[], Any]  # a copy of the current weights
    restore: Callable[[Any], Any]  # put a snapshot's weights back


def epoch_loop(steps: EpochSteps, config, on_progress: ProgressCallback | None = None) -> FitResult:
    """Train for at most `config.epochs` epochs, stopping early on the validation loss (`config.patience`,
    `config.stop_at_accuracy`) or once `config.max_seconds` of training have passed (checked after every batch:
    the last epoch may be cut short, and is validated like any other); on return
    the model holds the weights of the best validation epoch."""
    rng = np.random.default_rng(config.seed)
    result, stopping = FitResult(), EarlyStopping(config.patience, config.stop_at_accuracy)
    best_weights = steps.snapshot()
    started = time.perf_counter()

    budget = getattr(config, "max_seconds", 0.0)  # `--max-seconds`: 0 is no limit
    out_of_time = lambda: budget > 0 and time.perf_counter() - started >= budget  # noqa: E731

    for epoch in range(1, config.epochs + 1):
        batches = steps.batches(rng)
        tally = EpochTally(epoch, config.epochs, len(batches), on_progress)
        for step, indices in enumerate(batches, start=1):
            tally.add(step, *steps.train_batch(indices))
            if out_of_time():
                break  # the budget is spent mid-epoch: validate what was trained, then stop

        tally.end_training()
        val_loss, val_accuracy = steps.validate()
        result.history.append(tally.row(val_loss, val_accuracy, steps.learning_rate()))
        steps.end_epoch(val_loss)
        if stopping.improved(epoch, val_loss):
            best_weights = steps.snapshot()
        if stopping.should_stop(epoch, val_accuracy):
            result.stopped_early = True
            break
        if out_of_time():
            break  # the time budget is spent: the best epoch so far is the model

    steps.restore(best_weights)
    result.best_epoch = stopping.best_epoch
    result.seconds = time.perf_counter() - started
    return result
