"""`train --executor ray`: the same runs as the local executor, the store's guarantees, and bad input.

A Ray instance on this machine (`ray.init(num_cpus=2)`) trains a tiny zoo on
generated data; the multi-node test with a killed node is in test_ray_cluster.py.
"""

from __future__ import annotations

import json
import signal
import subprocess
import sys
import time

import pandas as pd
import psutil
import pytest

from pipelines.cli import main
from pipelines.store import Store
from pipelines.training.cluster import ClusterOptions, describe_missing, gpu_share, parse_address, worker_check
from pipelines.training.train import train_zoo

ray = pytest.importorskip("ray")

LOCK = "ray"  # one Ray instance on the machine at a time, whichever xdist worker runs this module
pytestmark = pytest.mark.usefixtures("one_at_a_time")

TINY = dict(zoo_name="quick", frameworks=["torch"], only=["gru-*", "lstm-uni-1x*"], show_progress=False, words=False,
            baselines=False)  # the baselines train in the driver, whatever the executor
# Scores, not timings: what "the same metrics" means. Timings (train_seconds, ...) differ from run to run.
SCORES = ("accuracy", "balanced_accuracy", "f1_macro", "f1_weighted", "precision_macro", "recall_macro", "log_loss",
          "roc_auc", "validation_loss", "validation_accuracy", "best_epoch", "epochs_trained", "parameters")
SETTINGS = {"epochs": 4, "learning_rate": 0.01, "batch_size": 16}  # enough for the tiny zoo to learn
TOLERANCE = 1e-6  # absolute, on every score and class probability (float32 training; seen: exactly equal)


def train_arguments(store_dir, data_dir, *flags) -> list[str]:
    return ["--artifacts", str(store_dir), "train", "--zoo", "quick", "--only", "rnn-*", "--data-dir", str(data_dir),
            "--epochs", "25", "--patience", "25", "--no-top-words", "--no-baselines", "--quiet", *flags]  # fmt: skip


# ----------------------------------------------------------------------------
# Without a cluster: checked before Ray starts


@pytest.mark.parametrize("flags, message", [
    (["--executor", "ray", "--address", "127.0.0.1:1"], "no Ray cluster answers at 127.0.0.1:1"),
    (["--executor", "ray", "--address", "http://head"], "--address must be auto, HOST:PORT"),
    (["--address", "auto"], "--address only apply to --executor ray"),
    (["--executor", "ray", "--cpus-per-run", "0"], "--cpus-per-run must be positive"),
])  # fmt: skip
def test_bad_cluster_input_is_one_line_and_writes_nothing(tmp_path, rt_data_dir, flags, message, capsys):
    assert main(train_arguments(tmp_path / "store", rt_data_dir, *flags)) == 2
    error = capsys.readouterr().err
    assert error.startswith("error: ") and error.count("\n") == 1 and message in error
    assert not (tmp_path / "store").exists()


def test_addresses_and_gpu_shares():
    assert parse_address("auto") is None
    assert parse_address("head.example:6380") == ("head.example", 6380)
    assert parse_address("ray://10.0.0.5:10001") == ("10.0.0.5", 10001)
    assert parse_address("[::1]:6379") == ("::1", 6379)
    assert parse_address("head") == ("head", 6379)
    for wrong in ("head:port", "head:70000", "http://head:80", ""):
        with pytest.raises(ValueError, match="--address"):
            parse_address(wrong)
    assert gpu_share(None, "auto", 0) == 0 and gpu_share(None, "auto", 1) == 0.25 and gpu_share(0.5, "cuda", 2) == 0.5
    assert gpu_share(None, "cpu", 8) == 0
    for requested, device, gpus, message in [(None, "cuda", 0, "has no GPU"), (0.5, "auto", 0, "has no GPU"),
                                             (0.5, "cpu", 1, "--device cpu"), (2, "auto", 1, "largest node"),
                                             (0, "cuda", 1, "share of a GPU")]:  # fmt: skip
        with pytest.raises(ValueError, match=message):
            gpu_share(requested, device, gpus)
    with pytest.raises(ValueError, match="whole number"):
        ClusterOptions(gpus_per_run=1.5)


def test_a_worker_says_what_it_cannot_import():
    facts = worker_check(("json", "no_such_module_rnnlens"))
    assert list(facts["missing"]) == ["no_such_module_rnnlens"] and facts["python"]
    line = describe_missing([facts, worker_check(("json",))])
    assert f"{facts['host']} lacks no_such_module_rnnlens" in line and "pip install -r requirements.txt" in line
    assert describe_missing([worker_check(("json",))]) is None


def test_a_queued_run_whose_driver_holds_its_lock_reads_as_queued_even_with_a_pid_from_elsewhere(tmp_path):
    """A driver on another machine sharing the store: its pid means nothing here, its lock does."""
    elsewhere = subprocess.Popen([sys.executable, "-c", "pass"])
    elsewhere.wait()  # a pid no process here has now
    store = Store(tmp_path)
    with store.claim("rt-polarity", "torch-rnn-uni-1x64-mean-00000000") as claim:
        claim.set_status("queued")
        status = json.loads((claim.path / "status.json").read_text())
        (claim.path / "status.json").write_text(json.dumps({**status, "pid": elsewhere.pid}))
        assert store.run("rt-polarity", claim.run_id).state == "queued"
    assert store.run("rt-polarity", claim.run_id).state == "interrupted"  # its driver let go without training it


def test_ctrl_c_stops_the_workers_and_the_next_train_redoes_the_unfinished_runs(tmp_path, rt_data_dir, capsys):
    """SIGINT to the driver, as Ctrl-C sends it: exit 130, its Ray processes end, nothing half-done is done."""
    store_dir = tmp_path / "store"
    longer = ("--epochs", "100", "--patience", "100")  # runs long enough to be caught mid-way on a busy machine
    command = [sys.executable, "-m", "pipelines", *train_arguments(store_dir, rt_data_dir, *longer, "--executor", "ray",
                                                                   "--ray-cpus", "1")]  # fmt: skip
    driver = subprocess.Popen(command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    store = Store(store_dir)
    deadline = time.monotonic() + 180
    while not any(record.state == "running" and record.status.node for record in store.runs()):
        assert driver.poll() is None and time.monotonic() < deadline, driver.communicate()
        time.sleep(0.5)
    workers = psutil.Process(driver.pid).children(recursive=True)
    assert workers  # Ray's processes, started by this driver
    driver.send_signal(signal.SIGINT)
    _, stderr = driver.communicate(timeout=120)
    assert driver.returncode == 130, stderr
    assert "unfinished runs will be redone on the next start" in stderr
    psutil.wait_procs(workers, timeout=60)
    assert not [worker for worker in workers if worker.is_running() and worker.status() != psutil.STATUS_ZOMBIE]

    states = {record.run_id: record.state for record in store.runs()}
    assert "interrupted" in states.values() and set(states.values()) <= {"interrupted", "done"}
    unfinished = sum(state != "done" for state in states.values())
    assert main(train_arguments(store_dir, rt_data_dir, *longer)) == 0
    assert f"{unfinished} trained, {2 - unfinished} skipped" in capsys.readouterr().out
    assert {record.state for record in store.runs()} == {"done"}


# ----------------------------------------------------------------------------
# With a Ray instance on this machine


@pytest.fixture(scope="module")
def local_ray():
    ray.init(num_cpus=2, include_dashboard=False, object_store_memory=200 * 1024**2, log_to_driver=False,
             logging_level="ERROR", address="local")  # fmt: skip
    yield
    ray.shutdown()


def test_ray_trains_the_same_runs_as_the_local_executor(tmp_path, rt_data_dir, local_ray):
    local, remote = Store(tmp_path / "local"), Store(tmp_path / "ray")
    local_outcomes = train_zoo(local, "rt-polarity", data_dir=rt_data_dir, overrides=SETTINGS, **TINY)

    # A second driver holds one run: Ray trains the others and leaves that one to it.
    held = local_outcomes[0].run_id
    with remote.claim("rt-polarity", held) as other_driver:
        assert other_driver is not None
        outcomes = train_zoo(remote, "rt-polarity", data_dir=rt_data_dir, overrides=SETTINGS, executor="ray",
                             cluster=ClusterOptions(), **TINY)  # fmt: skip
    assert {o.run_id: o.result for o in outcomes} == {o.run_id: "busy" if o.run_id == held else "trained"
                                                      for o in local_outcomes}  # fmt: skip
    again = train_zoo(remote, "rt-polarity", data_dir=rt_data_dir, overrides=SETTINGS, executor="ray", **TINY)
    assert sorted(o.result for o in again) == ["skipped"] * (len(local_outcomes) - 1) + ["trained"]

    assert len(local_outcomes) == 3 and {o.result for o in local_outcomes} == {"trained"}
    assert max(local.run("rt-polarity", o.run_id).metrics.accuracy for o in local_outcomes) > 0.7  # they learned
    for outcome in local_outcomes:
        mine, theirs = local.run("rt-polarity", outcome.run_id), remote.run("rt-polarity", outcome.run_id)
        assert theirs.state == "done" and theirs.status.node and mine.status.node is None
        for score in SCORES:
            assert getattr(theirs.metrics, score) == pytest.approx(getattr(mine.metrics, score), abs=TOLERANCE), score
        assert theirs.metrics.confusion_matrix == mine.metrics.confusion_matrix
        assert theirs.spec.model == mine.spec.model and theirs.spec.training == mine.spec.training
        probabilities = [store.read_predictions("rt-polarity", outcome.run_id).filter(like="prob_")
                         for store in (local, remote)]  # fmt: skip
        assert (probabilities[0] - probabilities[1]).abs().max().max() <= TOLERANCE
        history = [store.read_history("rt-polarity", outcome.run_id) for store in (local, remote)]
        pd.testing.assert_frame_equal(history[0][["val_loss", "train_loss"]], history[1][["val_loss", "train_loss"]],
                                      atol=TOLERANCE, rtol=0)  # fmt: skip
        files = sorted(path.name for path in theirs.path.iterdir() if not path.name.startswith("."))
        assert files == sorted(path.name for path in mine.path.iterdir() if not path.name.startswith("."))
        assert json.loads((theirs.path / "status.json").read_text())["state"] == "done"


def test_a_cluster_that_cannot_train_the_runs_is_refused_before_anything_is_written(tmp_path, rt_data_dir,
                                                                                     local_ray, monkeypatch):
    store = Store(tmp_path / "store")
    attempts = [
        (ClusterOptions(gpus_per_run=0.5), "the Ray cluster has no GPU"),
        (ClusterOptions(cpus_per_run=3), "the largest node of the cluster has 2"),
    ]
    for options, message in attempts:
        with pytest.raises(ValueError, match=message):
            train_zoo(store, "rt-polarity", data_dir=rt_data_dir, executor="ray", cluster=options, **TINY)
    import pipelines.training.ray_executor as ray_executor

    monkeypatch.setattr(ray_executor, "WORKER_MODULES", ray_executor.WORKER_MODULES + ("no_such_module_rnnlens",))
    with pytest.raises(ValueError, match="lacks no_such_module_rnnlens"):
        train_zoo(store, "rt-polarity", data_dir=rt_data_dir, executor="ray", **TINY)
    assert not store.root.exists()
    assert ray.is_initialized()  # a Ray session the caller started is left running


@pytest.fixture
def not_ray():
    """An HTTP server on a free loopback port: something listens there, but it is not Ray."""
    import http.server
    import threading

    class Quiet(http.server.SimpleHTTPRequestHandler):
        def log_message(self, *args):  # the test reads stderr: only the command's line belongs there
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Quiet)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server.server_address[1]
    server.shutdown()
    server.server_close()


@pytest.mark.parametrize("scheme", ["", "ray://"])
def test_an_address_that_is_not_ray_fails_in_seconds_in_one_line(scheme, not_ray, tmp_path, rt_data_dir, capsys):
    import time

    address = f"{scheme}127.0.0.1:{not_ray}"
    started = time.monotonic()
    assert main(train_arguments(tmp_path / "store", rt_data_dir, "--executor", "ray", "--address", address)) == 2
    assert time.monotonic() - started < 5
    error = capsys.readouterr().err
    assert error.startswith(f"error: no Ray cluster answers at {address}") and error.count("\n") == 1, error
    assert not (tmp_path / "store").exists()


def test_a_job_waiting_for_a_slot_checks_the_address_before_taking_one(not_ray, tmp_path, rt_data_dir, monkeypatch,
                                                                        capsys):  # fmt: skip
    import pipelines.training.slots as slots

    monkeypatch.setattr(slots, "training_slot", lambda *args, **kwargs: pytest.fail("took a slot before connecting"))
    arguments = train_arguments(tmp_path / "store", rt_data_dir, "--executor", "ray", "--address",
                                f"127.0.0.1:{not_ray}", "--wait-for-slot")  # fmt: skip
    assert main(arguments) == 2
    assert "no Ray cluster answers" in capsys.readouterr().err


def test_an_address_that_is_not_ray_is_refused_before_any_framework_loads(not_ray, tmp_path, rt_data_dir):
    """The address is checked before the trainer (and PyTorch) is imported: the refusal costs about a second."""
    import subprocess
    import sys

    arguments = train_arguments(tmp_path / "store", rt_data_dir, "--executor", "ray", "--address",
                                f"127.0.0.1:{not_ray}")  # fmt: skip
    probe = ("import sys\nfrom pipelines.cli import main\n"
             f"assert main({arguments!r}) == 2\n"
             "assert 'torch' not in sys.modules, 'the trainer was imported before the address was checked'")
    result = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True)
    assert result.returncode == 0, result.stderr[-2000:]
    assert "no Ray cluster answers" in result.stderr
