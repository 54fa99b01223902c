"""Training a PyTorch zoo model: one readable loop and a few named helpers.

Adam with gradient clipping, ReduceLROnPlateau on the validation loss, early
stopping that restores the best weights, length-bucketed batches, automatic
mixed precision on CUDA, and a seeded start so the same run trains the same way.
"""

from __future__ import annotations

import copy
import time

import numpy as np
import torch
from torch import nn

from ..backends import predict_probabilities
from ..devices import autocast, seed_everything, to_device
from ..encoding import EncodedSplit
from .bucketing import bucketed_batches
from .config import TrainConfig
from .loop import EarlyStopping, EpochTally, FitResult, ProgressCallback, loss_and_accuracy


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
    """Train `model` in place; on return it holds the weights of the best validation epoch."""
    seed_everything(config.seed)
    rng = np.random.default_rng(config.seed)
    model.to(device)
    optimizer = adam(model, config)
    scheduler = torch.optim.lr_scheduler.ReduceLROnPlateau(
        optimizer, mode="min", factor=config.lr_factor, patience=config.lr_patience
    )
    loss_function = nn.CrossEntropyLoss()
    result, stopping = FitResult(), EarlyStopping(config.patience, config.stop_at_accuracy)
    best_state = copy.deepcopy(model.state_dict())
    started = time.perf_counter()

    for epoch in range(1, config.epochs + 1):
        model.train()
        batches = bucketed_batches(train.lengths, config.batch_size, rng)
        tally = EpochTally(epoch, config.epochs, len(batches), on_progress)
        for step, indices in enumerate(batches, start=1):
            ids, lengths, labels = to_device(device, *train.padded(indices))
            with autocast(device):
                logits = model(ids, lengths)  # (batch, classes)
                loss = loss_function(logits.float(), labels)
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            grad_norm = nn.utils.clip_grad_norm_(model.parameters(), config.clip_norm)  # norm before clipping
            optimizer.step()
            tally.add(step, loss.item(), (logits.argmax(1) == labels).sum().item(), len(indices), grad_norm.item())

        tally.end_training()
        val_loss, val_accuracy = loss_and_accuracy(predict_probabilities(model, validation, device), validation.labels)
        result.history.append(tally.row(val_loss, val_accuracy, optimizer.param_groups[0]["lr"]))
        scheduler.step(val_loss)
        if stopping.improved(epoch, val_loss):
            best_state = copy.deepcopy(model.state_dict())
        if stopping.should_stop(epoch, val_accuracy):
            result.stopped_early = True
            break

    model.load_state_dict(best_state)
    result.best_epoch = stopping.best_epoch
    result.seconds = time.perf_counter() - started
    return result
