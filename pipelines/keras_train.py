"""Training a Keras zoo model: the loop of train.py, in TensorFlow.

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

from .batching import EncodedSplit, bucketed_batches, inference_batches
from .config import TrainConfig
from .train import EVAL_BATCH_SIZE, EpochTally, FitResult, ProgressCallback, _loss_and_accuracy

TOKEN_IDS_SPEC = tf.TensorSpec(shape=(None, None), dtype=tf.int32)  # (batch, time), any length
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


def _logits(model: keras.Model, token_ids: tf.Tensor) -> tf.Tensor:
    return model(token_ids, training=False)  # (batch, classes)


def logits_function(model: keras.Model):
    """The model's inference pass as one traced function, kept on the model so that it is traced once.

    Traced functions are built from `functools.partial`s: TensorFlow counts
    traces per code object, and would otherwise warn about "retracing" when a
    zoo builds one function per model. Keras layers need no AutoGraph (their
    loops are TensorFlow loops already), so it is off, as in Keras's own trainer.
    """
    function = model.__dict__.get("_rnnlens_logits")
    if function is None:
        function = tf.function(functools.partial(_logits, model), input_signature=[TOKEN_IDS_SPEC], autograph=False)
        object.__setattr__(model, "_rnnlens_logits", function)  # outside Keras's attribute tracking
    return function


def predict_probabilities(model: keras.Model, split: EncodedSplit) -> np.ndarray:
    """Class probabilities (examples, classes) in the split's order."""
    logits_of = logits_function(model)
    probabilities = np.zeros((len(split), model.output_shape[-1]), dtype=np.float32)
    for indices in inference_batches(split.lengths, EVAL_BATCH_SIZE):
        ids, _, _ = split.padded(indices)
        logits = logits_of(tf.constant(ids, dtype=tf.int32))
        probabilities[indices] = tf.nn.softmax(logits, axis=-1).numpy()
    return probabilities


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
    on_progress: ProgressCallback | None = None,
) -> FitResult:
    """Train `model` in place; on return it holds the weights of the best validation epoch."""
    keras.utils.set_random_seed(config.seed)
    rng = np.random.default_rng(config.seed)
    optimizer = keras.optimizers.Adam(learning_rate=config.learning_rate, epsilon=ADAM_EPSILON)
    train_step = _train_step_function(model, optimizer, config)
    schedule = PlateauSchedule(config.lr_factor, config.lr_patience)
    result = FitResult()
    best_loss, best_weights = math.inf, model.get_weights()
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
        val_loss, val_accuracy = _loss_and_accuracy(predict_probabilities(model, validation), validation.labels)
        result.history.append(tally.row(val_loss, val_accuracy, learning_rate))
        learning_rate = schedule.step(val_loss, learning_rate)
        optimizer.learning_rate.assign(learning_rate)
        if val_loss < best_loss - 1e-4:
            best_loss, result.best_epoch = val_loss, epoch
            best_weights = model.get_weights()
        elif epoch - result.best_epoch >= config.patience:
            result.stopped_early = True
            break

    model.set_weights(best_weights)
    result.seconds = time.perf_counter() - started
    return result
