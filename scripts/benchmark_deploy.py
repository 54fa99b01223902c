"""What serving each PyTorch run costs, as float32, dynamic int8 and ONNX Runtime: `deploy` on every run.

    flock /work/bench.lock python scripts/benchmark_deploy.py --artifacts artifacts --dataset rt-polarity
    flock /work/bench.lock python scripts/benchmark_deploy.py --dataset imdb --limit 5000

Each run's report is measured afresh (`--refresh`) and kept in its folder
(deploy.json), so the Deploy page shows the same figures. The last table sets
them against the issue's targets: int8 at least 2x faster for one text and 3x
smaller, losing at most 0.5 accuracy points; ONNX Runtime at least as fast as
PyTorch eager for one text.
"""

from __future__ import annotations

import argparse
import os
import time

from pipelines.deploy import DeploySettings, format_report, megabytes
from pipelines.deploy.deployment import deploy_run
from pipelines.store import Store


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--artifacts", default="artifacts")
    parser.add_argument("--dataset", default="rt-polarity")
    parser.add_argument("--only", default=None, help="run ids containing this text")
    parser.add_argument("--limit", type=int, default=None, help="score a seeded sample of N test texts")
    parser.add_argument("--latency-texts", type=int, default=200)
    args = parser.parse_args()
    store = Store(args.artifacts)
    print(f"{time.strftime('%Y-%m-%d %H:%M:%S')}; {os.cpu_count()} cores; load average {os.getloadavg()}")
    settings = DeploySettings(limit=args.limit, latency_texts=args.latency_texts)
    reports = []
    for record in store.runs(args.dataset):
        if record.state != "done" or record.framework != "torch" or (args.only and args.only not in record.run_id):
            continue
        report = deploy_run(store, record.run_id, args.dataset, settings, refresh=True)
        print("\n" + format_report(report), flush=True)
        reports.append(report)
    print(f"\n{'run':<58} {'int8 speed-up':>13} {'int8 smaller':>12} {'int8 - float acc.':>17} {'ONNX speed-up':>13} "
          f"{'float size':>10}")
    for report in reports:
        float_, int8, onnx = (report.variant(name) for name in ("float", "int8", "onnx"))
        change = (int8.accuracy - float_.accuracy) * 100  # accuracy points; negative: int8 lost some
        print(f"{report.run_id:<58} {int8.speedup:>12.2f}x {int8.size_ratio:>11.2f}x {change:>+15.2f}pt "
              f"{(onnx.speedup if onnx and onnx.available else float('nan')):>12.2f}x {megabytes(float_.size_bytes):>10}")
    print(f"\nload average at the end {os.getloadavg()}")


if __name__ == "__main__":
    main()
