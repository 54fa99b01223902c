"""Training a PyTorch forecaster: the shared epoch loop (`torch_loop.train_loop`: Adam, clipping, plateau schedule,
early stopping on the validation loss) with a mean squared error on the encoded targets.

The history's "accuracy" columns hold the direction accuracy (the share of
forecasts that move the right way from the window's last value), so the
Training page draws forecasters with the same two panels as classifiers.
"""

from __future__ import annotations

from functools import partial

import numpy as np
import torch

from ..forecasting.windows import Windows
from ..models.forecaster import RecurrentForecaster
from .bucketing import shuffled_batches
from .config import TrainConfig
from .loop import FitResult, ProgressCallback
from .torch_loop import BatchLoss, train_loop


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
    arrays = [torch.from_numpy(array) for array in (train.inputs, train.targets, train.observed)]

    def batch_loss(indices: np.ndarray) -> BatchLoss:
        inputs, targets, observed = (array[indices].to(device) for array in arrays)
        outputs = model(inputs)  # (batch, horizon)
        right, counted = right_direction(outputs.detach(), targets, observed, model.spec.relative, inputs[:, -1:])
        # The tally counts examples: a window's share of right directions stands for its "correct".
        return masked_loss(outputs, targets, observed), right / max(counted, 1) * len(indices), len(indices)

    batches = partial(shuffled_batches, len(train), config.batch_size)
    validate = lambda: evaluate(model, validation, device)  # noqa: E731
    return train_loop(model, batches, batch_loss, validate, config, device, on_progress)
