"""Language models on rt-polarity-chars: test bits per character and training time against the n-gram baselines.

Trains with the pipeline itself (`train_language_models`, the `train` command's code) into a store of its
own, then prints one row per model: test bits per character, perplexity, next-character accuracy, training
seconds and epochs, characters per second while training, and the milliseconds per written character when
writing one character at a time (as the Write page and `generate` do). Then what each model writes from the
same prompt and seed. The issue's target is a best model at 2.3 bits per character or fewer, trained in
10 minutes or less on a 2-core CPU.

    python scripts/benchmark_generation.py --artifacts /tmp/generation-benchmark
    python scripts/benchmark_generation.py --zoo charlm-small --threads 1
    python scripts/benchmark_generation.py --orders 1 2 3 4 5 6 7    # the n-gram orders alone, no training

Run it under the project's benchmark lock (`flock /work/bench.lock ...`) and keep the machine and its load
average beside the figures.
"""

from __future__ import annotations

import argparse
import os
import platform
import subprocess
import time

import torch

from pipelines.data.characters import Alphabet, load_corpus
from pipelines.generation import SamplingSettings, load_language_model
from pipelines.generation.ngram import NGramModel
from pipelines.generation.scoring import score_ngram
from pipelines.store import Store
from pipelines.threads import prefer_low_latency
from pipelines.training.language_models import train_language_models

PROMPT = "The film "
WRITE = SamplingSettings(length=200, temperature=0.8, seed=0)


def machine() -> str:
    try:
        lines = subprocess.run(["lscpu"], capture_output=True, text=True).stdout.splitlines()
        model = next(line.split(":", 1)[1].strip() for line in lines if line.startswith("Model name"))
    except (OSError, StopIteration):
        model = platform.processor() or "unknown CPU"
    return f"{model}, {os.cpu_count()} cores, torch {torch.__version__}, {torch.get_num_threads()} threads"


def load() -> str:
    return "load average " + " ".join(f"{value:.2f}" for value in os.getloadavg())


def ngram_orders(orders: list[int], corpus: str) -> None:
    data = load_corpus(corpus)
    alphabet = Alphabet.build(data.train, data.info.min_count, data.info.max_characters)
    print("| order | test bits per character | n-grams kept | fit (s) | scoring the test split (s) |")
    print("|---|---|---|---|---|")
    for order in orders:
        started = time.perf_counter()
        model = NGramModel.fit(alphabet, data.train, order)
        fitted = time.perf_counter() - started
        scores = score_ngram(model, data.test)
        print(f"| {order} | {scores.bits_per_character:.3f} | {model.parameters:,} | {fitted:.1f} | "
              f"{time.perf_counter() - started - fitted:.1f} |")  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--artifacts", default="/tmp/generation-benchmark", help="the store to train into")
    parser.add_argument("--dataset", default="rt-polarity-chars")
    parser.add_argument("--zoo", default="charlm")
    parser.add_argument("--only", action="append", help="models of the zoo to train (globs), as `train --only`")
    parser.add_argument("--epochs", type=int, default=None, help="default: the corpus's own")
    parser.add_argument("--threads", type=int, default=None, help="PyTorch threads while training (default: all)")
    parser.add_argument("--orders", type=int, nargs="+", help="only score n-gram models of these orders")
    args = parser.parse_args()
    if args.threads:
        torch.set_num_threads(args.threads)
    print(f"{time.strftime('%Y-%m-%d %H:%M')} · {machine()} · {load()}")
    if args.orders:
        ngram_orders(args.orders, args.dataset)
        print(load())
        return

    store = Store(args.artifacts)
    outcomes = train_language_models(store, args.dataset, args.zoo, device="cpu", overrides={"epochs": args.epochs},
                                      only=args.only, show_progress=False)  # fmt: skip
    print(f"after training: {load()}")
    prefer_low_latency()  # writing reads one character at a time
    rows, texts = [], []
    for outcome in outcomes:
        record = store.run(args.dataset, outcome.run_id)
        if record.state != "done":
            print(f"{outcome.run_id}: {record.state} ({record.problem})")
            continue
        metrics = record.metrics
        model = load_language_model(store, args.dataset, record.run_id)
        started = time.perf_counter()
        generation = model.write(PROMPT, WRITE)
        milliseconds = (time.perf_counter() - started) / len(generation.steps) * 1000
        rate = f"{metrics.examples_per_second:,.0f}" if metrics.examples_per_second else "–"
        epochs = f"{metrics.epochs_trained} (best {metrics.best_epoch})" if metrics.epochs_trained else "–"
        rows.append((metrics.bits_per_character, f"| {model.label} | {metrics.bits_per_character:.3f} | "
                     f"{metrics.perplexity:.2f} | {metrics.accuracy:.3f} | {metrics.parameters:,} | "
                     f"{metrics.train_seconds:.0f} | {epochs} | {rate} | {milliseconds:.2f} |"))  # fmt: skip
        texts.append((metrics.bits_per_character, f"- **{model.label}**: {PROMPT}{generation.text!r}"))
    print("| model | test bits per character | perplexity | next-character accuracy | parameters | train (s) "
          "| epochs | characters/s training | ms per written character |")  # fmt: skip
    print("|---|---|---|---|---|---|---|---|---|")
    for _, row in sorted(rows):
        print(row)
    print(f"\nWritten from {PROMPT!r}, temperature {WRITE.temperature}, seed {WRITE.seed}, {WRITE.length} characters:")
    for _, text in sorted(texts):
        print(text)
    print(load())


if __name__ == "__main__":
    main()
