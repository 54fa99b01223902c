"""A run whose loss stops being a number fails alone, with its reason; the zoo goes on, and no nan or inf
reaches a JSON file (status.json, metrics.json) of any run kind."""

from __future__ import annotations

import json
import math
import sys
from pathlib import Path

import pytest

from conftest import write_rt_corpus
from pipelines.cli import main
from pipelines.store import Store
from pipelines.training import torch_loop
from pipelines.training.loop import EpochTally, TrainingDiverged, check_finite
from pipelines.training.progress import train_each
from pipelines.training.run_files import status_reporter

sys.path.insert(0, str(Path(__file__).parent))
from test_forecasting import write_csv  # noqa: E402


@pytest.mark.parametrize("loss", [math.nan, math.inf, -math.inf])
def test_a_loss_that_is_not_a_number_stops_the_epoch_with_its_reason(loss):
    with pytest.raises(TrainingDiverged, match=r"validation loss is (nan|inf|-inf) at epoch 3.*--learning-rate"):
        check_finite(3, 0.5, loss)
    tally = EpochTally(epoch=2, epochs=4, steps=1, on_progress=None)
    with pytest.raises(TrainingDiverged, match="training loss is .* at epoch 2"):
        tally.add(1, loss, 0, 8, 1.0)
    tally = EpochTally(epoch=2, epochs=4, steps=1, on_progress=None)
    tally.add(1, 0.7, 4, 8, 1.0)
    tally.end_training()
    with pytest.raises(TrainingDiverged, match="validation loss is .* at epoch 2"):
        tally.row(loss, 0.5, 1e-3)
    check_finite(1, 0.5, 0.25)  # finite losses pass


def all_json(root: Path) -> list[Path]:
    return sorted(root.rglob("*.json"))


def assert_strict_json(root: Path) -> None:
    for path in all_json(root):
        json.loads(path.read_text(), parse_constant=lambda name: pytest.fail(f"{path} holds {name}"))


def test_a_nan_progress_report_and_a_failure_do_not_stop_the_rest(tmp_path):
    """The status machinery itself: a nan in a progress report must not make the failure unrecordable."""
    store = Store(tmp_path / "store")

    def train_one(run_id, claim, on_step):
        report = status_reporter(claim, 0.0, on_step)
        if run_id == "first":
            report({"epoch": 1, "epochs": 1, "step": 1, "steps": 1, "train_loss": math.nan})
            raise RuntimeError("the loss went nan")
        return "trained"

    outcomes = train_each(store, "toy", ["first", "second"], "toy zoo", train_one, show_progress=False)
    assert [(outcome.run_id, outcome.result) for outcome in outcomes] == [("first", "failed"), ("second", "trained")]
    status = json.loads((store.root / "toy" / "first" / "status.json").read_text())
    assert status["state"] == "failed" and "the loss went nan" in status["error"] and status["train_loss"] is None
    assert_strict_json(store.root)


def test_a_diverging_forecaster_fails_alone_and_the_zoo_goes_on(tmp_path, capsys):
    root = tmp_path / "store"
    args = ["--artifacts", str(root), "train", "--dataset", write_csv(tmp_path), "--zoo", "forecast-quick",
            "--epochs", "2", "--lookback", "12", "--horizon", "4", "--learning-rate", "1e30", "--quiet"]  # fmt: skip
    assert main(args) == 1  # some runs failed
    assert "3 trained, 0 skipped, 0 busy, 4 failed" in capsys.readouterr().out  # every recurrent one, the encoder-
    # decoder too; the three baselines train
    states = {record.run_id: record for record in Store(root).runs("csv-sales")}
    for record in states.values():
        if record.framework == "torch":
            assert record.state == "failed" and "training diverged" in record.status.error
        else:
            assert record.state == "done"
    assert_strict_json(root)


def test_a_classifier_whose_validation_loss_is_nan_fails_alone(tmp_path, monkeypatch, capsys):
    monkeypatch.setattr(torch_loop, "loss_and_accuracy", lambda probabilities, labels: (math.nan, 0.5))
    data = write_rt_corpus(tmp_path / "data").parent
    root = tmp_path / "store"
    assert main(["--artifacts", str(root), "train", "--dataset", "rt-polarity", "--zoo", "quick", "--only",
                 "rnn-uni-*", "--epochs", "1", "--data-dir", str(data), "--quiet"]) == 1  # fmt: skip
    assert "2 trained, 0 skipped, 0 busy, 1 failed" in capsys.readouterr().out  # the two baselines train
    failed = [record for record in Store(root).runs("rt-polarity") if record.state == "failed"]
    assert len(failed) == 1 and "validation loss is nan at epoch 1" in failed[0].status.error
    assert_strict_json(root)


def test_a_diverging_language_model_fails_alone_with_its_reason(tmp_path, capsys):
    data = write_rt_corpus(tmp_path / "data").parent
    root = tmp_path / "store"
    assert main(["--artifacts", str(root), "train", "--dataset", "rt-polarity-chars", "--zoo", "charlm-small",
                 "--only", "2gram", "--only", "gru-*", "--epochs", "1", "--learning-rate", "1e30",
                 "--data-dir", str(data), "--quiet"]) == 1  # fmt: skip
    assert "1 trained, 0 skipped, 0 busy, 1 failed" in capsys.readouterr().out
    failed = [record for record in Store(root).runs("rt-polarity-chars") if record.state == "failed"]
    assert len(failed) == 1 and "training diverged" in failed[0].status.error
    assert_strict_json(root)
