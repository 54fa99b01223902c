"""The `report` command's options, defined once for both of its entry points.

`python -m pipelines report ...` and `python -m dashboard.report ...` take the same
options. The report draws with the dashboard's own figure builders (so the
handout shows the charts the lecture showed), and `pipelines` never imports
`dashboard`: the pipelines command runs the report in a child process, the way
the Train page runs `python -m pipelines train`.
"""

from __future__ import annotations

import argparse
import os
import tempfile
from pathlib import Path

FORMATS = (".html", ".pdf")


def add_report_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--dataset", default="rt-polarity",
                        help="the data set to report on (default rt-polarity); the report holds the sections its runs "
                             "have: classifiers, a memory-lab task's lab and gradients through time (memory-dN), "
                             "forecasters (a series such as co2), language models (a character corpus); all: "
                             "every data set of the store, one after another")
    parser.add_argument("--runs", nargs="+", default=None, metavar="RUN",
                        help="run ids to include (default: every finished run of the data set)")
    parser.add_argument("--out", required=True, help="report.html (self-contained, opens offline) or report.pdf")
    parser.add_argument("--text", default=None,
                        help="a review whose word attributions the report shows (default: an example review)")
    parser.add_argument("--explain-run", default=None, metavar="RUN",
                        help="the recurrent run that explains --text (default: the best one)")
    parser.add_argument("--resamples", type=int, default=2000, help="bootstrap resamples per pair (default 2000)")
    parser.add_argument("--title", default=None, help="the report's title (default: the data set's)")
    # How `pipelines report` hands --text to its child: on stdin, since a long review (~1 MB) is more than a
    # command line may hold ("Argument list too long").
    parser.add_argument("--text-stdin", action="store_true", help=argparse.SUPPRESS)


MIN_RESAMPLES, MAX_RESAMPLES = 100, 1_000_000


def check_resamples(resamples: int) -> None:
    """Fewer than 100 resamples make an interval's 2.5% and 97.5% points a handful of draws; more than a
    million would run for hours. ValueError names the flag."""
    if not MIN_RESAMPLES <= resamples <= MAX_RESAMPLES:
        raise ValueError(f"--resamples must be at least {MIN_RESAMPLES} and at most {MAX_RESAMPLES:,} for a 95% "
                         f"interval, got {resamples}")  # fmt: skip


def report_argv(args: argparse.Namespace, artifacts: str | None) -> list[str]:
    """The options of a parsed `report` command as a command line for `python -m dashboard.report`; --text, if
    given, becomes --text-stdin: the caller writes the text to the child's stdin."""
    argv = ["--dataset", args.dataset, "--out", args.out, "--resamples", str(args.resamples)]
    if args.runs:
        argv += ["--runs", *args.runs]
    if args.text is not None:
        argv += ["--text-stdin"]
    for flag, value in (("--explain-run", args.explain_run), ("--title", args.title), ("--artifacts", artifacts)):
        if value is not None:
            argv += [flag, value]
    return argv


def check_output(path: str) -> str:
    """The format an output path asks for; ValueError for any other suffix, or for a place the report cannot be
    written to: checked before the report is built (seconds of work), and named as the user gave it."""
    suffix = path[path.rfind(".") :].lower() if "." in path else ""
    if suffix not in FORMATS:
        raise ValueError(f"--out must end in .html or .pdf, got {path!r}")
    check_writable(Path(path))
    return suffix[1:]


def check_writable(path: Path) -> None:
    """ValueError unless a file can be written at `path`: its folder exists and takes a new file (tried, since
    permission bits say nothing to root or of /proc), and `path` is not itself a folder."""
    folder = path.parent
    if path.is_dir():
        raise ValueError(f"--out {str(path)!r} is a folder; name a file, such as {str(path / 'report.html')!r}")
    if not folder.is_dir():
        what = "is a file, not a folder" if folder.exists() else "does not exist; create it first"
        raise ValueError(f"--out {str(path)!r}: the folder {str(folder)!r} {what}")
    try:
        handle, probe = tempfile.mkstemp(dir=folder, prefix=".rnnlens-write-check-")
    except OSError as error:
        why = error.strerror or str(error)  # not `error` itself: it names the probe, not the user's path
        raise ValueError(f"--out {str(path)!r}: cannot create a file in {str(folder)!r} ({why})") from None
    os.close(handle)
    os.unlink(probe)
