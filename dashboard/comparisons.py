"""Tables for honest comparisons: one row per model over its seeds, the baselines, the significance matrix.

Pure (data in, pandas out), like `dashboard.tables`; the statistics come from
`pipelines.comparison`.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from dashboard.tables import baseline_of, run_labels, spec_of
from pipelines.comparison import PairwiseTable, SeedGroup, seed_groups, spread
from pipelines.comparison.significance import format_p, points
from pipelines.models.cells import CELL_NAMES
from pipelines.models.spec import FRAMEWORK_NAMES
from pipelines.records import RunRecord

BASELINE_CELL = "baseline"  # what the leaderboard's cell column says for a baseline


def group_labels(groups: list[SeedGroup]) -> dict[int, str]:
    """A unique label per model (by group position), without seeds: 'BiGRU 1×64', 'TF-IDF + LR (1-2 grams)'."""
    labels = run_labels([group.first for group in groups])
    return {index: labels[group.first.run_id] for index, group in enumerate(groups)}


def one_run_per_model(order: list[str], records: list[RunRecord], limit: int) -> list[str]:
    """A page's default runs: the first seed of each model in `order` (best first), at most `limit` recurrent
    ones, and every baseline (the yardstick is always drawn)."""
    firsts = {group.first.run_id for group in seed_groups(records)}
    baselines = {record.run_id for record in records if baseline_of(record)}
    recurrent = [run_id for run_id in order if run_id in firsts and run_id not in baselines][:limit]
    return [run_id for run_id in order if run_id in recurrent or run_id in baselines]


def _mean(values) -> float | None:
    values = [value for value in values if value is not None]
    return float(np.mean(values)) if values else None


def model_frame(records: list[RunRecord]) -> pd.DataFrame:
    """One row per model (its seeds together): mean, standard deviation and 95% t interval of accuracy and
    macro F1, mean ROC AUC, the gap to TF-IDF + LR, what it costs. Sorted by mean macro F1, best first."""
    groups = seed_groups(records)
    labels = group_labels(groups)
    tfidf = [group.first.metrics.accuracy for group in groups
             if baseline_of(group.first) and baseline_of(group.first).method == "tfidf-lr"]  # fmt: skip
    rows = []
    for index, group in enumerate(groups):
        spec, baseline = spec_of(group.first), baseline_of(group.first)
        accuracy, f1 = group.spread("accuracy"), group.spread("f1_macro")
        metrics = [record.metrics for record in group.runs]
        rows.append({
            "label": labels[index], "seeds": len(group.runs), "run_ids": tuple(group.run_ids),
            "framework": group.first.framework, "baseline": baseline.method if baseline else None,
            "cell": spec.cell if spec else None, "bidirectional": spec.bidirectional if spec else False,
            "layers": spec.layers if spec else None, "hidden_size": spec.hidden_size if spec else None,
            "accuracy": accuracy.mean, "accuracy_std": accuracy.std, "accuracy_low": accuracy.low,
            "accuracy_high": accuracy.high, "accuracy_min": accuracy.minimum, "accuracy_max": accuracy.maximum,
            "f1_macro": f1.mean, "f1_std": f1.std, "f1_low": f1.low, "f1_high": f1.high,
            "accuracy_values": tuple(group.values("accuracy")), "f1_values": tuple(group.values("f1_macro")),
            "roc_auc": _mean(m.roc_auc for m in metrics),
            "over_tfidf": accuracy.mean - tfidf[0] if tfidf and not baseline else None,
            "parameters": metrics[0].parameters, "train_seconds": _mean(m.train_seconds for m in metrics),
            "epochs_trained": _mean(m.epochs_trained for m in metrics),
        })  # fmt: skip
    frame = pd.DataFrame(rows)
    if frame.empty:
        return frame
    return frame.sort_values("f1_macro", ascending=False).reset_index(drop=True)


def _numbers(column: pd.Series) -> pd.Series:
    return pd.to_numeric(column, errors="coerce").astype(float)


def _interval(low, high) -> str:
    return "–" if low is None or pd.isna(low) else f"{low:.3f}–{high:.3f}"


def model_leaderboard(frame: pd.DataFrame) -> pd.DataFrame:
    """The model frame as people read it: a row per model, seeds counted, spreads and intervals spelled out.

    A figure that does not exist (the spread of one seed, say) is NaN, never None: a number column shows NaN as an
    empty cell and the report as "–", where None would read "None".
    """
    cell = frame["cell"].map(CELL_NAMES).where(frame["baseline"].isna(), BASELINE_CELL)
    direction = frame["bidirectional"].map({True: "bi", False: "uni"}).where(frame["baseline"].isna(), "–")
    return pd.DataFrame({
        "model": frame["label"],
        "cell": cell,
        "direction": direction,
        "layers": frame["layers"].astype("Int64"),
        "seeds": frame["seeds"],
        "accuracy": frame["accuracy"],
        "± sd": _numbers(frame["accuracy_std"]),
        "95% interval": [_interval(low, high) for low, high in zip(frame["accuracy_low"], frame["accuracy_high"])],
        "macro F1": frame["f1_macro"],
        "F1 ± sd": _numbers(frame["f1_std"]),
        "ROC AUC": _numbers(frame["roc_auc"]),
        "vs TF-IDF + LR": _numbers(frame["over_tfidf"]) * 100,
        "parameters": frame["parameters"],
        "train time (s)": frame["train_seconds"],
        "epochs": frame["epochs_trained"],
        "framework": frame["framework"].map(lambda name: FRAMEWORK_NAMES.get(name, "scikit-learn")),
        "run ids": [", ".join(ids) for ids in frame["run_ids"]],
    })  # fmt: skip


@dataclass(frozen=True)
class Headline:
    """The one line a lecture needs: the best recurrent model against bag-of-words."""

    best_label: str | None
    best_accuracy: float | None
    best_seeds: int
    tfidf_accuracy: float | None
    majority_accuracy: float | None

    @property
    def gain(self) -> float | None:
        """Accuracy points the best recurrent model adds over TF-IDF + LR."""
        if self.best_accuracy is None or self.tfidf_accuracy is None:
            return None
        return self.best_accuracy - self.tfidf_accuracy


def headline(frame: pd.DataFrame) -> Headline:
    recurrent = frame[frame["baseline"].isna()].sort_values("accuracy", ascending=False)
    by_method = {method: accuracy for method, accuracy in zip(frame["baseline"], frame["accuracy"]) if method}
    best = recurrent.iloc[0] if len(recurrent) else None
    return Headline(best["label"] if best is not None else None, float(best["accuracy"]) if best is not None else None,
                    int(best["seeds"]) if best is not None else 0, by_method.get("tfidf-lr"),
                    by_method.get("majority"))  # fmt: skip


def sweep_summary(points: pd.DataFrame) -> pd.DataFrame:
    """`tables.sweep_points` with a model's seeds together: mean macro F1 and its 95% interval per point."""
    if points.empty:
        return points.assign(seeds=pd.Series(dtype=int), f1_low=pd.Series(dtype=float),
                             f1_high=pd.Series(dtype=float))  # fmt: skip
    rows = []
    for study, in_study in points.groupby("study", sort=False):  # study first: depth 1 is not direction True
        for (value, cell, framework), group in in_study.groupby(["value", "cell", "framework"], sort=False):
            summary = spread(group["f1_macro"])
            rows.append({"study": study, "value": value, "cell": cell, "framework": framework,
                         "f1_macro": summary.mean, "f1_low": summary.low, "f1_high": summary.high, "seeds": summary.n,
                         "label": group["label"].iloc[0].split(" · seed ")[0], "run_id": group["run_id"].iloc[0]})
    return pd.DataFrame(rows)


# -- significance -------------------------------------------------------------------------


def significance_matrix(table: PairwiseTable) -> tuple[list[str], np.ndarray, np.ndarray, list[list[str]]]:
    """(labels, differences in points row minus column, verdict codes, hover texts) for the heatmap.

    Verdict codes: 2 real, 1 borderline, 0 not distinguishable, NaN for the diagonal and untested pairs.
    """
    ids = [record.run_id for record in table.runs]
    labels = [table.labels[run_id] for run_id in ids]
    size = len(ids)
    differences, verdicts = np.full((size, size), np.nan), np.full((size, size), np.nan)
    hover = [["" for _ in ids] for _ in ids]
    codes = {"real": 2, "borderline": 1, "not distinguishable": 0}
    for row, first in enumerate(ids):
        for column, second in enumerate(ids):
            pair = table.pair(first, second) if row != column else None
            if pair is None:
                continue
            interval = pair.intervals["accuracy"]
            differences[row, column] = interval.difference * 100
            verdicts[row, column] = codes[pair.verdict]
            hover[row][column] = (f"{pair.first_label} vs {pair.second_label}<br>{points(interval.difference)} "
                                  f"points ({points(interval.low)} to {points(interval.high)})<br>McNemar "
                                  f"{format_p(pair.p_value)}: {pair.verdict}")  # fmt: skip
    return labels, differences, verdicts, hover


def pairs_frame(table: PairwiseTable) -> pd.DataFrame:
    """Every compared pair: both scores, the differences with their intervals, McNemar's counts and p-values."""
    rows = []
    for pair in table.pairs.values():
        accuracy, f1 = pair.intervals["accuracy"], pair.intervals["f1_macro"]
        rows.append({
            "first": pair.first_label, "second": pair.second_label,
            "accuracy difference": accuracy.difference * 100, "accuracy interval":
                f"{points(accuracy.low)} to {points(accuracy.high)}",
            "macro F1 difference": f1.difference * 100, "macro F1 interval": f"{points(f1.low)} to {points(f1.high)}",
            "only first right": pair.mcnemar.only_first, "only second right": pair.mcnemar.only_second,
            "McNemar p": pair.mcnemar.p_value, "p (Holm)": pair.p_adjusted, "verdict": pair.verdict,
        })  # fmt: skip
    return pd.DataFrame(rows)


@dataclass(frozen=True)
class CellUncertainty:
    """What the cell chart (`figures.cell_comparison`) draws besides the dots: each run's interval, and which
    runs the paired test tells apart from the best one."""

    intervals: dict[str, tuple[float, float]]  # run id -> 95% bootstrap interval of its macro F1
    best: str | None  # the run every other was tested against (the most accurate)
    apart: set[str]  # runs worse than `best` for real (McNemar, Holm-adjusted, and the paired interval agree)
    tested: int  # pairs tested

    def sentence(self, labels: dict[str, str]) -> str:
        """The test's answer in words, for the chart's caption."""
        if self.best is None or not self.tested:
            return ""
        tied = self.tested - len(self.apart)
        return (f"Against the most accurate recurrent run, {labels.get(self.best, self.best)}, the paired test "
                f"(McNemar's exact test, Holm-adjusted, and a paired bootstrap) tells {len(self.apart)} of the "
                f"{self.tested} other runs apart (drawn hollow); {tied} cannot be told apart from it on this test "
                "split.")  # fmt: skip


def cell_uncertainty(intervals: dict, against_best: PairwiseTable | None, metric: str = "f1_macro") -> CellUncertainty:
    """`pipelines.comparison.score_intervals`' answer and `compare_runs(..., matrix_limit=1)`'s, as the chart's."""
    bounds = {run_id: (by_metric[metric].low, by_metric[metric].high) for run_id, by_metric in intervals.items()}
    if against_best is None or against_best.against is None:
        return CellUncertainty(bounds, None, set(), 0)
    apart = {second for (first, second), pair in against_best.pairs.items() if pair.verdict == "real"}
    return CellUncertainty(bounds, against_best.against, apart, len(against_best.pairs))
