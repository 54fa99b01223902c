"""The Keras backend behaves like the PyTorch one: same history, progress, schedule, stopping, storage."""

from __future__ import annotations

import functools

import numpy as np
import pytest
import torch

from pipelines.backends import backend_for
from pipelines.training.config import TrainConfig
from pipelines.training.train import fit
from pipelines.models.spec import ModelSpec
from tiny_zoo import CLASSES, lean_tensorflow, one_thread_for_torch, tiny_splits

TRAIN, VALIDATION, TEST, VOCABULARY = tiny_splits()
SPEC = ModelSpec(cell="gru", hidden_size=6, embedding_size=4, dropout=0.2, pooling="max")
SPEC = SPEC.resolved(len(VOCABULARY), CLASSES)
CONFIG = TrainConfig(epochs=6, batch_size=16, learning_rate=0.1, seed=3, patience=2, lr_patience=0)

one_thread = pytest.fixture(scope="module", autouse=True)(one_thread_for_torch)


@functools.cache
def keras_backend():
    lean_tensorflow()
    return backend_for("keras", "cpu")


@functools.cache
def fitted(framework: str):
    """(model, FitResult, progress messages) after training SPEC with CONFIG."""
    backend = keras_backend() if framework == "keras" else backend_for("torch", "cpu")
    messages = []
    model = backend.build(SPEC, seed=CONFIG.seed)
    return model, fit(backend, model, TRAIN, VALIDATION, CONFIG, messages.append), messages


def test_history_and_progress_have_the_pytorch_trainers_shape():
    _, keras_result, keras_messages = fitted("keras")
    _, torch_result, torch_messages = fitted("torch")
    columns = list(torch_result.history[0])
    assert all(list(row) == columns for row in keras_result.history)
    assert [sorted(message) for message in keras_messages[:4]] == [sorted(message) for message in torch_messages[:4]]
    steps = keras_messages[0]["steps"]
    assert steps == len(torch_messages) // len(torch_result.history) - 1  # per step, plus one at the end of each epoch
    assert all(row["grad_norm_max"] >= row["grad_norm"] > 0 for row in keras_result.history)
    assert keras_result.history[0]["learning_rate"] == CONFIG.learning_rate


def test_fit_restores_the_best_epoch_and_follows_pytorchs_schedule():
    model, result, _ = fitted("keras")
    best = result.history[result.best_epoch - 1]
    assert best["val_loss"] == min(row["val_loss"] for row in result.history)
    probabilities = keras_backend().predict(model, VALIDATION)
    assert (probabilities.argmax(1) == VALIDATION.labels).mean() == pytest.approx(best["val_accuracy"])
    assert result.history[-1]["train_accuracy"] > 0.6  # it learns: three classes, chance is 1/3
    # lr_patience=0: every epoch without a better validation loss halves the rate for the next one.
    rates = [row["learning_rate"] for row in result.history]
    for before, after, row in zip(rates, rates[1:], result.history):
        improved = row["val_loss"] <= min(r["val_loss"] for r in result.history[: row["epoch"]])
        assert after == (before if improved else before * CONFIG.lr_factor)


def test_plateau_schedule_matches_pytorchs_reduce_lr_on_plateau():
    from pipelines.training.keras_loop import PlateauSchedule

    losses = [1.0, 0.9, 0.95, 0.95, 0.96, 0.8, 0.8, 0.8, 0.8, 0.7, 0.7]
    for patience in (0, 1, 2):
        optimizer = torch.optim.SGD([torch.zeros(1, requires_grad=True)], lr=1.0)
        scheduler = torch.optim.lr_scheduler.ReduceLROnPlateau(optimizer, factor=0.5, patience=patience)
        schedule, rate = PlateauSchedule(0.5, patience), 1.0
        for loss in losses:
            scheduler.step(loss)
            rate = schedule.step(loss, rate)
            assert rate == optimizer.param_groups[0]["lr"]


def test_training_is_reproducible_with_a_seed():
    backend = keras_backend()
    first, _, _ = fitted("keras")
    second = backend.build(SPEC, seed=CONFIG.seed)
    fit(backend, second, TRAIN, VALIDATION, CONFIG)
    for a, b in zip(first.get_weights(), second.get_weights()):
        np.testing.assert_array_equal(a, b)


def test_save_and_load_with_safe_mode(tmp_path):
    import keras

    backend = keras_backend()
    model, _, _ = fitted("keras")
    path = tmp_path / backend.weights_file
    backend.save(model, path)
    loaded = backend.load(SPEC, path)
    np.testing.assert_allclose(backend.predict(loaded, TEST), backend.predict(model, TEST), atol=1e-7, rtol=0)
    assert backend.parameter_count(loaded) == backend.parameter_count(model)
    keras.models.load_model(path, safe_mode=True)  # our custom pooling layer is registered
    with pytest.raises(ValueError, match="does not hold a model of this run's spec"):
        backend.load(ModelSpec(cell="lstm", hidden_size=6, embedding_size=4).resolved(len(VOCABULARY), CLASSES), path)


def test_device_choice_and_versions():
    import tensorflow as tf

    backend = keras_backend()
    assert backend.name == "keras" and backend.weights_file == "model.keras"
    assert set(backend.versions()) == {"tensorflow", "keras"}
    if tf.config.list_physical_devices("GPU"):
        pytest.skip("this machine has a GPU")
    assert backend.device_name == "cpu" and backend_for("keras", "auto").device_name == "cpu"
    with pytest.raises(ValueError, match="TensorFlow sees no GPU"):
        backend_for("keras", "cuda")
