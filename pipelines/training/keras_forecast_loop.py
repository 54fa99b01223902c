"""Training the Keras encoder-decoder forecaster (seed 001's `build_seq2seq_model`): the shared epoch loop
(`keras_loop.train_loop`, so `loop.epoch_loop`: early stopping on the validation loss, the plateau schedule, the
best epoch's weights kept) with a mean squared error on the encoded targets, as `forecast_loop.fit` trains its
PyTorch twin: the same shuffled batches, the same masked loss, the same direction accuracy in the history.

Not `model.fit`: the project has one epoch loop, and the history needs the gradient norm before clipping.
"""

from __future__ import annotations

import functools
from functools import partial

import keras
import numpy as np
import tensorflow as tf
import torch

from ..forecasting.windows import Windows
from ..models.keras_forecaster import encoded_forecasts
from .bucketing import shuffled_batches
from .config import TrainConfig
from .forecast_loop import right_direction
from .keras_loop import adam, clipped_update, train_loop
from .loop import FitResult, ProgressCallback


def _masked_loss(outputs: tf.Tensor, targets: tf.Tensor, weights: tf.Tensor) -> tf.Tensor:
    """`forecast_loop.masked_loss` in TensorFlow: filled gaps (weight 0) are nothing to learn from."""
    return tf.reduce_sum((outputs - targets) ** 2 * weights) / tf.maximum(tf.reduce_sum(weights), 1.0)


def _train_step(model, optimizer, config: TrainConfig, windows, targets, weights):
    """One optimisation step; returns (loss, forecasts, gradient norm before clipping)."""
    variables = model.trainable_variables
    with tf.GradientTape() as tape:
        outputs = encoded_forecasts(model, windows, training=True)
        loss = _masked_loss(outputs, targets, weights)
    return loss, outputs, clipped_update(optimizer, config, tape.gradient(loss, variables), variables)


def _arrays(windows: Windows) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Inputs, targets with gaps as 0 and weights (1 observed, 0 filled), float32."""
    return (windows.inputs.astype(np.float32), np.nan_to_num(windows.targets).astype(np.float32),
            windows.observed.astype(np.float32))  # fmt: skip


def _direction(outputs: np.ndarray, targets: np.ndarray, weights: np.ndarray, inputs: np.ndarray,
               relative: bool) -> tuple[float, int]:  # fmt: skip
    """`forecast_loop.right_direction` (the one home of the rule) on NumPy arrays."""
    tensors = [torch.from_numpy(np.asarray(array)) for array in (outputs, targets, inputs[:, -1:])]
    return right_direction(tensors[0], tensors[1], torch.from_numpy(weights > 0), relative, tensors[2])


def fit(model: keras.Model, train: Windows, validation: Windows, config: TrainConfig, relative: bool,
        device: str = "/CPU:0", on_progress: ProgressCallback | None = None) -> FitResult:  # fmt: skip
    """Train the seed's model in place on `device` (a TensorFlow device string); it ends with the best validation
    epoch's weights. `relative`: the spec's, for the direction accuracy."""
    with tf.device(device):
        optimizer = adam(config)
        optimizer.build(model.trainable_variables)  # Adam's moments exist before the step is traced
        window_spec = tf.TensorSpec(shape=(None, train.inputs.shape[1]), dtype=tf.float32)
        target_spec = tf.TensorSpec(shape=(None, train.targets.shape[1]), dtype=tf.float32)
        step = tf.function(functools.partial(_train_step, model, optimizer, config), autograph=False,
                           input_signature=[window_spec, target_spec, target_spec])  # fmt: skip
        arrays, validation_arrays = _arrays(train), _arrays(validation)  # cast once, not at every batch or epoch

        def train_batch(indices: np.ndarray) -> tuple[float, float, int, float]:
            inputs, targets, weights = (array[indices] for array in arrays)
            loss, outputs, grad_norm = step(tf.constant(inputs), tf.constant(targets), tf.constant(weights))
            right, counted = _direction(outputs.numpy(), targets, weights, inputs, relative)
            # The tally counts examples: a window's share of right directions stands for its "correct".
            return float(loss), right / max(counted, 1) * len(indices), len(indices), float(grad_norm)

        def validate() -> tuple[float, float]:
            inputs, targets, weights = validation_arrays
            outputs = encoded_forecasts(model, inputs)
            right, counted = _direction(outputs.numpy(), targets, weights, inputs, relative)
            return float(_masked_loss(outputs, targets, weights)), right / max(counted, 1)

        batches = partial(shuffled_batches, len(train), config.batch_size)
        return train_loop(model, optimizer, batches, train_batch, validate, config, on_progress)
