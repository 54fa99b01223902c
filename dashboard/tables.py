"""Plain tables built from run records: data in, pandas out, no Streamlit.

The pages draw from these; keeping them pure keeps them easy to test. Records
are typed (`pipelines.records`): a table reads attributes, never the store's JSON.
"""

from __future__ import annotations

from collections import Counter

import pandas as pd

from pipelines.baselines import BaselineSpec
from pipelines.data import read_tokens
from pipelines.models.cells import CELL_NAMES
from pipelines.models.spec import FRAMEWORK_NAMES, ModelSpec
from pipelines.models.zoos import sweep_study_of
from pipelines.records import RunRecord

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
TRAINING_FACTS = ("parameters", "train_seconds", "epochs_trained", "best_epoch")


def spec_of(record: RunRecord) -> ModelSpec | None:
    """The run's recurrent classifier architecture, or None (queued, damaged, or not a recurrent classifier)."""
    return record.model_spec if isinstance(record.model_spec, ModelSpec) else None


def baseline_of(record: RunRecord) -> BaselineSpec | None:
    """The run's baseline spec (majority class, TF-IDF + LR), or None."""
    return record.model_spec if isinstance(record.model_spec, BaselineSpec) else None


def architecture_of(record: RunRecord):
    """Any kind's model spec that names itself (`label()`): a classifier's, a language model's, an n-gram's."""
    return record.model_spec if hasattr(record.model_spec, "label") else None


def run_labels(records: list[RunRecord]) -> dict[str, str]:
    """A short, unique chart label per run id, e.g. 'BiLSTM 1×64', 'TF-IDF + LR (1-2 grams)'.

    The framework is added to recurrent runs when they come from more than one,
    the seed when runs of one model differ only in it ('BiGRU 1×64 · seed 43'),
    and a piece of the run id when two runs would still read the same (other pooling, say).
    """
    base = {}
    for record in records:
        spec = architecture_of(record)  # every kind's spec has a label: "BiLSTM 1×64", "TF-IDF + LR", "7-gram", ...
        base[record.run_id] = spec.label() if spec else record.run_id
    recurrent = [record for record in records if record.framework in FRAMEWORK_NAMES]
    if len({record.framework for record in recurrent}) > 1:  # twins: PyTorch and Keras
        base.update({r.run_id: f"{base[r.run_id]} · {FRAMEWORK_NAMES[r.framework]}" for r in recurrent})
    seeds: dict[str, list] = {}
    for record in records:
        seeds.setdefault(base[record.run_id], []).append(record.spec.seed if record.spec else None)
    # A label shared by runs whose seeds all differ: the seeds tell them apart.
    by_seed = {label for label, values in seeds.items() if len(values) > 1 and None not in values
               and len(set(values)) == len(values)}  # fmt: skip
    seeded = {record.run_id: f"{base[record.run_id]} · seed {record.spec.seed}" if base[record.run_id] in by_seed
              else base[record.run_id] for record in records}  # fmt: skip
    counts = Counter(seeded.values())
    return {
        run_id: label if counts[label] == 1 else f"{label} · {run_id.rsplit('-', 1)[-1]}"
        for run_id, label in seeded.items()
    }


def run_frame(records: list[RunRecord]) -> pd.DataFrame:
    """One row per finished run: what it is and how it scored. Sorted by macro F1, best first (language models:
    by bits per character, fewest first)."""
    labels = run_labels(records)
    rows = []
    for record in records:
        # A classifier's, a forecaster's or a language model's spec; a baseline (bag-of-words or forecasting) and
        # an n-gram model have no cell.
        spec, metrics, baseline = record.model_spec, record.metrics, baseline_of(record)
        rows.append({
            "run_id": record.run_id,
            "label": labels[record.run_id],
            "framework": record.framework,
            "baseline": baseline.method if baseline else None,
            "seed": record.spec.seed if record.spec else None,
            "cell": getattr(spec, "cell", None),
            "bidirectional": getattr(spec, "bidirectional", False),
            "layers": getattr(spec, "layers", None),
            "hidden_size": getattr(spec, "hidden_size", None),
            **{key: getattr(metrics, key, None) for key in (*METRIC_NAMES, *TRAINING_FACTS, "bits_per_character")},
        })  # fmt: skip
    columns = ["run_id", "label", "framework", "baseline", "seed", "cell", "bidirectional", "layers", "hidden_size",
               *METRIC_NAMES, *TRAINING_FACTS, "bits_per_character"]  # fmt: skip
    frame = pd.DataFrame(rows, columns=columns)
    return frame.sort_values(["f1_macro", "bits_per_character"], ascending=[False, True],
                             na_position="last").reset_index(drop=True)  # fmt: skip


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
    rows = [{"run id": record.run_id, "state": record.state,
             "progress": "" if record.progress is None else f"{record.progress:.0%}",
             "problem": record.problem or ""} for record in records if record.state != "done"]  # fmt: skip
    return pd.DataFrame(rows, columns=["run id", "state", "progress", "problem"])


def metrics_table(frame: pd.DataFrame) -> pd.DataFrame:
    """Runs x headline metrics, indexed by label (for the heatmap and its CSV)."""
    table = frame.set_index("label")[list(METRIC_NAMES)].rename(columns=METRIC_NAMES)
    return table.astype(float)


def per_class_table(records: list[RunRecord], labels: dict[str, str]) -> pd.DataFrame:
    """Precision, recall, F1 and support per (run, class)."""
    rows = []
    for record in records:
        for class_name, scores in getattr(record.metrics, "per_class", {}).items():
            rows.append({"model": labels[record.run_id], "class": class_name, **scores.to_json()})
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
                         "f1_macro": getattr(record.metrics, "f1_macro", None), "label": labels[record.run_id],
                         "run_id": record.run_id})  # fmt: skip
    return pd.DataFrame(rows, columns=["study", "value", "cell", "framework", "f1_macro", "label", "run_id"])


def token_view(text: str, vocabulary) -> list[tuple[str, str]]:
    """The text as the models read it (`pipelines.data.read_tokens`): (original word, look) per token.

    The look is 'known', 'unknown', or 'beyond' for tokens after the first `maxlen`, which no model reads.
    """
    return [(text[token.start : token.end], "beyond" if token.truncated else "known" if token.known else "unknown")
            for token in read_tokens(text, vocabulary)]  # fmt: skip


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
        metrics = record.metrics
        values = {name: getattr(metrics, key, None) for key, name in measures.items()}
        epochs, seconds = getattr(metrics, "epochs_trained", None), getattr(metrics, "train_seconds", None)
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


def lab_frame(points: list) -> pd.DataFrame:
    """The memory lab's finished runs (`LabPoint`s): one row each, by distance, cell and initialisation."""
    rows = [{"distance": p.distance, "cell": p.cell, "init": p.init, "fair": p.fair, "seed": p.seed,
             "accuracy": p.accuracy, "epochs": p.epochs, "seconds": p.seconds, "run_id": p.record.run_id}
            for p in points]  # fmt: skip
    return pd.DataFrame(rows, columns=["distance", "cell", "init", "fair", "seed", "accuracy", "epochs", "seconds",
                                       "run_id"])  # fmt: skip


def lab_table(points: list, solved: bool = False) -> pd.DataFrame:
    """Test accuracy as people read it: a row per cell and start, a column per distance, the mean over the seeds
    (`accuracy_over_seeds`, as the `lab` command prints it); with `solved`, how many runs learned the task instead
    ("2 of 3")."""
    from pipelines.explain.memory_lab import accuracy_over_seeds  # imports torch: only the lab's pages pay for it

    rows = [{"model": f"{CELL_NAMES[cell]} ({init} start)", "distance": distance,
             "value": f"{learned} of {runs}" if solved else mean}
            for (cell, init, distance), (mean, learned, runs) in accuracy_over_seeds(points).items()]  # fmt: skip
    wide = pd.DataFrame(rows).pivot(index="model", columns="distance", values="value")
    wide.columns = [f"D = {distance}" for distance in wide.columns]
    return wide.reset_index().rename_axis(columns=None)
