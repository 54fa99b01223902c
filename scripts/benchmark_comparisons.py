"""Honest comparisons on a real data set: baselines beside the RNNs, seed spreads, significance, the report.

1. Trains (unless the store has them) the data set's baselines and a zoo with
   several seeds, through the pipeline's own functions (`train_baselines`,
   `train_zoo`, as `python -m pipelines train --seeds N` calls them), timing both.
2. From the store: each model's accuracy and macro F1 over its seeds (mean,
   standard deviation, 95% t interval, range); the baselines; the TF-IDF model
   against the best RNN (McNemar and the paired bootstrap, per seed); how many
   pairs of the significance matrix are real.
3. Times the significance matrix (one run per model plus the baselines) and the
   report (HTML, and PDF through headless Chromium).

Run under the bench lock, one benchmark at a time on the machine:

    flock /work/bench.lock python scripts/benchmark_comparisons.py --artifacts artifacts --seeds 3
"""

from __future__ import annotations

import argparse
import os
import platform
import subprocess
import sys
import time
from pathlib import Path

from pipelines.comparison import across_seeds, compare_pair, compare_runs, seed_groups
from pipelines.comparison.overview import test_texts
from pipelines.store import Store
from pipelines.tasks import BASELINE, TASKS
from pipelines.training.baselines import train_baselines
from pipelines.training.train import prepare_data, train_zoo


def load_average() -> str:
    return " ".join(f"{value:.2f}" for value in os.getloadavg())


def train(store: Store, dataset: str, zoo_name: str, seeds: int, data_dir) -> dict[str, float]:
    started = time.perf_counter()
    data = prepare_data(store, dataset, data_dir=data_dir)
    prepared = time.perf_counter()
    baselines = train_baselines(store, data)
    baselines_done = time.perf_counter()
    outcomes = train_zoo(store, dataset, zoo_name, ["torch"], seeds=seeds, data_dir=data_dir, show_progress=False)
    finished = time.perf_counter()
    trained = sum(outcome.result == "trained" for outcome in outcomes)
    return {"prepare_seconds": prepared - started, "baseline_seconds": baselines_done - prepared,
            "baselines_trained": sum(o.result == "trained" for o in baselines),
            "zoo_seconds": finished - baselines_done,
            "runs_trained": trained, "runs_failed": sum(o.result == "failed" for o in outcomes)}  # fmt: skip


def baselines_only(store: Store, keys: list[str], data_dir) -> None:
    """Each data set's baselines beside its best recurrent run in the store, if any: accuracy, macro F1, time."""
    print(f"# {time.strftime('%Y-%m-%d %H:%M')}, {os.cpu_count()} cores; load average before: {load_average()}")
    print("| data set | test texts | baseline | accuracy | macro F1 | fit (s) | chosen C | n-grams |")
    print("|---|---|---|---|---|---|---|---|")
    for key in keys:
        started = time.perf_counter()
        data = prepare_data(store, key, data_dir=data_dir)
        prepared = time.perf_counter() - started
        train_baselines(store, data)
        for record in (r for r in store.runs(data.key) if r.task == BASELINE.name and r.state == "done"):
            m = record.metrics
            print(f"| {data.key} | {m.examples:,} | {record.spec.label} | {m.accuracy:.3f} | {m.f1_macro:.3f} | "
                  f"{m.train_seconds:.1f} | {m.regularisation if m.regularisation else '–'} | "
                  f"{m.features or 0:,} |")  # fmt: skip
        print(f"  ({data.key}: data prepared in {prepared:.1f} s)")
    print(f"load average at the end: {load_average()}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--artifacts", default="artifacts")
    parser.add_argument("--dataset", default="rt-polarity")
    parser.add_argument("--zoo", default="quick")
    parser.add_argument("--seeds", type=int, default=3)
    parser.add_argument("--data-dir", default=os.environ.get("RNNLENS_DATA_DIR"))
    parser.add_argument("--no-report", action="store_true", help="skip timing the HTML and PDF report")
    parser.add_argument("--baselines-only", nargs="+", metavar="KEY", default=None,
                        help="only train and score the baselines of these data sets (e.g. imdb nusax)")
    args = parser.parse_args()
    if args.baselines_only:
        baselines_only(Store(args.artifacts), args.baselines_only, args.data_dir)
        return

    print(f"# {time.strftime('%Y-%m-%d %H:%M')} on {platform.processor() or platform.machine()}, "
          f"{os.cpu_count()} cores; load average before: {load_average()}")  # fmt: skip
    store = Store(args.artifacts)
    timings = train(store, args.dataset, args.zoo, args.seeds, args.data_dir)
    print(f"training: {timings}; load average after: {load_average()}")

    records = [r for r in store.runs(args.dataset) if r.state == "done" and TASKS[r.task].classifier]
    groups = seed_groups(records)
    examples = records[0].metrics.examples
    print(f"\n## {args.dataset}: {len(records)} finished classifier runs, {examples:,} {test_texts(args.dataset)}\n")
    print("| model | seeds | accuracy mean ± sd | 95% interval | range | macro F1 mean ± sd | train s (mean) |")
    print("|---|---|---|---|---|---|---|")
    by_mean = sorted(groups, key=lambda group: -group.spread("accuracy").mean)
    for group in by_mean:
        accuracy, f1 = group.spread("accuracy"), group.spread("f1_macro")
        seconds = [r.metrics.train_seconds for r in group.runs if r.metrics.train_seconds is not None]
        interval = f"{accuracy.low:.3f}-{accuracy.high:.3f}" if accuracy.low is not None else "–"
        spread_text = f"± {accuracy.std:.3f}" if accuracy.std is not None else ""
        f1_text = f"{f1.mean:.3f} ± {f1.std:.3f}" if f1.std is not None else f"{f1.mean:.3f}"
        print(f"| {group.label} | {len(group.runs)} | {accuracy.mean:.3f} {spread_text} | {interval} | "
              f"{accuracy.minimum:.3f}-{accuracy.maximum:.3f} | {f1_text} | "
              f"{sum(seconds) / len(seconds):.1f} |")  # fmt: skip

    recurrent = [group for group in by_mean if group.first.task != BASELINE.name]
    tfidf = next(group for group in groups if group.first.task == BASELINE.name and "tfidf" in group.first.run_id)
    best = recurrent[0]
    print(f"\nbest RNN by mean accuracy: {best.label} ({best.spread('accuracy').mean:.4f}); "
          f"TF-IDF + LR: {tfidf.first.metrics.accuracy:.4f}")  # fmt: skip
    for record in best.runs:
        pair = compare_pair(store, tfidf.first, record)
        print("  " + pair.sentence(test_texts(args.dataset)))
    if len(recurrent) > 1:
        second = recurrent[1]
        seeds = across_seeds(best, second)
        low = f"{seeds.low * 100:+.1f}" if seeds.low is not None else "–"
        high = f"{seeds.high * 100:+.1f}" if seeds.high is not None else "–"
        p_value = f"{seeds.p_value:.3f}" if seeds.p_value is not None else "–"
        print(f"  across seeds, {best.label} vs {second.label}: {seeds.difference * 100:+.1f} points, "
              f"95% interval {low} to {high}, Welch p = {p_value}")  # fmt: skip
    spreads = [group.spread("accuracy") for group in recurrent if len(group.runs) > 1]
    if spreads:
        widest = max(spreads, key=lambda s: s.maximum - s.minimum)
        print(f"seed spread (max - min accuracy within a model): median "
              f"{sorted(s.maximum - s.minimum for s in spreads)[len(spreads) // 2] * 100:.1f} points, widest "
              f"{(widest.maximum - widest.minimum) * 100:.1f}; sd median "
              f"{sorted(s.std for s in spreads)[len(spreads) // 2] * 100:.2f} points")  # fmt: skip

    selection = [group.first for group in groups]
    started = time.perf_counter()
    table = compare_runs(store, selection)
    matrix_seconds = time.perf_counter() - started
    verdicts = [pair.verdict for pair in table.pairs.values()]
    print(f"\nsignificance matrix, {len(selection)} runs (first seed of each model + baselines), {len(table.pairs)} "
          f"pairs, 2,000 resamples: {matrix_seconds:.1f} s; real {verdicts.count('real')}, borderline "
          f"{verdicts.count('borderline')}, not distinguishable {verdicts.count('not distinguishable')}")  # fmt: skip
    for pair in table.pairs.values():
        print("  " + pair.sentence(test_texts(args.dataset)))

    if not args.no_report:
        for suffix in ("html", "pdf"):
            out = Path(args.artifacts).resolve().parent / f"benchmark-report.{suffix}"
            started = time.perf_counter()
            command = [sys.executable, "-m", "pipelines", "--artifacts", args.artifacts, "report", "--dataset",
                       args.dataset, "--out", str(out)]  # fmt: skip
            result = subprocess.run(command, capture_output=True, text=True)
            seconds = time.perf_counter() - started
            size = out.stat().st_size / 1e6 if out.exists() else 0
            print(f"report .{suffix}: exit {result.returncode}, {seconds:.1f} s (a fresh process), {size:.1f} MB"
                  + (f"\n{result.stderr[-800:]}" if result.returncode else ""))  # fmt: skip
    print(f"\nload average at the end: {load_average()}")


if __name__ == "__main__":
    main()
