"""Forecasting on a real series: every model of a forecast zoo against the baselines, at chosen horizon steps.

    flock /work/bench.lock python scripts/benchmark_forecasting.py --dataset co2 --zoo forecast --steps 1 12

Trains (or reuses) the zoo with the project's own `train` code in a store of its
own, then prints test RMSE and MASE at each step asked for, overall, and the
training time of each run, and says whether the best recurrent model beats
seasonal naive at every step asked for (the issue's target). The figures in
BENCHMARKS.md come from this script.
"""

from __future__ import annotations

import argparse
import os
import platform
import time
from pathlib import Path

from pipelines.store import Store
from pipelines.training.forecast import train_forecast_zoo


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dataset", default="co2")
    parser.add_argument("--zoo", default="forecast")
    parser.add_argument("--steps", type=int, nargs="+", default=[1, 12])
    parser.add_argument("--artifacts", default="artifacts/.benchmark", help="store to train into (reused if present)")
    parser.add_argument("--epochs", type=int, default=None)
    args = parser.parse_args()

    store = Store(args.artifacts)
    started = time.perf_counter()
    outcomes = train_forecast_zoo(store, args.dataset, args.zoo, device="cpu",
                                  overrides={"epochs": args.epochs}, show_progress=False)  # fmt: skip
    elapsed = time.perf_counter() - started
    trained = {outcome.run_id for outcome in outcomes}
    records = [record for record in store.runs(args.dataset) if record.run_id in trained and record.state == "done"]
    print(f"{args.zoo} zoo on {args.dataset}: {len(records)} runs, {elapsed:.0f} s for this call "
          f"({sum(o.result == 'trained' for o in outcomes)} trained now); "
          f"{platform.processor() or platform.machine()}, {os.cpu_count()} cores, load {os.getloadavg()[0]:.2f}")
    steps = "".join(f" {'RMSE@' + str(step):>9} {'MASE@' + str(step):>9}" for step in args.steps)
    header = f"{'model':<24} {'kind':<10}" + steps
    print(header + f" {'RMSE':>8} {'MASE':>7} {'train s':>8} {'epochs':>6}")
    rows = sorted(records, key=lambda record: record.metrics.rmse)
    for record in rows:
        metrics, spec = record.metrics, record.model_spec
        cells = "".join(f" {metrics.step(s).rmse:>9.3f} {_number(metrics.step(s).mase):>9}" for s in args.steps)
        print(f"{spec.label():<24} {metrics.method:<10}{cells} {metrics.rmse:>8.3f} {_number(metrics.mase):>7} "
              f"{metrics.train_seconds or 0:>8.1f} {metrics.epochs_trained or '-':>6}")  # fmt: skip
    recurrent = [record for record in rows if record.metrics.method == "recurrent"]
    seasonal = next((record for record in rows if record.metrics.method == "seasonal-naive"), None)
    if recurrent and seasonal:
        for step in args.steps:
            best = min(recurrent, key=lambda record: record.metrics.step(step).rmse)
            ours, theirs = best.metrics.step(step), seasonal.metrics.step(step)
            verdict = "beats" if ours.rmse < theirs.rmse and (ours.mase or 0) < (theirs.mase or 0) else "does NOT beat"
            print(f"step {step}: best recurrent {best.model_spec.label()} (RMSE {ours.rmse:.3f}, MASE "
                  f"{_number(ours.mase)}) {verdict} seasonal naive (RMSE {theirs.rmse:.3f}, "
                  f"MASE {_number(theirs.mase)})")


def _number(value) -> str:
    return "-" if value is None else f"{value:.3f}"


if __name__ == "__main__":
    os.chdir(Path(__file__).resolve().parent.parent)
    main()
