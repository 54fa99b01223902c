"""Training a Keras zoo model: the shared epoch loop (`loop.epoch_loop`) with TensorFlow steps (`train_loop`,
`clipped_update`: also the seed's Keras encoder-decoder forecaster's, keras_forecast_loop.py).

It behaves like the PyTorch trainer, so the twins differ in framework only:
the same length-bucketed batches in the same order (same seed), Adam with
PyTorch's epsilon (1e-8) and L2 weight decay added to the gradient (as
torch.optim.Adam does), the global gradient norm clipped to `clip_norm`, the
learning rate cut by `lr_factor` after `lr_patience` epochs without a better
validation loss (PyTorch's ReduceLROnPlateau rule), early stopping that
restores the best epoch's weights, and the same history columns and progress
messages.

A custom loop rather than `model.fit`: we need the gradient norm before
clipping for the history, and a step traced once for every batch shape
(`INPUT_SIGNATURE` leaves batch and time open), because bucketed batches come
in many lengths and retracing for each would cost more than the training.
"""

from __future__ import annotations

import functools
import math
from dataclasses import dataclass
from typing import Callable

import keras
import numpy as np
import tensorflow as tf

from ..encoding import EncodedSplit
from ..keras_backend import TOKEN_IDS_SPEC, predict_probabilities
from .bucketing import length_buckets
from .config import TrainConfig
from .loop import Batches, EpochSteps, FitResult, ProgressCallback, epoch_loop, loss_and_accuracy

LABELS_SPEC = tf.TensorSpec(shape=(None,), dtype=tf.int32)
ADAM_EPSILON = 1e-8  # PyTorch's default (Keras's is 1e-7)


@dataclass
class PlateauSchedule:
    """PyTorch's ReduceLROnPlateau(mode="min", threshold=1e-4 relative, cooldown=0) for a loop without callbacks."""

    factor: float
    patience: int
    best: float = math.inf
    bad_epochs: int = 0

    def step(self, loss: float, learning_rate: float) -> float:
        """The learning rate for the next epoch, after an epoch with validation loss `loss`."""
        if loss < self.best * (1 - 1e-4):
            self.best, self.bad_epochs = loss, 0
        else:
            self.bad_epochs += 1
        if self.bad_epochs > self.patience:
            self.bad_epochs = 0
            return learning_rate * self.factor
        return learning_rate


def _train_step(model, optimizer, loss_function, config: TrainConfig, token_ids, labels):
    """One optimisation step; returns (mean loss, correct predictions, gradient norm before clipping)."""
    variables = model.trainable_variables
    with tf.GradientTape() as tape:
        logits = model(token_ids, training=True)  # (batch, classes)
        loss = loss_function(labels, logits)
    norm = clipped_update(optimizer, config, tape.gradient(loss, variables), variables)
    correct = tf.reduce_sum(tf.cast(tf.argmax(logits, axis=1, output_type=tf.int32) == labels, tf.int32))
    return loss, correct, norm


def clipped_update(optimizer, config: TrainConfig, gradients: list, variables: list) -> tf.Tensor:
    """PyTorch's update in TensorFlow: the global norm clipped to `clip_norm`, L2 weight decay added to the
    gradient, one Adam step; returns the norm before clipping, as clip_grad_norm_ reports it."""
    # Dense gradients, as PyTorch's embedding has: Adam then updates every row's moments alike.
    gradients = [tf.convert_to_tensor(gradient) for gradient in gradients]
    norm = tf.linalg.global_norm(gradients)
    gradients, _ = tf.clip_by_global_norm(gradients, config.clip_norm, use_norm=norm)
    if config.weight_decay:
        gradients = [gradient + config.weight_decay * variable for gradient, variable in zip(gradients, variables)]
    optimizer.apply(gradients, variables)
    return norm


def _train_step_function(model: keras.Model, optimizer: keras.optimizers.Optimizer, config: TrainConfig):
    """`_train_step` for this model, traced once for every batch shape."""
    optimizer.build(model.trainable_variables)  # create Adam's moments before tracing
    loss_function = keras.losses.SparseCategoricalCrossentropy(from_logits=True)
    step = functools.partial(_train_step, model, optimizer, loss_function, config)
    return tf.function(step, input_signature=[TOKEN_IDS_SPEC, LABELS_SPEC], autograph=False)


def fit(
    model: keras.Model,
    train: EncodedSplit,
    validation: EncodedSplit,
    config: TrainConfig,
    device: str = "/CPU:0",
    on_progress: ProgressCallback | None = None,
) -> FitResult:
    """Train `model` in place on `device` (a TensorFlow device string); it ends with the best epoch's weights."""
    with tf.device(device):
        return _fit(model, train, validation, config, on_progress)


def _fit(model, train, validation, config, on_progress) -> FitResult:
    keras.utils.set_random_seed(config.seed)
    optimizer = adam(config)
    train_step = _train_step_function(model, optimizer, config)

    def train_batch(indices: np.ndarray) -> tuple[float, float, int, float]:
        ids, _, labels = train.padded(indices)
        loss, correct, grad_norm = train_step(tf.constant(ids, tf.int32), tf.constant(labels, tf.int32))
        return float(loss), int(correct), len(indices), float(grad_norm)

    validate = lambda: loss_and_accuracy(predict_probabilities(model, validation), validation.labels)  # noqa: E731
    batches = length_buckets(train.lengths, config.batch_size)
    return train_loop(model, optimizer, batches, train_batch, validate, config, on_progress)


def adam(config: TrainConfig) -> keras.optimizers.Adam:
    """Adam with PyTorch's epsilon, at the configured learning rate."""
    return keras.optimizers.Adam(learning_rate=config.learning_rate, epsilon=ADAM_EPSILON)


def train_loop(model: keras.Model, optimizer: keras.optimizers.Optimizer, batches: Batches,
               train_batch: Callable[[np.ndarray], tuple[float, float, int, float]],
               validate: Callable[[], tuple[float, float]], config: TrainConfig,
               on_progress: ProgressCallback | None = None) -> FitResult:  # fmt: skip
    """The shared epoch loop (`loop.epoch_loop`) for a Keras model, as `torch_loop.train_loop` is for PyTorch: the
    plateau schedule on `optimizer`, and the best epoch's weights kept and restored. What a batch's step and
    validation are is the model's own (classifiers here, forecasters in keras_forecast_loop.py)."""
    schedule = PlateauSchedule(config.lr_factor, config.lr_patience)
    learning_rate = config.learning_rate  # kept as a Python float: the optimizer's copy is float32

    def end_epoch(val_loss: float) -> None:
        nonlocal learning_rate
        learning_rate = schedule.step(val_loss, learning_rate)
        optimizer.learning_rate.assign(learning_rate)

    steps = EpochSteps(
        batches=batches,
        train_batch=train_batch,
        validate=validate,
        learning_rate=lambda: learning_rate,
        end_epoch=end_epoch,
        snapshot=model.get_weights,
        restore=model.set_weights,
    )
    return epoch_loop(steps, config, on_progress)
