"""Test-set metrics: probabilities and labels in, a plain dict out. No plotting here."""

from __future__ import annotations

import numpy as np
from sklearn import metrics as skm

CURVE_POINTS = 200  # enough for a smooth chart, small enough for metrics.json


def _thin(*columns: np.ndarray) -> list[list[float]]:
    """At most CURVE_POINTS evenly spaced points of each column, keeping both ends."""
    size = len(columns[0])
    if size > CURVE_POINTS:
        keep = np.unique(np.linspace(0, size - 1, CURVE_POINTS).round().astype(int))
        columns = tuple(column[keep] for column in columns)
    return [np.round(column.astype(float), 6).tolist() for column in columns]


def _curves(scores: np.ndarray, positives: np.ndarray) -> dict:
    """ROC and precision-recall curves for one class against the rest."""
    if positives.all() or not positives.any():
        return {}  # undefined with a single class present
    fpr, tpr, _ = skm.roc_curve(positives, scores)
    precision, recall, _ = skm.precision_recall_curve(positives, scores)
    roc_fpr, roc_tpr = _thin(fpr, tpr)
    pr_recall, pr_precision = _thin(recall, precision)
    return {
        "roc": {"fpr": roc_fpr, "tpr": roc_tpr, "auc": float(skm.auc(fpr, tpr))},
        "pr": {
            "recall": pr_recall,
            "precision": pr_precision,
            "average_precision": float(skm.average_precision_score(positives, scores)),
        },
    }


def classification_metrics(probabilities: np.ndarray, labels: np.ndarray, classes: list[str]) -> dict:
    """Accuracy, precision, recall, F1 (macro and per class), ROC AUC, confusion matrix, curves.

    ROC AUC is the positive class's for two classes and the macro one-vs-rest
    average for more. Curves are kept for the positive class (two classes) or for
    every class against the rest.
    """
    if probabilities.ndim != 2 or probabilities.shape[1] != len(classes) or len(probabilities) != len(labels):
        raise ValueError(f"need probabilities (n, {len(classes)}) and n labels, "
                         f"got {probabilities.shape} and {len(labels)}")
    predicted = probabilities.argmax(axis=1)
    class_ids = list(range(len(classes)))
    precision, recall, f1, support = skm.precision_recall_fscore_support(
        labels, predicted, labels=class_ids, zero_division=0
    )
    result = {
        "examples": int(len(labels)),
        "accuracy": float(skm.accuracy_score(labels, predicted)),
        "balanced_accuracy": float(skm.balanced_accuracy_score(labels, predicted)),
        "precision_macro": float(precision.mean()),
        "recall_macro": float(recall.mean()),
        "f1_macro": float(f1.mean()),
        "f1_weighted": float(np.average(f1, weights=support)) if support.sum() else 0.0,
        "log_loss": float(skm.log_loss(labels, np.clip(probabilities, 1e-7, 1.0), labels=class_ids)),
        "confusion_matrix": skm.confusion_matrix(labels, predicted, labels=class_ids).tolist(),
        "per_class": {
            name: {"precision": float(p), "recall": float(r), "f1": float(f), "support": int(s)}
            for name, p, r, f, s in zip(classes, precision, recall, f1, support)
        },
        "curves": {},
        "roc_auc": None,
    }
    curve_classes = [1] if len(classes) == 2 else class_ids
    for class_id in curve_classes:
        curves = _curves(probabilities[:, class_id], labels == class_id)
        if curves:
            result["curves"][classes[class_id]] = curves
    if len(np.unique(labels)) == len(classes):
        if len(classes) == 2:
            result["roc_auc"] = float(skm.roc_auc_score(labels, probabilities[:, 1]))
        else:
            result["roc_auc"] = float(skm.roc_auc_score(labels, probabilities, multi_class="ovr", average="macro",
                                                        labels=class_ids))
    return result
