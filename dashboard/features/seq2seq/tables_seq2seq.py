"""Tables of encoder-decoders: plain records in, a DataFrame out (the Overview, The bottleneck and the report).

    board = model_board(records)     # a row per model, best first: BLEU for text, else exact match
"""

from __future__ import annotations

import pandas as pd

from pipelines.records import RunRecord


def best_first(records: list[RunRecord]) -> list[RunRecord]:
    """Encoder-decoders best first: by BLEU on a text task, then exact match, then per-token accuracy."""
    return sorted(records, key=lambda record: (-(record.metrics.bleu or 0.0), -record.metrics.exact_match,
                                               -record.metrics.token_accuracy))  # fmt: skip


def model_board(records: list[RunRecord]) -> pd.DataFrame:
    """A row per finished encoder-decoder (in the order given): its scores, its context vector, its training."""
    return pd.DataFrame([{
        "model": record.model_spec.label(), "attention": record.model_spec.attention,
        "context vector": record.model_spec.encoder_size, "exact match": record.metrics.exact_match,
        "per-token accuracy": record.metrics.token_accuracy,
        **({"BLEU": record.metrics.bleu, "chrF": record.metrics.chrf} if record.metrics.bleu is not None else {}),
        "epochs": record.metrics.epochs_trained, "train time (s)": record.metrics.train_seconds,
        "run id": record.run_id,
    } for record in records])  # fmt: skip


def length_curves(records: list[RunRecord]) -> list[dict]:
    """`figures_seq2seq.accuracy_by_length`'s input: each model's scores by source-length bucket."""
    return [{"label": record.model_spec.label(), "cell": record.model_spec.cell,
             "attention": record.model_spec.attention, "hidden": record.model_spec.hidden_size,
             "by_length": [bucket.to_json() for bucket in record.metrics.by_length]} for record in records]
