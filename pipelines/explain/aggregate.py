"""Per run: the words that push the model most towards each class, over its test set.

    words = top_words(store, run)      # computed the first time, then read back from the run's folder
    words.top("positive", 15)          # [WordScore(word='wonderful', mean=1.3, count=14), ...]

For every test text read, Integrated Gradients (4 steps) attributes each
class's log-odds to the text's tokens (as `explain` does; see attributions.py);
a word's score for a class is the mean over all its occurrences. Words seen
fewer than `min_count` times are left out (a mean of two occurrences is
noise), and so are padding and <unk>.

Why Integrated Gradients with 4 steps: a gradient at the text itself (Input x
Gradient, 4 times cheaper) only sees the last, often saturated, stretch of the
recurrent units' response, while Integrated Gradients walks there from the
no-words baseline and its scores add up to the change in log-odds. Averaged
over a test set, few steps are enough: for a BiGRU trained on rt-polarity,
2, 4, 8 and 16 steps gave the same top 20 words per class (means correlated
> 0.99999), Input x Gradient 16 and 18 of them. With two classes one class's
log-odds are minus the other's, so one pass serves both: the words towards one
class are exactly the words away from the other. With three (NusaX) each class
takes a pass.

Bounded work: the test texts are read in a seeded random order until
`max_tokens` tokens have been read. The default (32,000) takes all of
rt-polarity's test split (1,276 snippets, 27,821 tokens) and of NusaX's (400
texts); IMDb gets a random sample of about 140 of its 25,000 reviews. The
result says how many texts and tokens it read. BENCHMARKS.md has the times.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np
import torch

from ..data.text import OOV_ID, PAD_ID
from ..encoding import pad_batch
from ..store import Store
from .attributions import IntegratedGradients, check_ig_steps
from .explanation import ExplainableRun

FILE_NAME = "top_words.json"
FORMAT_VERSION = 1  # bump when the computation changes: older cached files are then recomputed
DEFAULT_MAX_TOKENS = 32_000
DEFAULT_MIN_COUNT = 5
DEFAULT_STEPS = 4
SAMPLE_SEED = 0
BATCH_SEQUENCE_TOKENS = 32_768  # tokens per forward pass, path points included: bounds memory on long reviews


@dataclass(frozen=True)
class WordScore:
    word: str
    mean: float  # average score towards the class per occurrence, in log-odds
    count: int  # occurrences in the texts read


@dataclass
class TopWords:
    run_id: str
    dataset: str
    classes: list[str]
    words: list[str]  # every word seen at least min_count times
    counts: np.ndarray  # (words,) occurrences
    means: np.ndarray  # (words, classes) mean score towards each class
    settings: dict  # method, steps, max_tokens, min_count, seed, version: what the cache was made with
    texts_read: int
    texts_total: int
    tokens_read: int
    seconds: float
    not_kept: str | None = None  # why the result could not be cached in the store (a read-only store)

    @property
    def min_count(self) -> int:
        """Words seen fewer times were left out."""
        return int(self.settings["min_count"])

    @property
    def steps(self) -> int:
        """Integrated Gradients' path points per text."""
        return int(self.settings["steps"])

    def top(self, target: str | int, count: int = 20) -> list[WordScore]:
        """The `count` words that push most towards class `target` (name or index), strongest first."""
        column = self._column(target)
        order = np.lexsort((np.array(self.words, dtype=object), -self.means[:, column]))[:count]
        return [WordScore(self.words[i], float(self.means[i, column]), int(self.counts[i])) for i in order]

    def _column(self, target: str | int) -> int:
        if isinstance(target, str) and target in self.classes:
            return self.classes.index(target)
        if isinstance(target, (int, np.integer)) and not isinstance(target, bool) and 0 <= target < len(self.classes):
            return int(target)
        raise ValueError(f"unknown class {target!r}; choose one of {', '.join(self.classes)}")

    def to_json(self) -> dict:
        return {
            "run_id": self.run_id,
            "dataset": self.dataset,
            "classes": list(self.classes),
            "settings": dict(self.settings),
            "texts_read": self.texts_read,
            "texts_total": self.texts_total,
            "tokens_read": self.tokens_read,
            "seconds": self.seconds,
            "words": list(self.words),
            "counts": self.counts.tolist(),
            "means": self.means.tolist(),
        }

    @classmethod
    def from_json(cls, data: dict) -> "TopWords":
        classes = list(data["classes"])
        means = np.asarray(data["means"], dtype=np.float64).reshape(-1, len(classes))
        return cls(
            data["run_id"], data["dataset"], classes, list(data["words"]), np.asarray(data["counts"], dtype=np.int64),
            means, dict(data["settings"]), int(data["texts_read"]), int(data["texts_total"]),
            int(data["tokens_read"]), float(data["seconds"]),
        )  # fmt: skip


def top_words(
    store: Store,
    run: ExplainableRun,
    max_tokens: int = DEFAULT_MAX_TOKENS,
    min_count: int = DEFAULT_MIN_COUNT,
    steps: int = DEFAULT_STEPS,
    refresh: bool = False,
) -> TopWords:
    """The run's words per class, from its cached file when that was made with the same settings."""
    if not refresh:
        cached = cached_top_words(store, run.dataset, run.run_id, max_tokens, min_count, steps)
        if cached is not None:
            return cached
    texts = store.read_test_examples(run.dataset)["text"].tolist()
    result = aggregate_word_attributions(run, texts, max_tokens, min_count, steps)
    result.not_kept = store.keep_derived_json(run.dataset, run.run_id, FILE_NAME, result.to_json())
    return result


def cached_top_words(
    store: Store,
    dataset: str,
    run_id: str,
    max_tokens: int = DEFAULT_MAX_TOKENS,
    min_count: int = DEFAULT_MIN_COUNT,
    steps: int = DEFAULT_STEPS,
) -> TopWords | None:
    """The run's cached top words if they were made with these settings and this FORMAT_VERSION, else None.

    The one reader of the cache: the pipeline, the CLI and the dashboard all ask here, so a stale
    file (older version, other settings, damaged) is recomputed wherever someone looks.
    """
    cached = store.read_derived_json(dataset, run_id, FILE_NAME)
    if not isinstance(cached, dict) or cached.get("settings") != _settings(max_tokens, min_count, steps):
        return None
    try:
        return TopWords.from_json(cached)
    except (KeyError, TypeError, ValueError):
        return None  # damaged: compute it again


def aggregate_word_attributions(
    run: ExplainableRun,
    texts: list[str],
    max_tokens: int = DEFAULT_MAX_TOKENS,
    min_count: int = DEFAULT_MIN_COUNT,
    steps: int = DEFAULT_STEPS,
) -> TopWords:
    """Mean Integrated Gradients score of every vocabulary word towards every class, over `texts`."""
    settings = _settings(max_tokens, min_count, steps)
    started = time.perf_counter()
    model = run.torch_model()
    encoded = _sample(run, texts, max_tokens)
    classes = len(run.classes)
    vocabulary_size = len(run.vocabulary)
    sums = np.zeros((classes, vocabulary_size), dtype=np.float64)
    counts = np.zeros(vocabulary_size, dtype=np.int64)
    method = IntegratedGradients(model, steps=steps)
    device = model.embedding.weight.device
    for batch in _batches([len(ids) for ids in encoded], steps):
        ids, lengths = pad_batch([encoded[index] for index in batch])  # (batch, time), (batch,)
        real = ids != PAD_ID
        counts += np.bincount(ids[real], minlength=vocabulary_size)
        token_ids, token_lengths = torch.from_numpy(ids).to(device), torch.from_numpy(lengths).to(device)
        for target in range(1 if classes == 2 else classes):  # two classes: log-odds of one = minus the other's
            scores = method.attribute(token_ids, token_lengths, target).scores  # (batch, time)
            sums[target] += np.bincount(ids[real], weights=scores[real], minlength=vocabulary_size)
    if classes == 2:
        sums[1] = -sums[0]

    keep = counts >= min_count
    keep[[PAD_ID, OOV_ID]] = False
    kept = np.flatnonzero(keep)
    return TopWords(
        run.run_id, run.dataset, list(run.classes), [run.vocabulary.tokens[i] for i in kept], counts[kept],
        (sums[:, kept] / counts[kept]).T, settings, len(encoded), len(texts), int(sum(map(len, encoded))),
        time.perf_counter() - started,
    )  # fmt: skip


def _settings(max_tokens: int, min_count: int, steps: int) -> dict:
    check_ig_steps(steps)
    if max_tokens < 1 or min_count < 1:
        raise ValueError("max_tokens and min_count must be at least 1")
    return {"method": IntegratedGradients.name, "steps": steps, "max_tokens": max_tokens, "min_count": min_count,
            "seed": SAMPLE_SEED, "version": FORMAT_VERSION}  # fmt: skip


def _sample(run: ExplainableRun, texts: list[str], max_tokens: int) -> list[list[int]]:
    """Token ids of texts in a seeded random order, until `max_tokens` tokens; texts without tokens are skipped."""
    encoded, tokens = [], 0
    for index in np.random.default_rng(SAMPLE_SEED).permutation(len(texts)):
        ids = run.vocabulary.encode(texts[index])
        if not ids:
            continue
        if encoded and tokens + len(ids) > max_tokens:
            break
        encoded.append(ids)
        tokens += len(ids)
    return encoded


def _batches(lengths: list[int], steps: int) -> list[np.ndarray]:
    """Indices grouped by similar length, each batch within BATCH_SEQUENCE_TOKENS once expanded by `steps`."""
    order = np.argsort(lengths, kind="stable")
    batches, current, longest = [], [], 0
    for index in order:
        longest_if_added = max(longest, lengths[index])
        if current and longest_if_added * (len(current) + 1) * steps > BATCH_SEQUENCE_TOKENS:
            batches.append(np.array(current))
            current, longest_if_added = [], lengths[index]
        current.append(index)
        longest = longest_if_added
    if current:
        batches.append(np.array(current))
    return batches
