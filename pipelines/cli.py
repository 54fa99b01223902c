"""Command line: `python -m pipelines train | list | explain | verify`.

Bad input (an unknown data set, a missing archive, a run that does not exist)
ends with a one-line message and exit status 2, never a traceback.
"""

from __future__ import annotations

import argparse
import json
import os
import sys

from .backends import FRAMEWORKS
from .data import DATASET_KEYS, DataError
from .models.zoos import ZOOS
from .store import Store


def _store(args) -> Store:
    return Store(args.artifacts)


def cmd_train(args) -> int:
    from .pipeline import train_zoo  # imports torch: keep `list` fast

    frameworks = list(FRAMEWORKS) if args.framework == "both" else [args.framework]
    overrides = {
        "epochs": args.epochs,
        "batch_size": args.batch_size,
        "learning_rate": args.learning_rate,
        "seed": args.seed,
        "patience": args.patience,
    }
    outcomes = train_zoo(
        _store(args), args.dataset, args.zoo, frameworks, device=args.device, overrides=overrides,
        data_dir=args.data_dir, language=args.language, limit=args.limit, only=args.only,
        show_progress=not args.quiet,
    )  # fmt: skip
    counts = {result: sum(o.result == result for o in outcomes) for result in ("trained", "skipped", "busy", "failed")}
    print(", ".join(f"{count} {result}" for result, count in counts.items()))
    return 1 if counts["failed"] else 0


def _headline(record) -> dict:
    metrics = record.metrics or {}
    status = record.status or {}
    return {
        "dataset": record.dataset,
        "run_id": record.run_id,
        "framework": record.framework,
        "state": record.state,
        "progress": status.get("progress"),
        "accuracy": metrics.get("accuracy"),
        "f1_macro": metrics.get("f1_macro"),
        "roc_auc": metrics.get("roc_auc"),
        "parameters": metrics.get("parameters"),
        "train_seconds": metrics.get("train_seconds"),
        "epochs": metrics.get("epochs_trained"),
        "problem": record.problem,
    }


def cmd_list(args) -> int:
    store = _store(args)
    rows = [_headline(record) for record in store.runs(args.dataset)]
    if args.json:
        print(json.dumps(rows, indent=1))
        return 0
    if not rows:
        print(f"no runs in {store.root}; train some with: python -m pipelines train --dataset rt-polarity --zoo quick")
        return 0
    number = lambda value, fmt: "-" if value is None else format(value, fmt)  # noqa: E731
    header = f"{'dataset':<16} {'run':<44} {'state':<11} {'acc':>6} {'F1':>6} {'AUC':>6} {'params':>9} {'time':>7}"
    print(header)
    print("-" * len(header))
    for row in rows:
        state = row["state"]
        if state in ("running", "queued") and row["progress"] is not None:
            state = f"{state[:7]} {row['progress']:.0%}"
        print(
            f"{row['dataset']:<16} {row['run_id']:<44} {state:<11} {number(row['accuracy'], '.3f'):>6} "
            f"{number(row['f1_macro'], '.3f'):>6} {number(row['roc_auc'], '.3f'):>6} "
            f"{number(row['parameters'], ','):>9} {number(row['train_seconds'], '.0f'):>6}s"
        )
        if row["problem"] and row["state"] != "done":
            print(f"{'':<16} -> {row['problem']}")
    return 0


def cmd_verify(args) -> int:
    from .verify import format_report, verify_run  # imports torch (and TensorFlow for a Keras run)

    report = verify_run(_store(args), args.run, args.dataset)
    print(json.dumps(report, indent=1) if args.json else format_report(report))
    return 0 if report["agree"] else 1


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m pipelines", description="RNN Lens pipelines")
    parser.add_argument("--artifacts", default=None, help="store folder (default: $RNNLENS_ARTIFACTS or ./artifacts)")
    commands = parser.add_subparsers(dest="command", required=True)

    train = commands.add_parser("train", help="train every run of a zoo that the store does not have yet")
    train.add_argument("--dataset", default="rt-polarity", help=f"one of {', '.join(DATASET_KEYS)} (nusax-LANGUAGE too)")
    train.add_argument("--language", default=None, help="NusaX language (default indonesian)")
    train.add_argument("--zoo", default="quick", choices=sorted(ZOOS))
    train.add_argument("--only", action="append", metavar="PATTERN",
                       help="train only the zoo's models whose name matches, e.g. 'gru-bi-*' (repeatable)")
    train.add_argument("--framework", default="torch", choices=[*FRAMEWORKS, "both"])
    train.add_argument("--device", default="auto", choices=["auto", "cpu", "cuda"])
    train.add_argument("--epochs", type=int, default=None)
    train.add_argument("--batch-size", type=int, default=None)
    train.add_argument("--learning-rate", type=float, default=None)
    train.add_argument("--patience", type=int, default=None, help="early-stopping patience in epochs")
    train.add_argument("--seed", type=int, default=None)
    train.add_argument("--limit", type=int, default=None, help="use at most N examples per split (quick trials)")
    train.add_argument("--data-dir", default=None, help="folder with local data copies (default: $RNNLENS_DATA_DIR)")
    train.add_argument("--quiet", action="store_true", help="no progress bars")
    train.set_defaults(handler=cmd_train)

    listing = commands.add_parser("list", help="runs in the store with status and headline metrics")
    listing.add_argument("--dataset", default=None)
    listing.add_argument("--json", action="store_true")
    listing.set_defaults(handler=cmd_list)

    verify = commands.add_parser("verify", help="the NumPy reference against the framework on a run's test set")
    verify.add_argument("--run", required=True, help="a run id, as `list` shows it")
    verify.add_argument("--dataset", default=None, help="the run's data set (default: search them all)")
    verify.add_argument("--json", action="store_true")
    # Accepted after the subcommand too; SUPPRESS keeps a value given before it.
    verify.add_argument("--artifacts", default=argparse.SUPPRESS, help="store folder (as before the command)")
    verify.set_defaults(handler=cmd_verify)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    try:
        return args.handler(args)
    except (DataError, ValueError, FileNotFoundError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2
    except KeyboardInterrupt:
        print("interrupted; unfinished runs will be redone on the next start", file=sys.stderr)
        return 130
