"""Any finished classifier that reads text, whatever its kind: the one call the Playground and the report load by.

    predictor = load_predictor(Store(), "rt-polarity", run_id)
    predictor.predict_proba(["A gorgeous, moving film."])   # (1, classes), for RNNs and baselines alike

A recurrent classifier comes back as `pipelines.runs.LoadedRun` (explain, verify,
hidden states), a baseline as `pipelines.baselines.load.LoadedBaseline`
(word weights). Both have `run_id`, `dataset`, `label`, `classes` and `predict_proba`.
"""

from __future__ import annotations

from .baselines.load import LoadedBaseline, load_baseline
from .store import Store
from .tasks import BASELINE


def load_predictor(store: Store, dataset: str, run_id: str, device: str = "cpu"):
    """A finished run's model, loaded by its kind; ValueError (RunNotReady, BaselineNotReady) if it cannot be."""
    if store.run(dataset, run_id).task == BASELINE.name:
        return load_baseline(store, dataset, run_id)
    from .runs import load_run  # imports torch: only for recurrent runs

    return load_run(store, dataset, run_id, device=device)


__all__ = ["LoadedBaseline", "load_predictor"]
