"""Background training jobs: a zoo trained by a detached `python -m pipelines train` process.

    job = start_job(Store(), TrainRequest(dataset="rt-polarity", zoo="quick"))   # returns at once
    [job.alive for job in list_jobs(Store())]
    print(tail_log(job))

A job is the same command a user would type, started in its own session so it
outlives the page (and the server) that started it. It leaves two files in its
data set's folder of the store:

    <store>/<dataset>/.jobs/<job-id>.json   pid, command, zoo, framework, started_at
    <store>/<dataset>/.jobs/<job-id>.log    the command's stdout and stderr

Starting the same (data set, zoo, framework) while such a job is alive returns
that job instead of a second one. Even if two processes did race, the store's
per-run locks would still let each run be trained once.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
import uuid
from dataclasses import dataclass, replace
from pathlib import Path

import psutil
from filelock import FileLock

from ..exit_codes import EXIT_BAD_INPUT, EXIT_FINISHED, EXIT_INTERRUPTED, EXIT_SOME_FAILED
from ..files import read_json, write_json
from ..models.zoos import ZOOS
from ..records import RunRecord
from ..store import Store
from .request import FRAMEWORK_CHOICES, LAB_ZOO, LabRequest, TrainRequest, frameworks_of
from .slots import queue_limit, slot_count, slot_holders, slots_folder

JOBS_FOLDER = ".jobs"
LAB_JOBS = "memory-lab"  # the store folder holding the memory lab's jobs (its runs are in memory-dN)

# How a job stopped by `stop_job` (SIGINT, as Ctrl+C) ends: the CLI catches the
# KeyboardInterrupt, marks its run interrupted and returns 130; but when the
# interrupt first passed through C code that runs Python (seen inside PyTorch),
# CPython remembers it as unhandled and ends the process by SIGINT itself (-2).
STOPPED_EXIT_CODES = (EXIT_INTERRUPTED, -signal.SIGINT)
EXIT_MEANINGS = {EXIT_FINISHED: "finished", EXIT_SOME_FAILED: "finished, some runs failed",
                 EXIT_BAD_INPUT: "stopped with an error", **{code: "stopped" for code in STOPPED_EXIT_CODES}}

# Processes this process started: polling them reaps them (a finished child left
# unreaped stays a zombie, which still "exists") and tells us their exit codes.
_children: dict[int, subprocess.Popen] = {}


@dataclass
class Job:
    job_id: str
    dataset: str  # the store key its runs land in, e.g. "rt-polarity" or "rt-polarity-limit600"
    zoo: str
    framework: str
    pid: int
    command: list[str]
    started_at: float
    folder: Path
    alive: bool = False
    exit_code: int | None = None  # known once it has ended, if this process started it
    datasets: tuple[str, ...] = ()  # where its runs land (the memory lab's sweep spans several data sets)
    waiting: bool = False  # alive, but in line for a training slot (`pipelines.training.slots`)
    executor: str = "local"  # or "ray": its runs train on a Ray cluster

    @property
    def log_path(self) -> Path:
        return self.folder / f"{self.job_id}.log"

    @property
    def elapsed(self) -> float:
        return time.time() - self.started_at

    @property
    def outcome(self) -> str:
        """What happened to it, in words: running, finished, stopped, killed (signal 9, SIGKILL), ..."""
        if self.alive:
            return "waiting for a training slot" if self.waiting else "running"
        return exit_meaning(self.exit_code)

    @property
    def ended_at(self) -> float:
        """When it last wrote to its log (its end, once it has ended)."""
        try:
            return self.log_path.stat().st_mtime
        except OSError:
            return self.started_at


def ending_signal(code: int | None) -> signal.Signals | None:
    """The signal that ended a process, read from its exit status: -N from Popen, 128 + N through a shell."""
    number = 0 if code is None else -code if code < 0 else code - 128 if code > 128 else 0
    try:
        return signal.Signals(number) if number else None
    except ValueError:  # not a signal: an exit status of its own
        return None


def exit_meaning(code: int | None) -> str:
    """An ended job's exit status in words; SIGINT is how `stop_job` stops a job, any other signal killed it."""
    if code in EXIT_MEANINGS:
        return EXIT_MEANINGS[code]
    killer = ending_signal(code)
    if killer is not None:
        return f"killed (signal {killer.value}, {killer.name})"
    return "ended" if code is None else f"ended with exit status {code}"  # None: not started by this process


def job_phase(job: Job, records: list[RunRecord]) -> str:
    """What a job is doing, in words: its `outcome`, or "finishing" while it is alive and every run it trained
    has ended (its slot is already free while it writes its summary and exits, so it is not waiting for one).
    Its own runs are those whose status it wrote (its pid): another job's runs of the data set are not."""
    own = [record for record in records if record.status is not None and record.status.pid == job.pid]
    if job.alive and own and all(record.state not in ("queued", "running") for record in own):
        return "finishing"
    return job.outcome


def start_job(store: Store, request: TrainRequest) -> Job:
    """Start training a request in the background (`train` with its flags), or return the live job already doing it.

    The request was checked when it was made; here `--executor ray`'s address is tried too (within seconds: an
    address that is not Ray must not become a job waiting on it), and the data set's store folder is resolved
    (DataError for an unknown one). The job's process is `python -m pipelines train ...` (with Ray, the driver
    that writes the runs into this store). It trains once it holds one of the store's training slots, and waits
    in line until then; when the slots and the queue behind them are all taken, JobQueueFull (a ValueError)
    says so and nothing starts.
    """
    if request.cluster is not None:
        request.cluster.check()
    key = request.store_key()  # a CSV's key: its content
    arguments = replace(request, show_progress=False).to_argv()
    return _launch(store, key, request.zoo, request.framework, arguments, [key], request.executor)


def start_lab_job(store: Store, request: LabRequest) -> Job:
    """Start the memory lab's sweep (`python -m pipelines lab`) in the background, or return the live one."""
    arguments = replace(request, show_progress=False).to_argv()
    return _launch(store, LAB_JOBS, LAB_ZOO, "torch", arguments, request.keys)


def _launch(store: Store, key: str, zoo: str, framework: str, arguments: list[str], datasets: list[str],
            executor: str = "local") -> Job:
    """Run `python -m pipelines <arguments>` detached, its files in `<store>/<key>/.jobs/`; one live job per
    (folder, zoo, framework)."""
    folder = store.dataset_dir(key) / JOBS_FOLDER
    slots, queue = slot_count(), queue_limit()
    # One lock for the whole store: two sessions pressing "start" at once get one job, and the count is exact.
    slots_folder(store).mkdir(parents=True, exist_ok=True)
    with FileLock(slots_folder(store) / "start.lock"):
        for job in list_jobs(store, key):
            if job.alive and (job.zoo, job.framework) == (zoo, framework):
                return job
        alive = [job for job in list_jobs(store) if job.alive]
        if len(alive) >= slots + queue:
            waiting = sum(job.waiting for job in alive)
            raise JobQueueFull(f"{len(alive) - waiting} training job(s) are running and {waiting} waiting, as many "
                               f"as this machine takes ({slots} at once, {queue} in line); start this one when one "
                               "has finished")  # fmt: skip
        folder.mkdir(parents=True, exist_ok=True)
        job_id = f"{time.strftime('%Y%m%d-%H%M%S')}-{zoo}-{framework}-{uuid.uuid4().hex[:4]}"
        command = [sys.executable, "-m", "pipelines", "--artifacts", str(store.root.resolve()), *arguments,
                   "--wait-for-slot"]  # fmt: skip
        environment = {**os.environ, "PYTHONUNBUFFERED": "1"}  # the log tail should be live, not block-buffered
        # Leave a core to the dashboard that started the job and share the rest among the slots: PyTorch's
        # threads wait on each other at every time step, and one kept off its core slows training several times.
        environment.setdefault("OMP_NUM_THREADS", str(max(1, ((os.cpu_count() or 2) - 1) // slots)))
        with open(folder / f"{job_id}.log", "wb") as log:
            process = subprocess.Popen(
                command, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
                env=environment, start_new_session=True,
            )  # fmt: skip
        _children[process.pid] = process
        document = {
            "job_id": job_id, "dataset": key, "datasets": datasets, "zoo": zoo, "framework": framework,
            "pid": process.pid, "process_start": _process_start(process.pid), "command": command,
            "started_at": time.time(), "executor": executor,
        }  # fmt: skip
        write_json(folder / f"{job_id}.json", document)
        return _job_from(document, folder)


class JobQueueFull(ValueError):
    """Every training slot is taken and the queue behind them is full."""


def list_jobs(store: Store, dataset: str | None = None) -> list[Job]:
    """Jobs of one data set (or of all), newest first, each with whether it is alive and waiting for a slot."""
    if dataset is not None:
        folders = [store.dataset_dir(dataset) / JOBS_FOLDER]
    elif store.root.is_dir():
        folders = [path / JOBS_FOLDER for path in store.root.iterdir() if path.is_dir()]
    else:
        folders = []
    jobs = []
    for folder in folders:
        if not folder.is_dir():
            continue
        for path in folder.glob("*.json"):
            try:
                jobs.append(_job_from(read_json(path), folder))
            except (OSError, ValueError, KeyError, TypeError):
                continue  # a job file being written right now, or damaged: not a job we can watch
    holders = slot_holders(store)
    for job in jobs:
        job.waiting = job.alive and job.pid not in holders
    return sorted(jobs, key=lambda job: job.started_at, reverse=True)


def job_runs(store: Store, job: Job) -> list[RunRecord]:
    """The runs a job is training or has trained: queued or running now, or written since it started."""
    return [record for dataset in job.datasets for record in store.runs(dataset)
            if record.state in ("queued", "running") or (record.updated_at or 0) >= job.started_at]  # fmt: skip


def tail_log(job: Job, lines: int = 40, max_bytes: int = 64_000) -> str:
    """The last `lines` lines of a job's log ("" before it has written anything)."""
    try:
        with open(job.log_path, "rb") as handle:
            handle.seek(0, os.SEEK_END)
            handle.seek(max(handle.tell() - max_bytes, 0))
            text = handle.read().decode("utf-8", errors="replace")
    except OSError:
        return ""
    # Progress bars redraw a line with carriage returns; keep only what the line ended as.
    ended = [line.rstrip("\r").rsplit("\r", 1)[-1] for line in text.rstrip("\n").split("\n")]
    return "\n".join(ended[-lines:])


def stop_job(job: Job) -> None:
    """Interrupt a job as Ctrl+C would: its unfinished run is redone on the next start."""
    if job.alive:
        try:
            os.killpg(job.pid, signal.SIGINT)  # the whole session: the CLI and anything it started
        except (ProcessLookupError, PermissionError):
            pass


# ----------------------------------------------------------------------------


def _job_from(document: dict, folder: Path) -> Job:
    job = Job(
        job_id=document["job_id"], dataset=document["dataset"], zoo=document["zoo"],
        framework=document["framework"], pid=int(document["pid"]), command=list(document["command"]),
        started_at=float(document["started_at"]), folder=folder, executor=document.get("executor", "local"),
        datasets=tuple(document.get("datasets") or [document["dataset"]]),
    )  # fmt: skip
    child = _children.get(job.pid)
    if child is not None:
        job.exit_code = child.poll()
        job.alive = job.exit_code is None
    else:
        job.alive = _process_alive(job.pid, document.get("process_start"))
    return job


def _process_start(pid: int) -> float | None:
    """When a process started: tells a reused pid from ours."""
    try:
        return psutil.Process(pid).create_time()
    except psutil.Error:
        return None


def _process_alive(pid: int, started: float | None) -> bool:
    try:
        process = psutil.Process(pid)
        if process.status() == psutil.STATUS_ZOMBIE:
            return False  # finished, waiting to be reaped by a parent that is not us
        return not isinstance(started, float) or process.create_time() == started  # older job files: pid only
    except psutil.NoSuchProcess:
        return False
    except psutil.AccessDenied:
        return True  # exists, owned by someone else


def main(argv: list[str] | None = None) -> int:
    """Start a background job from a shell: `make demo` trains the quick zoo this way while the dashboard starts."""
    import argparse

    parser = argparse.ArgumentParser(prog="python -m pipelines.training.jobs", description=main.__doc__)
    parser.add_argument("--dataset", default="rt-polarity")
    parser.add_argument("--zoo", default="quick", choices=sorted(ZOOS))
    parser.add_argument("--framework", default="torch", choices=FRAMEWORK_CHOICES)
    parser.add_argument("--if-empty", action="store_true", help="only if the store has no runs yet")
    parser.add_argument("--artifacts", default=None, help="store folder (default: $RNNLENS_ARTIFACTS or ./artifacts)")
    args = parser.parse_args(argv)
    store = Store(args.artifacts)
    if args.if_empty and store.runs():
        print(f"{store.root} has runs already; no training started")
        return EXIT_FINISHED
    try:
        request = TrainRequest(dataset=args.dataset, zoo=args.zoo, frameworks=frameworks_of(args.framework))
        job = start_job(store, request)
    except (ValueError, OSError) as error:
        print(f"error: {error}", file=sys.stderr)
        return EXIT_BAD_INPUT
    print(f"training the {job.zoo} zoo on {job.dataset} in the background (job {job.job_id}, log {job.log_path}); "
          "runs appear in the dashboard as they finish")
    return EXIT_FINISHED


if __name__ == "__main__":
    raise SystemExit(main())
