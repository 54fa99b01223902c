"""Plain tables built from run records: data in, pandas out, no Streamlit.

The pages draw from these; keeping them pure keeps them easy to test.
"""

from __future__ import annotations

import json
from collections import Counter

import pandas as pd

from pipelines.data import tokenize_with_spans
from pipelines.models.spec import ModelSpec
from pipelines.models.zoos import sweep_study_of
from pipelines.store import RunRecord

CELL_NAMES = {"rnn": "RNN", "lstm": "LSTM", "gru": "GRU"}
FRAMEWORK_NAMES = {"torch": "PyTorch", "keras": "Keras"}
# Headline metrics, in the order tables and heatmaps show them.
METRIC_NAMES = {
    "accuracy": "accuracy",
    "balanced_accuracy": "balanced accuracy",
    "precision_macro": "precision (macro)",
    "recall_macro": "recall (macro)",
    "f1_macro": "F1 (macro)",
    "f1_weighted": "F1 (weighted)",
    "roc_auc": "ROC AUC",
}


def spec_of(record: RunRecord) -> ModelSpec | None:
    if not record.model:
        return None  # queued, or damaged before its spec was written
    try:
        return ModelSpec.from_json(record.model)
    except (TypeError, ValueError):
        return None


def run_labels(records: list[RunRecord]) -> dict[str, str]:
    """A short, unique chart label per run id, e.g. 'BiLSTM 1×64'.

    The framework is added when the runs come from more than one, and a piece
    of the run id when two runs would still read the same (other pooling, say).
    """
    base = {}
    for record in records:
        spec = spec_of(record)
        base[record.run_id] = spec.label() if spec else record.run_id
    if len({record.framework for record in records}) > 1:
        base = {r.run_id: f"{base[r.run_id]} · {FRAMEWORK_NAMES.get(r.framework, r.framework)}" for r in records}
    counts = Counter(base.values())
    return {
        run_id: label if counts[label] == 1 else f"{label} · {run_id.rsplit('-', 1)[-1]}"
        for run_id, label in base.items()
    }


def run_frame(records: list[RunRecord]) -> pd.DataFrame:
    """One row per finished run: what it is and how it scored. Sorted by macro F1, best first."""
    labels = run_labels(records)
    rows = []
    for record in records:
        metrics, model = record.metrics or {}, record.model
        rows.append({
            "run_id": record.run_id,
            "label": labels[record.run_id],
            "framework": record.framework,
            "cell": model.get("cell"),
            "bidirectional": bool(model.get("bidirectional")),
            "layers": model.get("layers"),
            "hidden_size": model.get("hidden_size"),
            **{key: metrics.get(key) for key in METRIC_NAMES},
            "parameters": metrics.get("parameters"),
            "train_seconds": metrics.get("train_seconds"),
            "epochs_trained": metrics.get("epochs_trained"),
            "best_epoch": metrics.get("best_epoch"),
        })  # fmt: skip
    columns = ["run_id", "label", "framework", "cell", "bidirectional", "layers", "hidden_size", *METRIC_NAMES,
               "parameters", "train_seconds", "epochs_trained", "best_epoch"]  # fmt: skip
    frame = pd.DataFrame(rows, columns=columns)
    return frame.sort_values("f1_macro", ascending=False, na_position="last").reset_index(drop=True)


def leaderboard(frame: pd.DataFrame) -> pd.DataFrame:
    """The run frame as people read it: named columns, cells spelled out."""
    return pd.DataFrame({
        "model": frame["label"],
        "cell": frame["cell"].map(CELL_NAMES),
        "direction": frame["bidirectional"].map({True: "bi", False: "uni"}),
        "layers": frame["layers"],
        "accuracy": frame["accuracy"],
        "macro F1": frame["f1_macro"],
        "ROC AUC": frame["roc_auc"],
        "parameters": frame["parameters"],
        "train time (s)": frame["train_seconds"],
        "epochs": frame["epochs_trained"],
        "best epoch": frame["best_epoch"],
        "framework": frame["framework"].map(lambda name: FRAMEWORK_NAMES.get(name, name)),
        "run id": frame["run_id"],
    })  # fmt: skip


def problem_runs(records: list[RunRecord]) -> pd.DataFrame:
    """Runs that are not done: their state, progress and what went wrong."""
    rows = []
    for record in records:
        if record.state == "done":
            continue
        status = record.status or {}
        progress = status.get("progress") if record.state == "running" else None
        rows.append({"run id": record.run_id, "state": record.state, "progress": progress,
                     "problem": record.problem or ""})  # fmt: skip
    return pd.DataFrame(rows, columns=["run id", "state", "progress", "problem"])


def metrics_table(frame: pd.DataFrame) -> pd.DataFrame:
    """Runs x headline metrics, indexed by label (for the heatmap and its CSV)."""
    table = frame.set_index("label")[list(METRIC_NAMES)].rename(columns=METRIC_NAMES)
    return table.astype(float)


def per_class_table(records: list[RunRecord], labels: dict[str, str]) -> pd.DataFrame:
    """Precision, recall, F1 and support per (run, class)."""
    rows = []
    for record in records:
        for class_name, scores in (record.metrics or {}).get("per_class", {}).items():
            rows.append({"model": labels[record.run_id], "class": class_name, **scores})
    return pd.DataFrame(rows, columns=["model", "class", "precision", "recall", "f1", "support"])


def sweep_points(records: list[RunRecord], labels: dict[str, str]) -> pd.DataFrame:
    """Each finished sweep run once per study it belongs to: study, value, cell, macro F1."""
    rows = []
    for record in records:
        spec = spec_of(record)
        if spec is None or record.metrics is None:
            continue
        for study, value in sweep_study_of(spec):
            rows.append({"study": study, "value": value, "cell": spec.cell, "framework": record.framework,
                         "f1_macro": record.metrics.get("f1_macro"), "label": labels[record.run_id],
                         "run_id": record.run_id})  # fmt: skip
    return pd.DataFrame(rows, columns=["study", "value", "cell", "framework", "f1_macro", "label", "run_id"])


def token_view(text: str, vocabulary) -> list[tuple[str, str]]:
    """The text as the models read it: (original word, 'known' | 'unknown' | 'beyond') per token.

    'beyond' marks tokens after the first `maxlen`, which no model reads.
    """
    view = []
    for position, token in enumerate(tokenize_with_spans(text)):
        if position >= vocabulary.maxlen:
            view.append((text[token.start : token.end], "beyond"))
        else:
            view.append((text[token.start : token.end], "known" if token.text in vocabulary else "unknown"))
    return view


def framework_pairs(records: list[RunRecord]) -> list[tuple[RunRecord, RunRecord]]:
    """(PyTorch run, Keras run) pairs of one architecture trained with the same settings on the same data."""
    def twin_key(record: RunRecord):
        spec = record.spec or {}
        return json.dumps([spec.get("model"), spec.get("training"), (spec.get("dataset") or {}).get("key")],
                          sort_keys=True)  # fmt: skip

    keras_runs = {twin_key(record): record for record in records if record.framework == "keras"}
    return [(record, keras_runs[twin_key(record)]) for record in records
            if record.framework == "torch" and twin_key(record) in keras_runs]  # fmt: skip


def framework_comparison(pair: tuple[RunRecord, RunRecord]) -> pd.DataFrame:
    """Seed 000's comparison: one row per measure, one column per framework."""
    measures = {
        "accuracy": "accuracy", "f1_macro": "macro F1", "roc_auc": "ROC AUC", "parameters": "parameters",
        "parameters_formula": "parameters (formula)", "train_seconds": "train time (s)",
        "epochs_trained": "epochs", "best_epoch": "best epoch", "examples_per_second": "examples per second",
        "predict_seconds": "test-set prediction (s)", "device": "device",
    }  # fmt: skip
    columns = {}
    for record in pair:
        metrics = record.metrics or {}
        values = {name: metrics.get(key) for key, name in measures.items()}
        epochs = metrics.get("epochs_trained")
        seconds = metrics.get("train_seconds")
        values["seconds per epoch"] = seconds / epochs if epochs and seconds else None
        columns[FRAMEWORK_NAMES.get(record.framework, record.framework)] = values
    frame = pd.DataFrame(columns).map(_readable)
    return frame.rename_axis("measure").reset_index()


def _readable(value) -> str:
    if value is None or (isinstance(value, float) and value != value):
        return "–"
    if isinstance(value, bool) or isinstance(value, str):
        return str(value)
    if isinstance(value, int) or (isinstance(value, float) and value.is_integer() and abs(value) >= 10):
        return f"{int(value):,}"
    return f"{value:.4f}" if abs(value) < 10 else f"{value:,.1f}"


def token_table(comparison, layer: int, direction: str, unit: int) -> pd.DataFrame:
    """One unit of one layer, token by token: each value as the framework and the reference computed it."""
    chosen = next(d for d in comparison.directions if d.layer == layer and d.direction == direction)
    table = pd.DataFrame({"token": comparison.tokens})
    for name, reference in chosen.reference.items():
        framework = chosen.framework(name)
        if framework is not None:
            table[f"{name} (framework)"] = framework[:, unit].astype(float)
        table[f"{name} (reference)"] = reference[:, unit]
    difference = chosen.difference("hidden")
    if difference is not None:
        table["largest |Δh| over units"] = difference
    return table
