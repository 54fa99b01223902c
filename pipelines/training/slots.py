"""Training slots: how many background trainings run at once on this machine, and the queue behind them.

    with training_slot(store):      # waits until one of the store's slots is free, holds it while training
        train(store, request)

A room of students can press "Start training" faster than two cores can
train: six concurrent jobs on two cores each ran several times slower than
one after the other, and starved the dashboard serving them. So a background
job (`pipelines.training.jobs`) takes a slot before it trains; jobs beyond
the slots wait in line (their processes sleep before importing any framework),
and beyond the queue a new job is refused with a message.

A slot is an exclusive lock on `<store>/.slots/slot-N.lock`: the operating
system drops it when its process dies, so a killed job never keeps one. The
holder writes its pid beside the lock, which is how the Train page tells a
running job from a waiting one. Settings (environment, read by the server):
RNNLENS_TRAINING_SLOTS (default: one per two cores) and RNNLENS_JOB_QUEUE
(jobs that may wait; default 4).
"""

from __future__ import annotations

import os
import time
from contextlib import contextmanager
from pathlib import Path
from typing import Callable, Iterator

import psutil
from filelock import FileLock, Timeout

from ..files import read_json, write_json
from ..store import Store

SLOTS_FOLDER = ".slots"
DEFAULT_QUEUE = 4
POLL_SECONDS = 1.0


def _setting(name: str, default: int, least: int) -> int:
    value = os.environ.get(name, "").strip()
    if not value:
        return default
    if not value.isascii() or not value.isdigit() or int(value) < least:
        raise ValueError(f"{name} must be a whole number of at least {least}, got {value!r}")
    return int(value)


def slot_count() -> int:
    """Trainings at once: RNNLENS_TRAINING_SLOTS, else one per two cores (a training uses two threads well)."""
    return _setting("RNNLENS_TRAINING_SLOTS", max(1, (os.cpu_count() or 2) // 2), least=1)


def queue_limit() -> int:
    """Jobs that may wait for a slot: RNNLENS_JOB_QUEUE, else 4; more are refused."""
    return _setting("RNNLENS_JOB_QUEUE", DEFAULT_QUEUE, least=0)


def slots_folder(store: Store) -> Path:
    return store.root / SLOTS_FOLDER


@contextmanager
def training_slot(store: Store, count: int | None = None,
                  on_wait: Callable[[int], None] | None = None) -> Iterator[int]:  # fmt: skip
    """Hold one of the store's `count` slots for the block (waiting until one is free); yields its number.

    `on_wait(busy)` is called once, if every slot is taken at first.
    """
    count = count or slot_count()
    folder = slots_folder(store)
    folder.mkdir(parents=True, exist_ok=True)
    waited = False
    while True:
        for index in range(count):
            lock = FileLock(folder / f"slot-{index}.lock")
            try:
                lock.acquire(timeout=0)
            except Timeout:
                continue
            holder = folder / f"slot-{index}.json"
            try:
                write_json(holder, {"pid": os.getpid(), "since": time.time()})
                yield index
            finally:
                holder.unlink(missing_ok=True)
                lock.release()
            return
        if not waited and on_wait:
            on_wait(count)
        waited = True
        time.sleep(POLL_SECONDS)


def slot_holders(store: Store) -> set[int]:
    """The pids of live processes that hold a slot of the store now."""
    pids = set()
    for path in slots_folder(store).glob("slot-*.json"):
        try:
            pid = int(read_json(path)["pid"])
        except (OSError, ValueError, KeyError, TypeError):
            continue  # being written or removed right now
        if psutil.pid_exists(pid):
            pids.add(pid)
    return pids
