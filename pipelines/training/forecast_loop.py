"""Training a PyTorch forecaster: the classifier loop's parts (Adam, clipping, plateau schedule, early stopping,
the shared epoch tally) around a mean squared error on the encoded targets.

The history's "accuracy" columns hold the direction accuracy (the share of
forecasts that move the right way from the window's last value), so the
Training page draws forecasters with the same two panels as classifiers.
"""

from __future__ import annotations

import copy
import time

import numpy as np
import torch
from torch import nn

from ..devices import seed_everything
from ..forecasting.windows import Windows
from ..models.forecaster import RecurrentForecaster
from .config import TrainConfig
from .loop import EarlyStopping, EpochTally, FitResult, ProgressCallback
from .torch_loop import adam


def masked_loss(outputs: torch.Tensor, targets: torch.Tensor, observed: torch.Tensor) -> torch.Tensor:
    """Mean squared error over observed targets only: a filled gap is nothing to learn from."""
    weights = observed.float()
    return ((outputs - torch.nan_to_num(targets)) ** 2 * weights).sum() / weights.sum().clamp(min=1.0)


def right_direction(outputs: torch.Tensor, targets: torch.Tensor, observed: torch.Tensor, relative: bool,
                    reference: torch.Tensor) -> tuple[float, int]:  # fmt: skip
    """(forecasts moving the right way from the last value, forecasts counted), observed targets only."""
    start = 0.0 if relative else reference  # a relative model's targets are changes already
    right = (torch.sign(outputs - start) == torch.sign(targets - start)) & observed
    return float(right.sum()), int(observed.sum())


def evaluate(model: RecurrentForecaster, windows: Windows, device: torch.device) -> tuple[float, float]:
    """Mean squared error (encoded units) and direction accuracy on a part's windows."""
    model.eval()
    inputs, targets, observed = (torch.from_numpy(array).to(device) for array in
                                 (windows.inputs, windows.targets, windows.observed))  # fmt: skip
    with torch.inference_mode():
        outputs = model(inputs)
        right, counted = right_direction(outputs, targets, observed, model.spec.relative, inputs[:, -1:])
        return float(masked_loss(outputs, targets, observed)), right / max(counted, 1)


def fit(model: RecurrentForecaster, train: Windows, validation: Windows, config: TrainConfig, device: torch.device,
        on_progress: ProgressCallback | None = None) -> FitResult:  # fmt: skip
    """Train `model` in place on shuffled training windows; on return it holds the best validation epoch's weights."""
    seed_everything(config.seed)
    rng = np.random.default_rng(config.seed)
    model.to(device)
    optimizer = adam(model, config)
    scheduler = torch.optim.lr_scheduler.ReduceLROnPlateau(optimizer, mode="min", factor=config.lr_factor,
                                                           patience=config.lr_patience)  # fmt: skip
    result, stopping = FitResult(), EarlyStopping(config.patience)
    best_state = copy.deepcopy(model.state_dict())
    started = time.perf_counter()
    arrays = [torch.from_numpy(array) for array in (train.inputs, train.targets, train.observed)]

    for epoch in range(1, config.epochs + 1):
        model.train()
        order = rng.permutation(len(train))  # windows in any order: each is already a piece of the past
        batches = [order[start : start + config.batch_size] for start in range(0, len(order), config.batch_size)]
        tally = EpochTally(epoch, config.epochs, len(batches), on_progress)
        for step, indices in enumerate(batches, start=1):
            inputs, targets, observed = (array[indices].to(device) for array in arrays)
            outputs = model(inputs)  # (batch, horizon)
            loss = masked_loss(outputs, targets, observed)
            optimizer.zero_grad(set_to_none=True)
            loss.backward()
            grad_norm = nn.utils.clip_grad_norm_(model.parameters(), config.clip_norm)  # norm before clipping
            optimizer.step()
            right, counted = right_direction(outputs.detach(), targets, observed, model.spec.relative, inputs[:, -1:])
            # The tally counts examples: a window's share of right directions stands for its "correct".
            tally.add(step, loss.item(), right / max(counted, 1) * len(indices), len(indices), grad_norm.item())

        tally.end_training()
        val_loss, val_direction = evaluate(model, validation, device)
        result.history.append(tally.row(val_loss, val_direction, optimizer.param_groups[0]["lr"]))
        scheduler.step(val_loss)
        if stopping.improved(epoch, val_loss):
            best_state = copy.deepcopy(model.state_dict())
        elif stopping.should_stop(epoch):
            result.stopped_early = True
            break

    model.load_state_dict(best_state)
    result.best_epoch = stopping.best_epoch
    result.seconds = time.perf_counter() - started
    return result
