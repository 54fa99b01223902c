"""The same sweep trained by the local executor and by Ray: wall time of each, and whether the metrics agree.

Plans the zoo once per seed (the sweep's 18 models x 3 seeds = 54 runs on
rt-polarity by default), then trains every run twice into two fresh stores in
a temporary folder: first one after another in this process (the local
executor, PyTorch's default threads), then as Ray tasks on a Ray instance
started here with `--workers` CPUs (one CPU, so one thread, per run). The
runs' ids, scores, class probabilities and histories are compared run by run.
Then the store's footprint: files and bytes per run, by file (scripts/store_footprint.py).

    flock /work/bench.lock python scripts/benchmark_ray.py                 # the 54-run sweep (long)
    python scripts/benchmark_ray.py --only 'gru-uni-*' --seeds 1 --limit 600   # a minute: the script itself

Writes a JSON of everything to --out (default benchmark_ray.json) after each
executor, so a long run that is cut short still leaves the first half.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import tempfile
import time
from pathlib import Path

import numpy as np
import torch

from pipelines.data import resolve_info
from pipelines.models.zoos import zoo
from pipelines.store import Store
from pipelines.training.cluster import ClusterOptions
from pipelines.training.config import TrainConfig
from pipelines.training.train import LocalExecutor, plan_runs, prepare_data, train_planned, train_run
from store_footprint import footprint  # scripts/, beside this one

SCORES = ("accuracy", "balanced_accuracy", "f1_macro", "f1_weighted", "log_loss", "roc_auc", "validation_loss",
          "best_epoch", "epochs_trained")  # fmt: skip


def machine() -> dict:
    return {"python": platform.python_version(), "torch": torch.__version__, "cpus": os.cpu_count(),
            "processor": platform.processor() or platform.machine(), "load_average": os.getloadavg()}  # fmt: skip


def train_all(store: Store, arguments, seeds: list[int], trainer) -> tuple[list, float]:
    """(outcomes, seconds) of training every seed's runs into `store` with `trainer`."""
    info = resolve_info(arguments.dataset, None, arguments.limit)
    data = prepare_data(store, arguments.dataset, data_dir=arguments.data_dir, limit=arguments.limit)
    planned = []
    for seed in seeds:
        config = TrainConfig.layered(info.training, {"seed": seed, "epochs": arguments.epochs})
        planned += plan_runs(data, zoo(arguments.zoo, arguments.only), ["torch"], config)
    started = time.perf_counter()
    outcomes = train_planned(store, data, planned, trainer, arguments.zoo, show_progress=False, words=False)
    return outcomes, time.perf_counter() - started


def compare(local: Store, remote: Store, dataset: str) -> dict:
    """Per score, the largest difference between the two stores' runs; and of class probabilities."""
    ids = local.run_ids(dataset)
    differences = {score: 0.0 for score in SCORES}
    probability, identical = 0.0, 0
    for run_id in ids:
        mine, theirs = local.run(dataset, run_id), remote.run(dataset, run_id)
        same = True
        for score in SCORES:
            difference = abs(float(getattr(mine.metrics, score)) - float(getattr(theirs.metrics, score)))
            differences[score] = max(differences[score], difference)
            same &= difference == 0
        frames = [store.read_predictions(dataset, run_id).filter(like="prob_").to_numpy() for store in (local, remote)]
        largest = float(np.abs(frames[0] - frames[1]).max())
        probability = max(probability, largest)
        identical += same and largest == 0
    return {"runs": len(ids), "same_run_ids": ids == remote.run_ids(dataset), "runs_identical": identical,
            "largest_score_difference": differences, "largest_probability_difference": probability}  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--dataset", default="rt-polarity")
    parser.add_argument("--zoo", default="sweep")
    parser.add_argument("--only", action="append", default=None)
    parser.add_argument("--seeds", type=int, nargs="+", default=[1, 2, 3])
    parser.add_argument("--epochs", type=int, default=None, help="default: the data set's")
    parser.add_argument("--limit", type=int, default=None)
    parser.add_argument("--workers", type=int, default=2, help="CPUs of the local Ray instance (one run each)")
    parser.add_argument("--data-dir", default=None)
    parser.add_argument("--out", default="benchmark_ray.json")
    arguments = parser.parse_args()

    report = {"date": time.strftime("%Y-%m-%d %H:%M"), "machine": machine(), "settings": vars(arguments)}
    folder = Path(tempfile.mkdtemp(prefix="benchmark-ray-"))
    local, remote = Store(folder / "local"), Store(folder / "ray")
    key = resolve_info(arguments.dataset, None, arguments.limit).key

    outcomes, seconds = train_all(local, arguments, arguments.seeds, LocalExecutor(["torch"], "cpu"))
    report["local"] = {"seconds": seconds, "trained": sum(o.result == "trained" for o in outcomes),
                       "load_average_after": os.getloadavg()}  # fmt: skip
    print(f"local executor: {report['local']['trained']} runs in {seconds:.0f} s", flush=True)
    Path(arguments.out).write_text(json.dumps(report, indent=1))

    from pipelines.training.ray_executor import connect

    started = time.perf_counter()
    with connect(ClusterOptions(local_cpus=arguments.workers), ["torch"], "cpu", train_run) as executor:
        startup = time.perf_counter() - started
        outcomes, seconds = train_all(remote, arguments, arguments.seeds, executor)
    report["ray"] = {"seconds": seconds, "startup_seconds": startup, "workers": arguments.workers,
                     "trained": sum(o.result == "trained" for o in outcomes), "load_average_after": os.getloadavg()}
    print(f"ray executor ({arguments.workers} workers): {report['ray']['trained']} runs in {seconds:.0f} s "
          f"(+{startup:.0f} s to start Ray and check its workers)", flush=True)  # fmt: skip
    report["comparison"] = compare(local, remote, key)
    report["footprint"] = footprint(remote, key)
    report["store"] = str(folder)
    Path(arguments.out).write_text(json.dumps(report, indent=1))
    print(json.dumps({name: report[name] for name in ("comparison", "footprint")}, indent=1))


if __name__ == "__main__":
    main()
