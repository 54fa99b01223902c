"""`list`: the runs in the store, grouped by kind, with each kind's headline scores."""

from __future__ import annotations

import argparse
import json

from ..exit_codes import EXIT_FINISHED
from ..store import Store
from ..tasks import task_named
from .common import Command, store_of


def add_list_arguments(listing: argparse.ArgumentParser) -> None:
    listing.add_argument("--dataset", default=None)
    listing.add_argument("--json", action="store_true")


def _headline(record) -> dict:
    """A run's row in `list`: what it is, its state, and its kind's headline scores."""
    metrics, headline = record.metrics, task_named(record.task).metrics.HEADLINE
    return {
        "dataset": record.dataset,
        "run_id": record.run_id,
        "task": record.task,
        "framework": record.framework,
        "state": record.state,
        "progress": record.progress,
        **{name: getattr(metrics, name) if metrics else None for name in headline},
        "parameters": metrics.parameters if metrics else None,
        "train_seconds": metrics.train_seconds if metrics else None,
        "epochs": metrics.epochs_trained if metrics else None,
        "problem": record.problem,
    }


def cmd_list(args) -> int:
    store = store_of(args)
    records = store.runs(args.dataset)
    if args.json:
        print(json.dumps([_headline(record) for record in records], indent=1))
        return EXIT_FINISHED
    if not records:
        print(f"no runs in {store.root}; train some with: python -m pipelines train --dataset rt-polarity --zoo quick")
        return EXIT_FINISHED
    number = lambda value, fmt: "-" if value is None else format(value, fmt)  # noqa: E731
    for task, group in _by_task(records).items():
        titles = task_named(task).metrics.HEADLINE
        data_width = max(16, *(len(record.dataset) for record in group))
        run_width = max(44, *(len(record.run_id) for record in group))
        header = (f"{'dataset':<{data_width}} {'run':<{run_width}} {'state':<11} "
                  + " ".join(f"{title:>6}" for title in titles.values())
                  + f" {'params':>9} {'time':>7}")  # fmt: skip
        print(f"[{task}]")
        print(header)
        print("-" * len(header))
        for record in group:
            row = _headline(record)
            state = record.state
            if record.progress is not None:
                state = f"{state[:7]} {record.progress:.0%}"
            scores = " ".join(f"{number(row.get(name), '.3f'):>6}" for name in titles)
            print(f"{row['dataset']:<{data_width}} {row['run_id']:<{run_width}} {state:<11} {scores} "
                  f"{number(row['parameters'], ','):>9} {number(row['train_seconds'], '.0f'):>6}s")  # fmt: skip
            if record.problem and record.state != "done":
                print(f"{'':<{data_width}} -> {record.problem}")
        print()
    _list_embeddings(store)
    return EXIT_FINISHED


def _list_embeddings(store: Store) -> None:
    """The pretrained embeddings in the store (`embed`), for `train --pretrained ... --embeddings NAME`."""
    from ..embeddings import list_embeddings

    found = list_embeddings(store.root)
    if found:
        print("[pretrained embeddings]")
        for settings in found:
            corpus = settings.corpus
            print(f"{settings.name:<48} {settings.words:>9,} words x {settings.dimensions:<4} {settings.algorithm}, "
                  f"{corpus.texts:,} reviews ({' + '.join(corpus.parts)})")
        print()


def _by_task(records) -> dict[str, list]:
    groups: dict[str, list] = {}
    for record in records:
        groups.setdefault(record.task, []).append(record)
    return groups


LIST = Command("list", "runs in the store with status and headline metrics", add_list_arguments, cmd_list)
