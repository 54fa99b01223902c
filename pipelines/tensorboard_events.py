"""Every run's curves as TensorBoard event files: `tensorboard --logdir <store>` shows them all.

    export_run(store, record)   # <run>/tensorboard/{train,validation,test}/events.out.tfevents.rnnlens
    read_scalars(folder)        # {"validation/epoch_loss": [(1, 0.61), (2, 0.55)], ...}, TensorBoard's own reader

The layout is the one Keras's TensorBoard callback writes (a `train` and a
`validation` run with tags `epoch_loss`, `epoch_accuracy`, ...), so the two
splits overlay in one chart per tag, as users of that callback expect. A `test`
run holds the test-set scores, and the run's settings (cell, layers, seed, ...)
go to TensorBoard's HParams tab. Everything comes from history.csv and
metrics.json, so a run trained before this existed is exported the same way
(`python -m pipelines tensorboard`).

Written with TensorBoard's own protocol buffers and record writer, without
TensorFlow (`tensorboard.summary.Writer` would import it: seconds per process).
The file names are fixed, so exporting again replaces rather than adds.
"""

from __future__ import annotations

from pathlib import Path

import pandas as pd
from tensorboard.compat.proto import event_pb2, summary_pb2
from tensorboard.plugins.hparams import summary_v2 as hparams_summary
from tensorboard.summary.writer.record_writer import RecordWriter

from .records import RunRecord
from .store import DamagedFile, Store
from .tasks import task_of

FOLDER = "tensorboard"
FILE_NAME = "events.out.tfevents.rnnlens"  # TensorBoard reads every file with "tfevents" in its name
# history.csv column -> (run, tag), as Keras's TensorBoard callback names them
HISTORY_TAGS = {
    "train_loss": ("train", "epoch_loss"),
    "train_accuracy": ("train", "epoch_accuracy"),
    "val_loss": ("validation", "epoch_loss"),
    "val_accuracy": ("validation", "epoch_accuracy"),
    "learning_rate": ("train", "epoch_learning_rate"),
    "grad_norm": ("train", "epoch_grad_norm_mean"),
    "grad_norm_max": ("train", "epoch_grad_norm_max"),
    "examples_per_second": ("train", "epoch_examples_per_second"),
}
TEST_TAGS = {"accuracy": "accuracy", "f1_macro": "macro_f1", "roc_auc": "roc_auc", "log_loss": "log_loss"}


def _scalar_event(tag: str, value: float, step: int, wall_time: float) -> event_pb2.Event:
    summary = summary_pb2.Summary(value=[summary_pb2.Summary.Value(tag=tag, simple_value=float(value))])
    return event_pb2.Event(wall_time=wall_time, step=int(step), summary=summary)


def _write_events(path: Path, events: list[event_pb2.Event], wall_time: float) -> None:
    """One event file: the version record TensorBoard expects first, then `events`."""
    with open(path, "wb") as handle:
        writer = RecordWriter(handle)
        writer.write(event_pb2.Event(wall_time=wall_time, file_version="brain.Event:2").SerializeToString())
        for event in events:
            writer.write(event.SerializeToString())
        writer.flush()


def _hparams(record: RunRecord) -> dict[str, bool | int | float | str]:
    """The run's settings as TensorBoard's HParams tab takes them: plain scalars only."""
    values: dict = {"task": record.task, "framework": record.framework}
    spec = record.spec
    for section in (spec.model if spec else {}, spec.training if spec else {}):
        for key, value in section.items():
            if isinstance(value, (bool, int, float, str)) and key not in ("vocab_size", "num_classes"):
                values[key] = value
    return values


def run_events(record: RunRecord, history: pd.DataFrame | None) -> dict[str, list[event_pb2.Event]]:
    """A finished run's events per TensorBoard run: 'train', 'validation' (from its history) and 'test'."""
    start = (record.status.started_at if record.status else None) or (record.spec.created_at if record.spec else 0.0)
    start = float(start or 0.0)
    events: dict[str, list[event_pb2.Event]] = {"train": [], "validation": [], "test": []}
    last_step = 0
    if history is not None:
        elapsed = history["seconds"].cumsum() if "seconds" in history else pd.Series(0.0, index=history.index)
        for (_, row), seconds in zip(history.iterrows(), elapsed):
            step, wall_time = int(row["epoch"]), start + float(seconds)
            last_step = step
            for column, (run, tag) in HISTORY_TAGS.items():
                if column in row and pd.notna(row[column]):
                    events[run].append(_scalar_event(tag, row[column], step, wall_time))
    finished = (record.status.finished_at if record.status else None) or start
    for field, tag in TEST_TAGS.items():
        value = getattr(record.metrics, field, None)
        if value is not None:
            events["test"].append(_scalar_event(tag, value, last_step, finished))
    return {run: run_events for run, run_events in events.items() if run_events}


def export_run(store: Store, record: RunRecord) -> Path:
    """Write (or replace) a finished run's TensorBoard folder; returns it."""
    if record.state != "done":
        raise ValueError(f"run {record.run_id} is {record.state}; only a finished run has curves to export")
    history = None
    if "history.csv" in task_of(record).files_when_done:
        try:
            history = store.read_history(record.dataset, record.run_id)
        except DamagedFile:
            history = None  # its test scores and settings are still worth showing
    wall_time = float((record.status.started_at if record.status else None) or 0.0)
    for run, events in run_events(record, history).items():
        store.write_derived_file(record.dataset, record.run_id, f"{FOLDER}/{run}/{FILE_NAME}",
                                 lambda path, events=events: _write_events(path, events, wall_time))  # fmt: skip
    session = hparams_summary.hparams_pb(_hparams(record), trial_id=record.run_id, start_time_secs=wall_time)
    session_event = event_pb2.Event(wall_time=wall_time, step=0, summary=session)
    store.write_derived_file(record.dataset, record.run_id, f"{FOLDER}/{FILE_NAME}",
                             lambda path: _write_events(path, [session_event], wall_time))  # fmt: skip
    return record.path / FOLDER


def export_store(store: Store, dataset: str | None = None, run_id: str | None = None) -> list[Path]:
    """Export every finished run (of a data set, or one run); returns the folders written."""
    records = [store.find_run(run_id, dataset)] if run_id else store.runs(dataset)
    if run_id and records[0].state != "done":
        raise ValueError(f"run {run_id} is {records[0].state}; only a finished run has curves to export")
    return [export_run(store, record) for record in records if record.state == "done"]


def read_scalars(folder: Path) -> dict[str, list[tuple[int, float]]]:
    """Every scalar under a run's TensorBoard folder, read back with TensorBoard's own EventAccumulator."""
    from tensorboard.backend.event_processing.event_accumulator import EventAccumulator

    scalars = {}
    for events_folder in sorted({path.parent for path in Path(folder).rglob(f"*{FILE_NAME}")}):
        accumulator = EventAccumulator(str(events_folder))
        accumulator.Reload()
        prefix = events_folder.relative_to(folder).as_posix()
        for tag in accumulator.Tags()["scalars"]:
            name = f"{prefix}/{tag}" if prefix != "." else tag
            scalars[name] = [(event.step, event.value) for event in accumulator.Scalars(tag)]
    return scalars
