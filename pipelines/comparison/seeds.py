"""One model trained with several seeds: how far its scores spread, and whether two models differ beyond that.

    groups = seed_groups(records)              # runs that differ only in their seed, together
    groups[0].spread("accuracy")               # Spread(n=3, mean=0.761, std=0.004, low=0.751, high=0.771)
    across_seeds(groups[0], groups[1], "accuracy")   # Welch's t-test on the seeds' scores

A run's test score depends on its seed (initial weights, batch order) as well
as on its architecture; with one seed per model a leaderboard cannot tell the
two apart. The 95% interval of a mean over n seeds is Student's t interval
(scipy.stats.t), wide for three seeds, as it should be.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, replace

import numpy as np
from scipy import stats

from ..records import RunRecord
from .holm import holm_adjusted

CONFIDENCE = 0.95
SUMMARISED = ("accuracy", "f1_macro", "roc_auc")  # what a leaderboard shows over seeds


@dataclass(frozen=True)
class Spread:
    """A score over the seeds of one model."""

    n: int
    mean: float
    std: float | None  # sample standard deviation (n - 1); None for one seed
    low: float | None  # the 95% (t) interval of the mean; None for one seed
    high: float | None
    minimum: float
    maximum: float

    @property
    def half_width(self) -> float | None:
        return None if self.low is None else (self.high - self.low) / 2


def spread(values, confidence: float = CONFIDENCE, bounds: tuple[float, float] = (0.0, 1.0)) -> Spread:
    """Mean, sample standard deviation and Student's t interval of the mean of `values` (NaNs dropped).

    The interval is clipped to the metric's range (`bounds`): with two seeds, t's
    interval can run past 0 and 1, which says "we know almost nothing" as clearly.
    """
    values = np.asarray([value for value in values if value is not None], dtype=float)
    values = values[~np.isnan(values)]
    if not len(values):
        raise ValueError("no values to summarise")
    mean = float(values.mean())
    if len(values) < 2:
        return Spread(1, mean, None, None, None, mean, mean)
    std = float(values.std(ddof=1))
    if std == 0:
        low = high = mean
    else:
        low, high = stats.t.interval(confidence, len(values) - 1, loc=mean, scale=std / math.sqrt(len(values)))
        low, high = max(low, bounds[0]), min(high, bounds[1])
    return Spread(len(values), mean, std, float(low), float(high), float(values.min()), float(values.max()))


@dataclass(frozen=True)
class SeedGroup:
    """The runs of one model (same kind, framework, data, architecture and settings) that differ in their seed."""

    runs: tuple[RunRecord, ...]  # by seed

    @property
    def first(self) -> RunRecord:
        """The run with the lowest seed: the one a one-seed zoo trains."""
        return self.runs[0]

    @property
    def run_ids(self) -> list[str]:
        return [record.run_id for record in self.runs]

    @property
    def seeds(self) -> list[int | None]:
        return [record.spec.seed if record.spec else None for record in self.runs]

    @property
    def label(self) -> str:
        """The model's label, e.g. 'BiGRU 1×64' (the spec's)."""
        return (self.first.spec.label if self.first.spec else "") or self.first.run_id

    def values(self, metric: str) -> list[float | None]:
        return [getattr(record.metrics, metric, None) for record in self.runs]

    def spread(self, metric: str, confidence: float = CONFIDENCE) -> Spread | None:
        """The metric over the seeds; None if no run has it (e.g. ROC AUC of a one-class test split)."""
        values = [value for value in self.values(metric) if value is not None]
        return spread(values, confidence) if values else None


    def to_json(self, metrics: tuple[str, ...] = SUMMARISED) -> dict:
        spreads = {metric: self.spread(metric) for metric in metrics}
        return {"label": self.label, "run_ids": self.run_ids, "seeds": self.seeds,
                "metrics": {metric: asdict(value) if value else None for metric, value in spreads.items()}}  # fmt: skip


def seed_groups(records: list[RunRecord]) -> list[SeedGroup]:
    """Finished runs grouped by `RunSpec.seed_key`, in the order their first run appears."""
    groups: dict[tuple, list[RunRecord]] = {}
    for record in records:
        key = record.spec.seed_key() if record.spec else ("run", record.run_id)
        groups.setdefault(key, []).append(record)
    return [SeedGroup(tuple(sorted(runs, key=lambda r: (r.spec.seed if r.spec and r.spec.seed is not None else -1,
                                                        r.run_id))))
            for runs in groups.values()]  # fmt: skip


@dataclass(frozen=True)
class SeedComparison:
    """Two models' scores over their seeds: the difference of the means, its interval, Welch's t-test."""

    metric: str
    difference: float  # mean of the first minus mean of the second
    low: float | None
    high: float | None
    p_value: float | None  # None when either model has fewer than two seeds
    seeds: tuple[int, int]
    p_adjusted: float | None = None  # Holm, when several models were compared with one (`versus`)


def across_seeds(first: SeedGroup, second: SeedGroup, metric: str = "accuracy",
                 confidence: float = CONFIDENCE) -> SeedComparison:  # fmt: skip
    """Welch's t-test (scipy.stats.ttest_ind, unequal variances) on the two models' per-seed scores.

    It asks whether the architectures differ beyond what reseeding one of them
    does; with three seeds each it detects only large differences.
    """
    a = np.array([value for value in first.values(metric) if value is not None], dtype=float)
    b = np.array([value for value in second.values(metric) if value is not None], dtype=float)
    if not len(a) or not len(b):
        raise ValueError(f"both models need a {metric} to compare")
    difference = float(a.mean() - b.mean())
    if len(a) < 2 or len(b) < 2:
        return SeedComparison(metric, difference, None, None, None, (len(a), len(b)))
    if a.std() == 0 and b.std() == 0:  # no spread at all: the t statistic is undefined
        same = difference == 0
        return SeedComparison(metric, difference, difference, difference, 1.0 if same else 0.0, (len(a), len(b)))
    result = stats.ttest_ind(a, b, equal_var=False)
    interval = result.confidence_interval(confidence)
    return SeedComparison(metric, difference, float(interval.low), float(interval.high), float(result.pvalue),
                          (len(a), len(b)))  # fmt: skip


def versus(reference: SeedGroup, others: list[SeedGroup], metric: str = "accuracy") -> list[SeedComparison]:
    """`across_seeds(reference, other)` for every other model, the p-values Holm-adjusted over all of them."""
    comparisons = [across_seeds(reference, other, metric) for other in others]
    tested = [index for index, comparison in enumerate(comparisons) if comparison.p_value is not None]
    if tested:
        adjusted = holm_adjusted([comparisons[index].p_value for index in tested])
        for index, p_value in zip(tested, adjusted):
            comparisons[index] = replace(comparisons[index], p_adjusted=float(p_value))
    return comparisons
