"""The encoder-decoder's two lessons, measured: attention's picture on dates, and the bottleneck on reverse-N.

1. dates: the GRU with additive attention of the seq2seq zoo, trained as `train --dataset dates --zoo seq2seq`
   does (its own defaults: early stopping, a stop once 99.9% of the validation dates are right); test exact match,
   per-token accuracy and training time. The issue's target: >= 0.99 exact match within 5 minutes on 2 cores.
2. reverse-N: the GRU without attention (the context vector alone) and the GRU with additive attention, each
   given the same training time (`--max-seconds`, checked after every batch; the validation passes come on top:
   both times are printed); exact match and per-token accuracy by source length, in buckets of ten.

    python scripts/benchmark_seq2seq.py                          # 240 s each on reverse-60
    python scripts/benchmark_seq2seq.py --seconds 60 --task reverse-30 --json
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import tempfile
import time

import torch

from pipelines.store import Store
from pipelines.training.dispatch import train
from pipelines.training.request import TrainRequest


def trained(store: Store, dataset: str, pattern: str, overrides: dict | None = None) -> dict:
    """Train one model of the seq2seq zoo and return what its run recorded."""
    started = time.perf_counter()
    [outcome] = train(store, TrainRequest(dataset=dataset, zoo="seq2seq", only=(pattern,), overrides=overrides or {},
                                          show_progress=False))  # fmt: skip
    record = store.find_run(outcome.run_id)
    metrics = record.metrics
    return {
        "run_id": record.run_id, "label": record.spec.label, "result": outcome.result,
        "exact_match": metrics.exact_match, "token_accuracy": metrics.token_accuracy,
        "train_seconds": metrics.train_seconds, "epochs": metrics.epochs_trained,
        "wall_seconds": time.perf_counter() - started,
        "by_length": [bucket.to_json() for bucket in metrics.by_length],
    }  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--task", default="reverse-60", help="the bottleneck task (default reverse-60)")
    parser.add_argument("--seconds", type=float, default=240, help="training time of each reverse model (default 240)")
    parser.add_argument("--skip-dates", action="store_true")
    parser.add_argument("--skip-reverse", action="store_true")
    parser.add_argument("--store", default=None, help="store folder (default: a fresh temporary one)")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()

    folder = args.store or tempfile.mkdtemp(prefix="seq2seq-benchmark-")
    store = Store(folder)
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True).stdout.strip()
    result = {"machine": f"{platform.machine()}, {os.cpu_count()} CPUs, torch {torch.__version__}",
              "commit": commit, "load_before": os.getloadavg()[0]}  # fmt: skip
    if not args.skip_dates:
        result["dates"] = trained(store, "dates", "gru-additive-*")
        print(f"dates, {result['dates']['label']}: exact match {result['dates']['exact_match']:.4f}, per token "
              f"{result['dates']['token_accuracy']:.4f}, {result['dates']['train_seconds']:.0f} s of training, "
              f"{result['dates']['epochs']} epochs", flush=True)  # fmt: skip
    if args.skip_reverse:
        print(json.dumps(result))
        return
    budget = {"max_seconds": args.seconds, "epochs": 100, "patience": 100}  # the clock alone ends them
    result["reverse"] = {attention: trained(store, args.task, f"gru-{attention}-*", budget)
                         for attention in ("none", "additive")}  # fmt: skip
    result["load_after"] = os.getloadavg()[0]
    if args.json:
        print(json.dumps(result, indent=1))
        return
    print(f"\n{args.task}, the same training budget ({args.seconds:.0f} s) each; exact match / per-token accuracy")
    runs = result["reverse"]
    print("length   " + "   ".join(f"{runs[a]['label']:>36}" for a in runs))
    buckets = [bucket["bucket"] for bucket in runs["none"]["by_length"]]
    for index, bucket in enumerate(buckets):
        scores = [runs[attention]["by_length"][index] for attention in runs]
        cells = [f"{score['exact_match']:.3f} / {score['token_accuracy']:.3f}" for score in scores]
        print(f"{bucket:>7}  " + "   ".join(f"{cell:>36}" for cell in cells))
    for attention, run in runs.items():
        print(f"{run['label']}: {run['train_seconds']:.0f} s, {run['epochs']} epochs, exact {run['exact_match']:.3f}, "
              f"per token {run['token_accuracy']:.3f}")  # fmt: skip
    print(f"load average before {result['load_before']:.1f}, after {result['load_after']:.1f}; commit {commit}")
    print(json.dumps(result))


if __name__ == "__main__":
    main()
