"""Training the bag-of-words baselines of a data set: runs of kind `baseline`, stored like any run.

    outcomes = train_baselines(store, prepare_data(store, "rt-polarity"))

`train.train` calls this first for every classification data set (seconds on
rt-polarity), so every leaderboard has its yardstick: the majority class and
TF-IDF + logistic regression (`pipelines.baselines`). A baseline's id hashes
its spec, the data set and the vocabulary's fingerprint (which changes with
the training texts), so it is trained once per data set.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np

from ..baselines import BaselineSpec, baseline_specs, fit_baseline
from ..baselines.model import FEATURES_FILE, WEIGHTS_FILE
from ..evaluate import classification_metrics
from ..store import RunClaim, Store
from ..tasks import BASELINE
from .progress import Outcome, derive_views, run_detail, train_each
from .run_files import dataset_reference, predictions_frame, run_id_for, spec_document

FRAMEWORK = "sklearn"


@dataclass(frozen=True)
class PlannedBaseline:
    run_id: str
    spec: BaselineSpec  # resolved: class count filled in


def plan_baselines(data, specs: list[BaselineSpec] | None = None) -> list[PlannedBaseline]:
    """The baselines of a `train.PreparedData`, with their run ids."""
    planned = []
    for spec in specs or baseline_specs():
        resolved = spec.resolved(len(data.classes))
        run_id = run_id_for(FRAMEWORK, resolved, data.key, data.vocabulary.fingerprint(), None, task=BASELINE.name)
        planned.append(PlannedBaseline(run_id, resolved))
    return planned


def train_baseline(run: PlannedBaseline, data, claim: RunClaim) -> dict:
    """Fit, evaluate and store one claimed baseline; returns its metrics."""
    started = time.time()
    # Status first: a process killed between the two writes leaves a run that reads as interrupted, not corrupt.
    claim.set_status("running", progress=0.0, started_at=started)
    claim.write_json("spec.json", spec_document(run.run_id, FRAMEWORK, BASELINE.name, run.spec, None,
                                                dataset_reference(data), {}, "cpu", {}))  # fmt: skip
    texts = {name: [example.text for example in split] for name, split in data.dataset.splits().items()}
    fit_start = time.perf_counter()
    model = fit_baseline(run.spec, texts["train"], data.train.labels, texts["validation"], data.validation.labels,
                         data.classes)  # fmt: skip
    train_seconds = time.perf_counter() - fit_start

    predict_start = time.perf_counter()
    probabilities = model.predict_proba(texts["test"])
    predict_seconds = time.perf_counter() - predict_start
    claim.write_frame("predictions.csv", predictions_frame(data.test, probabilities, data.classes))
    validation = model.predict_proba(texts["validation"]).argmax(1) if texts["validation"] else np.array([])
    metrics = classification_metrics(probabilities, data.test.labels, data.classes)
    metrics.update(
        parameters=model.parameters, train_seconds=train_seconds, predict_seconds=predict_seconds, device="cpu",
        validation_accuracy=float((validation == data.validation.labels).mean()) if len(validation) else None,
        examples_per_second=len(texts["train"]) / train_seconds if train_seconds > 0 else None,
        method=run.spec.method, features=model.feature_count or None, regularisation=model.regularisation,
        validation_scores=model.validation_scores,
    )  # fmt: skip
    BASELINE.metrics.model_validate(metrics)  # what every reader will expect of the file
    claim.write_file(WEIGHTS_FILE, model.save_weights)
    claim.write_json(FEATURES_FILE, model.features_document())
    claim.write_json("metrics.json", metrics)
    claim.set_status("done", progress=1.0, started_at=started, finished_at=time.time(), elapsed=time.time() - started)
    return metrics


def train_baselines(store: Store, data, specs: list[BaselineSpec] | None = None,
                    show_progress: bool = True) -> list[Outcome]:  # fmt: skip
    """Train the data set's baselines that the store does not have yet; each finished one's TensorBoard events
    are written (`progress.derive_views`)."""
    by_id = {run.run_id: run for run in plan_baselines(data, specs)}

    def train_one(run_id: str, claim: RunClaim, on_step) -> str:
        return run_detail(train_baseline(by_id[run_id], data, claim))

    def finished(run_id: str) -> None:
        derive_views(store, data.key, run_id, BASELINE.name)

    return train_each(store, data.key, list(by_id), f"baselines on {data.key}", train_one, show_progress, finished)
