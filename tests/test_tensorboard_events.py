"""TensorBoard event files: written for every finished run, read back by TensorBoard's own reader, equal to
history.csv and metrics.json."""

from __future__ import annotations

import pytest

from dashboard_stores import copy_store, done_runs, trained_store
from pipelines.cli import main
from pipelines.store import Store
from pipelines.tensorboard_events import FILE_NAME, FOLDER, export_run, read_scalars


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    return trained_store(tmp_path_factory)


def test_a_runs_events_read_back_equal_to_its_history_and_metrics(trained, tmp_path):
    assert all((trained / "rt-polarity" / run_id / FOLDER).is_dir() for run_id in done_runs(trained))  # train_zoo's
    root = copy_store(trained, tmp_path / "copy", datasets=("rt-polarity",))
    store = Store(root)
    run_id = done_runs(root)[0]
    record = store.run("rt-polarity", run_id)
    export_run(store, record)
    scalars = read_scalars(record.path / FOLDER)  # TensorBoard's own EventAccumulator
    history = store.read_history("rt-polarity", run_id)
    for column, (run, tag) in {"train_loss": ("train", "epoch_loss"), "val_loss": ("validation", "epoch_loss"),
                               "val_accuracy": ("validation", "epoch_accuracy"),
                               "learning_rate": ("train", "epoch_learning_rate")}.items():  # fmt: skip
        steps, values = zip(*scalars[f"{run}/{tag}"])
        assert list(steps) == list(history["epoch"])
        assert values == pytest.approx(list(history[column]), rel=1e-6)  # stored as 32-bit floats
    assert scalars["test/accuracy"][0][1] == pytest.approx(record.metrics.accuracy, rel=1e-6)
    assert scalars["test/macro_f1"][0][1] == pytest.approx(record.metrics.f1_macro, rel=1e-6)


def test_the_settings_go_to_the_hparams_tab(trained):
    from tensorboard.backend.event_processing.event_accumulator import EventAccumulator
    from tensorboard.plugins.hparams import plugin_data_pb2

    record = Store(trained).run("rt-polarity", done_runs(trained)[0])
    accumulator = EventAccumulator(str(record.path / FOLDER))
    accumulator.Reload()
    content = accumulator.PluginTagToContent("hparams")["_hparams_/session_start_info"]
    start = plugin_data_pb2.HParamsPluginData.FromString(content).session_start_info
    assert start.hparams["cell"].string_value == record.model_spec.cell
    assert start.hparams["seed"].number_value == record.spec.seed
    assert start.group_name  # TensorBoard groups a model's sessions under it


def test_a_baseline_has_test_scores_but_no_curves(trained):
    store = Store(trained)
    baseline = done_runs(trained, task="baseline")[-1]
    scalars = read_scalars(store.run_dir("rt-polarity", baseline) / FOLDER)
    assert set(scalars) == {"test/accuracy", "test/macro_f1", "test/roc_auc", "test/log_loss"}


def test_the_export_command_writes_missing_events_and_replaces_old_ones(trained, tmp_path, capsys):
    root = copy_store(trained, tmp_path / "copy", datasets=("rt-polarity",))
    store = Store(root)
    first, second = done_runs(root)[:2]
    folder = store.run_dir("rt-polarity", first) / FOLDER
    for path in folder.rglob("*"):
        if path.is_file():
            path.unlink()
    assert main(["--artifacts", str(root), "tensorboard", "--dataset", "rt-polarity"]) == 0
    out = capsys.readouterr().out
    assert f"tensorboard --logdir {root}" in out and "finished runs" in out
    assert sorted(path.relative_to(folder).as_posix() for path in folder.rglob(f"*{FILE_NAME}")) == [
        FILE_NAME, f"test/{FILE_NAME}", f"train/{FILE_NAME}", f"validation/{FILE_NAME}"]
    export_run(store, store.run("rt-polarity", second))  # again: one file per folder, not a second one
    assert len(list((store.run_dir("rt-polarity", second) / FOLDER / "train").iterdir())) == 1
    assert main(["--artifacts", str(root), "tensorboard", "--run", "no-such-run"]) == 2
    assert "no run 'no-such-run'" in capsys.readouterr().err


def test_only_a_finished_run_is_exported(trained, tmp_path):
    from pipelines.files import write_json

    root = copy_store(trained, tmp_path / "copy", datasets=("rt-polarity",))
    store = Store(root)
    run_id = done_runs(root)[0]
    write_json(store.run_dir("rt-polarity", run_id) / "status.json", {"state": "failed", "error": "out of memory"})
    with pytest.raises(ValueError, match="only a finished run"):
        export_run(store, store.run("rt-polarity", run_id))
