"""End to end through the command line, as a user would run it."""

import json
import os
import subprocess
import sys

import pytest

from conftest import in_this_process
from pipelines.cli import main
from pipelines.store import Store


def run_cli(*args, check=True):
    result = subprocess.run([sys.executable, "-m", "pipelines", *args], capture_output=True, text=True,
                            env=os.environ)  # fmt: skip
    if check and result.returncode != 0:
        raise AssertionError(f"exit {result.returncode}\n{result.stdout}\n{result.stderr}")
    return result


def printed(*args) -> str:
    """What `python -m pipelines ARGS` prints, run through the same `main` in this process (conftest.in_this_process;
    the first command of a test goes through `python -m pipelines` itself)."""
    result = in_this_process(main, *args)
    assert result.returncode == 0, result.stdout + result.stderr
    return result.stdout


def test_train_then_list_then_train_again_skips(tmp_path, rt_data_dir):
    store_dir = tmp_path / "store"
    args = ["--artifacts", str(store_dir), "train", "--dataset", "rt-polarity", "--zoo", "quick",
            "--data-dir", str(rt_data_dir), "--epochs", "2", "--quiet"]  # fmt: skip
    first = run_cli(*args)
    assert "9 trained, 0 skipped" in first.stdout  # the quick zoo's 7 and the data set's 2 baselines

    listing = json.loads(printed("--artifacts", str(store_dir), "list", "--json"))
    assert len(listing) == 9 and {row["state"] for row in listing} == {"done"}
    assert all(0 <= row["accuracy"] <= 1 and row["parameters"] > 0 for row in listing)
    assert sorted(row["task"] for row in listing) == ["baseline"] * 2 + ["classification"] * 7

    store = Store(store_dir)
    record = store.run("rt-polarity", next(row["run_id"] for row in listing if row["task"] == "classification"))
    assert record.model_spec.vocab_size == len(store.read_vocabulary("rt-polarity"))
    assert record.spec.versions["torch"] and record.task == "classification"
    history = store.read_history("rt-polarity", record.run_id)
    assert list(history["epoch"]) == [1, 2]
    predictions = store.read_predictions("rt-polarity", record.run_id)
    assert len(predictions) == 12 and {"prob_negative", "prob_positive"} <= set(predictions.columns)
    assert (predictions[["prob_negative", "prob_positive"]].sum(axis=1) - 1).abs().max() < 1e-5
    dataset = store.read_dataset("rt-polarity")
    assert dataset.split_size("test") == 12 and len(store.read_test_examples("rt-polarity")) == 12

    assert "0 trained, 9 skipped" in printed(*args)  # the same command, in this process

    table = printed("--artifacts", str(store_dir), "list")
    assert "torch-gru-bi-1x64-mean-" in table and "done" in table
    assert table.index("[baseline]") < table.index("sklearn-tfidf-lr-1-2gram-") < table.index("[classification]")


def test_same_request_gives_the_same_run_ids_and_a_different_seed_new_ones(tmp_path, rt_data_dir):
    from pipelines.training.config import TrainConfig
    from pipelines.models.zoos import quick_zoo
    from pipelines.training.train import plan_runs, prepare_data

    data = prepare_data(Store(tmp_path / "s"), "rt-polarity", data_dir=rt_data_dir)
    ids = lambda config: [run.run_id for run in plan_runs(data, quick_zoo(), ["torch"], config)]  # noqa: E731
    assert ids(TrainConfig()) == ids(TrainConfig())
    assert not set(ids(TrainConfig())) & set(ids(TrainConfig(seed=1)))


@pytest.mark.parametrize(
    "args,message",
    [
        (["train", "--dataset", "mnist"], "unknown data set 'mnist'"),
        (["train", "--dataset", "nusax", "--language", "klingon"], "unknown NusaX language"),
        (["train", "--epochs", "0"], "epochs"),
        (["train", "--device", "cuda"], "no CUDA GPU"),
        (["train", "--seeds", "0"], "--seeds must be at least 1"),
    ],
)
def test_bad_input_is_one_clear_line(args, message, capsys):
    import torch

    if "cuda" in args and torch.cuda.is_available():
        pytest.skip("this machine has a GPU")
    assert main(args) == 2
    error = capsys.readouterr().err
    assert message in error and "Traceback" not in error


def test_every_training_setting_is_a_train_flag(tmp_path, rt_data_dir, capsys):
    from pipelines.training.config import FIELDS

    store_dir = tmp_path / "store"
    given = {"epochs": 1, "batch_size": 8, "learning_rate": 0.01, "weight_decay": 0.001, "clip_norm": 0.5,
             "patience": 2, "lr_patience": 0, "lr_factor": 0.25, "seed": 7, "stop_at_accuracy": 0.99,
             "max_seconds": 600.0}  # fmt: skip
    assert set(given) == set(FIELDS)  # a new setting gets a flag here too
    flags = [part for name, value in given.items() for part in (f"--{name.replace('_', '-')}", str(value))]
    args = ["--artifacts", str(store_dir), "train", "--zoo", "quick", "--only", "rnn-uni-*", "--data-dir",
            str(rt_data_dir), "--quiet", "--no-top-words", "--no-baselines", *flags]  # fmt: skip
    assert main(args) == 0
    (record,) = Store(store_dir).runs()
    assert record.spec.training == given
    with pytest.raises(SystemExit) as exit_info:
        main(["train", "--lr-patience", "1.5"])  # a whole number, checked against the default's type
    assert exit_info.value.code == 2 and "invalid int value: '1.5'" in capsys.readouterr().err


def test_list_on_an_empty_store_says_what_to_do(tmp_path, capsys):
    assert main(["--artifacts", str(tmp_path / "nothing"), "list"]) == 0
    assert "python -m pipelines train" in capsys.readouterr().out

