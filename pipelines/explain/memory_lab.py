"""What the memory lab page shows of one run, computed once and kept in the run's folder (lab.json).

    summary = lab_summary(store, run)       # computed the first time, then read back
    summary.trained[0].jacobian              # ‖∂h_T/∂h_t‖ by steps back (geometric mean over test sequences)
    summary.lookback                         # share of |IG| attribution k words before the end

Gradients through time (gradients.py) over `GRADIENT_TEXTS` test sequences,
trained and at the run's initial weights; where its attributions fall
(lookback.py) over `LOOKBACK_TEXTS`; the recurrent matrices' spectral radius.
Any recurrent classifier has one (the Gradients page draws them for any run);
the memory lab computes them for its sweep right after training.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np

from ..data.memory import KEY
from ..models.zoos import FAIR_INIT
from ..records import RunRecord
from ..store import Store
from ..threads import single_thread
from .gradients import (
    GradientRun, RecurrentMatrix, StateGradients, _double, recurrent_matrices, spectral_meaning, state_gradients,
    summarise,
)  # fmt: skip
from .lookback import LOOKBACK_STEPS, attribution_by_distance

FILE_NAME = "lab.json"
FORMAT_VERSION = 1  # bump when the computation changes: older files are then recomputed
GRADIENT_TEXTS = 16
LOOKBACK_TEXTS = 64


@dataclass
class LabSummary:
    run_id: str
    label: str
    cell: str
    texts: int  # test sequences the gradients were averaged over
    trained: list[StateGradients]  # a typical test sequence (geometric means); .steps_back() reads them backwards
    initial: list[StateGradients]
    matrices: dict[str, list[RecurrentMatrix]]  # "trained" / "initial"
    lookback: np.ndarray  # (longest,) share of |attribution| k words before the end
    lookback_texts: int
    settings: dict
    seconds: float

    def meaning(self) -> str:
        steps = len(self.trained[0].loss_gradient)
        return spectral_meaning(self.cell, self.matrices["trained"], self.trained[0].keep_gate, steps)

    def to_json(self) -> dict:
        return {
            "run_id": self.run_id, "label": self.label, "cell": self.cell, "texts": self.texts,
            "trained": [s.to_json() for s in self.trained], "initial": [s.to_json() for s in self.initial],
            "matrices": {name: [m.to_json() for m in matrices] for name, matrices in self.matrices.items()},
            "lookback": self.lookback.tolist(), "lookback_texts": self.lookback_texts,
            "settings": dict(self.settings), "seconds": self.seconds,
        }  # fmt: skip

    @classmethod
    def from_json(cls, data: dict) -> "LabSummary":
        def states(items):
            return [StateGradients(**{key: np.asarray(value) if isinstance(value, list) else value
                                      for key, value in item.items()}) for item in items]  # fmt: skip

        return cls(
            data["run_id"], data["label"], data["cell"], int(data["texts"]), states(data["trained"]),
            states(data["initial"]),
            {name: [RecurrentMatrix(**m) for m in matrices] for name, matrices in data["matrices"].items()},
            np.asarray(data["lookback"], dtype=np.float64), int(data["lookback_texts"]), dict(data["settings"]),
            float(data["seconds"]),
        )  # fmt: skip


def _settings() -> dict:
    return {"gradient_texts": GRADIENT_TEXTS, "lookback_texts": LOOKBACK_TEXTS, "lookback_steps": LOOKBACK_STEPS,
            "version": FORMAT_VERSION}  # fmt: skip


def cached_lab_summary(store: Store, dataset: str, run_id: str) -> LabSummary | None:
    """The run's kept summary if it was made with today's settings, else None (missing, stale or damaged)."""
    cached = store.read_derived_json(dataset, run_id, FILE_NAME)
    if not isinstance(cached, dict) or cached.get("settings") != _settings():
        return None
    try:
        return LabSummary.from_json(cached)
    except (KeyError, TypeError, ValueError):
        return None


def lab_summary(store: Store, run: GradientRun, refresh: bool = False) -> LabSummary:
    """The run's summary, from its folder when kept there, else computed (seconds) and kept."""
    if not refresh and (cached := cached_lab_summary(store, run.dataset, run.run_id)) is not None:
        return cached
    test = store.read_test_examples(run.dataset)
    summary = summarise_run(run, test["text"].tolist(), test["label"].astype(int).tolist())
    store.write_derived_json(run.dataset, run.run_id, FILE_NAME, summary.to_json())
    return summary


def summarise_run(run: GradientRun, texts: list[str], labels: list[int]) -> LabSummary:
    """Gradients (trained and initial) over the first GRADIENT_TEXTS texts, attributions over LOOKBACK_TEXTS."""
    started = time.perf_counter()
    chosen = [(ids, label) for text, label in zip(texts, labels) if (ids := run.vocabulary.encode(text))]
    if not chosen:
        raise ValueError(f"no test text of {run.dataset} has a word the model reads")
    groups: dict[int, list] = {}
    for ids, label in chosen[:GRADIENT_TEXTS]:
        groups.setdefault(len(ids), []).append((ids, label))
    with single_thread():
        models = {"trained": _double(run.torch_model()), "initial": _double(run.initial_torch_model())}
        flows = {name: summarise([state_gradients(model, [ids for ids, _ in group], [label for _, label in group])[0]
                                  for group in groups.values()])
                 for name, model in models.items()}  # fmt: skip
        shares, _ = attribution_by_distance(run, texts[:LOOKBACK_TEXTS], labels[:LOOKBACK_TEXTS])
    return LabSummary(run.run_id, run.label, run.spec.cell, min(len(chosen), GRADIENT_TEXTS), flows["trained"],
                      flows["initial"], {name: recurrent_matrices(model) for name, model in models.items()}, shares,
                      min(len(texts), LOOKBACK_TEXTS), _settings(), time.perf_counter() - started)  # fmt: skip


@dataclass(frozen=True)
class LabPoint:
    """One finished run of the sweep: a cell, how it started, a distance, and its test accuracy."""

    distance: int
    cell: str
    init: str
    fair: bool  # started as fairly as the cell can (FAIR_INIT), or from PyTorch's default
    accuracy: float
    epochs: int | None
    seconds: float | None
    record: RunRecord
    seed: int | None = None  # of the initial weights and batch order (`lab --seeds N` trains several)


SOLVED = 0.95  # test accuracy from which a run counts as having learned the task (chance is 0.5)


def accuracy_over_seeds(points: list[LabPoint]) -> dict[tuple[str, str, int], tuple[float, int, int]]:
    """(cell, init, distance) -> (mean test accuracy, runs that learned the task, runs): one seed or several."""
    groups: dict[tuple[str, str, int], list[float]] = {}
    for point in points:
        groups.setdefault((point.cell, point.init, point.distance), []).append(point.accuracy)
    return {key: (sum(values) / len(values), sum(value >= SOLVED for value in values), len(values))
            for key, values in groups.items()}  # fmt: skip


def lab_points(store: Store, distractors: bool = False) -> list[LabPoint]:
    """Every finished memory-zoo run of the store's memory tasks (with or without distractors), by distance."""
    points = []
    for dataset in store.datasets():
        match = KEY.fullmatch(dataset)
        if not match or bool(match.group(2)) != distractors:
            continue
        for record in store.runs(dataset):
            spec = record.model_spec
            if record.state != "done" or record.task != "memory" or spec is None or spec.pooling != "last":
                continue
            points.append(LabPoint(int(match.group(1)), spec.cell, spec.init, spec.init == FAIR_INIT[spec.cell],
                                   record.metrics.accuracy, record.metrics.epochs_trained,
                                   record.metrics.train_seconds, record, record.spec.seed))  # fmt: skip
    return sorted(points, key=lambda point: (point.distance, point.cell, not point.fair, point.seed or 0))
