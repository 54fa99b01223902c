"""Training a Keras zoo model: the loop of torch_loop.py, in TensorFlow.

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
import time
from dataclasses import dataclass

import keras
import numpy as np
import tensorflow as tf

from ..encoding import EncodedSplit
from ..keras_backend import TOKEN_IDS_SPEC, predict_probabilities
from .bucketing import bucketed_batches
from .config import TrainConfig
from .loop import EarlyStopping, EpochTally, FitResult, ProgressCallback, loss_and_accuracy

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
    # Dense gradients, as PyTorch's embedding has: Adam then updates every row's moments alike.
    gradients = [tf.convert_to_tensor(gradient) for gradient in tape.gradient(loss, variables)]
    norm = tf.linalg.global_norm(gradients)  # before clipping, as clip_grad_norm_ reports it
    gradients, _ = tf.clip_by_global_norm(gradients, config.clip_norm, use_norm=norm)
    if config.weight_decay:
        gradients = [gradient + config.weight_decay * variable for gradient, variable in zip(gradients, variables)]
    optimizer.apply(gradients, variables)
    correct = tf.reduce_sum(tf.cast(tf.argmax(logits, axis=1, output_type=tf.int32) == labels, tf.int32))
    return loss, correct, norm


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
    rng = np.random.default_rng(config.seed)
    optimizer = keras.optimizers.Adam(learning_rate=config.learning_rate, epsilon=ADAM_EPSILON)
    train_step = _train_step_function(model, optimizer, config)
    schedule = PlateauSchedule(config.lr_factor, config.lr_patience)
    result, stopping = FitResult(), EarlyStopping(config.patience, config.stop_at_accuracy)
    best_weights = model.get_weights()
    learning_rate = config.learning_rate  # kept as a Python float: the optimizer's copy is float32
    started = time.perf_counter()

    for epoch in range(1, config.epochs + 1):
        batches = bucketed_batches(train.lengths, config.batch_size, rng)
        tally = EpochTally(epoch, config.epochs, len(batches), on_progress)
        for step, indices in enumerate(batches, start=1):
            ids, _, labels = train.padded(indices)
            loss, batch_correct, grad_norm = train_step(tf.constant(ids, tf.int32), tf.constant(labels, tf.int32))
            tally.add(step, float(loss), int(batch_correct), len(indices), float(grad_norm))

        tally.end_training()
        val_loss, val_accuracy = loss_and_accuracy(predict_probabilities(model, validation), validation.labels)
        result.history.append(tally.row(val_loss, val_accuracy, learning_rate))
        learning_rate = schedule.step(val_loss, learning_rate)
        optimizer.learning_rate.assign(learning_rate)
        if stopping.improved(epoch, val_loss):
            best_weights = model.get_weights()
        if stopping.should_stop(epoch, val_accuracy):
            result.stopped_early = True
            break

    model.set_weights(best_weights)
    result.best_epoch = stopping.best_epoch
    result.seconds = time.perf_counter() - started
    return result
