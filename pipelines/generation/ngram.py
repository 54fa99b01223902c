"""Character n-gram models with interpolated Kneser-Ney smoothing: the baselines a language model must beat.

    model = NGramModel.fit(alphabet, train_passages, order=5)
    model.distribution(context_ids)        # P(next symbol | the order - 1 symbols before it), all symbols
    model.save(path); NGramModel.load(path, alphabet)

Interpolated Kneser-Ney (Kneser & Ney 1995; the interpolated form and the
discount D = n1 / (n1 + 2 n2) from Chen & Goodman 1998, "An empirical study of
smoothing techniques for language modeling", eq. 26-27):

    P(w | h) = max(c(h w) - D, 0) / c(h) + D · N1+(h •) / c(h) · P(w | h without its first symbol)

with raw counts c at the highest order and continuation counts (the number of
distinct symbols seen before h w) at the lower ones, down to a uniform
distribution over the alphabet, so every symbol keeps some probability. Order 1
is absolute discounting towards uniform. A passage is padded with order - 1
boundary symbols in front, so the first character of a review is predicted
from "a review starts", as the recurrent models predict it.

Only the highest order's counts are stored (safetensors, no pickle): every
lower-order count is a suffix of them and is rebuilt when the model loads.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Iterable

import numpy as np
from safetensors.numpy import load_file, save_file

from ..data.characters import BOUNDARY_ID, Alphabet
from ..data.text import PAD_ID

CACHE_LIMIT = 20_000  # contexts whose distributions are kept while scoring or writing (about 15 MB)


@dataclass(frozen=True)
class Level:
    """The counts of one order, as flat arrays (a 7-gram model keeps about a million n-grams of all orders; as
    Python dicts they took hundreds of megabytes): contexts are numbers in base `alphabet size`, sorted, and
    context i's followers are `symbols[starts[i]:starts[i + 1]]`, seen `counts[...]` times."""

    order: int
    discount: float
    contexts: np.ndarray  # (contexts,) int64, ascending
    starts: np.ndarray  # (contexts + 1,)
    symbols: np.ndarray  # (n-grams,)
    counts: np.ndarray  # (n-grams,) float

    def followers(self, context: int) -> tuple[np.ndarray, np.ndarray] | None:
        """(symbol ids, counts) seen after a context (`code` of it), or None if it was never seen."""
        index = int(np.searchsorted(self.contexts, context))
        if index == len(self.contexts) or self.contexts[index] != context:
            return None
        start, end = self.starts[index], self.starts[index + 1]
        return self.symbols[start:end], self.counts[start:end]


def code(context, base: int) -> int:
    """A context (ids, oldest first) as one number in base `base`: contexts of one length sort as their ids do."""
    number = 0
    for index in context:
        number = number * base + int(index)
    return number


def padded(alphabet: Alphabet, text: str, order: int) -> np.ndarray:
    """The symbols of one passage as the model counts them: order - 1 boundaries, the text, one boundary."""
    _, targets = alphabet.sequence(text)
    return np.concatenate([np.full(order - 1, BOUNDARY_ID, dtype=np.int64), targets])


def count_ngrams(alphabet: Alphabet, texts: Iterable[str], order: int) -> tuple[np.ndarray, np.ndarray]:
    """Every distinct n-gram of the padded passages (rows of `order` ids) and how often it occurs."""
    windows = [np.lib.stride_tricks.sliding_window_view(padded(alphabet, text, order), order) for text in texts]
    if not windows:
        return np.zeros((0, order), dtype=np.int64), np.zeros(0, dtype=np.int64)
    return np.unique(np.concatenate(windows), axis=0, return_counts=True)


def _level(order: int, ngrams: np.ndarray, counts: np.ndarray, base: int) -> Level:
    """Group n-grams (rows, in ascending order) by their context, the first order - 1 columns; D from the counts
    of counts."""
    ones, twos = int((counts == 1).sum()), int((counts == 2).sum())
    discount = ones / (ones + 2 * twos) if ones + twos else 0.5
    discount = float(min(max(discount, 0.05), 0.95))  # a few dozen characters can give 0 or 1: keep it a discount
    weights = base ** np.arange(order - 2, -1, -1, dtype=np.int64)  # the context's digits, oldest first
    codes = ngrams[:, :-1] @ weights if order > 1 else np.zeros(len(ngrams), dtype=np.int64)
    first = np.flatnonzero(np.r_[True, codes[1:] != codes[:-1]]) if len(codes) else np.zeros(0, dtype=np.int64)
    return Level(order, discount, codes[first], np.r_[first, len(codes)], ngrams[:, -1].copy(), counts.astype(float))


class NGramModel:
    def __init__(self, alphabet: Alphabet, order: int, ngrams: np.ndarray, counts: np.ndarray):
        if ngrams.ndim != 2 or ngrams.shape[1] != order or len(ngrams) != len(counts):
            raise ValueError(f"the counts do not make a {order}-gram model")
        if len(ngrams) and (ngrams.min() < 0 or ngrams.max() >= len(alphabet)):
            raise ValueError("the counts name symbols outside the alphabet")
        if len(alphabet) ** max(order - 1, 1) >= 2**62:
            raise ValueError(f"{order}-grams of {len(alphabet)} symbols are too many to number: lower the order")
        self.alphabet, self.order = alphabet, order
        self.ngrams, self.counts = ngrams, counts
        # Highest order: raw counts. Each lower order k: for every distinct (k)-gram, how many distinct
        # symbols came before it, read off the distinct (k + 1)-grams (suffixes of the stored n-grams).
        base = len(alphabet)
        levels = [_level(order, ngrams, counts, base)]
        distinct = ngrams  # the distinct (k + 1)-grams, for k = order - 1 first
        for k in range(order - 1, 0, -1):
            distinct, continuation = np.unique(distinct[:, 1:], axis=0, return_counts=True)  # k-grams, N1+(• k-gram)
            levels.append(_level(k, distinct, continuation, base))
        self.levels = levels[::-1]  # levels[k - 1] is order k
        self.uniform = np.full(len(alphabet), 1.0 / alphabet.size)
        self.uniform[PAD_ID] = 0.0
        self._cache: dict[tuple[int, ...], np.ndarray] = {}

    @classmethod
    def fit(cls, alphabet: Alphabet, texts: Iterable[str], order: int) -> "NGramModel":
        return cls(alphabet, order, *count_ngrams(alphabet, texts, order))

    @property
    def parameters(self) -> int:
        """Numbers the model keeps: one count per distinct n-gram."""
        return int(len(self.counts))

    def distribution(self, context: tuple[int, ...]) -> np.ndarray:
        """P(next symbol | context) over every id of the alphabet (padding 0); `context` is the last order - 1 ids."""
        context = tuple(context[len(context) - self.order + 1 :]) if self.order > 1 else ()
        cached = self._cache.get(context)
        if cached is not None:
            return cached
        probabilities, base = self.uniform, len(self.alphabet)
        for k in range(1, self.order + 1):
            level = self.levels[k - 1]
            found = level.followers(code(context[len(context) - (k - 1) :] if k > 1 else (), base))
            if found is None:
                continue  # never seen this context: all its mass goes to the shorter one
            symbols, counts = found
            total = counts.sum()
            interpolated = probabilities * (level.discount * len(symbols) / total)
            interpolated[symbols] += np.maximum(counts - level.discount, 0.0) / total
            probabilities = interpolated
        if len(self._cache) >= CACHE_LIMIT:
            self._cache.clear()
        self._cache[context] = probabilities
        return probabilities

    def save(self, path: Path) -> None:
        save_file({"ngrams": self.ngrams.astype(np.int32), "counts": self.counts.astype(np.int64)}, str(path),
                  metadata={"order": str(self.order), "alphabet": self.alphabet.fingerprint()})  # fmt: skip

    @classmethod
    def load(cls, path: Path, alphabet: Alphabet, order: int) -> "NGramModel":
        tensors = load_file(str(path))
        return cls(alphabet, order, tensors["ngrams"].astype(np.int64), tensors["counts"].astype(np.int64))
