"""Background training jobs: a real `python -m pipelines train` process on generated data."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import psutil
import pytest

from dashboard_stores import open_page, problems
from pipelines.files import write_json
from pipelines.records import RunRecord, RunStatus
from pipelines.training import jobs
from pipelines.training.request import TrainRequest
from pipelines.store import Store


def wait_until_finished(store, job, timeout=180):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        current = {j.job_id: j for j in jobs.list_jobs(store, job.dataset)}[job.job_id]
        if not current.alive:
            return current
        time.sleep(0.3)
    raise AssertionError(f"job {job.job_id} still running after {timeout}s:\n{jobs.tail_log(job)}")


@pytest.fixture
def single_thread(monkeypatch):
    # Two small trainings on a shared 2-core machine: one thread each keeps them quick.
    monkeypatch.setenv("OMP_NUM_THREADS", "1")


def start_job(store: Store, dataset: str, zoo: str, framework: str = "torch", epochs: int | None = None,
              settings: dict | None = None, patience: int | None = None, **fields) -> jobs.Job:
    """What the Train page does: a TrainRequest from its form (checked as it is made), started as a job."""
    frameworks = ("torch", "keras") if framework == "both" else (framework,)
    overrides = {"epochs": epochs, **({"patience": patience} if patience else {})}
    request = TrainRequest(dataset=dataset, zoo=zoo, frameworks=frameworks, overrides=overrides,
                           forecast_settings=settings or {}, **fields)  # fmt: skip
    return jobs.start_job(store, request)


def test_a_job_trains_its_zoo_in_the_background_and_starting_it_twice_gives_one(tmp_path, rt_data_dir, single_thread):
    store = Store(tmp_path / "store")
    first = start_job(store, "rt-polarity", "quick", epochs=1, limit=30, data_dir=str(rt_data_dir))
    second = start_job(store, "rt-polarity", "quick", epochs=1, limit=30, data_dir=str(rt_data_dir))
    assert second.job_id == first.job_id and second.pid == first.pid
    assert first.dataset == "rt-polarity-limit30"
    assert [job.job_id for job in jobs.list_jobs(store)] == [first.job_id]

    finished = wait_until_finished(store, first)
    assert finished.exit_code == 0, jobs.tail_log(finished)
    assert "9 trained, 0 skipped" in jobs.tail_log(finished)  # the zoo's 7 and the data set's 2 baselines
    assert {record.state for record in store.runs("rt-polarity-limit30")} == {"done"}
    assert finished.log_path.parent == store.dataset_dir("rt-polarity-limit30") / ".jobs"

    # The job has ended, so a new start is a new job; it finds every run done and trains nothing.
    again = wait_until_finished(store, start_job(store, "rt-polarity", "quick", epochs=1, limit=30,
                                                      data_dir=str(rt_data_dir)))  # fmt: skip
    assert again.job_id != first.job_id
    assert "0 trained, 9 skipped" in jobs.tail_log(again)


def test_a_job_asks_for_several_seeds_with_the_train_commands_flag(tmp_path, rt_data_dir, single_thread):
    store = Store(tmp_path / "store")
    with pytest.raises(ValueError, match="seeds must be at least 1"):
        start_job(store, "rt-polarity", "quick", seeds=0)
    job = start_job(store, "rt-polarity", "quick", epochs=1, limit=30, data_dir=str(rt_data_dir), seeds=3)
    jobs.stop_job(job)
    assert job.command[job.command.index("--seeds") + 1] == "3"
    wait_until_finished(store, job)


def test_a_job_started_by_another_process_is_seen_alive_then_dead(tmp_path, rt_data_dir, single_thread):
    store = Store(tmp_path / "store")
    job = start_job(store, "rt-polarity", "quick", epochs=1, limit=30, data_dir=str(rt_data_dir))
    child = jobs._children.pop(job.pid)  # forget it, as a second server process would never have known it
    assert jobs.list_jobs(store)[0].alive
    child.wait(timeout=180)  # reaped by us, its real parent
    assert not jobs.list_jobs(store)[0].alive
    assert jobs.list_jobs(store)[0].exit_code is None  # unknown to a process that did not start it


def test_a_finished_but_unreaped_process_is_not_alive():
    zombie = subprocess.Popen([sys.executable, "-c", "pass"])
    deadline = time.monotonic() + 30
    while psutil.Process(zombie.pid).status() != psutil.STATUS_ZOMBIE and time.monotonic() < deadline:
        time.sleep(0.05)
    try:
        assert not jobs._process_alive(zombie.pid, jobs._process_start(zombie.pid))
    finally:
        zombie.wait()
    assert jobs._process_alive(os.getpid(), jobs._process_start(os.getpid()))
    assert not jobs._process_alive(os.getpid(), 1.0)  # a reused pid: started at another time


def test_a_job_that_fails_says_why_in_its_log(tmp_path, single_thread):
    broken = tmp_path / "broken"
    broken.mkdir()
    (broken / "rotten_tomatoes_corpus_full.csv.bz2").write_bytes(b"not bz2 at all")
    store = Store(tmp_path / "store")
    job = wait_until_finished(store, start_job(store, "rt-polarity", "quick", data_dir=str(broken)))
    assert job.exit_code == 2
    assert "error:" in jobs.tail_log(job) and "Traceback" not in jobs.tail_log(job)


@pytest.mark.parametrize("ctrl_c", ["heard", "ignored"])
def test_a_running_job_can_be_stopped(ctrl_c, tmp_path, rt_data_dir, single_thread):
    """Also when the process that starts the job ignores Ctrl-C (a server, a test runner's worker): the job would
    inherit that, and the Stop button would not stop it."""
    store = Store(tmp_path / "store")
    previous = signal.signal(signal.SIGINT, signal.SIG_IGN if ctrl_c == "ignored" else signal.default_int_handler)
    try:  # every run trains all its epochs (no early stop on the tiny data), so the job is still at it when stopped
        job = start_job(store, "rt-polarity", "quick", epochs=100, patience=100, data_dir=str(rt_data_dir))
    finally:
        signal.signal(signal.SIGINT, previous)
    deadline = time.monotonic() + 120
    while not any(r.state == "running" for r in store.runs(job.dataset)) and time.monotonic() < deadline:
        time.sleep(0.2)
    jobs.stop_job(job)
    stopped = wait_until_finished(store, job)
    assert stopped.exit_code in jobs.STOPPED_EXIT_CODES, jobs.tail_log(stopped)
    assert "interrupted" in jobs.tail_log(stopped)
    assert {r.state for r in store.runs(job.dataset)} <= {"interrupted", "done"}


@pytest.mark.parametrize(
    "arguments,message",
    [
        (dict(dataset="mnist", zoo="quick"), "unknown data set"),
        (dict(dataset="rt-polarity", zoo="huge"), "unknown zoo"),
        (dict(dataset="rt-polarity", zoo="quick", framework="jax"), "unknown framework"),
        (dict(dataset="rt-polarity", zoo="quick", epochs=0), "epochs"),
        (dict(dataset="co2", zoo="quick"), "co2 is a series: train a forecast zoo on it"),  # a text zoo for a series
        (dict(dataset="rt-polarity", zoo="forecast-quick"), "rt-polarity is not a series"),
        (dict(dataset="rt-polarity", zoo="quick", address="auto"), "--address only apply to --executor ray"),
        (dict(dataset="rt-polarity-chars", zoo="charlm", seeds=2), "--seeds apply to classifier zoos or series"),
    ],
)
def test_bad_settings_are_refused_before_anything_starts(tmp_path, arguments, message):
    store = Store(tmp_path / "store")
    with pytest.raises(ValueError, match=message):
        start_job(store, **arguments)
    assert jobs.list_jobs(store) == []


def fake_job(alive: bool, waiting: bool = False, exit_code: int | None = None, pid: int = 4242) -> jobs.Job:
    """A job record as `list_jobs` makes it, without a process behind it."""
    return jobs.Job(job_id="j", dataset="ds", zoo="quick", framework="torch", pid=pid, command=[], started_at=0.0,
                    folder=Path("."), alive=alive, waiting=waiting, exit_code=exit_code)  # fmt: skip


def fake_run(state: str, pid: int = 4242) -> RunRecord:
    return RunRecord("ds", f"run-{state}", Path("."), state, status=RunStatus(state=state, pid=pid))


def test_a_job_whose_runs_have_all_ended_is_finishing_not_waiting_for_a_slot():
    # Its slot is released before its process exits: it holds none, but it is not in line for one either.
    done = [fake_run("done"), fake_run("failed")]
    assert jobs.job_phase(fake_job(alive=True, waiting=True), done) == "finishing"
    assert jobs.job_phase(fake_job(alive=True), done) == "finishing"
    assert jobs.job_phase(fake_job(alive=True), [*done, fake_run("queued")]) == "running"
    # In line behind another job of the data set: that job's runs, all done, are not this one's.
    assert jobs.job_phase(fake_job(alive=True, waiting=True, pid=7), done) == "waiting for a training slot"
    assert jobs.job_phase(fake_job(alive=True, waiting=True), []) == "waiting for a training slot"
    assert jobs.job_phase(fake_job(alive=False, exit_code=0), done) == "finished"


@pytest.mark.parametrize("exit_code,words", [
    (-9, "killed (signal 9, SIGKILL)"), (137, "killed (signal 9, SIGKILL)"), (-15, "killed (signal 15, SIGTERM)"),
    (-2, "stopped"), (130, "stopped"), (0, "finished"), (2, "stopped with an error"), (3, "ended with exit status 3"),
    (None, "ended"),
])  # fmt: skip
def test_an_ended_job_says_whether_a_signal_killed_it(exit_code, words):
    assert jobs.job_phase(fake_job(alive=False, exit_code=exit_code), [fake_run("running")]) == words


def test_tail_log_keeps_the_last_lines_and_the_final_state_of_redrawn_ones(tmp_path):
    folder = tmp_path / ".jobs"
    folder.mkdir()
    lines = b"".join(f"line {i}\n".encode() for i in range(100))
    (folder / "j.log").write_bytes(lines + b"bar 10%\rbar 50%\rbar 100%\n")
    job = jobs.Job("j", "ds", "quick", "torch", 1, [], 0.0, folder)
    assert jobs.tail_log(job, lines=3) == "line 98\nline 99\nbar 100%"
    assert jobs.tail_log(jobs.Job("missing", "ds", "quick", "torch", 1, [], 0.0, folder)) == ""


def test_a_forecast_job_trains_forecasters_and_baselines_on_a_series(tmp_path, single_thread):
    """The Train page's forecasting form: a forecast zoo on co2 (shipped inside statsmodels), cut small."""
    store = Store(tmp_path / "store")
    job = start_job(store, "co2", "forecast-quick", epochs=1, settings={"lookback": 26, "horizon": 8,
                                                                              "test_fraction": None})  # fmt: skip
    assert job.dataset == "co2" and "--lookback" in job.command and "--test-fraction" not in job.command
    finished = wait_until_finished(store, job)
    assert finished.exit_code == 0, jobs.tail_log(finished)
    assert "7 trained, 0 skipped" in jobs.tail_log(finished)  # 3 recurrent, the encoder-decoder, 3 baselines
    assert {record.framework for record in store.runs("co2")} == {"torch", "baseline", "statsmodels"}
    with pytest.raises(ValueError, match="unknown zoo 'forecast-huge'"):
        start_job(store, "co2", "forecast-huge")


def wait_for(condition, timeout=60.0):
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "timed out"
        time.sleep(0.2)


def test_jobs_beyond_the_slots_wait_in_line_and_beyond_the_queue_are_refused(tmp_path, rt_data_dir, monkeypatch):
    from pipelines.training.slots import training_slot

    monkeypatch.setenv("RNNLENS_TRAINING_SLOTS", "1")
    monkeypatch.setenv("RNNLENS_JOB_QUEUE", "1")
    store = Store(tmp_path / "store")
    options = dict(epochs=1, data_dir=str(rt_data_dir))
    with training_slot(store):  # someone else is training: the machine's one slot is taken
        first = start_job(store, "rt-polarity", "quick", limit=20, **options)
        second = start_job(store, "rt-polarity", "quick", limit=21, **options)
        with pytest.raises(jobs.JobQueueFull, match="1 at once, 1 in line"):
            start_job(store, "rt-polarity", "quick", limit=22, **options)
        assert not store.dataset_dir("rt-polarity-limit22").exists()
        wait_for(lambda: "waiting for a training slot" in jobs.tail_log(first) + jobs.tail_log(second))
        assert all(job.waiting and job.outcome == "waiting for a training slot" for job in jobs.list_jobs(store))
        assert not store.runs()  # nobody trains while waiting
    # The slot is free: exactly one job takes it, the other keeps waiting.
    wait_for(lambda: sum(not job.waiting for job in jobs.list_jobs(store)) == 1)
    assert sum(job.waiting for job in jobs.list_jobs(store)) == 1
    for job in jobs.list_jobs(store):
        jobs.stop_job(job)
    wait_for(lambda: not any(job.alive for job in jobs.list_jobs(store)))


def test_the_demo_starts_the_quick_zoo_only_on_an_empty_store(tmp_path, monkeypatch, capsys):
    from pipelines.training.slots import training_slot

    store = Store(tmp_path / "store")
    with training_slot(store, count=1):  # keep the job in line: this test is about starting it
        monkeypatch.setenv("RNNLENS_TRAINING_SLOTS", "1")
        assert jobs.main(["--artifacts", str(store.root), "--if-empty"]) == 0
        assert "training the quick zoo on rt-polarity in the background" in capsys.readouterr().out
        (job,) = jobs.list_jobs(store)
        assert job.zoo == "quick" and job.dataset == "rt-polarity" and job.alive
        monkeypatch.setenv("RNNLENS_ARTIFACTS", str(store.root))
        app = open_page("overview")  # what a newcomer sees at once: no store yet, but training under way
        assert not problems(app) and "The first models are training" in app.info[0].value
        jobs.stop_job(job)
        wait_for(lambda: not jobs.list_jobs(store)[0].alive, timeout=180)  # a busy machine starts Python slowly
    write_json(store.dataset_dir("rt-polarity") / "dataset.json", {"key": "rt-polarity", "title": "Rotten Tomatoes"})
    with store.claim("rt-polarity", "torch-rnn-uni-1x8-max-00000000") as claim:
        claim.set_status("failed", error="boom")
    assert jobs.main(["--artifacts", str(store.root), "--if-empty"]) == 0
    assert "has runs already" in capsys.readouterr().out and len(jobs.list_jobs(store)) == 1


def test_a_csv_with_a_text_zoo_is_refused_before_anything_starts(tmp_path):
    path = tmp_path / "good.csv"
    path.write_text("date,value\n" + "".join(f"2024-01-{day:02d},{day}\n" for day in range(1, 29)))
    store = Store(tmp_path / "store")
    with pytest.raises(ValueError, match="is a series: train a forecast zoo on it"):
        start_job(store, str(path), "quick")
    assert jobs.list_jobs(store) == []


def test_a_ray_job_at_an_address_that_is_not_ray_never_starts(tmp_path):
    import http.server
    import threading

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), http.server.SimpleHTTPRequestHandler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    try:
        store = Store(tmp_path / "store")
        with pytest.raises(ValueError, match="no Ray cluster answers"):
            start_job(store, "rt-polarity", "quick", executor="ray", address=f"127.0.0.1:{server.server_address[1]}")
        assert jobs.list_jobs(store) == []
    finally:
        server.shutdown()
        server.server_close()
