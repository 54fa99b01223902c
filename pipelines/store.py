"""The artifact store: the one module that writes runs; everything else reads.

    artifacts/<dataset>/dataset.json   vocab.json   test.parquet
    artifacts/<dataset>/<run-id>/spec.json status.json history.csv metrics.json
                                 predictions.csv weights.safetensors | model.keras
                                 top_words.json verify.json  (derived: computed later from a finished run)

Every file is written atomically (`pipelines.files`), so a reader sees the old
file or the new one, never half of one. A run counts as done only when its
status.json says so. While a process trains a run it holds an exclusive lock on
the run's `.lock` file (`filelock`); the operating system drops that lock when
the process dies, which is how a reader tells "running" from "killed
mid-training", and how a second trainer knows to leave the run alone.

Readers get typed records (`pipelines.records`), validated once here: a run
whose files have the wrong shape, an impossible value (an accuracy of 2.0), or
bytes other than the ones training recorded (`pipelines.checksums`: every file,
spec.json included) reads as "corrupt", with the reason; a
finished run whose status.json records no checksums reads as "unverified". No
reader serves either, and the next `train` redoes both. A derived file (a cache
computed from a done run) is served only while it matches the checksum recorded
when it was written; otherwise it is computed again.
"""

from __future__ import annotations

import fcntl
import hashlib
import math
import os
import re
import shutil
import time
from contextlib import contextmanager
from io import StringIO
from pathlib import Path
from typing import Callable, Iterator

import pandas as pd
import psutil
from filelock import FileLock, Timeout
from pydantic import ValidationError

from .checksums import checksums_of, mismatch, sha256_of
from .data.base import DataError
from .data.text import Vocabulary
from .files import read_json, write_atomically, write_json, write_text
from .records import STATES, DatasetSummary, RunRecord, RunSpec, RunState, RunStatus, describe
from .tasks import FRAMEWORK_WEIGHTS, TASKS, task_named

DEFAULT_ROOT = "artifacts"
LOCK_FILE = ".lock"
DERIVED_LOCK_FILE = ".derived.lock"  # held while a derived file's checksum is added to status.json
DERIVED_PATIENCE = 10  # seconds: adding one entry takes milliseconds
CLAIM_PATIENCE = 0.5  # seconds a trainer waits for the lock: a reader's probe holds it for microseconds
# Columns a readable table must have (what the pages draw); history and predictions of every task.
HISTORY_COLUMNS = ("epoch", "train_loss", "train_accuracy", "val_loss", "val_accuracy", "learning_rate", "grad_norm")
PREDICTION_COLUMNS = ("id", "label", "predicted")
SERIES_FILE = "series.parquet"  # a forecasting data set's values
SERIES_COLUMNS = ("date", "value", "observed", "part")
# A derived file never takes the name of a file training writes.
TRAINING_FILES = {"status.json", "spec.json", *FRAMEWORK_WEIGHTS,
                  *(name for task in TASKS.values() for name in task.files_when_done),
                  *(name for task in TASKS.values() for name in task.weight_files)}  # fmt: skip

__all__ = ["DamagedFile", "RunClaim", "RunNotFound", "RunRecord", "RunState", "STATES", "Store", "default_root"]


def default_root() -> Path:
    return Path(os.environ.get("RNNLENS_ARTIFACTS") or DEFAULT_ROOT)


class RunNotFound(ValueError):
    """No run with that id in the store (or the id is not a plain name)."""


class DamagedFile(ValueError):
    """A file of the store cannot be read or lacks what it must hold; the message names it and why."""


# ----------------------------------------------------------------------------
# Locks


def _is_locked(run_dir: Path) -> bool:
    """Whether a live process holds the run's lock.

    A shared lock on a read-only handle: it needs no write access (a read-only
    store still reads), and it conflicts with the trainer's exclusive lock.
    """
    try:
        handle = os.open(run_dir / LOCK_FILE, os.O_RDONLY)
    except OSError:
        return False  # no lock file: nobody has held it since it was last released
    try:
        fcntl.flock(handle, fcntl.LOCK_SH | fcntl.LOCK_NB)
        return False
    except BlockingIOError:
        return True
    finally:
        os.close(handle)  # closing releases our probe


@contextmanager
def _held(run_dir: Path) -> Iterator[bool]:
    """Hold the run's lock for the block; yields False (holding nothing) if another process has it."""
    lock = FileLock(run_dir / LOCK_FILE, timeout=CLAIM_PATIENCE)
    try:
        lock.acquire()
    except Timeout:
        yield False
        return
    try:
        yield True
    finally:
        lock.release()


def _pid_alive(pid: int | None) -> bool:
    if not isinstance(pid, int) or pid <= 0:
        return False
    try:
        return psutil.Process(pid).status() != psutil.STATUS_ZOMBIE
    except (psutil.NoSuchProcess, psutil.AccessDenied):
        return psutil.pid_exists(pid)


# ----------------------------------------------------------------------------
# Reading a run


def read_record(dataset: str, run_id: str, path: Path) -> RunRecord:
    """One run's status, spec and (when done) metrics, validated; never raises for a damaged run."""

    def corrupt(problem: str, **parts) -> RunRecord:
        return RunRecord(dataset, run_id, path, "corrupt", problem=problem, **parts)

    try:
        status = RunStatus.model_validate(read_json(path / "status.json"))
    except FileNotFoundError:
        if _is_locked(path):  # a trainer has just claimed it
            return RunRecord(dataset, run_id, path, "running")
        if not any(not child.name.startswith(".") for child in _children(path)):  # only the lock, if anything
            return RunRecord(dataset, run_id, path, "interrupted", problem="the training process stopped before "
                             "it wrote anything")  # fmt: skip
        return corrupt("no status.json")
    except ValidationError as error:
        return corrupt(describe("status.json", error))
    except (OSError, ValueError) as error:
        return corrupt(f"unreadable status.json ({error})")

    spec = model_spec = None
    try:
        spec = RunSpec.model_validate(read_json(path / "spec.json"))
        model_spec = task_named(spec.task).model_spec(spec.model)
    except FileNotFoundError:
        pass  # a queued run has no spec yet
    except ValidationError as error:
        return corrupt(describe("spec.json", error), status=status)
    except (OSError, ValueError, TypeError) as error:
        return corrupt(f"unreadable spec.json ({error})", status=status)

    parts = dict(status=status, spec=spec, model_spec=model_spec)
    state: RunState = status.state
    if state == "running" and not _is_locked(path):
        return RunRecord(dataset, run_id, path, "interrupted", problem="the training process stopped before "
                         "finishing", **parts)  # fmt: skip
    # A driver holding the lock (`train --executor ray`, maybe on another machine sharing the store) is alive.
    if state == "queued" and not _pid_alive(status.pid) and not _is_locked(path):
        return RunRecord(dataset, run_id, path, "interrupted", problem="the training process stopped before "
                         "starting this run", **parts)  # fmt: skip
    if state != "done":
        return RunRecord(dataset, run_id, path, state, problem=status.error, **parts)
    if spec is None:
        return corrupt("missing spec.json", **parts)
    task = task_named(spec.task)
    missing = [name for name in task.files_when_done if not (path / name).is_file()]
    if not any((path / name).exists() for name in task.weight_files):
        missing.append(f"weights ({' or '.join(task.weight_files)})")
    if missing:
        return corrupt("missing " + ", ".join(missing), **parts)
    try:
        metrics = task.metrics.model_validate(read_json(path / "metrics.json"))
    except ValidationError as error:
        return corrupt(describe("metrics.json", error), **parts)
    except (OSError, ValueError) as error:
        return corrupt(f"unreadable metrics.json ({error})", **parts)
    # After the shapes and ranges: their reasons say more. Without checksums nothing says the files are the ones
    # training wrote (a run from before checksums, or one whose list was deleted), so the run is not trusted.
    if not status.files:
        return RunRecord(dataset, run_id, path, "unverified", problem="status.json records no checksums of the "
                         "run's files, so they cannot be checked against what training wrote; `train` redoes it",
                         **parts)  # fmt: skip
    trusted = ["spec.json", *task.files_when_done, *(name for name in task.weight_files if (path / name).exists())]
    unchecked = [name for name in trusted if name not in status.files]
    if unchecked:
        return corrupt(f"status.json records no checksum of {', '.join(unchecked)}", **parts)
    changed = mismatch(path, status.files)
    if changed:
        return corrupt(changed, **parts)
    return RunRecord(dataset, run_id, path, "done", metrics=metrics, **parts)


def _children(path: Path) -> list[Path]:
    try:
        return list(path.iterdir())
    except OSError:
        return []


def _read_table(path: Path, what: str, read: Callable[[Path], pd.DataFrame], columns: tuple[str, ...]) -> pd.DataFrame:
    try:
        frame = read(path)
    except (OSError, ValueError) as error:  # pandas' parser errors are ValueErrors
        raise DamagedFile(f"{what} cannot be read ({type(error).__name__}: {error})") from error
    missing = [column for column in columns if column not in frame.columns]
    if missing or frame.empty:
        raise DamagedFile(f"{what} is damaged (no rows, or no {', '.join(missing)} column)")
    return frame


class Store:
    def __init__(self, root: str | os.PathLike | None = None):
        self.root = Path(root) if root else default_root()

    # -- data sets ---------------------------------------------------------

    def dataset_dir(self, dataset: str) -> Path:
        """A data set's folder; a key that is not a plain name (a path, "..") is refused, so no reader leaves
        the store."""
        if not isinstance(dataset, str) or not dataset or Path(dataset).name != dataset or dataset.startswith("."):
            raise DataError(f"{dataset!r} is not a data set key (a plain name such as rt-polarity); "
                            "`python -m pipelines list` shows the store's data sets")  # fmt: skip
        return self.root / dataset

    def datasets(self) -> list[str]:
        """Data set keys with a dataset.json, in a stable order: rt-polarity first, numbers in numeric order
        (memory-d5 before memory-d20)."""
        if not self.root.is_dir():
            return []
        keys = [p.name for p in self.root.iterdir() if (p / "dataset.json").is_file()]
        return sorted(keys, key=lambda key: (key != "rt-polarity", _natural(key)))

    def write_dataset(self, summary: dict, vocabulary: Vocabulary, test_examples: pd.DataFrame) -> None:
        """Write a data set's card, vocabulary and test texts; refused (DataError, nothing written) when runs of
        the store were trained on other data: their vocabulary is never swapped from under them."""
        DatasetSummary.model_validate(summary)  # a writer never leaves a card its readers cannot read
        self._refuse_other_data(summary["key"], vocabulary.fingerprint(), summary.get("data_fingerprint"))
        folder = self.dataset_dir(summary["key"])
        write_json(folder / "vocab.json", vocabulary.to_json())
        write_atomically(folder / "test.parquet", lambda path: test_examples.to_parquet(path, index=False))
        write_json(folder / "dataset.json", summary)  # last: its presence means the rest is there

    def _refuse_other_data(self, dataset: str, vocabulary: str, data: str | None) -> None:
        """DataError if finished (or training) runs of `dataset` were trained on another vocabulary or other data."""
        try:
            card_data = self.read_dataset(dataset).data_fingerprint
        except DamagedFile:
            card_data = None  # no card, or a damaged one: the runs' own specs still say what they read
        dependents = []
        for record in self.runs(dataset):
            if record.state not in ("done", "running") or record.spec is None:
                continue
            trained_on = record.spec.dataset
            trained_data = trained_on.data_fingerprint or card_data  # runs from before data fingerprints: the card's
            if trained_on.vocabulary_fingerprint != vocabulary or (data and trained_data and trained_data != data):
                dependents.append(record)
        if dependents:
            was = dependents[0].spec.dataset.vocabulary_fingerprint
            change = f"vocabulary {was}, now {vocabulary}" if was != vocabulary else "same vocabulary, other texts"
            raise DataError(
                f"the {dataset} data read now differs from the copy {len(dependents)} run(s) in {self.root} were "
                f"trained on ({change}); nothing was written, so they keep working. Point --data-dir at the copy "
                "they were trained on, or train into another store with --artifacts DIR"
            )

    def read_dataset(self, dataset: str) -> DatasetSummary:
        path = self.dataset_dir(dataset) / "dataset.json"
        try:
            return DatasetSummary.model_validate(read_json(path))
        except ValidationError as error:
            raise DamagedFile(f"{dataset}/{describe('dataset.json', error)}") from error
        except (OSError, ValueError) as error:
            raise DamagedFile(f"{dataset}/dataset.json cannot be read ({error})") from error

    def read_vocabulary(self, dataset: str) -> Vocabulary:
        path = self.dataset_dir(dataset) / "vocab.json"
        try:
            return Vocabulary.from_json(read_json(path))
        except (OSError, ValueError, KeyError, TypeError) as error:
            raise DamagedFile(f"{dataset}/vocab.json cannot be read ({type(error).__name__}: {error})") from error

    def write_series_dataset(self, summary: dict, series: pd.DataFrame) -> None:
        """A forecasting data set: its card and its series (date, value, observed, part); refused (DataError,
        nothing written) when finished or training runs of the key were trained on another series."""
        card = DatasetSummary.model_validate(summary)
        fingerprint = card.series.fingerprint if card.series else None
        dependents = [record for record in self.runs(card.key) if record.state in ("done", "running") and record.spec
                      and record.spec.dataset.series_fingerprint not in (None, fingerprint)]  # fmt: skip
        if dependents:
            raise DataError(
                f"the series read now (fingerprint {fingerprint}) differs from the one {len(dependents)} run(s) of "
                f"{card.key} in {self.root} were trained on ({dependents[0].spec.dataset.series_fingerprint}); "
                "nothing was written, so they keep working. Train into another store with --artifacts DIR"
            )
        folder = self.dataset_dir(summary["key"])
        write_atomically(folder / SERIES_FILE, lambda path: series.to_parquet(path, index=False))
        write_json(folder / "dataset.json", summary)  # last: its presence means the series is there

    def read_series(self, dataset: str) -> pd.DataFrame:
        """A forecasting data set's series: date, value, observed, part; DamagedFile if it cannot be read."""
        return _read_table(self.dataset_dir(dataset) / SERIES_FILE, f"the series of {dataset}", pd.read_parquet,
                           SERIES_COLUMNS)  # fmt: skip

    def read_test_examples(self, dataset: str) -> pd.DataFrame:
        """The test split's texts: columns id, text, label."""
        path = self.dataset_dir(dataset) / "test.parquet"
        try:
            return pd.read_parquet(path)
        except Exception as error:  # pyarrow raises its own error types for a damaged file
            message = f"the test texts of {dataset} cannot be read ({type(error).__name__}: {error})"
            raise DamagedFile(message) from error

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
        return read_record(dataset, run_id, self.run_dir(dataset, run_id))

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
        """One row per epoch; DamagedFile (naming the run) if it cannot be read or lacks a column pages draw."""
        return _read_table(self.run_dir(dataset, run_id) / "history.csv", f"the training history of {run_id}",
                           pd.read_csv, HISTORY_COLUMNS)  # fmt: skip

    def read_predictions(self, dataset: str, run_id: str) -> pd.DataFrame:
        """One row per test example: id, label, predicted and each class's probability."""
        return _read_table(self.run_dir(dataset, run_id) / "predictions.csv", f"the test predictions of {run_id}",
                           lambda path: pd.read_csv(path, dtype={"id": str}), PREDICTION_COLUMNS)  # fmt: skip

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
        _record_checksum(record.path, name)

    def keep_derived_json(self, dataset: str, run_id: str, name: str, data) -> str | None:
        """`write_derived_json` for a cache the caller can do without: None when kept, else why not (a read-only
        or full store), so a reader of a store it may not write still gets its answer."""
        try:
            self.write_derived_json(dataset, run_id, name, data)
        except OSError as error:
            return f"{name} was not kept in the store ({error.strerror or error})"
        return None

    def read_derived_json(self, dataset: str, run_id: str, name: str):
        """A derived file's data, or None if there is none, it cannot be read, or it is not the file the store
        wrote (edited, or dropped into the folder by hand): the caller computes it again."""
        _check_derived_name(name)
        record = self.run(dataset, run_id)
        if record.state != "done" or mismatch(record.path, {name: (record.status.derived or {}).get(name)}):
            return None
        try:
            return read_json(record.path / name)
        except (OSError, ValueError):
            return None

    def write_derived_file(self, dataset: str, run_id: str, name: str, write: Callable[[Path], None]) -> Path:
        """A derived file a library writes itself (`write(temporary_path)`), atomically; returns its path.

        `name` may sit in sub-folders of the run's folder (TensorBoard's `tensorboard/train/events...`),
        never in a file or folder that training writes.
        """
        parts = Path(name).parts
        if not parts or Path(name).is_absolute() or any(part.startswith(".") for part in parts) or \
                parts[0] in TRAINING_FILES:  # fmt: skip
            raise ValueError(f"{name!r} is not a name for a derived file inside a run's folder")
        record = self.run(dataset, run_id)
        if record.state != "done":
            raise ValueError(f"run {run_id} of {dataset} is {record.state}; only a finished run keeps derived files")
        write_atomically(record.path / name, write)
        _record_checksum(record.path, name)
        return record.path / name

    # -- writing runs --------------------------------------------------------

    @contextmanager
    def claim(self, dataset: str, run_id: str) -> Iterator["RunClaim | None"]:
        """Hold a run for training: yields a RunClaim, or None if it is done or taken.

        A run that was left half-written (failed, or its process killed) is wiped
        and handed out again, so it is redone cleanly.
        """
        path = self.run_dir(dataset, run_id)
        path.mkdir(parents=True, exist_ok=True)
        with _held(path) as holding:
            if not holding or self.run(dataset, run_id).state == "done":
                yield None  # another process is training it, or it is finished
                return
            for child in path.iterdir():
                if child.name != LOCK_FILE:
                    shutil.rmtree(child) if child.is_dir() else child.unlink()
            yield RunClaim(path)

    def mark_queued(self, dataset: str, run_id: str, job: dict) -> bool:
        """Say a run is waiting in a job, unless it is done or being trained."""
        path = self.run_dir(dataset, run_id)
        path.mkdir(parents=True, exist_ok=True)
        with _held(path) as holding:
            if not holding or self.run(dataset, run_id).state == "done":
                return False
            status = {"state": "queued", "pid": os.getpid(), "job": job, "updated_at": time.time()}
            write_json(path / "status.json", status)
            return True


def _natural(key: str) -> list:
    """A sort key that reads the digits in a name as a number."""
    return [int(part) if part.isdigit() else part for part in re.split(r"(\d+)", key)]


def _record_checksum(run_dir: Path, name: str) -> None:
    """Add a derived file's checksum to the finished run's status.json: readers serve the file only while it
    matches. A lock of its own, not the run's: `train` derives a skipped run's views while it holds that one."""
    with FileLock(run_dir / DERIVED_LOCK_FILE, timeout=DERIVED_PATIENCE):  # two writers never lose an entry
        status = read_json(run_dir / "status.json")
        path = run_dir / name
        status["derived"] = {**(status.get("derived") or {}), name: {"bytes": path.stat().st_size,
                                                                      "sha256": sha256_of(path)}}  # fmt: skip
        RunStatus.model_validate(status)
        write_json(run_dir / "status.json", status)


def _check_derived_name(name: str) -> None:
    if Path(name).name != name or name.startswith(".") or not name.endswith(".json") or name in TRAINING_FILES:
        raise ValueError(f"{name!r} is not a name for a derived file: a plain *.json name that training does not use")


class RunClaim:
    """Write access to one run's folder, held while its lock is held."""

    def __init__(self, path: Path):
        self.path = path
        self.run_id = path.name
        self._status: dict = {}

    def set_status(self, state: str, **fields) -> None:
        """Write status.json; "done" also records every file's size and checksum, which readers check."""
        if state == "done":
            # spec.json too: a changed pooling, hidden size or scaler changes every prediction the run serves.
            fields["files"] = checksums_of(self.path, skip={"status.json"})
        # A diverging loss reported as progress must not make the status unwritable (JSON has no nan), nor
        # stay in `_status` to break the "failed" write that follows: a figure that is not a number is left out.
        fields = {name: None if isinstance(value, float) and not math.isfinite(value) else value
                  for name, value in fields.items()}  # fmt: skip
        status = {**self._status, **fields, "state": state, "pid": os.getpid(), "updated_at": time.time()}
        RunStatus.model_validate(status)  # the shape every reader expects, checked where it is written
        self._status = status
        write_json(self.path / "status.json", status)

    def write_json(self, name: str, data) -> None:
        try:
            write_json(self.path / name, data)
        except ValueError as error:  # json's "Out of range float values" names neither the file nor the cause
            raise ValueError(f"{name} would hold a figure that is not a finite number ({error}); "
                             "the run diverged or the data holds extreme values") from None  # fmt: skip

    def write_frame(self, name: str, frame: pd.DataFrame) -> None:
        buffer = StringIO()
        frame.to_csv(buffer, index=False)
        write_text(self.path / name, buffer.getvalue())

    def write_file(self, name: str, write: Callable[[Path], None]) -> None:
        """For files a library writes itself (weights): `write(path)` fills a temporary path."""
        write_atomically(self.path / name, write)

