"""The memory lab's sweep: the memory zoo on memory-dN for every distance, in one command.

    python -m pipelines lab                      # distances 5, 10, 20, 50, 100, 200
    python -m pipelines lab --distances 50 100 --distractors

Each run is a normal run of its data set (memory-d50, memory-d100, ...), trained
by `train_zoo` like any other, so every command and page reads it; right after
each run its gradients through time and attribution by distance are kept in its
folder (lab.json) for the Memory lab page.
"""

from __future__ import annotations

from ..data.memory import DEFAULT_DISTANCES, MAX_DISTANCE
from ..store import Store
from .train import Outcome, train_zoo

LAB_ZOO = "memory"


def lab_keys(distances: list[int], distractors: bool = False) -> list[str]:
    """The data set keys of a sweep, checked before anything is trained."""
    if not distances:
        raise ValueError("give at least one distance")
    wrong = [distance for distance in distances if not 1 <= distance <= MAX_DISTANCE]
    if wrong:
        raise ValueError(f"distances must be 1 to {MAX_DISTANCE} steps, got {', '.join(map(str, wrong))}")
    suffix = "-distractors" if distractors else ""
    return [f"memory-d{distance}{suffix}" for distance in sorted(set(distances))]


def train_lab(store: Store, distances: list[int] = DEFAULT_DISTANCES, distractors: bool = False,
              device: str = "auto", overrides: dict | None = None, show_progress: bool = True,
              views: bool = True, seeds: int = 1) -> list[Outcome]:  # fmt: skip
    """Train the memory zoo at every distance that the store does not have yet, `seeds` times (seeds --seed,
    --seed + 1, ...): one seed shows the textbook's picture, several show how often each cell learns the task."""
    if seeds < 1:
        raise ValueError(f"--seeds must be at least 1, got {seeds}")
    outcomes = []
    for key in lab_keys(list(distances), distractors):
        outcomes += train_zoo(store, key, LAB_ZOO, ["torch"], device=device, overrides=overrides,
                              show_progress=show_progress, words=views, seeds=seeds)  # fmt: skip
    return outcomes
