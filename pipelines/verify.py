"""Checking a trained run against the NumPy reference: `python -m pipelines verify --run RUN`.

    report = verify_run(Store(), "torch-lstm-uni-1x64-max-3f9a1c2e")
    report.max_abs_difference, report.differing_labels, report.agree
    comparison = compare_text(run, "A gorgeous, moving film.")   # one text, token by token

The run's model is rebuilt from the store as any reader rebuilds it
(`load_run`), its weights are read into the reference (`models/convert.py`:
`reference_from_torch` or `reference_from_keras`), and both predict the run's whole test set, encoded with the
run's stored vocabulary. They agree when no probability differs by more than
`TOLERANCE`, no predicted label differs, and the parameter counts of the
framework, the reference and the closed-form formula are equal.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field

import numpy as np
import torch

from .data import Example
from .data.text import tokenize
from .encoding import EncodedSplit, inference_batches
from .evaluate import classification_metrics
from .models.convert import reference_from_keras, reference_from_torch
from .models.reference import ReferenceModel
from .models.spec import parameter_count
from .records import Record
from .runs import LoadedRun, load_run
from .store import Store
from .tasks import require_recurrent_classifier

TOLERANCE = 1e-5
REFERENCE_BATCH_SIZE = 256
REPORT_FILE = "verify.json"  # the last whole-test-split report, kept in the run's folder


class FrameworkAndReference(Record):
    framework: float
    reference: float


class ParameterCounts(Record):
    framework: int
    reference: int
    formula: int


class VerifyReport(Record):
    """What `verify` found; a whole-split report is kept in the run's folder as verify.json."""

    run_id: str
    dataset: str
    framework: str
    label: str
    examples: int  # test texts checked
    examples_total: int  # in the test split
    tolerance: float
    max_abs_difference: float
    mean_abs_difference: float
    differing_labels: int
    f1_macro: FrameworkAndReference
    parameters: ParameterCounts
    seconds: FrameworkAndReference
    stored_predictions_max_abs_difference: float | None = None
    agree: bool
    checked_at: float
    not_kept: str | None = None  # why a whole-split report could not be kept (a read-only store)

    @property
    def whole_split(self) -> bool:
        return self.examples == self.examples_total


def reference_for(run: LoadedRun) -> ReferenceModel:
    """The reference holding a loaded run's weights."""
    if run.framework == "torch":
        return reference_from_torch(run.spec, run.model.state_dict())
    return reference_from_keras(run.spec, run.model)


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


def verify_run(store: Store, run_id: str, dataset: str | None = None, limit: int | None = None,
               run: LoadedRun | None = None) -> VerifyReport:  # fmt: skip
    """The reference against the framework on the run's test set: differences, F1 scores, counts, timings.

    `limit` checks a seeded random sample of that many test texts instead of all
    of them (the report says how many); a report on the whole split is kept in
    the run's folder (`REPORT_FILE`, read back with `stored_report`).
    """
    if limit is not None and limit < 1:
        raise ValueError(f"limit must be at least 1 test text, got {limit}")
    if run is None:
        record = store.find_run(run_id, dataset)
        require_recurrent_classifier(record, "verify")
        run = load_run(store, record.dataset, run_id)  # RunNotReady (a ValueError) for an unfinished run
    test_frame = store.read_test_examples(run.dataset)
    total = len(test_frame)
    if limit is not None and limit < total:
        test_frame = test_frame.sample(n=limit, random_state=0).sort_index()
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
    report = VerifyReport.model_validate({
        "run_id": run.run_id,
        "dataset": run.dataset,
        "framework": run.framework,
        "label": run.label,
        "examples": len(test),
        "examples_total": total,
        "tolerance": TOLERANCE,
        "max_abs_difference": max_difference,
        "mean_abs_difference": float(difference.mean()) if len(test) else 0.0,
        "differing_labels": differing,
        "f1_macro": f1,
        "parameters": parameters,
        "seconds": {"framework": framework_seconds, "reference": reference_seconds},
        "stored_predictions_max_abs_difference": _stored_difference(store, run, framework),
        "agree": max_difference <= TOLERANCE and differing == 0 and len(set(parameters.values())) == 1,
        "checked_at": time.time(),
    })  # fmt: skip
    if report.whole_split:
        not_kept = store.keep_derived_json(run.dataset, run.run_id, REPORT_FILE, report.to_json())
        report = report.model_copy(update={"not_kept": not_kept})
    return report


def stored_report(store: Store, dataset: str, run_id: str) -> VerifyReport | None:
    """The last whole-test-split report of a run, or None if it was never verified (or the file is damaged)."""
    try:
        return VerifyReport.model_validate(store.read_derived_json(dataset, run_id, REPORT_FILE))
    except ValueError:  # none, or of the wrong shape (pydantic's ValidationError is a ValueError)
        return None


def format_report(report: VerifyReport) -> str:
    """The report as a few aligned lines for the terminal."""
    f1, parameters, seconds = report.f1_macro, report.parameters, report.seconds
    stored = report.stored_predictions_max_abs_difference
    lines = [
        f"{report.run_id}  ({report.label}, {report.dataset}, {_texts(report)})",
        f"  max |p_framework - p_reference|  {report.max_abs_difference:.2e}  (tolerance {report.tolerance:.0e})",
        f"  differing predicted labels       {report.differing_labels}",
        f"  macro F1                         framework {f1.framework:.4f}   reference {f1.reference:.4f}",
        f"  parameters                       framework {parameters.framework:,}   reference "
        f"{parameters.reference:,}   formula {parameters.formula:,}",
        f"  time                             framework {seconds.framework:.2f} s   "
        f"reference {seconds.reference:.2f} s",
    ]
    if stored is not None:
        lines.append(f"  vs predictions stored in training  {stored:.2e}")
    lines.append("  AGREE" if report.agree else "  DISAGREE")
    if report.not_kept:
        lines.append(f"  (note: {report.not_kept})")
    return "\n".join(lines)


def _texts(report: VerifyReport) -> str:
    examples, total = report.examples, report.examples_total
    return f"{examples:,} test texts" if report.whole_split else f"a sample of {examples:,} of {total:,} test texts"


# ----------------------------------------------------------------------------
# One text, token by token


@dataclass
class DirectionComparison:
    """One direction of one layer, read by the framework and by the reference, one row per token."""

    layer: int
    direction: str  # forward | backward
    reference: dict[str, np.ndarray]  # "hidden" and the cell's gates, candidate, cell state; float64
    framework_hidden: np.ndarray | None  # the framework's own layer output; None where it keeps only the last state
    stepped: dict[str, np.ndarray] = field(default_factory=dict)  # the trained weights step by step in float32

    def framework(self, name: str = "hidden") -> np.ndarray | None:
        """The framework's side of a value (tokens, hidden): its own h, the stepped gates; None if not exposed."""
        return self.framework_hidden if name == "hidden" else self.stepped.get(name)

    def difference(self, name: str = "hidden") -> np.ndarray | None:
        """|framework - reference| per token (tokens,), the largest over the units; None if not exposed."""
        framework = self.framework(name)
        if framework is None or name not in self.reference:
            return None
        return np.abs(framework.astype(np.float64) - self.reference[name]).max(axis=1)


@dataclass
class TextComparison:
    """One text through a run's framework and through the NumPy reference."""

    run_id: str
    label: str
    framework: str
    cell: str
    tokens: list[str]  # what both read (the first maxlen tokens; an empty text reads as one <unk>)
    classes: list[str]
    framework_probabilities: np.ndarray  # (classes,) float32
    reference_probabilities: np.ndarray  # (classes,) float64
    directions: list[DirectionComparison]

    @property
    def probability_difference(self) -> float:
        return float(np.abs(self.framework_probabilities.astype(np.float64) - self.reference_probabilities).max())

    @property
    def max_difference(self) -> float:
        """The largest difference anywhere: probabilities, every state and gate the framework exposes."""
        values = [self.probability_difference]
        for comparison in self.directions:
            for name in comparison.reference:
                difference = comparison.difference(name)
                if difference is not None and difference.size:
                    values.append(float(difference.max()))
        return max(values)


def compare_text(run: LoadedRun, text: str, reference: ReferenceModel | None = None) -> TextComparison:
    """Read `text` with the run's framework and with the reference; every layer's states and gates side by side.

    The framework side is the framework's own forward pass for the
    probabilities and the hidden states (for a Keras layer that returns only
    its last state, only the probabilities compare it). Neither framework
    exposes gates, so those come from the trained weights stepped through in
    float32 with PyTorch operations (`pipelines.explain`; a Keras run through
    its converted PyTorch twin, `run.torch_model()`): the same numbers the Inside page draws.
    """
    from .explain.internals import read_layers  # Captum comes along: only when asked

    if not isinstance(text, str):
        raise ValueError(f"text must be a string, got {type(text).__name__}")
    reference = reference or reference_for(run)
    split = run.encode([text])
    ids, lengths, _ = split.padded(np.arange(1))  # (1, time); an empty text is one <unk>
    trace = reference.trace(ids[0, : lengths[0]])
    framework_probabilities = run.backend.predict(run.model, split)[0]
    layer_outputs = _framework_layer_outputs(run, ids, lengths)
    twin = run.torch_model()
    with torch.inference_mode():
        embedded = twin.embedding(torch.as_tensor(ids[0, : lengths[0]], device=twin.embedding.weight.device))
    stepped = {(s.layer, s.direction): {"hidden": s.hidden, **s.values} for s in read_layers(twin, embedded)}

    hidden_size = run.spec.hidden_size
    directions = []
    for direction_trace in trace.traces:
        values = {"hidden": direction_trace.hidden, **direction_trace.gates}
        if direction_trace.candidate is not None:
            values["candidate"] = direction_trace.candidate
        if direction_trace.cell is not None:
            values["cell"] = direction_trace.cell
        output = layer_outputs[direction_trace.layer]
        offset = 0 if direction_trace.direction == "forward" else hidden_size
        framework_hidden = None if output is None else output[: lengths[0], offset : offset + hidden_size]
        step_values = stepped[(direction_trace.layer, direction_trace.direction)]
        directions.append(DirectionComparison(direction_trace.layer, direction_trace.direction, values,
                                              framework_hidden, step_values))  # fmt: skip
    tokens = tokenize(text)[: run.vocabulary.maxlen] or ["<unk>"]
    return TextComparison(run.run_id, run.label, run.framework, run.spec.cell, tokens, list(run.classes),
                          framework_probabilities, trace.probabilities, directions)  # fmt: skip


def _framework_layer_outputs(run: LoadedRun, ids: np.ndarray, lengths: np.ndarray) -> list[np.ndarray | None]:
    """Each recurrent layer's output sequence (time, directions*hidden) as the framework computes it."""
    if run.framework == "torch":
        model = run.model
        device = model.embedding.weight.device
        with torch.inference_mode():
            token_ids, token_lengths = torch.as_tensor(ids, device=device), torch.as_tensor(lengths, device=device)
            outputs = model.encoder(model.embedding(token_ids), token_lengths)  # per layer (1, time, D*hidden)
        return [output[0].float().cpu().numpy() for output in outputs]
    import keras  # a Keras run: TensorFlow is loaded already

    layers = [run.model.get_layer(f"recurrent_{index}") for index in range(1, run.spec.layers + 1)]
    sequences = [layer for layer in layers if len(layer.output.shape) == 3]  # (batch, time, features)
    probe = keras.Model(run.model.inputs[0], [layer.output for layer in sequences])
    values = probe(ids.astype(np.int32), training=False)
    values = values if isinstance(values, (list, tuple)) else [values]
    by_name = {layer.name: np.asarray(value)[0] for layer, value in zip(sequences, values)}
    return [by_name.get(layer.name) for layer in layers]  # None: a layer that returns only its last state
