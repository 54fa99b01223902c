"""Settings for a process that answers one text at a time (the dashboard), not one that trains.

    prefer_low_latency()   # once, before the first prediction

A single review is far too small to split across CPU threads: on a busy 2-core
machine, seven quick-zoo models took ~440 ms for one text on PyTorch's default
two threads and 10-30 ms on one (BENCHMARKS.md). Training jobs run in their own
processes and keep every core.
"""

from __future__ import annotations


def prefer_low_latency() -> None:
    """Run framework inference in this process on one CPU thread."""
    import torch

    torch.set_num_threads(1)
