"""The memory lab's sweep: the memory zoo on memory-dN for every distance, in one command.

    python -m pipelines lab                      # distances 5, 10, 20, 50, 100, 200
    python -m pipelines lab --distances 50 100 --distractors
    train_lab(Store(), LabRequest(distances=(50, 100)))

Each run is a normal run of its data set (memory-d50, memory-d100, ...), trained
by the classifiers' trainer like any other, so every command and page reads it; right
after each run its gradients through time and attribution by distance are kept in its
folder (lab.json) for the Memory lab page.
"""

from __future__ import annotations

from ..store import Store
from .request import LabRequest
from .train import Outcome, train


def train_lab(store: Store, request: LabRequest) -> list[Outcome]:
    """Train the memory zoo at every distance that the store does not have yet, `seeds` times (seeds --seed,
    --seed + 1, ...): one seed shows the textbook's picture, several show how often each cell learns the task."""
    outcomes = []
    for each in request.requests():
        outcomes += train(store, each)
    return outcomes
