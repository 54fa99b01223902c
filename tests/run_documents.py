"""Well-formed run documents for tests that write a store by hand: the shapes training writes.

`spec_document` and `metrics_document` are what `pipelines.training.train` puts in spec.json and
metrics.json (metrics by the real `classification_metrics`), so a test that damages one field of them
damages exactly that field.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np

from pipelines.evaluate import classification_metrics
from pipelines.models.spec import ModelSpec
from pipelines.records import RunRecord
from pipelines.store import read_record

CLASSES = ["negative", "positive"]


def spec_document(run_id: str = "torch-lstm-uni-1x64-0000", framework: str = "torch", task: str = "classification",
                  **model) -> dict:  # fmt: skip
    spec = ModelSpec(**{"hidden_size": 64, **model}).resolved(100, len(CLASSES))
    return {
        "run_id": run_id, "framework": framework, "task": task, "label": spec.label(), "zoo": "quick",
        "dataset": {"key": "ds", "title": "Test data", "classes": CLASSES, "vocabulary_fingerprint": "abc",
                    "vocabulary_size": 100, "maxlen": 20},
        "model": spec.to_json(), "training": {"epochs": 2, "seed": 42}, "device": "cpu",
        "versions": {"rnnlens": "0.1.0"}, "created_at": 1.0,
    }  # fmt: skip


def metrics_document(**extra) -> dict:
    """Real classification metrics of 8 predictions (6 right), plus the training facts."""
    labels = np.array([0, 0, 0, 0, 1, 1, 1, 1])
    positive = np.array([0.1, 0.2, 0.3, 0.7, 0.4, 0.8, 0.9, 0.95])
    metrics = classification_metrics(np.stack([1 - positive, positive], axis=1), labels, CLASSES)
    metrics.update(parameters=1000, train_seconds=3.0, epochs_trained=2, best_epoch=2, **extra)
    return metrics


def finish(claim, spec: dict | None = None, metrics: dict | None = None) -> None:
    """Write a done run into a claimed folder: the files a finished classifier has."""
    claim.write_json("spec.json", spec or spec_document(claim.run_id))
    for name in ("history.csv", "predictions.csv", "weights.safetensors"):
        (claim.path / name).write_text("x")
    claim.write_json("metrics.json", metrics or metrics_document())
    claim.set_status("done")


def record(run_id: str, framework: str = "torch", f1: float | None = None, training: dict | None = None,
           folder: Path | None = None, **model) -> RunRecord:  # fmt: skip
    """A finished classifier's record as the store reads it, written to `folder` (a temporary one by default)."""
    import tempfile

    from pipelines.files import write_json

    path = (folder or Path(tempfile.mkdtemp())) / run_id
    spec = spec_document(run_id, framework, **model)
    if training is not None:
        spec["training"] = training
    metrics = metrics_document()
    if f1 is not None:
        metrics["f1_macro"] = f1
    write_json(path / "spec.json", spec)
    write_json(path / "metrics.json", metrics)
    for name in ("history.csv", "predictions.csv", "weights.safetensors"):
        (path / name).write_text("x")
    from pipelines.checksums import checksums_of

    write_json(path / "status.json", {"state": "done", "updated_at": 1.0,
                                      "files": checksums_of(path, skip={"status.json"})})  # fmt: skip
    read = read_record("ds", run_id, path)
    assert read.state == "done", read.problem
    return read
