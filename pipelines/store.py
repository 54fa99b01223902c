"""The artifact store: the one module that writes runs; everything else reads.

    artifacts/<dataset>/dataset.json   vocab.json   test.parquet
    artifacts/<dataset>/<run-id>/spec.json status.json history.csv metrics.json
                                 predictions.csv weights.safetensors | model.keras
                                 top_words.json verify.json  (derived: computed later from a finished run)

Every file is written atomically (temporary name, then rename), so a reader sees
the old file or the new one, never half of one. A run counts as done only when
its status.json says so. While a process trains a run it holds an exclusive
lock on the run's `.lock` file; the operating system drops that lock when the
process dies, which is how a reader tells "running" from "killed mid-training",
and how a second trainer knows to leave the run alone.
"""

from __future__ import annotations

import fcntl
import hashlib
import json
import os
import shutil
import time
import uuid
from contextlib import contextmanager
from dataclasses import dataclass, field
from io import StringIO
from pathlib import Path
from typing import Callable, Iterator, Literal

import pandas as pd

from .data.text import Vocabulary

DEFAULT_ROOT = "artifacts"
LOCK_FILE = ".lock"
STATES = ("queued", "running", "done", "failed")
# What a reader may see; "interrupted" (running, but nobody holds the lock) and
# "corrupt" (unreadable files) are derived, never written.
RunState = Literal["queued", "running", "done", "failed", "interrupted", "corrupt"]
REQUIRED_WHEN_DONE = ("spec.json", "metrics.json", "history.csv", "predictions.csv")
WEIGHT_FILES = ("weights.safetensors", "model.keras")
TRAINING_FILES = ("status.json", *REQUIRED_WHEN_DONE, *WEIGHT_FILES)  # a derived file never takes one of these names


def default_root() -> Path:
    return Path(os.environ.get("RNNLENS_ARTIFACTS") or DEFAULT_ROOT)


# ----------------------------------------------------------------------------
# Atomic file writing


def write_atomically(path: Path, write: Callable[[Path], None]) -> None:
    """Call `write(temporary_path)`, then move the result to `path` in one step."""
    path.parent.mkdir(parents=True, exist_ok=True)
    # Same folder (so the rename is atomic), same suffix (Keras insists on ".keras"),
    # created by the writer itself so it gets the usual permissions.
    temporary = path.with_name(f".{path.stem}.{uuid.uuid4().hex[:12]}.tmp{path.suffix}")
    try:
        write(temporary)
        os.replace(temporary, path)
    except BaseException:
        temporary.unlink(missing_ok=True)
        raise


def write_text(path: Path, text: str) -> None:
    write_atomically(path, lambda temporary: temporary.write_text(text, encoding="utf-8"))


def write_json(path: Path, data) -> None:
    write_text(path, json.dumps(data, indent=1, ensure_ascii=False, allow_nan=False) + "\n")


def read_json(path: Path):
    with open(path, encoding="utf-8") as handle:
        return json.load(handle)


# ----------------------------------------------------------------------------
# Locks


def _try_lock(path: Path, patience: float = 0.0):
    """An open, exclusively locked handle on `path`, or None if another process holds it.

    With `patience`, keep trying that many seconds: a reader probing the lock
    holds it for microseconds, and must not make a trainer skip a run.
    """
    handle = open(path, "a+")
    deadline = time.monotonic() + patience
    while True:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
            return handle
        except BlockingIOError:
            if time.monotonic() >= deadline:
                handle.close()
                return None
            time.sleep(0.02)


def _is_locked(run_dir: Path) -> bool:
    lock_path = run_dir / LOCK_FILE
    if not lock_path.exists():
        return False
    handle = _try_lock(lock_path)
    if handle is None:
        return True
    handle.close()  # closing releases our probe lock
    return False


# ----------------------------------------------------------------------------
# Reading


class RunNotFound(ValueError):
    """No run with that id in the store (or the id is not a plain name)."""


@dataclass
class RunRecord:
    """What a reader knows about one run without loading its model."""

    dataset: str
    run_id: str
    path: Path
    state: RunState
    status: dict = field(default_factory=dict)
    spec: dict | None = None
    metrics: dict | None = None
    problem: str | None = None  # why a run is failed, interrupted or corrupt

    @property
    def framework(self) -> str:
        return (self.spec or {}).get("framework", self.run_id.split("-", 1)[0])

    @property
    def model(self) -> dict:
        return (self.spec or {}).get("model", {})


class Store:
    def __init__(self, root: str | os.PathLike | None = None):
        self.root = Path(root) if root else default_root()

    # -- data sets ---------------------------------------------------------

    def dataset_dir(self, dataset: str) -> Path:
        return self.root / dataset

    def datasets(self) -> list[str]:
        """Data set keys with a dataset.json, in a stable order (rt-polarity first)."""
        if not self.root.is_dir():
            return []
        keys = [p.name for p in self.root.iterdir() if (p / "dataset.json").is_file()]
        return sorted(keys, key=lambda key: (key != "rt-polarity", key))

    def write_dataset(self, summary: dict, vocabulary: Vocabulary, test_examples: pd.DataFrame) -> None:
        folder = self.dataset_dir(summary["key"])
        write_json(folder / "vocab.json", vocabulary.to_json())
        write_atomically(folder / "test.parquet", lambda path: test_examples.to_parquet(path, index=False))
        write_json(folder / "dataset.json", summary)  # last: its presence means the rest is there

    def read_dataset(self, dataset: str) -> dict:
        return read_json(self.dataset_dir(dataset) / "dataset.json")

    def read_vocabulary(self, dataset: str) -> Vocabulary:
        return Vocabulary.from_json(read_json(self.dataset_dir(dataset) / "vocab.json"))

    def read_test_examples(self, dataset: str) -> pd.DataFrame:
        """The test split's texts: columns id, text, label."""
        return pd.read_parquet(self.dataset_dir(dataset) / "test.parquet")

    # -- runs ----------------------------------------------------------------

    def run_dir(self, dataset: str, run_id: str) -> Path:
        return self.dataset_dir(dataset) / run_id

    def run_ids(self, dataset: str) -> list[str]:
        folder = self.dataset_dir(dataset)
        if not folder.is_dir():
            return []
        return sorted(p.name for p in folder.iterdir() if p.is_dir() and not p.name.startswith("."))

    def run(self, dataset: str, run_id: str) -> RunRecord:
        """Read one run's status, spec and metrics; never raises for a damaged run."""
        path = self.run_dir(dataset, run_id)
        record = RunRecord(dataset, run_id, path, "corrupt")
        try:
            record.status = read_json(path / "status.json")
            state = record.status["state"]
            if state not in STATES:
                raise ValueError(f"unknown state {state!r}")
        except FileNotFoundError:
            if _is_locked(path):  # a trainer has just claimed it
                record.state = "running"
                return record
            record.problem = "no status.json"
            return record
        except (OSError, ValueError, KeyError, TypeError) as error:
            record.problem = f"unreadable status.json ({error})"
            return record
        try:
            record.spec = read_json(path / "spec.json")
        except FileNotFoundError:
            pass  # a queued run has no spec yet
        except (OSError, ValueError) as error:
            record.problem = f"unreadable spec.json ({error})"
            return record
        record.state = state
        record.problem = record.status.get("error")
        if state == "running" and not _is_locked(path):
            record.state, record.problem = "interrupted", "the training process stopped before finishing"
        elif state == "queued" and not _pid_alive(record.status.get("pid")):
            record.state, record.problem = "interrupted", "the training process stopped before starting this run"
        elif state == "done":
            missing = [name for name in REQUIRED_WHEN_DONE if not (path / name).is_file()]
            if not any((path / name).exists() for name in WEIGHT_FILES):
                missing.append("weights")
            try:
                record.metrics = read_json(path / "metrics.json")
            except (OSError, ValueError):
                missing.append("readable metrics.json")
            if missing or record.spec is None:
                record.state, record.problem = "corrupt", "missing " + ", ".join(missing or ["spec.json"])
        return record

    def find_run(self, run_id: str, dataset: str | None = None) -> RunRecord:
        """A run by id, in `dataset` or in whichever data set holds it (run ids are unique across data sets)."""
        if not run_id or run_id != os.path.basename(run_id) or run_id.startswith("."):
            raise RunNotFound(f"{run_id!r} is not a run id; `python -m pipelines list` shows the runs")
        datasets = [dataset] if dataset else self.datasets()
        holders = [key for key in datasets if self.run_dir(key, run_id).is_dir()]
        if not holders:
            where = f"data set {dataset!r} of {self.root}" if dataset else str(self.root)
            raise RunNotFound(f"no run {run_id!r} in {where}; `python -m pipelines list` shows the runs")
        if len(holders) > 1:
            raise RunNotFound(f"run {run_id} is in several data sets ({', '.join(holders)}); pick one with --dataset")
        return self.run(holders[0], run_id)

    def runs(self, dataset: str | None = None) -> list[RunRecord]:
        datasets = [dataset] if dataset else self.datasets()
        return [self.run(key, run_id) for key in datasets for run_id in self.run_ids(key)]

    def last_changed(self, dataset: str) -> str:
        """A short token that changes whenever a run of `dataset` or its summary is written.

        Cheap (one directory scan and a stat per run, no file read), so a reader
        can key its cache on it and still see a run the moment it changes state.
        """
        folder = self.dataset_dir(dataset)
        paths = [folder / "dataset.json"] + [folder / run_id / "status.json" for run_id in self.run_ids(dataset)]
        stamps = []
        for path in paths:
            try:
                stamps.append(f"{path.parent.name}:{path.stat().st_mtime_ns}")
            except OSError:
                stamps.append(f"{path.parent.name}:-")
        return hashlib.sha256("|".join(stamps).encode()).hexdigest()[:16]

    def read_history(self, dataset: str, run_id: str) -> pd.DataFrame:
        return pd.read_csv(self.run_dir(dataset, run_id) / "history.csv")

    def read_predictions(self, dataset: str, run_id: str) -> pd.DataFrame:
        return pd.read_csv(self.run_dir(dataset, run_id) / "predictions.csv", dtype={"id": str})

    # -- derived files: computed from a finished run after training -----------

    def write_derived_json(self, dataset: str, run_id: str, name: str, data) -> None:
        """Cache `data` (e.g. a run's top words) as `name` in a finished run's folder, atomically.

        Retraining a run wipes its folder, derived files included, so a cache
        never outlives the weights it came from.
        """
        _check_derived_name(name)
        record = self.run(dataset, run_id)
        if record.state != "done":
            raise ValueError(f"run {run_id} of {dataset} is {record.state}; only a finished run keeps derived files")
        write_json(record.path / name, data)

    def read_derived_json(self, dataset: str, run_id: str, name: str):
        """A derived file's data, or None if there is none (or it cannot be read)."""
        _check_derived_name(name)
        try:
            return read_json(self.run_dir(dataset, run_id) / name)
        except (OSError, ValueError):
            return None

    # -- writing runs --------------------------------------------------------

    @contextmanager
    def claim(self, dataset: str, run_id: str) -> Iterator["RunClaim"]:
        """Hold a run for training: yields a RunClaim, or None if it is done or taken.

        A run that was left half-written (failed, or its process killed) is wiped
        and handed out again, so it is redone cleanly.
        """
        path = self.run_dir(dataset, run_id)
        path.mkdir(parents=True, exist_ok=True)
        lock = _try_lock(path / LOCK_FILE, patience=0.5)
        if lock is None:
            yield None  # another process is training it
            return
        try:
            if self.run(dataset, run_id).state == "done":
                yield None
                return
            for child in path.iterdir():
                if child.name != LOCK_FILE:
                    shutil.rmtree(child) if child.is_dir() else child.unlink()
            yield RunClaim(path)
        finally:
            lock.close()

    def mark_queued(self, dataset: str, run_id: str, job: dict) -> bool:
        """Say a run is waiting in a job, unless it is done or being trained."""
        path = self.run_dir(dataset, run_id)
        path.mkdir(parents=True, exist_ok=True)
        lock = _try_lock(path / LOCK_FILE, patience=0.5)
        if lock is None:
            return False
        try:
            if self.run(dataset, run_id).state == "done":
                return False
            status = {"state": "queued", "pid": os.getpid(), "job": job, "updated_at": time.time()}
            write_json(path / "status.json", status)
            return True
        finally:
            lock.close()


def _check_derived_name(name: str) -> None:
    if Path(name).name != name or name.startswith(".") or not name.endswith(".json") or name in TRAINING_FILES:
        raise ValueError(f"{name!r} is not a name for a derived file: a plain *.json name that training does not use")


def _pid_alive(pid) -> bool:
    if not isinstance(pid, int) or pid <= 0:
        return False
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


class RunClaim:
    """Write access to one run's folder, held while its lock is held."""

    def __init__(self, path: Path):
        self.path = path
        self.run_id = path.name
        self._status: dict = {}

    def set_status(self, state: str, **fields) -> None:
        assert state in STATES, state
        self._status = {**self._status, **fields, "state": state, "pid": os.getpid(), "updated_at": time.time()}
        write_json(self.path / "status.json", self._status)

    def write_json(self, name: str, data) -> None:
        write_json(self.path / name, data)

    def write_frame(self, name: str, frame: pd.DataFrame) -> None:
        buffer = StringIO()
        frame.to_csv(buffer, index=False)
        write_text(self.path / name, buffer.getvalue())

    def write_file(self, name: str, write: Callable[[Path], None]) -> None:
        """For files a library writes itself (weights): `write(path)` fills a temporary path."""
        write_atomically(self.path / name, write)
