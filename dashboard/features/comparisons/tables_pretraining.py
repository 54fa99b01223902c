"""From scratch against pretrained embeddings: the rows the Compare page draws. Data in, pandas out."""

from __future__ import annotations

from dataclasses import replace

import pandas as pd

from pipelines.models.spec import ModelSpec
from pipelines.records import RunRecord

STARTS = {"scratch": "from scratch", "tuned": "pretrained, fine-tuned", "frozen": "pretrained, frozen"}
COLUMNS = ["architecture", "cell", "start", "accuracy", "f1_macro", "coverage", "embedding_size", "train_seconds",
           "label", "run_id"]  # fmt: skip


def _architecture(spec: ModelSpec) -> ModelSpec:
    """The spec with where its embeddings came from (and so their size) left out: what scratch and pretrained share."""
    return replace(spec, embeddings=None, frozen_embeddings=False, embedding_size=1, vocab_size=0, num_classes=0)


def pretraining_points(records: list[RunRecord], labels: dict[str, str]) -> pd.DataFrame:
    """One row per finished run of every architecture that has at least one pretrained run, scratch twins included.

    `start` is "from scratch", "pretrained, fine-tuned" or "pretrained, frozen"; `coverage` the share of the
    vocabulary the pretrained vectors had (empty from scratch).
    """
    runs = [(record, record.model_spec) for record in records
            if isinstance(record.model_spec, ModelSpec) and record.metrics is not None]  # fmt: skip
    pretrained = {_architecture(spec) for _, spec in runs if spec.embeddings}
    rows = []
    for record, spec in runs:
        if _architecture(spec) not in pretrained:
            continue
        metrics = record.metrics
        rows.append({
            "architecture": replace(spec, embeddings=None, frozen_embeddings=False).label(),  # e.g. "BiGRU 1×64"
            "cell": spec.cell, "start": STARTS[spec.start], "accuracy": getattr(metrics, "accuracy", None),
            "f1_macro": getattr(metrics, "f1_macro", None), "coverage": metrics.pretrained_coverage,
            "embedding_size": spec.embedding_size, "train_seconds": metrics.train_seconds,
            "label": labels.get(record.run_id, record.run_id), "run_id": record.run_id,
        })  # fmt: skip
    return pd.DataFrame(rows, columns=COLUMNS)
