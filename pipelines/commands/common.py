"""What the commands share: the one way a command is registered, the store, a run's flags, training slots."""

from __future__ import annotations

import argparse
import re
from dataclasses import dataclass
from typing import Callable

from ..device_names import DEVICE_CHOICES
from ..exit_codes import EXIT_FINISHED, EXIT_SOME_FAILED
from ..store import Store
from ..training.config import FIELDS


@dataclass(frozen=True)
class Command:
    """A subcommand of `python -m pipelines`: its name and help, its flags, and what it does.

    `handler(args)` returns the exit status; a ValueError (or DataError, OSError) becomes a one-line message
    and exit status 2 in `pipelines.cli.main`.
    """

    name: str
    help: str
    add_arguments: Callable[[argparse.ArgumentParser], None]
    handler: Callable[[argparse.Namespace], int]


def store_of(args) -> Store:
    store = Store(args.artifacts)
    if store.root.exists() and not store.root.is_dir():
        raise ValueError(f"--artifacts {store.root} is a file, not a store folder")
    return store


def run_arguments(parser: argparse.ArgumentParser) -> None:
    """--run, --dataset, --device and --artifacts: the flags of a command that reads one run."""
    parser.add_argument("--run", required=True, help="run id, as `list` shows it")
    parser.add_argument("--dataset", default=None, help="the run's data set (default: found in the store)")
    parser.add_argument("--device", default="cpu", choices=DEVICE_CHOICES, help="default cpu")
    # Also accepted after the command; SUPPRESS keeps the top-level value when it is not given here.
    parser.add_argument("--artifacts", default=argparse.SUPPRESS, help="store folder")


def training_settings(parser: argparse.ArgumentParser, help: Callable[[object], str]) -> None:
    """A flag per TrainConfig field (--epochs, --learning-rate, ...); unset ones keep the data set's defaults."""
    for setting in FIELDS.values():
        parser.add_argument(f"--{setting.name.replace('_', '-')}", type=setting.type, default=None, metavar="N",
                            help=help(setting))  # fmt: skip


def in_a_slot(args, command: Callable, cluster=None) -> int:
    """Run a training command; with --wait-for-slot, only while holding one of the store's training slots.

    A Ray address is checked first: before a trainer (and PyTorch) loads, so an address that is not Ray fails in
    about a second, and before the slot, so a job never holds one while it waits on such an address."""
    if cluster is not None:
        cluster.check()
    if not args.wait_for_slot:
        return command()
    from ..training.slots import training_slot  # no framework yet: a job waiting in line stays small

    waiting = lambda slots: print(f"waiting for a training slot (all {slots} in use)", flush=True)  # noqa: E731
    with training_slot(store_of(args), on_wait=waiting):
        return command()


def outcome_counts(outcomes) -> int:
    """Print how many runs were trained, skipped, busy or failed; the exit status says whether any failed."""
    counts = {result: sum(o.result == result for o in outcomes) for result in ("trained", "skipped", "busy", "failed")}
    print(", ".join(f"{count} {result}" for result, count in counts.items()))
    return EXIT_SOME_FAILED if counts["failed"] else EXIT_FINISHED


def class_choice(target: str | None) -> int | str | None:
    """--target as a class index (ASCII digits only: "²" or "١" are names, which explain then refuses) or a name."""
    return int(target) if target is not None and re.fullmatch(r"[0-9]+", target) else target
