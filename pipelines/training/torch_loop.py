"""Training a PyTorch model: the shared epoch loop's PyTorch steps (`train_loop`); `fit` trains a classifier.

Adam with gradient clipping, ReduceLROnPlateau on the validation loss, early
stopping that restores the best weights, length-bucketed batches, automatic
mixed precision on CUDA, and a seeded start so the same run trains the same way.
The character language models train with the same loop (language_models.py).
"""

from __future__ import annotations

import copy
from typing import Callable

import numpy as np
import torch
from torch import nn

from ..backends import predict_probabilities
from ..devices import autocast, seed_everything, to_device
from ..encoding import EncodedSplit
from .bucketing import length_buckets
from .config import TrainConfig
from .loop import Batches, EpochSteps, FitResult, ProgressCallback, epoch_loop, loss_and_accuracy


def adam(model: nn.Module, config: TrainConfig) -> torch.optim.Adam:
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


def fit(
    model: nn.Module,
    train: EncodedSplit,
    validation: EncodedSplit,
    config: TrainConfig,
    device: torch.device,
    on_progress: ProgressCallback | None = None,
) -> FitResult:
    """Train a classifier in place; on return it holds the weights of the best validation epoch."""
    loss_function = nn.CrossEntropyLoss()

    def batch_loss(indices: np.ndarray) -> BatchLoss:
        ids, lengths, labels = to_device(device, *train.padded(indices))
        with autocast(device):
            logits = model(ids, lengths)  # (batch, classes)
            loss = loss_function(logits.float(), labels)
        return loss, int((logits.argmax(1) == labels).sum()), len(indices)

    def validate() -> tuple[float, float]:
        return loss_and_accuracy(predict_probabilities(model, validation, device), validation.labels)

    batches = length_buckets(train.lengths, config.batch_size)
    return train_loop(model, batches, batch_loss, validate, config, device, on_progress)


# A batch's mean loss (a tensor to backpropagate), how many of its predictions were right, and how many it made.
BatchLoss = tuple[torch.Tensor, float, int]


def train_loop(
    model: nn.Module,
    batches: Batches,
    batch_loss: Callable[[np.ndarray], BatchLoss],
    validate: Callable[[], tuple[float, float]],
    config: TrainConfig,
    device: torch.device,
    on_progress: ProgressCallback | None = None,
) -> FitResult:
    """The shared epoch loop (`loop.epoch_loop`) for a PyTorch model; what a batch's loss is and how validation
    scores are the model's own (`batch_loss` of a batch of example indices, `validate()` -> (loss, accuracy)).

    `batches(rng)` draws an epoch's batches (e.g. `length_buckets(lengths, batch_size)`). On return the model
    holds the weights of the best validation epoch.
    """
    seed_everything(config.seed)
    model.to(device)
    optimizer = adam(model, config)
    scheduler = torch.optim.lr_scheduler.ReduceLROnPlateau(
        optimizer, mode="min", factor=config.lr_factor, patience=config.lr_patience
    )

    def train_batch(indices: np.ndarray) -> tuple[float, float, int, float]:
        model.train()  # validation left it in evaluation mode
        loss, correct, predictions = batch_loss(indices)
        optimizer.zero_grad(set_to_none=True)
        loss.backward()
        grad_norm = nn.utils.clip_grad_norm_(model.parameters(), config.clip_norm)  # norm before clipping
        optimizer.step()
        return loss.item(), correct, predictions, grad_norm.item()

    steps = EpochSteps(
        batches=batches,
        train_batch=train_batch,
        validate=validate,
        learning_rate=lambda: optimizer.param_groups[0]["lr"],
        end_epoch=scheduler.step,
        snapshot=lambda: copy.deepcopy(model.state_dict()),
        restore=model.load_state_dict,
    )
    return epoch_loop(steps, config, on_progress)
