"""`prepare-lecture`: train everything the dashboard's default lecture ("Why gates matter") shows, in one command.

    python -m pipelines prepare-lecture            # four parts, each timed; what is in the store already is skipped
    python -m pipelines prepare-lecture --plan     # what it would train, and for which pages

Each part is an ordinary `train` or `lab` command, run as its own process exactly as a user types it (its memory is
given back before the next part starts), so a part interrupted is finished by the next start like any training.
"""

from __future__ import annotations

import argparse
import subprocess
import sys
import time

from ..device_names import DEVICE_CHOICES
from ..exit_codes import EXIT_FINISHED, EXIT_INTERRUPTED, EXIT_SOME_FAILED
from .common import Command, store_of

# (what, the pages that show it, minutes on a 2-core laptop without a GPU (README.md), the command's arguments)
PLAN: tuple[tuple[str, str, str, list[str]], ...] = (
    ("the quick zoo on rt-polarity (7 models, 2 baselines)", "Overview, Playground, Inside the model", "1.5-3",
     ["train", "--dataset", "rt-polarity", "--zoo", "quick"]),
    ("the memory lab (RNN, LSTM and GRU at 5-200 steps)", "Memory lab, Gradients through time", "about 4",
     ["lab"]),
    ("forecasters on Mauna Loa CO2 (3 models, 3 baselines)", "Forecasts", "1-2",
     ["train", "--dataset", "co2", "--zoo", "forecast-quick"]),
    ("character language models and n-grams", "Write", "a few",
     ["train", "--dataset", "rt-polarity-chars", "--zoo", "charlm-small"]),
)  # fmt: skip
DATASETS = ("rt-polarity", "memory-d100", "co2", "rt-polarity-chars")  # what the lecture's steps open (a lab run
# trains every memory-dN distance; the lecture opens D = 100)


def add_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--plan", action="store_true", help="print what would be trained, train nothing")
    parser.add_argument("--device", default="auto", choices=DEVICE_CHOICES)
    parser.add_argument("--quiet", action="store_true", help="no progress bars")
    parser.add_argument("--artifacts", default=argparse.SUPPRESS, help="store folder")


def part_argv(arguments: list[str], args) -> list[str]:
    """The part's command line: `python -m pipelines [--artifacts STORE] COMMAND ... --device D [--quiet]`."""
    argv = [*arguments, "--device", args.device]
    if args.quiet:
        argv.append("--quiet")
    if args.artifacts:
        argv = ["--artifacts", str(args.artifacts), *argv]
    return [sys.executable, "-m", "pipelines", *argv]


def cmd_prepare_lecture(args) -> int:
    print("The default lecture, 'Why gates matter', needs:")
    for number, (what, pages, minutes, arguments) in enumerate(PLAN, 1):
        print(f"  {number}. {what}: {pages} ({minutes} min): python -m pipelines {' '.join(arguments)}")
    if args.plan:
        return EXIT_FINISHED
    store_of(args)  # an --artifacts that is a file: one line now, not one failed part after another
    failed, started = [], time.monotonic()
    for number, (what, _, _, arguments) in enumerate(PLAN, 1):
        print(f"\n[{number}/{len(PLAN)}] {what}", flush=True)
        began = time.monotonic()
        try:
            status = subprocess.run(part_argv(arguments, args)).returncode
        except KeyboardInterrupt:  # Ctrl+C reaches the part too: it stops, and so does this command
            status = EXIT_INTERRUPTED
        print(f"[{number}/{len(PLAN)}] {'done' if status == EXIT_FINISHED else f'exit {status}'} in "
              f"{(time.monotonic() - began) / 60:.1f} min", flush=True)  # fmt: skip
        if status == EXIT_INTERRUPTED:  # Ctrl+C: stop here; the next start finishes the part
            return status
        if status != EXIT_FINISHED:
            failed.append(what)
    total = (time.monotonic() - started) / 60
    if failed:
        print(f"\n{len(failed)} part(s) did not finish ({'; '.join(failed)}) in {total:.1f} min: run it again to "
              "finish them; what is done is kept")  # fmt: skip
        return EXIT_SOME_FAILED
    print(f"\nReady in {total:.1f} min: `make demo` (or streamlit run dashboard/app.py), then in the sidebar's "
          "Lecture box press Start the lecture; add ?presentation=true for the projector.")
    return EXIT_FINISHED


PREPARE_LECTURE = Command("prepare-lecture", "train everything the default lecture shows (four parts, timed)",
                          add_arguments, cmd_prepare_lecture)  # fmt: skip
