"""Which runs to compare, and the comparison in words: what `python -m pipelines significance` prints.

    table, groups = significance_for(Store(), "rt-polarity")      # every finished classifier, every pair
    print(describe_significance(table, groups))
"""

from __future__ import annotations

from ..records import RunRecord
from ..report_options import check_resamples
from ..store import Store
from ..tasks import TASKS
from .seeds import SeedGroup, seed_groups
from .significance import (
    CONFIDENCE, RESAMPLES, NotComparable, PairwiseTable, compare_runs, pair_predictions, points, read_outcomes,
)  # fmt: skip


# States of a run that finished training but whose files no reader may trust.
UNTRUSTED = ("corrupt", "unverified")


def test_texts(dataset: str) -> str:
    """What a data set's test texts are called in a sentence."""
    return "test reviews" if dataset.startswith(("rt-polarity", "imdb")) else "test texts"


def is_classifier(record: RunRecord) -> bool:
    task = TASKS.get(record.task)
    return task is not None and task.classifier


def classifier_runs(store: Store, dataset: str | None,
                    run_ids: list[str] | None) -> tuple[list[RunRecord], list[tuple[str, str]]]:
    """The named runs (all of one data set), or every finished classifier of `dataset`; ValueError if none. With
    the runs, those left out as (run id, why): `dataset`'s classifiers that finished but cannot be trusted."""
    if run_ids:
        records = [store.find_run(run_id, dataset) for run_id in run_ids]
        named = [record.run_id for record in records]
        twice = sorted({run_id for run_id in named if named.count(run_id) > 1})
        if twice:  # one run named twice would count as two seeds of its model
            raise ValueError(f"--runs names {', '.join(twice)} more than once; name each run once")
        datasets = sorted({record.dataset for record in records})
        if len(datasets) > 1:
            where = ", ".join(f"{record.run_id} on {record.dataset}" for record in records)
            raise NotComparable(f"runs of different data sets cannot be compared ({where})")
        for record in records:
            if record.state != "done" or not is_classifier(record):
                what = record.state if record.state != "done" else f"a {record.task} run"
                raise ValueError(f"{record.run_id} is {what}; only finished classifiers can be compared")
        return records, []
    if not dataset:
        raise ValueError("name a --dataset or the --runs to compare")
    classifiers = [record for record in store.runs(dataset) if is_classifier(record)]
    records = [record for record in classifiers if record.state == "done"]
    # A corrupt or unverified run finished but is not trusted: it is left out by name, never silently.
    left_out = [(record.run_id, f"{record.state}: {record.problem}") for record in classifiers
                if record.state in UNTRUSTED]  # fmt: skip
    if not records:
        named = "".join(f"; left out {run_id} ({why})" for run_id, why in left_out)
        raise ValueError(f"no finished classifier runs of {dataset} in {store.root}; train some first{named}")
    return records, left_out


def significance_for(store: Store, dataset: str | None, run_ids: list[str] | None = None,
                     resamples: int = RESAMPLES, confidence: float = CONFIDENCE) -> tuple[PairwiseTable,
                                                                                          list[SeedGroup]]:
    """Every pair of the runs (Holm-adjusted), and the runs grouped by seed."""
    check_resamples(resamples)
    if not 0.5 <= confidence < 1:
        raise ValueError(f"--confidence must be between 0.5 and 1, got {confidence}")
    records, untrusted = classifier_runs(store, dataset, run_ids)
    if len(records) == 2:  # one pair: say exactly why it cannot be compared, if it cannot
        first, second = records
        pair_predictions(first, read_outcomes(store, first), second, read_outcomes(store, second))
    table = compare_runs(store, records, resamples=resamples, confidence=confidence)
    table.left_out[:0] = untrusted
    if len(table.runs) < 2:
        reasons = "; ".join(f"{run_id}: {why}" for run_id, why in table.left_out) or "only one run"
        raise NotComparable(f"fewer than two runs can be compared ({reasons})")
    return table, seed_groups(records)


def describe_significance(table: PairwiseTable, groups: list[SeedGroup]) -> str:
    """The pairs as a table and as sentences, then each model's spread over its seeds."""
    if not table.runs:
        return "no runs to compare"
    dataset = table.runs[0].dataset
    texts = test_texts(dataset)
    lines = [f"{len(table.runs)} runs of {dataset}, {table.runs[0].metrics.examples:,} {texts}; "
             "differences are the first minus the second, in points of accuracy"]  # fmt: skip
    if table.against:
        lines.append(f"(more than a dozen runs: each is compared with the best, {table.labels[table.against]})")
    width = max(len(label) for label in table.labels.values())
    p_title = "p (Holm)" if len(table.pairs) > 1 else "p"
    lines.append(f"{'first':<{width}}  {'second':<{width}}  {'diff':>6}  {'95% interval':>15}  {p_title:>9}  "
                 "verdict")
    for pair in table.pairs.values():
        interval = pair.intervals["accuracy"]
        lines.append(f"{pair.first_label:<{width}}  {pair.second_label:<{width}}  {points(interval.difference):>6}  "
                     f"{points(interval.low) + ' to ' + points(interval.high):>15}  {pair.p_value:>9.3f}  "
                     f"{pair.verdict}")  # fmt: skip
    lines += ["", *table.sentences(texts)]
    for run_id, why in table.left_out:
        lines.append(f"left out: {run_id} ({why})")
    seeded = [group for group in groups if len(group.runs) > 1]
    if seeded:
        lines += ["", "over seeds (mean ± standard deviation, 95% t interval of the mean):"]
        for group in seeded:
            accuracy = group.spread("accuracy")
            lines.append(f"  {group.label}: {len(group.runs)} seeds, accuracy {accuracy.mean:.4f} ± "
                         f"{accuracy.std:.4f} [{accuracy.low:.4f}, {accuracy.high:.4f}], range "
                         f"{accuracy.minimum:.4f}-{accuracy.maximum:.4f}")
    return "\n".join(lines)
