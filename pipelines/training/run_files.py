"""What every trained run gets, whatever trains it (a zoo's recurrent model or a baseline).

- `run_id_for`: the readable, content-addressed run id;
- `dataset_reference`, `predictions_frame`: the data set section of spec.json and the predictions.csv table.

Claiming and training them, with progress and outcomes, is `progress.py`'s.
"""

from __future__ import annotations

import hashlib
import json

import numpy as np
import pandas as pd

from ..encoding import EncodedSplit
from ..tasks import CLASSIFICATION
from .config import TrainConfig


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
