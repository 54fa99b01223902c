"""The memory lab's sweep, timed: what `python -m pipelines lab` costs and what it finds.

Trains the memory zoo (RNN with identity start, LSTM and GRU with chrono start, LSTM and GRU
from PyTorch's default start) at every distance into a fresh store, exactly as the command
does, then prints per run its test accuracy, epochs and training time, the time of its
gradients-through-time summary, and the whole sweep's wall time; `--json` for the record.

    python scripts/benchmark_lab.py                         # distances 5 10 20 50 100 200
    python scripts/benchmark_lab.py --distances 100 --store /tmp/lab
    python scripts/benchmark_lab.py --threads                # also: one training epoch at D=200, 1 vs 2 threads
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import tempfile
import time
from pathlib import Path

import torch

from pipelines.data.memory import DEFAULT_DISTANCES
from pipelines.explain.memory_lab import cached_lab_summary, lab_points
from pipelines.store import Store
from pipelines.training.lab import train_lab
from pipelines.training.request import LabRequest


def epoch_seconds(threads: int, distance: int = 200) -> dict:
    """One training epoch of each cell at `distance` on `threads` intra-op threads (the trainer's own loop)."""
    from pipelines.training.config import TrainConfig
    from pipelines.training.train import fit, plan_runs, prepare_data
    from pipelines.backends import backend_for
    from pipelines.models.zoos import memory_zoo

    torch.set_num_threads(threads)
    with tempfile.TemporaryDirectory() as folder:
        data = prepare_data(Store(folder), f"memory-d{distance}")
        config = TrainConfig.layered(data.dataset.info.training, {"epochs": 1, "stop_at_accuracy": 0.0})
        backend = backend_for("torch", "cpu")
        seconds = {}
        for run in plan_runs(data, [spec for spec in memory_zoo() if spec.init != "default"], ["torch"], config):
            model = backend.build(run.spec, seed=0)
            started = time.perf_counter()
            fit(backend, model, data.train, data.validation, config)
            seconds[run.spec.cell] = time.perf_counter() - started
    return seconds


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--distances", type=int, nargs="+", default=list(DEFAULT_DISTANCES))
    parser.add_argument("--store", default=None, help="store folder (default: a fresh temporary one)")
    parser.add_argument("--threads", action="store_true", help="also time one epoch at D=200 on 1 and 2 threads")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()

    root = Path(args.store or tempfile.mkdtemp(prefix="lab-benchmark-"))
    store = Store(root)
    load_before = os.getloadavg()
    started, cpu_started = time.perf_counter(), time.process_time()
    train_lab(store, LabRequest(distances=tuple(args.distances), device="cpu", show_progress=False))
    wall, cpu = time.perf_counter() - started, time.process_time() - cpu_started  # CPU: what a quiet machine needs
    rows = []
    for point in lab_points(store):
        summary = cached_lab_summary(store, point.record.dataset, point.record.run_id)
        trained = summary.trained[0] if summary else None
        rows.append({"distance": point.distance, "cell": point.cell, "init": point.init, "accuracy": point.accuracy,
                     "epochs": point.epochs, "train_seconds": point.seconds,
                     "summary_seconds": summary.seconds if summary else None,
                     "jacobian_at_marker": float(trained.steps_back(trained.jacobian)[point.distance]) if trained
                     else None,
                     "lookback_at_marker": float(summary.lookback[point.distance]) if summary else None})  # fmt: skip
    result = {"machine": f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores",
              "date": time.strftime("%Y-%m-%d %H:%M"), "load_before": load_before, "load_after": os.getloadavg(),
              "sweep_wall_seconds": wall, "sweep_cpu_seconds": cpu, "runs": rows, "store": str(root)}  # fmt: skip
    if args.threads:
        result["epoch_seconds_at_d200"] = {threads: epoch_seconds(threads) for threads in (1, 2)}
    if args.json:
        print(json.dumps(result, indent=1))
        return
    print(f"sweep of {len(rows)} runs: {wall / 60:.1f} min wall, {cpu / 60:.1f} min of CPU time; load "
          f"{load_before[0]:.1f} before, {result['load_after'][0]:.1f} after")
    print(f"{'D':>4} {'cell':<5} {'start':<9} {'accuracy':>8} {'epochs':>6} {'train s':>8} {'summary s':>9} "
          f"{'|dh_T/dh_marker|':>16} {'IG at marker':>12}")
    for row in rows:
        print(f"{row['distance']:>4} {row['cell']:<5} {row['init']:<9} {row['accuracy']:>8.3f} {row['epochs']:>6} "
              f"{row['train_seconds']:>8.1f} {row['summary_seconds'] or 0:>9.1f} {row['jacobian_at_marker']:>16.1e} "
              f"{row['lookback_at_marker']:>12.2f}")
    if args.threads:
        for threads, seconds in result["epoch_seconds_at_d200"].items():
            timings = ", ".join(f"{cell} {value:.1f}s" for cell, value in seconds.items())
            print(f"one epoch at D=200 on {threads} thread(s): {timings}")


if __name__ == "__main__":
    main()
