"""Checking a trained run against the NumPy reference: `python -m pipelines verify --run RUN`.

    report = verify_run(Store(), "torch-lstm-uni-1x64-max-3f9a1c2e")
    report["max_abs_difference"], report["differing_labels"], report["agree"]

The run's model is rebuilt from the store as any reader rebuilds it
(`load_run`), its weights are read into the reference (`ReferenceModel.from_torch`
or `.from_keras`), and both predict the run's whole test set, encoded with the
run's stored vocabulary. They agree when no probability differs by more than
`TOLERANCE`, no predicted label differs, and the parameter counts of the
framework, the reference and the closed-form formula are equal.
"""

from __future__ import annotations

import time

import numpy as np

from .batching import EncodedSplit, inference_batches
from .data import Example
from .evaluate import classification_metrics
from .models.reference import ReferenceModel
from .models.spec import parameter_count
from .runs import LoadedRun, load_run
from .store import Store

TOLERANCE = 1e-5
REFERENCE_BATCH_SIZE = 256


def reference_for(run: LoadedRun) -> ReferenceModel:
    """The reference holding a loaded run's weights."""
    if run.framework == "torch":
        return ReferenceModel.from_torch(run.spec, run.model.state_dict())
    return ReferenceModel.from_keras(run.spec, run.model)


def reference_probabilities(reference: ReferenceModel, split: EncodedSplit) -> np.ndarray:
    """Class probabilities (examples, classes) in the split's order, float64."""
    probabilities = np.zeros((len(split), reference.spec.num_classes))
    for indices in inference_batches(split.lengths, REFERENCE_BATCH_SIZE):
        ids, lengths, _ = split.padded(indices)
        probabilities[indices] = reference.predict_proba(ids, lengths)
    return probabilities


def _stored_difference(store: Store, run: LoadedRun, probabilities: np.ndarray) -> float | None:
    """How far today's framework predictions are from the ones stored at training time."""
    try:
        stored = store.read_predictions(run.dataset, run.run_id)
        columns = [f"prob_{name}" for name in run.classes]
        return float(np.abs(stored[columns].to_numpy() - probabilities).max())
    except (OSError, KeyError, ValueError):
        return None


def verify_run(store: Store, run_id: str, dataset: str | None = None) -> dict:
    """The reference against the framework on the run's test set: differences, F1 scores, counts, timings."""
    record = store.find_run(run_id, dataset)
    run = load_run(store, record.dataset, run_id)  # RunNotReady (a ValueError) for an unfinished run
    test_frame = store.read_test_examples(run.dataset)
    examples = [Example(str(row.id), str(row.text), int(row.label)) for row in test_frame.itertuples()]
    test = EncodedSplit.encode(examples, run.vocabulary)

    started = time.perf_counter()
    framework = run.backend.predict(run.model, test)  # float32, as the run's metrics were computed from
    framework_seconds = time.perf_counter() - started
    started = time.perf_counter()
    reference = reference_for(run)
    from_reference = reference_probabilities(reference, test)
    reference_seconds = time.perf_counter() - started

    difference = np.abs(framework.astype(np.float64) - from_reference)
    differing = int((framework.argmax(1) != from_reference.argmax(1)).sum())
    parameters = {
        "framework": int(run.backend.parameter_count(run.model)),
        "reference": int(reference.parameter_count()),
        "formula": int(parameter_count(run.spec, run.framework)),
    }
    f1 = {
        "framework": classification_metrics(framework, test.labels, run.classes)["f1_macro"],
        "reference": classification_metrics(from_reference, test.labels, run.classes)["f1_macro"],
    }
    max_difference = float(difference.max()) if len(test) else 0.0
    return {
        "run_id": run.run_id,
        "dataset": run.dataset,
        "framework": run.framework,
        "label": run.label,
        "examples": len(test),
        "tolerance": TOLERANCE,
        "max_abs_difference": max_difference,
        "mean_abs_difference": float(difference.mean()) if len(test) else 0.0,
        "differing_labels": differing,
        "f1_macro": f1,
        "parameters": parameters,
        "seconds": {"framework": framework_seconds, "reference": reference_seconds},
        "stored_predictions_max_abs_difference": _stored_difference(store, run, framework),
        "agree": max_difference <= TOLERANCE and differing == 0 and len(set(parameters.values())) == 1,
    }


def format_report(report: dict) -> str:
    """The report as a few aligned lines for the terminal."""
    f1, parameters, seconds = report["f1_macro"], report["parameters"], report["seconds"]
    stored = report["stored_predictions_max_abs_difference"]
    lines = [
        f"{report['run_id']}  ({report['label']}, {report['dataset']}, {report['examples']} test texts)",
        f"  max |p_framework - p_reference|  {report['max_abs_difference']:.2e}  (tolerance {report['tolerance']:.0e})",
        f"  differing predicted labels       {report['differing_labels']}",
        f"  macro F1                         framework {f1['framework']:.4f}   reference {f1['reference']:.4f}",
        f"  parameters                       framework {parameters['framework']:,}   reference "
        f"{parameters['reference']:,}   formula {parameters['formula']:,}",
        f"  time                             framework {seconds['framework']:.2f} s   "
        f"reference {seconds['reference']:.2f} s",
    ]
    if stored is not None:
        lines.append(f"  vs predictions stored in training  {stored:.2e}")
    lines.append("  AGREE" if report["agree"] else "  DISAGREE")
    return "\n".join(lines)
