"""Pretrained embeddings, measured: word2vec on IMDb's unlabelled reviews, then models from scratch and from it.

    flock /work/bench.lock python scripts/benchmark_pretrained.py --artifacts artifacts     # every step below
    python scripts/benchmark_pretrained.py --artifacts artifacts --summary                 # the table only

Each step is the real command (`python -m pipelines embed | train ...`, and
`scripts/benchmark_language_model.py` for what Dai & Le's pretraining would cost), run in
turn, with its wall time and the machine's load average before and after (the
machine is shared: say so beside the figures). The summary prints, per data set
and run, test accuracy and macro F1, training time, the share of the vocabulary
the vectors covered, and the hand-written probes' accuracy per category
(`pipelines/probes.py`). Runs already in the store are not trained again.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import time

from pipelines.embeddings import list_embeddings
from pipelines.probes import CATEGORIES, probe_scores
from pipelines.runs import load_run
from pipelines.store import Store

IMDB_MODEL = "gru-bi-1x128-mean"  # the full zoo's BiGRU: 0.881 from scratch (BENCHMARKS.md)
NUSAX = [["train", "--dataset", f"nusax-{language}", "--zoo", "quick", "--only", "gru-bi-*", *pretrained,
          "--no-top-words"] for language in ("indonesian", "english") for pretrained in ([], ["--pretrained", "tuned"])]
# In the order they run: what the targets need first, so a long queue for the lock loses the least.
STEPS = {
    "embed": [["embed", "--epochs", "3"]],
    "rt-polarity": [["train", "--dataset", "rt-polarity", "--zoo", "quick", *pretrained, "--no-top-words"]
                    for pretrained in ([], ["--pretrained", "tuned"], ["--pretrained", "frozen"])],
    "deploy-rt-polarity": [["deploy-script", "--dataset", "rt-polarity"]],
    "imdb-tuned": [["train", "--dataset", "imdb", "--zoo", "full", "--only", IMDB_MODEL, "--pretrained", "tuned",
                    "--no-top-words"]],
    "nusax": NUSAX,
    "imdb-frozen": [["train", "--dataset", "imdb", "--zoo", "full", "--only", IMDB_MODEL, "--pretrained", "frozen",
                     "--no-top-words"]],
    "deploy-imdb": [["deploy-script", "--dataset", "imdb", "--limit", "5000"]],
    "language-model": [["language-model"]],
}  # fmt: skip


def run_step(arguments: list[str], artifacts: str) -> None:
    command = [sys.executable, "-m", "pipelines", "--artifacts", artifacts, *arguments]
    if arguments[0] == "deploy-script":  # every PyTorch run of a data set, measured by `deploy`
        command = [sys.executable, "scripts/benchmark_deploy.py", "--artifacts", artifacts, *arguments[1:]]
    if arguments[0] == "language-model":  # the cost of Dai & Le's pretraining, over the corpus `embed` read
        tokens = next(iter(list_embeddings(artifacts)), None)
        command = [sys.executable, "scripts/benchmark_language_model.py", "--tokens",
                   str(tokens.corpus.tokens if tokens else 20_000_000)]  # fmt: skip
    load_before = os.getloadavg()[0]
    started = time.perf_counter()
    print(f"\n$ {' '.join(command[1:])}   (load average {load_before:.2f})", flush=True)
    subprocess.run(command, check=False, env={**os.environ, "PYTHONUNBUFFERED": "1"})
    print(f"-> {time.perf_counter() - started:.0f} s wall, load average {load_before:.2f} before, "
          f"{os.getloadavg()[0]:.2f} after", flush=True)


def summary(artifacts: str) -> None:
    store = Store(artifacts)
    header = f"{'data set':<18} {'run':<58} {'acc':>6} {'F1':>6} {'train s':>8} {'cover':>6} " + " ".join(
        f"{category:>9}" for category in CATEGORIES)
    print("\n" + header + "\n" + "-" * len(header))
    for record in store.runs():
        if record.state != "done":
            continue
        metrics = record.metrics
        coverage = "-" if metrics.pretrained_coverage is None else f"{metrics.pretrained_coverage:.0%}"
        probes = ""
        if {"negative", "positive"} <= set(record.classes) and len(record.classes) == 2:
            scores = probe_scores(load_run(store, record.dataset, record.run_id))
            probes = " ".join(f"{scores[c].correct:>4}/{scores[c].total:<4}" for c in CATEGORIES)
        print(f"{record.dataset:<18} {record.run_id:<58} {metrics.accuracy:>6.3f} {metrics.f1_macro:>6.3f} "
              f"{metrics.train_seconds:>8.0f} {coverage:>6} {probes}")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--artifacts", default="artifacts")
    parser.add_argument("--steps", nargs="*", default=list(STEPS), choices=list(STEPS))
    parser.add_argument("--summary", action="store_true", help="print the table of what the store holds, train nothing")
    args = parser.parse_args()
    if not args.summary:
        print(f"{time.strftime('%Y-%m-%d %H:%M:%S')}; {os.cpu_count()} cores; load average {os.getloadavg()}")
        for step in args.steps:
            for arguments in STEPS[step]:
                run_step(arguments, args.artifacts)
    summary(args.artifacts)


if __name__ == "__main__":
    main()
