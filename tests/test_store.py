import json
import os
import signal
import subprocess
import sys
import textwrap
import time

import pytest

from pipelines.files import write_json, write_text
from pipelines.models.spec import ModelSpec
from pipelines.records import ClassificationMetrics
from pipelines.store import DamagedFile, Store
from pipelines.tasks import TASKS, Task, require_recurrent_classifier
from read_only import make_read_only
from run_documents import finish, metrics_document, spec_document


@pytest.fixture
def store(tmp_path):
    return Store(tmp_path / "artifacts")


def test_atomic_write_keeps_the_old_file_when_writing_fails(tmp_path):
    path = tmp_path / "status.json"
    write_json(path, {"state": "done"})

    def broken(temporary):
        temporary.write_text('{"state": "runn')
        raise RuntimeError("disk full")

    from pipelines.files import write_atomically

    with pytest.raises(RuntimeError):
        write_atomically(path, broken)
    assert json.loads(path.read_text()) == {"state": "done"}
    assert [p.name for p in tmp_path.iterdir()] == ["status.json"]  # no temporary left behind


def test_written_files_are_readable_by_others(tmp_path):
    write_text(tmp_path / "a.txt", "hello")
    assert (tmp_path / "a.txt").stat().st_mode & 0o044


def test_a_finished_run_is_not_handed_out_again(store):
    with store.claim("ds", "run-1") as claim:
        finish(claim)
    assert store.run("ds", "run-1").state == "done"
    with store.claim("ds", "run-1") as claim:
        assert claim is None


def test_a_failed_run_is_wiped_and_redone(store):
    with store.claim("ds", "run-1") as claim:
        (claim.path / "history.csv").write_text("half")
        claim.set_status("failed", error="boom")
    record = store.run("ds", "run-1")
    assert record.state == "failed" and record.problem == "boom"
    with store.claim("ds", "run-1") as claim:
        assert claim is not None
        assert not (claim.path / "history.csv").exists()


HOLDER = textwrap.dedent(
    """
    import sys, time
    from pipelines.store import Store
    store = Store(sys.argv[1])
    with store.claim("ds", "run-1") as claim:
        claim.set_status("running", progress=0.5)
        print("claimed", flush=True)
        time.sleep(60)
    """
)


def start_holder(store):
    process = subprocess.Popen([sys.executable, "-c", HOLDER, str(store.root)], stdout=subprocess.PIPE, text=True,
                               env=os.environ)  # fmt: skip
    assert process.stdout.readline().strip() == "claimed"
    return process


def test_two_processes_never_train_the_same_run(store):
    holder = start_holder(store)
    try:
        assert store.run("ds", "run-1").state == "running"
        with store.claim("ds", "run-1") as claim:
            assert claim is None  # the other process has it
        assert not store.mark_queued("ds", "run-1", {"zoo": "quick"})
    finally:
        holder.kill()
        holder.wait()


def test_a_killed_run_reads_as_interrupted_and_is_redone_cleanly(store):
    holder = start_holder(store)
    (store.run_dir("ds", "run-1") / "history.csv").write_text("epoch\n1\n")
    os.kill(holder.pid, signal.SIGKILL)
    holder.wait()
    record = store.run("ds", "run-1")
    assert record.state == "interrupted"
    with store.claim("ds", "run-1") as claim:
        assert claim is not None
        assert sorted(p.name for p in claim.path.iterdir()) == [".lock"]


def test_queued_runs_of_a_dead_job_read_as_interrupted(store):
    assert store.mark_queued("ds", "run-2", {"zoo": "quick"})
    assert store.run("ds", "run-2").state == "queued"
    status = json.loads((store.run_dir("ds", "run-2") / "status.json").read_text())
    status["pid"] = 2**22 + 12345  # no such process
    write_json(store.run_dir("ds", "run-2") / "status.json", status)
    assert store.run("ds", "run-2").state == "interrupted"


def test_damaged_runs_are_reported_not_raised(store):
    with store.claim("ds", "good") as claim:
        finish(claim)
    broken = store.run_dir("ds", "garbled")
    broken.mkdir(parents=True)
    (broken / "status.json").write_text("{not json")
    no_metrics = store.run_dir("ds", "no-metrics")
    with store.claim("ds", "no-metrics") as claim:
        finish(claim)
    (no_metrics / "metrics.json").unlink()
    (store.run_dir("ds", "empty")).mkdir()
    states = {record.run_id: (record.state, record.problem) for record in store.runs("ds")}
    assert states["good"] == ("done", None)
    assert states["garbled"][0] == "corrupt" and "status.json" in states["garbled"][1]
    assert states["no-metrics"][0] == "corrupt" and "metrics.json" in states["no-metrics"][1]
    assert states["empty"] == ("interrupted", "the training process stopped before it wrote anything")


def test_status_updates_are_visible_to_readers(store):
    with store.claim("ds", "run-1") as claim:
        claim.set_status("running", progress=0.25, epoch=1)
        record = store.run("ds", "run-1")
        assert record.state == "running" and record.status.progress == 0.25 and record.progress == 0.25
        assert time.time() - record.updated_at < 60


# -- typed records -----------------------------------------------------------------------------


def test_a_finished_run_reads_as_typed_records(store):
    with store.claim("ds", "run-1") as claim:
        finish(claim)
    record = store.run("ds", "run-1")
    assert record.state == "done" and record.task == "classification" and record.classes == ["negative", "positive"]
    assert isinstance(record.metrics, ClassificationMetrics) and record.metrics.accuracy == 0.75
    assert record.metrics.per_class["positive"].support == 4 and record.metrics.confusion_matrix == [[3, 1], [1, 3]]
    assert isinstance(record.model_spec, ModelSpec) and record.model_spec.hidden_size == 64
    assert record.status.state == "done" and record.updated_at > 0
    with pytest.raises(Exception):
        record.metrics.accuracy = 1.0  # frozen


def test_a_run_without_a_task_is_a_classifier(store):
    spec = spec_document("run-1")
    del spec["task"]  # written before run kinds existed
    with store.claim("ds", "run-1") as claim:
        finish(claim, spec=spec)
    assert store.run("ds", "run-1").task == "classification"


def _wrong(document: dict, path: list, value):
    """A copy of `document` with the value at `path` replaced (or deleted, for value=...)."""
    document = json.loads(json.dumps(document))
    target = document
    for key in path[:-1]:
        target = target[key]
    if value is ...:
        del target[path[-1]]
    else:
        target[path[-1]] = value
    return document


WRONG_SHAPES = {
    # file, the written document, the reason the record must give
    "metrics is a list": ("metrics.json", [1, 2], "metrics.json has the wrong shape"),
    "accuracy is text": ("metrics.json", _wrong(metrics_document(), ["accuracy"], "high"), "accuracy"),
    "no f1": ("metrics.json", _wrong(metrics_document(), ["f1_macro"], ...), "f1_macro"),
    "bad confusion": ("metrics.json", _wrong(metrics_document(), ["confusion_matrix"], [["a"]]), "confusion_matrix"),
    "bad per class": ("metrics.json", _wrong(metrics_document(), ["per_class", "positive", "support"], "x"),
                      "per_class.positive.support"),
    "spec is a list": ("spec.json", ["x"], "spec.json has the wrong shape"),
    "spec is empty": ("spec.json", {}, "spec.json has the wrong shape"),
    "classes not a list": ("spec.json", _wrong(spec_document("run-1"), ["dataset", "classes"], 3), "dataset.classes"),
    "model has an unknown key": ("spec.json", _wrong(spec_document("run-1"), ["model", "colour"], "red"), "colour"),
    "model has a bad cell": ("spec.json", _wrong(spec_document("run-1"), ["model", "cell"], "tcn"), "cell"),
    "unknown task": ("spec.json", _wrong(spec_document("run-1"), ["task"], "astrology"), "unknown run kind"),
    "status is a list": ("status.json", [1], "status.json has the wrong shape"),
    "unknown state": ("status.json", {"state": "paused"}, "state"),
    "progress is text": ("status.json", {"state": "done", "progress": "most"}, "progress"),
}


@pytest.mark.parametrize("case", WRONG_SHAPES)
def test_each_wrong_shaped_file_gives_a_corrupt_record_with_its_reason(case, store):
    name, document, reason = WRONG_SHAPES[case]
    with store.claim("ds", "run-1") as claim:
        finish(claim)
    with store.claim("ds", "good") as claim:
        finish(claim)
    write_json(store.run_dir("ds", "run-1") / name, document)
    records = {record.run_id: record for record in store.runs("ds")}  # never raises
    assert records["run-1"].state == "corrupt" and reason in records["run-1"].problem
    assert records["good"].state == "done"


def test_a_damaged_table_is_named_by_the_store(store):
    with store.claim("ds", "run-1") as claim:
        finish(claim)
    write_text(store.run_dir("ds", "run-1") / "history.csv", "epoch,train_loss\n1,0.5\n")
    with pytest.raises(DamagedFile, match="training history of run-1 is damaged.*val_loss"):
        store.read_history("ds", "run-1")
    write_text(store.run_dir("ds", "run-1") / "predictions.csv", "\x00\x01 not a table")
    with pytest.raises(DamagedFile, match="test predictions of run-1"):
        store.read_predictions("ds", "run-1")


def test_a_damaged_card_or_vocabulary_names_the_file(store):
    folder = store.dataset_dir("ds")
    write_json(folder / "dataset.json", {"key": "ds", "title": "t", "splits": {"train": {"size": "big"}}})
    with pytest.raises(DamagedFile, match="ds/dataset.json has the wrong shape: splits.train.size"):
        store.read_dataset("ds")
    write_json(folder / "vocab.json", {})
    with pytest.raises(DamagedFile, match="ds/vocab.json"):
        store.read_vocabulary("ds")


def test_commands_dispatch_on_the_run_kind(store, monkeypatch):
    monkeypatch.setitem(TASKS, "baseline", Task("baseline", "bag-of-words baseline", dict, ClassificationMetrics,
                                               ("metrics.json",), ("model.json",), frozenset()))
    with store.claim("ds", "run-1") as claim:
        claim.write_json("spec.json", spec_document("run-1", framework="sklearn", task="baseline"))
        claim.write_json("model.json", {"weights": []})
        claim.write_json("metrics.json", metrics_document())
        claim.set_status("done")
    record = store.run("ds", "run-1")
    assert record.state == "done" and record.task == "baseline" and record.model_spec["cell"] == "lstm"
    with pytest.raises(ValueError, match="verify works on recurrent classifiers; run-1 is a bag-of-words baseline"):
        require_recurrent_classifier(record, "verify")


def test_a_read_only_store_with_an_interrupted_run_still_lists(store, monkeypatch):
    holder = start_holder(store)
    os.kill(holder.pid, signal.SIGKILL)
    holder.wait()
    make_read_only(monkeypatch, store.root)
    assert [(record.run_id, record.state) for record in store.runs("ds")] == [("run-1", "interrupted")]
