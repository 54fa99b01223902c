"""`python -m dashboard.report --dataset KEY --out report.html|report.pdf` (also `python -m pipelines report`).

Bad input (an unknown data set or run, an output name that is neither .html
nor .pdf or a place no file can be written, no Chromium for a PDF) ends with a
one-line message and exit status 2.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from pipelines.report_options import add_report_arguments, check_resamples
from pipelines.store import Store

EXIT_BAD_INPUT = 2


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(prog="python -m pipelines report", description="a report of a data set's runs")
    add_report_arguments(parser)
    parser.add_argument("--artifacts", default=None, help="store folder (default: $RNNLENS_ARTIFACTS or ./artifacts)")
    args = parser.parse_args(argv)
    from dashboard.report import COURSE, build_course_report, build_report

    if args.text_stdin:
        args.text = sys.stdin.read()
    try:
        check_resamples(args.resamples)
        if args.dataset == COURSE:
            contents = build_course_report(Store(args.artifacts), Path(args.out), args.title, args.resamples, args.runs,
                                           args.text, args.explain_run)  # fmt: skip
            print(f"wrote {args.out}: {sum(c.run_count for c in contents)} runs of {len(contents)} data sets "
                  f"({', '.join(content.dataset for content in contents)})")  # fmt: skip
            return 0
        content = build_report(Store(args.artifacts), args.dataset, Path(args.out), args.runs, args.text,
                               args.explain_run, args.title, args.resamples)  # fmt: skip
    except (ValueError, RuntimeError, OSError) as error:
        print(f"error: {error}", file=sys.stderr)
        return EXIT_BAD_INPUT
    left_out = f"; left out {len(content.left_out)} (named in the report)" if content.left_out else ""
    print(f"wrote {args.out}: {content.run_count} runs of {content.dataset}{left_out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
