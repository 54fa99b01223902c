"""What a chart's words and data table cost (dashboard/describe.py), against styling the same figure.

    python scripts/benchmark_describe.py [--artifacts DIR] [--dataset KEY ...]

Every figure the report draws for each data set (the dashboard's own builders, on the store's runs) is described
(`describe`), tabled (`chart_data`) and styled (`figures.styled`, which every chart pays on its first draw), each
timed as it happens. In the dashboard the words are computed once with the styled figure and cached with it
(`ui._styled_figure`), so a rerun pays neither; the table only while its expander is open.
"""

from __future__ import annotations

import argparse
import os
import statistics
import subprocess
import time

from dashboard import figures
from dashboard.describe import chart_data, describe
from dashboard.report import blocks
from dashboard.report.content import gather
from dashboard.report.render import render_html
from pipelines.store import Store

TIMES: dict[str, list[float]] = {"describe": [], "chart_data": [], "styled": []}


def timed(name: str, function):
    def run(*args, **kwargs):
        start = time.perf_counter()
        result = function(*args, **kwargs)
        TIMES[name].append((time.perf_counter() - start) * 1000)
        return result

    return run


def describe_and_table(figure):
    timed("chart_data", chart_data)(figure)
    return timed("describe", describe)(figure)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--artifacts", default=os.environ.get("RNNLENS_ARTIFACTS", "artifacts"))
    parser.add_argument("--dataset", nargs="*", help="the data sets whose report figures to time (default: all)")
    arguments = parser.parse_args()
    store = Store(arguments.artifacts)
    blocks.describe = describe_and_table
    figures.styled = timed("styled", figures.styled)
    for dataset in arguments.dataset or store.datasets():
        render_html(gather(store, dataset))
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True).stdout.strip()
    print(f"commit {commit}, load average {os.getloadavg()[0]:.1f}, {len(TIMES['describe'])} figures")
    for name, values in TIMES.items():
        print(f"{name:>10}: median {statistics.median(values):6.1f} ms, max {max(values):6.1f} ms, "
              f"total {sum(values):7.0f} ms")  # fmt: skip


if __name__ == "__main__":
    main()
