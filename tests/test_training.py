import random

import numpy as np
import pytest
import torch

from conftest import synthetic_review
from pipelines.encoding import EncodedSplit, inference_batches
from pipelines.training.bucketing import bucketed_batches
from pipelines.training.config import TrainConfig
from pipelines.data import Example, Vocabulary
from pipelines.evaluate import classification_metrics
from pipelines.models.spec import ModelSpec
from pipelines.models.torch_zoo import RecurrentClassifier
from pipelines.backends import predict_probabilities
from pipelines.devices import pick_device, seed_everything
from pipelines.training.torch_loop import fit


def synthetic_split(size, vocabulary=None, seed=0):
    rng = random.Random(seed)
    examples = [Example(str(i), synthetic_review(i % 2, rng), i % 2) for i in range(size)]
    vocabulary = vocabulary or Vocabulary.build([e.text for e in examples], num_words=100, maxlen=20)
    return EncodedSplit.encode(examples, vocabulary), vocabulary


def tiny_spec(vocabulary, **changes):
    fields = dict(cell="gru", hidden_size=8, embedding_size=8, dropout=0.0, pooling="max") | changes
    return ModelSpec(**fields).resolved(len(vocabulary), 2)


def test_bucketed_batches_cover_every_example_once_with_similar_lengths():
    rng = np.random.default_rng(0)
    lengths = rng.integers(1, 400, size=1000)
    batches = bucketed_batches(lengths, 32, rng)
    assert sorted(np.concatenate(batches).tolist()) == list(range(1000))
    spread = np.mean([lengths[b].max() - lengths[b].min() for b in batches])
    assert spread < 40  # random batches would spread over ~370 tokens


def test_no_single_example_batch_for_batch_norm():
    batches = bucketed_batches(np.arange(1, 66), 32, np.random.default_rng(0))
    assert min(len(b) for b in batches) > 1


def test_inference_batches_cover_everything_in_length_order():
    lengths = np.array([5, 1, 3, 2])
    assert [b.tolist() for b in inference_batches(lengths, 2)] == [[1, 3], [2, 0]]


def test_fit_learns_a_separable_task_and_restores_the_best_epoch():
    train, vocabulary = synthetic_split(200)
    validation, _ = synthetic_split(60, vocabulary, seed=1)
    model = RecurrentClassifier(tiny_spec(vocabulary))
    result = fit(model, train, validation, TrainConfig(epochs=12, batch_size=16, learning_rate=0.01, patience=3),
                 torch.device("cpu"))  # fmt: skip
    assert result.history[-1]["train_accuracy"] > 0.95
    best = result.history[result.best_epoch - 1]
    assert best["val_loss"] == min(row["val_loss"] for row in result.history)
    probabilities = predict_probabilities(model, validation, torch.device("cpu"))
    # The restored weights are the best epoch's: same validation accuracy as logged then.
    assert (probabilities.argmax(1) == validation.labels).mean() == pytest.approx(best["val_accuracy"])
    for column in ("learning_rate", "grad_norm", "seconds", "examples_per_second", "train_loss", "val_accuracy"):
        assert column in best


def test_fit_is_reproducible_with_a_seed():
    train, vocabulary = synthetic_split(64)
    validation, _ = synthetic_split(16, vocabulary, seed=1)
    config = TrainConfig(epochs=2, batch_size=16, seed=7)
    runs = []
    for _ in range(2):
        seed_everything(7)
        model = RecurrentClassifier(tiny_spec(vocabulary, dropout=0.3))
        fit(model, train, validation, config, torch.device("cpu"))
        runs.append(model.state_dict())
    for name in runs[0]:
        torch.testing.assert_close(runs[0][name], runs[1][name])


def test_early_stopping_stops_when_validation_stalls():
    train, vocabulary = synthetic_split(40)
    validation, _ = synthetic_split(20, vocabulary, seed=1)
    model = RecurrentClassifier(tiny_spec(vocabulary))
    result = fit(model, train, validation, TrainConfig(epochs=50, batch_size=8, learning_rate=0.05, patience=2),
                 torch.device("cpu"))  # fmt: skip
    assert result.stopped_early and len(result.history) < 50
    assert len(result.history) - result.best_epoch == 2


def test_config_layers_and_rejects_unknown_or_mistyped_keys():
    config = TrainConfig.layered({"epochs": 40, "batch_size": 32}, {"epochs": 3, "seed": None})
    assert (config.epochs, config.batch_size, config.seed) == (3, 32, TrainConfig().seed)
    with pytest.raises(ValueError, match="unknown training setting 'epoch'"):
        TrainConfig.layered({"epoch": 3})
    with pytest.raises(ValueError, match="whole number"):
        TrainConfig.layered({"epochs": 2.5})
    with pytest.raises(ValueError, match="must be a number"):
        TrainConfig.layered({"learning_rate": "fast"})


def test_cuda_request_without_a_gpu_is_a_clear_error():
    if torch.cuda.is_available():
        pytest.skip("this machine has a GPU")
    with pytest.raises(ValueError, match="no CUDA GPU"):
        pick_device("cuda")
    assert pick_device("auto").type == "cpu"


def test_metrics_for_two_classes_by_hand():
    probabilities = np.array([[0.9, 0.1], [0.4, 0.6], [0.3, 0.7], [0.8, 0.2]])
    labels = np.array([0, 0, 1, 1])
    metrics = classification_metrics(probabilities, labels, ["negative", "positive"])
    assert metrics["accuracy"] == 0.5
    assert metrics["confusion_matrix"] == [[1, 1], [1, 1]]
    assert metrics["roc_auc"] == pytest.approx(0.75)  # positives 0.7, 0.2 beat negatives 0.1, 0.6 in 3 of 4 pairs
    assert metrics["per_class"]["positive"] == {"precision": 0.5, "recall": 0.5, "f1": 0.5, "support": 2}
    assert list(metrics["curves"]) == ["positive"]
    assert metrics["curves"]["positive"]["roc"]["fpr"][0] == 0.0


def test_metrics_for_three_classes_use_one_vs_rest():
    probabilities = np.eye(3)[[0, 1, 2, 2]] * 0.8 + 0.2 / 3
    labels = np.array([0, 1, 2, 1])
    metrics = classification_metrics(probabilities, labels, ["negative", "neutral", "positive"])
    assert metrics["accuracy"] == 0.75
    assert metrics["f1_macro"] == pytest.approx((1 + 2 / 3 + 2 / 3) / 3)
    assert set(metrics["curves"]) == {"negative", "neutral", "positive"}
    assert 0 < metrics["roc_auc"] <= 1


def test_metrics_reject_mismatched_shapes():
    with pytest.raises(ValueError, match="need probabilities"):
        classification_metrics(np.ones((3, 2)) / 2, np.array([0, 1]), ["a", "b"])


def test_the_epoch_loop_stops_after_patience_epochs_and_restores_the_best_weights():
    """The one loop every framework and task trains with, on a script of validation losses: best at epoch 2,
    patience 1, so it stops at epoch 3 and hands back epoch 2's weights; the history has every column."""
    from pipelines.training.loop import EpochSteps, epoch_loop

    validation_losses = iter([3.0, 2.0, 2.5, 1.0])
    weights = {"now": 0, "restored": None}

    def train_batch(indices):
        weights["now"] += 1  # one epoch of one batch: the weights are the epoch number
        return 1.0, 3.0, len(indices), 0.5

    steps = EpochSteps(
        batches=lambda rng: [rng.permutation(4)],
        train_batch=train_batch,
        validate=lambda: (next(validation_losses), 0.75),
        learning_rate=lambda: 0.01,
        end_epoch=lambda loss: None,
        snapshot=lambda: weights["now"],
        restore=lambda snapshot: weights.update(restored=snapshot),
    )
    result = epoch_loop(steps, TrainConfig(epochs=10, patience=1))
    assert result.stopped_early and len(result.history) == 3 and result.best_epoch == 2
    assert weights["restored"] == 2
    assert result.history[0]["train_accuracy"] == 0.75 and result.best["val_loss"] == 2.0
    assert set(result.history[0]) >= {"epoch", "train_loss", "val_loss", "val_accuracy", "learning_rate", "grad_norm"}


def test_the_epoch_loop_stops_mid_epoch_when_its_time_budget_is_spent(monkeypatch):
    """`--max-seconds`: models compared at the same training time. Each batch takes 1 s of a fake clock; a budget
    of 2.5 s ends the first epoch after its third batch, which is validated and kept, and trains no other."""
    from pipelines.training import loop
    from pipelines.training.loop import EpochSteps, epoch_loop

    clock = {"now": 0.0}
    monkeypatch.setattr(loop.time, "perf_counter", lambda: clock["now"])
    trained = []

    def train_batch(indices):
        clock["now"] += 1.0
        trained.append(len(indices))
        return 1.0, 1.0, len(indices), 0.5

    steps = EpochSteps(batches=lambda rng: [np.arange(2)] * 10, train_batch=train_batch, validate=lambda: (1.0, 0.5),
                       learning_rate=lambda: 0.01, end_epoch=lambda loss: None, snapshot=lambda: None,
                       restore=lambda snapshot: None)  # fmt: skip
    result = epoch_loop(steps, TrainConfig(epochs=5, patience=5, max_seconds=2.5))
    assert len(trained) == 3 and len(result.history) == 1 and result.best_epoch == 1 and not result.stopped_early
    assert "max_seconds" not in TrainConfig().to_json()  # run ids trained before the setting keep their ids


def test_a_forecaster_reaches_early_stopping_in_the_shared_loop():
    """Forecasters train through the classifiers' loop: with patience 1 and a rate that overshoots, the validation
    loss turns and training stops early (the path `train --zoo forecast` crashed on once)."""
    from pipelines.forecasting.windows import ForecastSettings, prepare
    from pipelines.data.series import SeriesInfo, regular_series
    from pipelines.models.forecast_spec import ForecasterSpec
    from pipelines.models.forecaster import RecurrentForecaster
    from pipelines.training.forecast_loop import fit as forecast_fit
    import pandas as pd

    steps = np.arange(240)
    values = 50 + 0.05 * steps + 3 * np.sin(2 * np.pi * steps / 12) + np.random.default_rng(0).normal(0, 0.3, 240)
    series = regular_series(SeriesInfo("toy", "toy", "test"), pd.date_range("2000-01-01", periods=240, freq="MS"),
                            values, 12)
    prepared = prepare(series, ForecastSettings(lookback=12, horizon=4))
    model = RecurrentForecaster(ForecasterSpec(cell="gru", hidden_size=8, lookback=12, horizon=4))
    train, validation = (prepared.windows(part, 12, 4) for part in ("train", "validation"))
    result = forecast_fit(model, train, validation, TrainConfig(epochs=60, batch_size=16, learning_rate=0.05,
                                                                patience=1), torch.device("cpu"))  # fmt: skip
    assert result.stopped_early and len(result.history) < 60
    assert len(result.history) - result.best_epoch == 1
