"""What every trained run gets, whatever trains it (a zoo's recurrent model or a baseline).

- `run_id_for`: the readable, content-addressed run id;
- `spec_document`, `dataset_reference`, `predictions_frame`: spec.json, its data set section, predictions.csv;
- `status_reporter`, `finish`: status.json while a run trains, and its last two writes.

Claiming and training them, with progress and outcomes, is `progress.py`'s.
"""

from __future__ import annotations

import hashlib
import json
import time
from typing import Callable

import numpy as np
import pandas as pd

from ..backends import common_versions
from ..encoding import EncodedSplit
from ..store import RunClaim
from ..tasks import CLASSIFICATION
from .config import TrainConfig
from .loop import ProgressCallback


def run_id_for(framework: str, spec, dataset_key: str, vocabulary_fingerprint: str,
               config: TrainConfig | None, task: str = CLASSIFICATION.name) -> str:  # fmt: skip
    """`spec` is the task's spec (anything with `to_json` and `short_name`); a baseline has no TrainConfig."""
    identity = {
        "framework": framework,
        "model": spec.to_json(),
        "dataset": dataset_key,
        "vocabulary": vocabulary_fingerprint,
        "training": config.to_json() if config is not None else {},
    }
    if task != CLASSIFICATION.name:  # classifiers keep the ids they had before runs had kinds
        identity["task"] = task
    digest = hashlib.sha256(json.dumps(identity, sort_keys=True).encode()).hexdigest()[:8]
    return f"{framework}-{spec.short_name()}-{digest}"


def dataset_reference(data) -> dict:
    """The data set of a `train.PreparedData` as a run's spec.json records it (`records.DatasetRef`)."""
    return {
        "key": data.key,
        "title": data.dataset.info.title,
        "classes": data.classes,
        "vocabulary_fingerprint": data.vocabulary.fingerprint(),
        "data_fingerprint": data.fingerprint or None,
        "vocabulary_size": len(data.vocabulary),
        "maxlen": data.vocabulary.maxlen,
    }


def predictions_frame(split: EncodedSplit, probabilities: np.ndarray, classes: list[str]) -> pd.DataFrame:
    frame = pd.DataFrame({"id": split.example_ids, "label": split.labels, "predicted": probabilities.argmax(1)})
    for index, name in enumerate(classes):
        frame[f"prob_{name}"] = probabilities[:, index]
    return frame


STATUS_INTERVAL = 1.0  # seconds between status.json progress updates


def spec_document(run_id: str, framework: str, task: str, spec, zoo_name: str | None, dataset: dict,
                  training: dict, device: str, versions: dict) -> dict:  # fmt: skip
    """A run's spec.json (`pipelines.records.RunSpec`): what it is, what it read, how it trained, and with what."""
    return {
        "run_id": run_id,
        "framework": framework,
        "task": task,
        "label": spec.label(),
        "zoo": zoo_name,
        "dataset": dataset,
        "model": spec.to_json(),
        "training": training,
        "device": device,
        "versions": {**common_versions(), **versions},
        "created_at": time.time(),
    }


def status_reporter(claim: RunClaim, started: float, on_step: Callable[[dict], None] | None = None) -> ProgressCallback:
    """Mark a claimed run running; the callback a training loop reports its steps to (the progress bar's
    `on_step`, and the run's status.json at most once a second and at the end of every epoch)."""
    claim.set_status("running", progress=0.0, started_at=started)
    last_write = 0.0

    def report(progress: dict) -> None:
        nonlocal last_write
        if on_step:
            on_step(progress)
        finished_steps = (progress["epoch"] - 1) * progress["steps"] + progress["step"]
        fraction = finished_steps / (progress["epochs"] * progress["steps"])
        if time.monotonic() - last_write >= STATUS_INTERVAL or progress["step"] == progress["steps"]:
            last_write = time.monotonic()
            claim.set_status("running", progress=round(fraction, 4), elapsed=time.time() - started, **progress)

    return report


def finish(claim: RunClaim, metrics: dict, started: float) -> None:
    """Write a run's metrics.json, then mark it done: the last two writes of every run, in that order."""
    claim.write_json("metrics.json", metrics)
    claim.set_status("done", progress=1.0, started_at=started, finished_at=time.time(), elapsed=time.time() - started)
