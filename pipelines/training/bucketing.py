"""How an epoch's training batches are drawn, shared by every framework's loop.

Texts go in length-bucketed batches: texts of similar length share a batch, so
a batch is padded to its own longest text, not to `maxlen`. On IMDb (median 201
tokens, cut at 500) that alone halves the work; on short snippets it saves more.
A series' windows, all of one length, go in plain shuffled batches.
"""

from __future__ import annotations

from functools import partial

import numpy as np

POOL_BATCHES = 50  # sort within pools of this many batches: similar lengths, still shuffled


def bucketed_batches(lengths: np.ndarray, batch_size: int, rng: np.random.Generator) -> list[np.ndarray]:
    """Shuffled batches of indices whose texts have similar lengths.

    No batch has a single example (batch norm cannot train on one), unless the
    whole split is one example.
    """
    order = rng.permutation(len(lengths))
    batches: list[np.ndarray] = []
    pool_size = batch_size * POOL_BATCHES
    for start in range(0, len(order), pool_size):
        pool = order[start : start + pool_size]
        pool = pool[np.argsort(lengths[pool], kind="stable")]
        batches += [pool[i : i + batch_size] for i in range(0, len(pool), batch_size)]
    if len(batches) > 1 and len(batches[-1]) == 1:
        batches[-2] = np.concatenate([batches[-2], batches.pop()])
    return [batches[i] for i in rng.permutation(len(batches))]


def length_buckets(lengths: np.ndarray, batch_size: int):
    """`bucketed_batches` of these lengths, as the epoch loop draws them: a function of its generator."""
    return partial(bucketed_batches, lengths, batch_size)


def shuffled_batches(examples: int, batch_size: int, rng: np.random.Generator) -> list[np.ndarray]:
    """Batches of a shuffled order, the last one possibly smaller: for examples of one length (a series' windows,
    each already a piece of the past, so any order will do)."""
    order = rng.permutation(examples)
    return [order[start : start + batch_size] for start in range(0, examples, batch_size)]
