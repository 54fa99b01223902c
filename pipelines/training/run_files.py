"""What every trained run gets, whatever trains it (a zoo's recurrent model or a baseline).

- `run_id_for`: the readable, content-addressed run id;
- `dataset_reference`, `predictions_frame`: the data set section of spec.json and the predictions.csv table;
- `train_claimed`: claim a run, train it, and record what happened (trained, skipped, busy or failed).
"""

from __future__ import annotations

import hashlib
import json
import traceback
from dataclasses import dataclass
from typing import Callable

import numpy as np
import pandas as pd
from tqdm import tqdm

from ..encoding import EncodedSplit
from ..store import RunClaim, Store
from ..tasks import CLASSIFICATION
from .config import TrainConfig


@dataclass
class Outcome:
    run_id: str
    result: str  # trained | skipped (done) | busy (another process) | failed
    detail: str = ""


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
        "vocabulary_size": len(data.vocabulary),
        "maxlen": data.vocabulary.maxlen,
    }


def predictions_frame(split: EncodedSplit, probabilities: np.ndarray, classes: list[str]) -> pd.DataFrame:
    frame = pd.DataFrame({"id": split.example_ids, "label": split.labels, "predicted": probabilities.argmax(1)})
    for index, name in enumerate(classes):
        frame[f"prob_{name}"] = probabilities[:, index]
    return frame


def train_claimed(store: Store, dataset: str, run_id: str, train: Callable[[RunClaim], dict]) -> Outcome:
    """Claim a run, train it with `train(claim)` (which returns its metrics) and say what happened.

    A run that is done or held by another process is left alone; a run whose
    training raises is marked failed with its error, and the caller goes on.
    """
    with store.claim(dataset, run_id) as claim:
        if claim is None:
            state = store.run(dataset, run_id).state
            tqdm.write(f"{run_id}: {'already trained' if state == 'done' else 'being trained elsewhere'}")
            return Outcome(run_id, "skipped" if state == "done" else "busy", state)
        try:
            metrics = train(claim)
        except Exception as error:  # one broken run must not stop the zoo
            claim.set_status("failed", error=f"{type(error).__name__}: {error}", traceback=traceback.format_exc())
            tqdm.write(f"{run_id}: FAILED: {type(error).__name__}: {error}")
            return Outcome(run_id, "failed", f"{type(error).__name__}: {error}")
    detail = f"accuracy {metrics['accuracy']:.3f}, macro F1 {metrics['f1_macro']:.3f}, {metrics['train_seconds']:.0f}s"
    tqdm.write(f"{run_id}: {detail}")
    return Outcome(run_id, "trained", detail)
