"""Is the difference between two runs real, or noise of one test split?

    pair = compare_pair(store, first, second)       # two finished runs of one data set
    pair.sentence()   # "BiGRU 1×64 vs LSTM 1×64: +0.9 points of accuracy, 95% interval -0.4 to +2.2;
                      #  not distinguishable on 1,276 test reviews (McNemar p = 0.21)"
    table = compare_runs(store, records)             # every pair, with Holm-adjusted p-values

Two tests on the runs' paired predictions (the same test texts, read by both):

- McNemar's exact test (Edwards 1948; McNemar 1947) via statsmodels: of the
  texts exactly one run gets right, would each run win about half under "no
  difference"? It is a binomial test on those discordant texts.
- A paired bootstrap (Efron & Tibshirani 1993; Koehn 2004 for NLP) via
  scipy.stats.bootstrap(paired=True): resample the test texts with replacement,
  keeping each text's pair of predictions together, and read the 95% interval
  of the difference in accuracy and in macro F1 off the percentiles.

With several pairs the p-values are adjusted by Holm's method (holm.py), so a
matrix of 21 comparisons does not find a "real" difference by chance one time
in twenty.
"""

from __future__ import annotations

import hashlib
from collections import Counter
from dataclasses import dataclass, field, replace
from itertools import combinations

import numpy as np
import pandas as pd
from scipy import stats
from statsmodels.stats.contingency_tables import mcnemar

from ..records import RunRecord
from ..store import DamagedFile, Store
from .holm import holm_adjusted

ALPHA = 0.05
CONFIDENCE = 0.95
RESAMPLES = 2000
BOOTSTRAP_BATCH = 250  # resamples held in memory at once: 250 x 25,000 IMDb reviews stays small
METRIC_TITLES = {"accuracy": "accuracy", "f1_macro": "macro F1"}


class NotComparable(ValueError):
    """The two runs were not scored on the same test texts."""


# ----------------------------------------------------------------------------
# The two tests, on plain arrays


@dataclass(frozen=True)
class McNemar:
    """McNemar's exact test on two classifiers' right/wrong answers to the same texts."""

    both_right: int
    only_first: int  # the first right, the second wrong
    only_second: int
    both_wrong: int
    p_value: float

    @property
    def table(self) -> list[list[int]]:
        """Rows: the first right / wrong; columns: the second right / wrong."""
        return [[self.both_right, self.only_first], [self.only_second, self.both_wrong]]


def mcnemar_exact(first_correct: np.ndarray, second_correct: np.ndarray) -> McNemar:
    first_correct, second_correct = np.asarray(first_correct, bool), np.asarray(second_correct, bool)
    if first_correct.shape != second_correct.shape:
        raise ValueError("McNemar's test needs the two runs' answers to the same texts")
    cells = (int(np.sum(first_correct & second_correct)), int(np.sum(first_correct & ~second_correct)),
             int(np.sum(~first_correct & second_correct)), int(np.sum(~first_correct & ~second_correct)))  # fmt: skip
    both_right, only_first, only_second, both_wrong = cells
    if only_first + only_second == 0:
        p_value = 1.0  # they never disagree: no evidence of a difference (statsmodels returns NaN here)
    else:
        p_value = float(mcnemar([[both_right, only_first], [only_second, both_wrong]], exact=True).pvalue)
    return McNemar(both_right, only_first, only_second, both_wrong, min(p_value, 1.0))


def _pair_codes(labels: np.ndarray, first: np.ndarray, second: np.ndarray, classes: int) -> np.ndarray:
    """Each text as one number: (its label, the first run's answer, the second's), of classes**3 possible."""
    return (labels * classes + first) * classes + second


def _code_counts(codes: np.ndarray, kinds: int) -> np.ndarray:
    """How often each code occurs along the last axis: (..., kinds). One bincount for every resample at once."""
    lead, length = codes.shape[:-1], codes.shape[-1]
    rows = codes.reshape(-1, length)
    offsets = np.arange(len(rows))[:, None] * kinds
    return np.bincount((rows + offsets).ravel(), minlength=len(rows) * kinds).reshape(*lead, kinds)


def scores_from_counts(counts: np.ndarray, classes: int) -> dict[str, tuple[np.ndarray, np.ndarray]]:
    """Accuracy and macro F1 of both runs from code counts (vectorised over leading axes).

    A class with no true and no predicted text scores F1 0, as scikit-learn's
    f1_score(labels=every class, zero_division=0) does in `pipelines.evaluate`.
    """
    codes = np.arange(classes**3)
    label, first, second = codes // classes**2, (codes // classes) % classes, codes % classes
    total = counts.sum(axis=-1)

    def accuracy(answer):
        return counts[..., label == answer].sum(axis=-1) / total

    def macro_f1(answer):
        scores = []
        for name in range(classes):
            true_positives = counts[..., (label == name) & (answer == name)].sum(axis=-1)
            wrong = counts[..., (label == name) != (answer == name)].sum(axis=-1)  # false positives + negatives
            denominator = 2 * true_positives + wrong
            scores.append(np.divide(2 * true_positives, denominator, out=np.zeros(denominator.shape, float),
                                    where=denominator > 0))  # fmt: skip
        return np.mean(scores, axis=0)

    return {"accuracy": (accuracy(first), accuracy(second)), "f1_macro": (macro_f1(first), macro_f1(second))}


@dataclass(frozen=True)
class Interval:
    """The first run's score minus the second's, with a bootstrap interval."""

    metric: str
    difference: float
    low: float
    high: float
    confidence: float

    @property
    def excludes_zero(self) -> bool:
        return self.low > 0 or self.high < 0


def paired_bootstrap(labels: np.ndarray, first: np.ndarray, second: np.ndarray, classes: int | None = None,
                     confidence: float = CONFIDENCE, resamples: int = RESAMPLES,
                     seed: int = 0) -> dict[str, Interval]:  # fmt: skip
    """Percentile intervals of accuracy(first) - accuracy(second) and of the same for macro F1.

    scipy.stats.bootstrap resamples the texts with replacement; each text keeps
    its label and both runs' answers (a paired bootstrap), and both metrics are
    read off the same resamples.
    """
    labels, first, second = (np.asarray(array, dtype=np.int64) for array in (labels, first, second))
    if not len(labels) or not (len(labels) == len(first) == len(second)):
        raise ValueError("the bootstrap needs the labels and both runs' predictions of the same, non-empty texts")
    classes = classes or int(max(labels.max(), first.max(), second.max())) + 1
    kinds = classes**3

    def differences(codes, axis=-1):
        scores = scores_from_counts(_code_counts(codes, kinds), classes)
        return np.stack([scores[metric][0] - scores[metric][1] for metric in METRIC_TITLES])

    codes = _pair_codes(labels, first, second, classes)
    point = differences(codes)
    if np.array_equal(first, second):  # identical answers: every resample differs by exactly 0
        low = high = point
    else:
        low, high = _percentile_interval(codes, differences, confidence, resamples, seed)
    return {metric: Interval(metric, float(point[index]), float(low[index]), float(high[index]), confidence)
            for index, metric in enumerate(METRIC_TITLES)}  # fmt: skip


def _percentile_interval(codes: np.ndarray, statistic, confidence: float, resamples: int, seed: int):
    """SciPy's percentile bootstrap of `statistic` over the test texts (`codes`, one per text): (low, high)."""
    result = stats.bootstrap((codes,), statistic, vectorized=True, method="percentile", n_resamples=resamples,
                             batch=BOOTSTRAP_BATCH, confidence_level=confidence, rng=np.random.default_rng(seed))
    return result.confidence_interval


@dataclass(frozen=True)
class ScoreInterval:
    """One run's score with a bootstrap interval: how far it could move on another test split of the same size."""

    metric: str
    score: float
    low: float
    high: float
    confidence: float


def score_bootstrap(labels: np.ndarray, predicted: np.ndarray, classes: int | None = None,
                    confidence: float = CONFIDENCE, resamples: int = RESAMPLES,
                    seed: int = 0) -> dict[str, ScoreInterval]:  # fmt: skip
    """Percentile intervals of one run's accuracy and macro F1, resampling its test texts with replacement.

    The same resampling as `paired_bootstrap` (each text keeps its label and answer), on one run. Two runs'
    intervals overlapping is no test of their difference: the paired bootstrap is, and finds smaller ones.
    """
    labels, predicted = (np.asarray(array, dtype=np.int64) for array in (labels, predicted))
    if not len(labels) or len(labels) != len(predicted):
        raise ValueError("the bootstrap needs the labels and the run's predictions of the same, non-empty texts")
    classes = classes or int(max(labels.max(), predicted.max())) + 1
    kinds = classes**3

    def scores(codes, axis=-1):
        both = scores_from_counts(_code_counts(codes, kinds), classes)
        return np.stack([both[metric][0] for metric in METRIC_TITLES])

    codes = _pair_codes(labels, predicted, predicted, classes)  # the run paired with itself: one run's scores
    point = scores(codes)
    low, high = _percentile_interval(codes, scores, confidence, resamples, seed)
    return {metric: ScoreInterval(metric, float(point[index]), float(low[index]), float(high[index]), confidence)
            for index, metric in enumerate(METRIC_TITLES)}  # fmt: skip


# ----------------------------------------------------------------------------
# Runs of the store


@dataclass(frozen=True)
class PairedPredictions:
    """Two runs' predicted classes for the same test texts, in the same order."""

    labels: np.ndarray
    first: np.ndarray
    second: np.ndarray
    classes: list[str]


def read_outcomes(store: Store, record: RunRecord) -> pd.DataFrame:
    """A finished run's test predictions (id, label, predicted); DamagedFile or ValueError naming the run if none."""
    if record.state != "done":
        raise ValueError(f"{record.run_id} is {record.state}; only a finished run has test predictions")
    table = store.read_predictions(record.dataset, record.run_id)[["id", "label", "predicted"]]
    classes = range(len(record.classes))
    if not (table["label"].isin(classes).all() and table["predicted"].isin(classes).all()):
        raise DamagedFile(f"the test predictions of {record.run_id} hold classes other than 0 to {len(classes) - 1}")
    return table


def pair_predictions(first: RunRecord, first_table, second: RunRecord, second_table) -> PairedPredictions:
    """Align two runs' predictions text by text; NotComparable if they were not scored on the same test split."""
    if first.dataset != second.dataset:
        raise NotComparable(f"{first.run_id} is scored on {first.dataset} and {second.run_id} on {second.dataset}: "
                            "different test texts cannot be compared")  # fmt: skip
    if first.classes != second.classes:
        raise NotComparable(f"{first.run_id} and {second.run_id} have different classes")
    left, right = first_table.set_index("id"), second_table.set_index("id")
    if len(left) != len(right) or not left.index.is_unique or set(left.index) != set(right.index):
        raise NotComparable(f"{first.run_id} ({len(left):,} test texts) and {second.run_id} ({len(right):,}) were "
                            "scored on different test splits")  # fmt: skip
    right = right.loc[left.index]
    if not np.array_equal(left["label"].to_numpy(), right["label"].to_numpy()):
        raise NotComparable(f"{first.run_id} and {second.run_id} disagree on the true labels of the test texts")
    return PairedPredictions(left["label"].to_numpy(int), left["predicted"].to_numpy(int),
                             right["predicted"].to_numpy(int), first.classes)  # fmt: skip


@dataclass(frozen=True)
class PairComparison:
    """Everything the significance matrix and its sentences say about two runs."""

    first: str  # run ids
    second: str
    first_label: str
    second_label: str
    examples: int
    scores: dict[str, tuple[float, float]]  # metric -> (first's, second's)
    intervals: dict[str, Interval]  # metric -> first minus second
    mcnemar: McNemar
    p_adjusted: float | None = None  # Holm, over the family of pairs it was tested with
    family: int = 1  # how many pairs were tested together
    alpha: float = ALPHA

    @property
    def p_value(self) -> float:
        """The p-value the verdict uses: Holm-adjusted in a family of pairs, else McNemar's own."""
        return self.p_adjusted if self.p_adjusted is not None else self.mcnemar.p_value

    @property
    def distinguishable(self) -> bool:
        """McNemar's test (Holm-adjusted in a family) rejects "no difference" at `alpha`."""
        return self.p_value < self.alpha

    @property
    def verdict(self) -> str:
        """'real', 'not distinguishable', or 'borderline' when the test and the accuracy interval disagree."""
        excludes_zero = self.intervals["accuracy"].excludes_zero
        if self.distinguishable == excludes_zero:
            return "real" if self.distinguishable else "not distinguishable"
        return "borderline"

    def swapped(self) -> "PairComparison":
        """The same comparison read the other way round (second minus first)."""
        flip = {metric: Interval(i.metric, -i.difference, -i.high, -i.low, i.confidence)
                for metric, i in self.intervals.items()}  # fmt: skip
        m = self.mcnemar
        return replace(self, first=self.second, second=self.first, first_label=self.second_label,
                       second_label=self.first_label, scores={k: (b, a) for k, (a, b) in self.scores.items()},
                       intervals=flip, mcnemar=McNemar(m.both_right, m.only_second, m.only_first, m.both_wrong,
                                                       m.p_value))  # fmt: skip

    def sentence(self, texts: str = "test texts", metric: str = "accuracy") -> str:
        """In plain words, e.g. "BiGRU vs LSTM: +0.9 points of accuracy, 95% interval −0.4 to +2.2; not
        distinguishable on 1,276 test reviews (McNemar p = 0.21)"."""
        interval = self.intervals[metric]
        adjusted = f", Holm-adjusted for {self.family} pairs" if self.p_adjusted is not None else ""
        test = f"McNemar {format_p(self.p_value)}{adjusted}"
        if self.verdict == "borderline" and self.p_adjusted is not None and interval.excludes_zero:
            verdict = (f"borderline on {self.examples:,} {texts}: this pair's interval excludes zero, but McNemar "
                       f"{format_p(self.p_value)}, Holm-adjusted for {self.family} pairs")  # fmt: skip
        elif self.verdict == "borderline":
            verdict = (f"borderline on {self.examples:,} {texts}: the interval and McNemar's test ({test}) "
                       "disagree")  # fmt: skip
        else:
            verdict = ("a real difference" if self.verdict == "real" else "not distinguishable") + \
                f" on {self.examples:,} {texts} ({test})"  # fmt: skip
        return (f"{self.first_label} vs {self.second_label}: {points(interval.difference)} points of "
                f"{METRIC_TITLES[metric]}, {interval.confidence:.0%} interval {points(interval.low)} to "
                f"{points(interval.high)}; {verdict}")  # fmt: skip

    def to_json(self) -> dict:
        return {
            "first": self.first, "second": self.second, "first_label": self.first_label,
            "second_label": self.second_label, "examples": self.examples,
            "scores": {metric: list(pair) for metric, pair in self.scores.items()},
            "intervals": {metric: {"difference": i.difference, "low": i.low, "high": i.high,
                                   "confidence": i.confidence} for metric, i in self.intervals.items()},
            "mcnemar": {"table": self.mcnemar.table, "p_value": self.mcnemar.p_value},
            "p_adjusted": self.p_adjusted, "family": self.family, "verdict": self.verdict,
            "sentence": self.sentence(),
        }  # fmt: skip


def points(share: float) -> str:
    """A difference of two shares in percentage points, signed, with a true minus sign: '+0.9', '−0.4'."""
    value = round(share * 100, 1)
    if value == 0:
        return "0.0"
    return f"+{value:.1f}" if value > 0 else f"\u2212{abs(value):.1f}"


def format_p(p_value: float) -> str:
    return "p < 0.001" if p_value < 0.001 else f"p = {p_value:.3f}" if p_value < 0.01 else f"p = {p_value:.2f}"


def compare_predictions(first: RunRecord, second: RunRecord, paired: PairedPredictions, first_label: str,
                        second_label: str, confidence: float = CONFIDENCE, resamples: int = RESAMPLES,
                        seed: int = 0) -> PairComparison:  # fmt: skip
    classes = len(paired.classes)
    intervals = paired_bootstrap(paired.labels, paired.first, paired.second, classes, confidence, resamples, seed)
    counts = _code_counts(_pair_codes(paired.labels, paired.first, paired.second, classes), classes**3)
    scores = {metric: (float(a), float(b)) for metric, (a, b) in scores_from_counts(counts, classes).items()}
    test = mcnemar_exact(paired.first == paired.labels, paired.second == paired.labels)
    return PairComparison(first.run_id, second.run_id, first_label, second_label, len(paired.labels), scores,
                          intervals, test)  # fmt: skip


def default_labels(records: list[RunRecord]) -> dict[str, str]:
    """Each run's spec label ('BiGRU 1×64'); the seed is added where two runs would read the same."""
    labels = {record.run_id: (record.spec.label if record.spec else "") or record.run_id for record in records}
    counts = Counter(labels.values())
    for record in records:
        if counts[labels[record.run_id]] > 1:
            seed = record.spec.seed if record.spec else None
            labels[record.run_id] += f" · seed {seed}" if seed is not None else f" · {record.run_id.rsplit('-', 1)[-1]}"
    return labels


def compare_pair(store: Store, first: RunRecord, second: RunRecord, labels: dict[str, str] | None = None,
                 **options) -> PairComparison:  # fmt: skip
    """Two runs of the same test split (NotComparable if not; DamagedFile if a run has no readable predictions)."""
    labels = {**default_labels([first, second]), **(labels or {})}
    paired = pair_predictions(first, read_outcomes(store, first), second, read_outcomes(store, second))
    return compare_predictions(first, second, paired, labels[first.run_id], labels[second.run_id], **options)


def _split_of(record: RunRecord, table: pd.DataFrame) -> tuple:
    """What a run was scored on: its data set, classes and test texts with their labels (in any order)."""
    ordered = table.sort_values("id")
    digest = hashlib.sha256("\n".join(f"{i}\t{label}" for i, label in zip(ordered["id"], ordered["label"]))
                            .encode()).hexdigest()  # fmt: skip
    return (record.dataset, tuple(record.classes), digest)


def score_intervals(store: Store, records: list[RunRecord], confidence: float = CONFIDENCE,
                    resamples: int = RESAMPLES, seed: int = 0) -> dict[str, dict[str, ScoreInterval]]:  # fmt: skip
    """Run id -> metric -> the run's score with its bootstrap interval over its test texts; a run whose
    predictions cannot be read is left out (the pages name such runs where they read them)."""
    intervals = {}
    for record in records:
        try:
            table = read_outcomes(store, record)
        except (DamagedFile, ValueError):
            continue
        intervals[record.run_id] = score_bootstrap(table["label"].to_numpy(int), table["predicted"].to_numpy(int),
                                                   len(record.classes), confidence, resamples, seed)  # fmt: skip
    return intervals


@dataclass
class PairwiseTable:
    """Every pair of the compared runs (best accuracy first), with Holm-adjusted p-values."""

    runs: list[RunRecord]  # compared, by test accuracy, best first
    labels: dict[str, str]
    pairs: dict[tuple[str, str], PairComparison] = field(default_factory=dict)  # (better, worse) run ids
    left_out: list[tuple[str, str]] = field(default_factory=list)  # (run id, why)
    against: str | None = None  # with many runs: every run is compared with this one only

    def pair(self, first: str, second: str) -> PairComparison | None:
        """The comparison of `first` with `second`, read in that direction."""
        if (first, second) in self.pairs:
            return self.pairs[(first, second)]
        if (second, first) in self.pairs:
            return self.pairs[(second, first)].swapped()
        return None

    def sentences(self, texts: str = "test texts") -> list[str]:
        return [pair.sentence(texts) for pair in self.pairs.values()]

    def to_json(self) -> dict:
        return {"runs": [record.run_id for record in self.runs], "labels": self.labels, "against": self.against,
                "left_out": [{"run_id": run_id, "reason": why} for run_id, why in self.left_out],
                "pairs": [pair.to_json() for pair in self.pairs.values()]}  # fmt: skip


MATRIX_LIMIT = 12  # more runs than this: each is compared with the best one (k - 1 pairs, not k(k - 1) / 2)


def compare_runs(store: Store, records: list[RunRecord], labels: dict[str, str] | None = None,
                 confidence: float = CONFIDENCE, resamples: int = RESAMPLES, alpha: float = ALPHA,
                 matrix_limit: int = MATRIX_LIMIT, seed: int = 0) -> PairwiseTable:  # fmt: skip
    """Compare every pair of runs (or, past `matrix_limit` runs, each with the best); Holm-adjust the family.

    Runs whose predictions cannot be read, or that were scored on another test
    split than the best run, are left out with the reason.
    """
    labels = {**default_labels(records), **(labels or {})}
    tables, left_out = {}, []
    for record in records:
        try:
            tables[record.run_id] = read_outcomes(store, record)
        except (DamagedFile, ValueError) as error:
            left_out.append((record.run_id, str(error)))
    kept = sorted((record for record in records if record.run_id in tables),
                  key=lambda record: -(getattr(record.metrics, "accuracy", None) or 0.0))  # fmt: skip
    splits: dict[tuple, list[RunRecord]] = {}
    for record in kept:
        splits.setdefault(_split_of(record, tables[record.run_id]), []).append(record)
    # The test split most runs share is the one compared (of equals, the best run's); the rest are named.
    compared = max(splits.values(), key=len) if splits else []
    for split, members in splits.items():
        if members is not compared:
            for record in members:
                left_out.append((record.run_id, f"scored on another test split ({len(tables[record.run_id]):,} "
                                                f"texts) than the {len(compared)} compared runs"))  # fmt: skip
    against = compared[0].run_id if len(compared) > matrix_limit else None
    result = PairwiseTable(compared, {record.run_id: labels[record.run_id] for record in compared},
                           left_out=left_out, against=against)  # fmt: skip
    for first, second in combinations(compared, 2):
        if against and first.run_id != against:
            continue
        paired = pair_predictions(first, tables[first.run_id], second, tables[second.run_id])
        result.pairs[(first.run_id, second.run_id)] = compare_predictions(
            first, second, paired, labels[first.run_id], labels[second.run_id], confidence, resamples, seed)
    if len(result.pairs) > 1:
        adjusted = holm_adjusted([pair.mcnemar.p_value for pair in result.pairs.values()])
        result.pairs = {key: replace(pair, p_adjusted=float(p), family=len(result.pairs), alpha=alpha)
                        for (key, pair), p in zip(result.pairs.items(), adjusted)}  # fmt: skip
    else:
        result.pairs = {key: replace(pair, alpha=alpha) for key, pair in result.pairs.items()}
    return result
