"""What naming the hidden units costs: `pipelines.explain.unit_words` on every recurrent classifier of a data set.

    python scripts/benchmark_unit_words.py --artifacts artifacts --dataset nusax

For each finished recurrent classifier: the time to compute its unit words from the test split (the first view of
the Hidden states tab pays it once per run), the time to read them back from the store (every later view), how
many texts and tokens it read, the size of the file kept, and the names of the first units of its top layer.
Each computation runs `--repeats` times and the median is printed; the result is not written to the store.
"""

from __future__ import annotations

import argparse
import statistics
import time

from pipelines.explain.unit_words import FILE_NAME, aggregate_unit_words, cached_unit_words, unit_words
from pipelines.runs import load_run
from pipelines.store import Store
from pipelines.tasks import CLASSIFICATION
from pipelines.threads import prefer_low_latency


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--artifacts", default="artifacts")
    parser.add_argument("--dataset", default="rt-polarity")
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    prefer_low_latency()  # as the dashboard's server does
    store = Store(args.artifacts)
    texts = store.read_test_examples(args.dataset)["text"].tolist()
    print(f"| run | units (layers × directions × hidden) | texts, tokens read | compute (s, median of {args.repeats}) "
          "| read back (ms) | file (KB) | first units of the top layer |")  # fmt: skip
    print("|---|---|---|---|---|---|---|")
    for record in store.runs(args.dataset):
        if record.state != "done" or record.task != CLASSIFICATION.name:
            continue
        run = load_run(store, args.dataset, record.run_id)
        seconds = []
        for _ in range(args.repeats):
            started = time.perf_counter()
            words = aggregate_unit_words(run, texts)
            seconds.append(time.perf_counter() - started)
        unit_words(store, run)  # kept in the store once, to time the read
        started = time.perf_counter()
        cached = cached_unit_words(store, args.dataset, record.run_id)
        read_ms = (time.perf_counter() - started) * 1000
        assert cached is not None and cached.labels(0, "forward") == words.labels(0, "forward")
        size = (record.path / FILE_NAME).stat().st_size / 1024
        top = max(int(key.split(":")[0]) for key in words.layers)
        units = sum(len(responses) for responses in words.layers.values())
        names = ", ".join(words.labels(top, "forward")[unit] for unit in words.order(top, "forward")[:4])
        print(f"| {run.label} | {units} ({len(words.layers)} × {len(words.layers['0:forward'])}) | "
              f"{words.texts_read:,}, {words.tokens_read:,} | {statistics.median(seconds):.2f} | {read_ms:.1f} | "
              f"{size:.0f} | {names} |")  # fmt: skip


if __name__ == "__main__":
    main()
