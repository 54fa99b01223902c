import json
import os
import signal
import subprocess
import sys
import textwrap
import time

import pytest

from pipelines.store import Store, write_json, write_text


@pytest.fixture
def store(tmp_path):
    return Store(tmp_path / "artifacts")


def finish(claim, metrics=None):
    claim.write_json("spec.json", {"framework": "torch", "model": {}})
    for name in ("history.csv", "predictions.csv", "weights.safetensors"):
        (claim.path / name).write_text("x")
    claim.write_json("metrics.json", metrics or {"accuracy": 0.9})
    claim.set_status("done")


def test_atomic_write_keeps_the_old_file_when_writing_fails(tmp_path):
    path = tmp_path / "status.json"
    write_json(path, {"state": "done"})

    def broken(temporary):
        temporary.write_text('{"state": "runn')
        raise RuntimeError("disk full")

    from pipelines.store import write_atomically

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
                               env={**os.environ, "PYTHONPATH": os.getcwd()})  # fmt: skip
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
    assert states["empty"] == ("corrupt", "no status.json")


def test_status_updates_are_visible_to_readers(store):
    with store.claim("ds", "run-1") as claim:
        claim.set_status("running", progress=0.25, epoch=1)
        record = store.run("ds", "run-1")
        assert record.state == "running" and record.status["progress"] == 0.25
        assert time.time() - record.status["updated_at"] < 60
