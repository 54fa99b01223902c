"""Timing and scoring the variants: every figure of a report is measured here, interleaved across variants.

Variants take turns text by text (latency) and round by round (throughput),
so a burst of load on a shared machine lands on all of them alike and the
ratios stay fair, as BENCHMARKS.md asks of every comparison.
"""

from __future__ import annotations

import time

import numpy as np

from ..encoding import EncodedSplit, inference_batches
from ..evaluate import classification_metrics
from .variants import Variant

WARM_UP = 5  # calls per variant before timing: first calls allocate and pick kernels


def probabilities(variant: Variant, split: EncodedSplit, batch_size: int) -> np.ndarray:
    """Class probabilities of every text of `split`, in its order, batched by length."""
    result = None
    for indices in inference_batches(split.lengths, batch_size):
        ids, lengths, _ = split.padded(indices)
        batch = variant.predict(ids, lengths, False)
        if result is None:
            result = np.zeros((len(split), batch.shape[1]), dtype=np.float32)
        result[indices] = batch
    return result


def scores(probabilities: np.ndarray, reference: np.ndarray, labels: np.ndarray, classes: list[str]) -> dict:
    """Accuracy and macro F1 on the labels, and how far the probabilities stray from the float model's."""
    metrics = classification_metrics(probabilities, labels, classes)
    return {
        "accuracy": metrics["accuracy"],
        "f1_macro": metrics["f1_macro"],
        "max_probability_difference": float(np.abs(probabilities - reference).max()),
        "agreement": float((probabilities.argmax(1) == reference.argmax(1)).mean()),
    }


def single_text_latency(variants: list[Variant], split: EncodedSplit, indices: np.ndarray) -> dict[str, np.ndarray]:
    """Seconds per prediction of one text (one thread), per variant, for each text of `indices`."""
    texts = [split.padded(np.array([index])) for index in indices]
    for variant in variants:
        for ids, lengths, _ in texts[:WARM_UP]:
            variant.predict(ids, lengths, True)
    seconds = {variant.name: np.zeros(len(texts)) for variant in variants}
    for position, (ids, lengths, _) in enumerate(texts):
        for turn in range(len(variants)):  # a different variant goes first for each text
            variant = variants[(position + turn) % len(variants)]
            started = time.perf_counter()
            variant.predict(ids, lengths, True)
            seconds[variant.name][position] = time.perf_counter() - started
    return seconds


def batch_throughput(variants: list[Variant], split: EncodedSplit, indices: np.ndarray, batch_size: int,
                     rounds: int) -> dict[str, float]:  # fmt: skip
    """Texts per second over batches of `batch_size` (every thread), the median of `rounds` rounds."""
    batches = [split.padded(indices[batch]) for batch in inference_batches(split.lengths[indices], batch_size)]
    for variant in variants:
        ids, lengths, _ = batches[0]
        variant.predict(ids, lengths, False)
    seconds = {variant.name: [] for variant in variants}
    for round_number in range(rounds):
        for turn in range(len(variants)):
            variant = variants[(round_number + turn) % len(variants)]
            started = time.perf_counter()
            for ids, lengths, _ in batches:
                variant.predict(ids, lengths, False)
            seconds[variant.name].append(time.perf_counter() - started)
    return {name: len(indices) / float(np.median(times)) for name, times in seconds.items()}
