"""`significance`, `tensorboard` and `report`: a data set's runs compared, exported and written up."""

from __future__ import annotations

import argparse
import json
import subprocess
import sys

from ..exit_codes import EXIT_FINISHED
from ..report_options import add_report_arguments, check_output, check_resamples, report_argv
from .common import Command, store_of


def add_significance_arguments(significance: argparse.ArgumentParser) -> None:
    significance.add_argument("--dataset", default=None, help="compare the data set's finished classifiers")
    significance.add_argument("--runs", nargs="+", default=None, metavar="RUN", help="or these runs (one data set)")
    significance.add_argument("--resamples", type=int, default=2000, help="bootstrap resamples (default 2000)")
    significance.add_argument("--confidence", type=float, default=0.95, help="interval level (default 0.95)")
    significance.add_argument("--json", action="store_true")
    significance.add_argument("--artifacts", default=argparse.SUPPRESS, help="store folder")


def cmd_significance(args) -> int:
    from ..comparison.overview import describe_significance, significance_for

    table, groups = significance_for(store_of(args), args.dataset, args.runs, resamples=args.resamples,
                                     confidence=args.confidence)  # fmt: skip
    if args.json:
        pairs = table.to_json()  # its "left_out" is repeated at the top, where a script looks first
        print(json.dumps({"pairs": pairs, "seeds": [group.to_json() for group in groups],
                          "left_out": pairs["left_out"]}, ensure_ascii=False, allow_nan=False))  # fmt: skip
    else:
        print(describe_significance(table, groups))
    return EXIT_FINISHED



def add_tensorboard_arguments(tensorboard: argparse.ArgumentParser) -> None:
    tensorboard.add_argument("--dataset", default=None, help="only this data set's runs")
    tensorboard.add_argument("--run", default=None, help="only this run")
    tensorboard.add_argument("--artifacts", default=argparse.SUPPRESS, help="store folder")


def cmd_tensorboard(args) -> int:
    from ..tensorboard_events import export_store

    store = store_of(args)
    folders = export_store(store, args.dataset, args.run)
    print(f"wrote TensorBoard events for {len(folders)} finished run{'s' * (len(folders) != 1)}; "
          f"view them with: tensorboard --logdir {store.root}")  # fmt: skip
    return EXIT_FINISHED



def add_arguments_of_report(report: argparse.ArgumentParser) -> None:
    add_report_arguments(report)
    report.add_argument("--artifacts", default=argparse.SUPPRESS, help="store folder")


def cmd_report(args) -> int:
    """Run the report (`python -m dashboard.report`, which draws with the dashboard's figures) as a child."""
    check_output(args.out)
    check_resamples(args.resamples)  # here, not seconds later in the child
    command = [sys.executable, "-m", "dashboard.report", *report_argv(args, args.artifacts)]
    return subprocess.run(command, input=args.text, text=True).returncode


SIGNIFICANCE = Command("significance", "which differences between runs are real: McNemar, paired bootstrap, seed "
                       "spreads", add_significance_arguments, cmd_significance)  # fmt: skip
TENSORBOARD = Command("tensorboard", "write finished runs' curves as TensorBoard event files",
                      add_tensorboard_arguments, cmd_tensorboard)  # fmt: skip
REPORT = Command("report", "a self-contained HTML or PDF report of a data set's runs", add_arguments_of_report,
                 cmd_report)
