"""One intra-op thread for small recurrent work on the CPU.

A recurrent kernel (oneDNN's or PyTorch's own) makes its threads meet at every
time step. For one text a step is a few microseconds of work, so a second
thread mostly waits at those barriers, and on a busy machine, where that
thread is often descheduled, each wait can cost a millisecond. On our shared
2-core machine the seven quick-zoo models predicted one text in ~200 ms with
two threads and ~8 ms with one (BENCHMARKS.md, "Explanation"). Prediction
uses one thread for a few texts; explanation and attribution always do (their
batches of a few hundred sequences were slower on two threads too). Training
and test-set evaluation keep every thread.
"""

from __future__ import annotations

from contextlib import contextmanager
from typing import Iterator

import torch

SMALL_BATCH = 8  # texts; a batch this small runs on one thread


@contextmanager
def limited_threads(count: int | None) -> Iterator[None]:
    """Run the block on at most `count` intra-op threads (None: as many as before), then restore the count."""
    previous = torch.get_num_threads()
    if count is None or previous <= count:
        yield
        return
    torch.set_num_threads(count)
    try:
        yield
    finally:
        torch.set_num_threads(previous)


def single_thread(enabled: bool = True):
    """Run the block on one intra-op thread, then restore the previous count."""
    return limited_threads(1 if enabled else None)


def prefer_low_latency() -> None:
    """For a process that answers one text at a time (the dashboard), not one that trains: one thread for good.

    Training jobs run in their own processes and keep every core.
    """
    torch.set_num_threads(1)
