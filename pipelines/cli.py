"""Command line: `python -m pipelines train | list | explain | top-words | verify | significance | tensorboard |
report | embed | deploy | lab | gradients | forecast | generate`.

Each command is a row of `pipelines.commands.COMMANDS` (its flags and handler side by side in its module).
Bad input (an unknown data set, a missing archive, a run that does not exist,
a run of a kind the command does not work on) ends with a one-line message and
exit status 2, never a traceback.
"""

from __future__ import annotations

import argparse
import os
import sys

from .commands import COMMANDS
from .commands.classifiers import ATTRIBUTION_METHODS  # noqa: F401 (tests compare it with pipelines.explain's)
from .data import DataError
from .exit_codes import EXIT_BAD_INPUT, EXIT_FINISHED, EXIT_INTERRUPTED, EXIT_SOME_FAILED  # noqa: F401


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m pipelines", description="RNN Lens pipelines")
    parser.add_argument("--artifacts", default=None, help="store folder (default: $RNNLENS_ARTIFACTS or ./artifacts)")
    subcommands = parser.add_subparsers(dest="command", required=True)
    for command in COMMANDS:
        subparser = subcommands.add_parser(command.name, help=command.help)
        command.add_arguments(subparser)
        subparser.set_defaults(handler=command.handler)
    return parser


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    try:
        return args.handler(args)
    except (DataError, ValueError) as error:
        print(f"error: {error}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except KeyboardInterrupt:
        print("interrupted; unfinished runs will be redone on the next start", file=sys.stderr)
        return EXIT_INTERRUPTED
    except BrokenPipeError:  # `... list | head`: the reader has all it wanted
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())  # no second error when Python flushes
        return EXIT_FINISHED
    except OSError as error:  # a read-only or full store, a path that is a file, a missing file
        where = f": {error.filename}" if error.filename else ""
        print(f"error: {error.strerror or error}{where}", file=sys.stderr)
        return EXIT_BAD_INPUT
