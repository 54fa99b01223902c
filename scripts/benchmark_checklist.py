"""The behavioural tests (`checklist`) on every data set of a store: failure rate per model and capability, as the
markdown rows BENCHMARKS.md section 17 quotes, with the commit, the time each data set took and the machine's load.

    python scripts/benchmark_checklist.py --artifacts /tmp/store --datasets rt-polarity imdb nusax --out checklist.json
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import time
from pathlib import Path

from pipelines.behaviour.checklist import CHECKLIST_TABLE_1, check_store
from pipelines.commands.behaviour import SHORT
from pipelines.store import Store


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--artifacts", required=True)
    parser.add_argument("--datasets", nargs="+", default=["rt-polarity", "imdb", "nusax"])
    parser.add_argument("--out", default=None, help="also write every report as JSON here")
    args = parser.parse_args()
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True).stdout.strip()
    print(f"commit {commit}, load average {os.getloadavg()[0]:.1f} at the start")
    store, reports = Store(args.artifacts), {}
    for dataset in args.datasets:
        if dataset not in store.datasets():
            print(f"{dataset}: not in the store, left out")
            continue
        started = time.perf_counter()
        report = check_store(store, dataset)
        seconds = time.perf_counter() - started
        reports[dataset] = report.to_json()
        capabilities = report.capabilities
        print(f"\n{dataset} ({report.language}): {len(report.models)} models, "
              f"{sum(len(test.cases) for test in report.tests):,} texts, {seconds:.1f} s (loading included), "
              f"load average {os.getloadavg()[0]:.1f}")  # fmt: skip
        print("| model | test accuracy | " + " | ".join(SHORT[name] for name in capabilities) + " | unknown |")
        print("|---|---:|" + "---:|" * len(capabilities) + "---:|")
        for model in report.models:
            metrics = store.run(dataset, model.run_id).metrics
            accuracy = f"{metrics.accuracy:.3f}" if metrics is not None else "–"
            rates = " | ".join(f"{100 * model.failure_rate(name):.1f}%" for name in capabilities)
            print(f"| {model.label} | {accuracy} | {rates} | {model.texts_with_unknown} of {model.texts} |")
        tests = ("not + positive", "not + negative", "not … positive", "not … negative", "negative, then “it wasn't”",
                 "positive? No.", "negative? No.")  # fmt: skip
        print("\n| model | " + " | ".join(tests) + " |\n|---|" + "---:|" * len(tests))
        for model in report.models:
            print(f"| {model.label} | " + " | ".join(f"{100 * model.rate_of(name):.1f}%" for name in tests) + " |")
        print(anchor(report))
    if args.out:
        Path(args.out).write_text(json.dumps({"commit": commit, "reports": reports}, ensure_ascii=False))


def anchor(report) -> str:
    """CheckList's rows that ours mirror: our range over the models beside the paper's figures, where quoted."""
    paper = CHECKLIST_TABLE_1["figure_models"]
    lines = ["\n| ours | CheckList's row | these models | " + " | ".join(paper) + " |",
             "|---|---|---:|" + "---:|" * len(paper)]
    for mirrored in report.beside_checklist():
        theirs = " | ".join(f"{mirrored.figures[model]:.1f}%" if model in mirrored.figures else "–" for model in paper)
        lines.append(f"| {mirrored.ours} | {mirrored.row} | {mirrored.span} | {theirs} |")
    return "\n".join(lines)


if __name__ == "__main__":
    main()
