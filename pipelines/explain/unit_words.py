"""Per run: the words that move each hidden unit most, over its test set: names for the hidden-state heatmap's rows.

    words = unit_words(store, run)                # computed the first time (seconds), then read from the run's folder
    words.labels(0, "forward")                    # ["great↑ dull↓", ...]: one name per unit of layer 1, forward
    words.order(0, "forward")                     # the units, those that answer the same words side by side

A unit's response to a word is the mean of its hidden state just after
reading the word, over every occurrence in the texts read, minus the unit's
mean over all tokens: a unit that sits at +0.8 whatever it reads is not
excited by the word that happens to come first. The mean is shrunk towards
zero, as if each word had been seen PRIOR_COUNT more times with no effect
((sum of differences) / (occurrences + PRIOR_COUNT)): a name seen five times
in one bank's reviews otherwise outshouts "bland", seen fifty times. Looking at single units over a
corpus this way follows Karpathy, Johnson & Fei-Fei, "Visualizing and
Understanding Recurrent Networks" (2015). A unit's label names the word that
raises it most and the word that lowers it most; words seen fewer than
`min_count` times, padding and <unk> are left out, as in `top_words`, and so
is punctuation ("." follows every sentence: a name, not a lesson).

The order clusters the units by their responses to the same words (average
linkage, correlation distance, dendrogram leaves), so it does not change from
one text to the next: a row of the heatmap is the same unit whatever is typed.

Bounded work: the same seeded sample of test texts as `top_words` (at most
`max_tokens` tokens), one forward pass per batch of similar lengths.
"""

from __future__ import annotations

import time
from dataclasses import dataclass

import numpy as np
import torch

from ..data.text import OOV_ID, PAD_ID
from ..encoding import pad_batch
from ..store import Store
from .aggregate import DEFAULT_MAX_TOKENS, DEFAULT_MIN_COUNT, SAMPLE_SEED, _sample
from .explanation import ExplainableRun
from .internals import units_by_similarity

FILE_NAME = "unit_words.json"
FORMAT_VERSION = 1  # bump when the computation changes: older cached files are then recomputed
WORDS_KEPT = 3  # per unit and direction of response
PRIOR_COUNT = 10  # a word's mean response is shrunk towards 0 as if it had been seen this many more times at 0
BATCH_TOKENS = 16_384  # padded tokens per forward pass


@dataclass(frozen=True)
class UnitResponse:
    """What moves one unit: the words that raise it most and lower it most, with their mean change."""

    up: tuple[str, ...]
    up_scores: tuple[float, ...]  # mean of h after the word minus the unit's mean, highest first
    down: tuple[str, ...]
    down_scores: tuple[float, ...]  # lowest first

    @property
    def label(self) -> str:
        """ "great↑ dull↓": the word that raises the unit most, and the one that lowers it most."""
        return " ".join(part for part in (f"{self.up[0]}↑" if self.up else "", f"{self.down[0]}↓" if self.down else "")
                        if part)  # fmt: skip


@dataclass
class UnitWords:
    run_id: str
    dataset: str
    layers: dict[str, list[UnitResponse]]  # "layer:direction" (layer from 0) -> one response per unit
    orders: dict[str, list[int]]  # the same keys -> units, those answering the same words side by side
    settings: dict
    texts_read: int
    tokens_read: int
    seconds: float
    not_kept: str | None = None  # why the result could not be cached in the store (a read-only store)

    def units(self, layer: int, direction: str) -> list[UnitResponse]:
        return self.layers[_key(layer, direction)]

    def labels(self, layer: int, direction: str) -> list[str]:
        """One short name per unit (index order); empty names when no word was seen often enough."""
        return [response.label for response in self.units(layer, direction)]

    def order(self, layer: int, direction: str) -> np.ndarray:
        return np.asarray(self.orders[_key(layer, direction)], dtype=np.int64)

    def to_json(self) -> dict:
        return {
            "run_id": self.run_id, "dataset": self.dataset, "settings": dict(self.settings),
            "texts_read": self.texts_read, "tokens_read": self.tokens_read, "seconds": self.seconds,
            "orders": self.orders,
            "layers": {key: [[list(r.up), list(r.up_scores), list(r.down), list(r.down_scores)] for r in responses]
                       for key, responses in self.layers.items()},
        }  # fmt: skip

    @classmethod
    def from_json(cls, data: dict) -> "UnitWords":
        layers = {key: [UnitResponse(tuple(up), tuple(map(float, rises)), tuple(down), tuple(map(float, falls)))
                        for up, rises, down, falls in responses]
                  for key, responses in data["layers"].items()}  # fmt: skip
        orders = {key: [int(unit) for unit in order] for key, order in data["orders"].items()}
        if set(orders) != set(layers) or any(sorted(orders[key]) != list(range(len(layers[key]))) for key in layers):
            raise ValueError("the orders do not match the layers")
        return cls(data["run_id"], data["dataset"], layers, orders, dict(data["settings"]), int(data["texts_read"]),
                   int(data["tokens_read"]), float(data["seconds"]))  # fmt: skip


def unit_words(store: Store, run: ExplainableRun, max_tokens: int = DEFAULT_MAX_TOKENS,
               min_count: int = DEFAULT_MIN_COUNT, refresh: bool = False) -> UnitWords:  # fmt: skip
    """The run's unit words, from its cached file when that was made with the same settings."""
    if not refresh:
        cached = cached_unit_words(store, run.dataset, run.run_id, max_tokens, min_count)
        if cached is not None:
            return cached
    texts = store.read_test_examples(run.dataset)["text"].tolist()
    result = aggregate_unit_words(run, texts, max_tokens, min_count)
    result.not_kept = store.keep_derived_json(run.dataset, run.run_id, FILE_NAME, result.to_json())
    return result


def cached_unit_words(store: Store, dataset: str, run_id: str, max_tokens: int = DEFAULT_MAX_TOKENS,
                      min_count: int = DEFAULT_MIN_COUNT) -> UnitWords | None:  # fmt: skip
    """The cached unit words if made with these settings and this FORMAT_VERSION, else None (then compute them)."""
    cached = store.read_derived_json(dataset, run_id, FILE_NAME)
    if not isinstance(cached, dict) or cached.get("settings") != _settings(max_tokens, min_count):
        return None
    try:
        return UnitWords.from_json(cached)
    except (KeyError, TypeError, ValueError):
        return None  # damaged: compute it again


@torch.inference_mode()
def aggregate_unit_words(run: ExplainableRun, texts: list[str], max_tokens: int = DEFAULT_MAX_TOKENS,
                         min_count: int = DEFAULT_MIN_COUNT) -> UnitWords:  # fmt: skip
    """Each unit's mean response to each word over `texts`, reduced to its strongest words and a stable order."""
    settings = _settings(max_tokens, min_count)
    started = time.perf_counter()
    model = run.torch_model()
    device = model.embedding.weight.device
    encoded = _sample(run, texts, max_tokens)
    vocabulary_size, hidden = len(run.vocabulary), model.spec.hidden_size
    directions = ("forward", "backward") if model.spec.bidirectional else ("forward",)
    sums: dict[str, torch.Tensor] = {}  # key -> (vocabulary, hidden) sum of h after each word
    counts = torch.zeros(vocabulary_size, dtype=torch.float64)
    for batch in _batches([len(ids) for ids in encoded]):
        ids, lengths = pad_batch([encoded[index] for index in batch])  # (batch, time), (batch,)
        token_ids, token_lengths = torch.from_numpy(ids).to(device), torch.from_numpy(lengths).to(device)
        _, outputs = model.forward_layers(model.embedding(token_ids), token_lengths)  # per layer (batch, time, D*h)
        real = token_ids != PAD_ID  # (batch, time)
        words = token_ids[real].cpu()  # (tokens,)
        counts.index_add_(0, words, torch.ones(len(words), dtype=torch.float64))
        for layer, output in enumerate(outputs):
            states = output[real].double().cpu()  # (tokens, D*hidden)
            for index, direction in enumerate(directions):
                key = _key(layer, direction)
                sums.setdefault(key, torch.zeros(vocabulary_size, hidden, dtype=torch.float64))
                sums[key].index_add_(0, words, states[:, index * hidden : (index + 1) * hidden])

    counts_np = counts.numpy()
    keep = counts_np >= min_count
    keep[[PAD_ID, OOV_ID]] = False
    tokens = run.vocabulary.tokens
    keep &= np.array([any(character.isalnum() for character in token) for token in tokens])  # words: no "." or "!"
    kept = np.flatnonzero(keep)
    layers, orders = {}, {}
    for key, total in sums.items():
        total = total.numpy()  # (vocabulary, hidden)
        unit_mean = total.sum(axis=0) / max(counts_np.sum(), 1)  # (hidden,) over every token read
        # (kept words, hidden): Σ (h - unit mean) over a word's occurrences / (occurrences + PRIOR_COUNT)
        response = (total[kept] - counts_np[kept, None] * unit_mean) / (counts_np[kept, None] + PRIOR_COUNT)
        layers[key] = [_response(response[:, unit], kept, tokens) for unit in range(hidden)]
        orders[key] = [int(unit) for unit in units_by_similarity(response)] if len(kept) >= 2 else list(range(hidden))
    return UnitWords(run.run_id, run.dataset, layers, orders, settings, len(encoded), int(sum(map(len, encoded))),
                     time.perf_counter() - started)  # fmt: skip


def _response(scores: np.ndarray, kept: np.ndarray, tokens: list[str]) -> UnitResponse:
    """One unit's strongest words each way from its mean responses (kept words,); ties broken by the word."""
    if not len(scores):
        return UnitResponse((), (), (), ())
    words = np.array([tokens[index] for index in kept], dtype=object)
    rising = np.lexsort((words, -scores))[:WORDS_KEPT]
    falling = np.lexsort((words, scores))[:WORDS_KEPT]
    rising, falling = rising[scores[rising] > 0], falling[scores[falling] < 0]
    return UnitResponse(tuple(words[rising]), tuple(float(s) for s in scores[rising]), tuple(words[falling]),
                        tuple(float(s) for s in scores[falling]))  # fmt: skip


def _key(layer: int, direction: str) -> str:
    return f"{layer}:{direction}"


def _settings(max_tokens: int, min_count: int) -> dict:
    if max_tokens < 1 or min_count < 1:
        raise ValueError("max_tokens and min_count must be at least 1")
    return {"max_tokens": max_tokens, "min_count": min_count, "seed": SAMPLE_SEED, "version": FORMAT_VERSION}


def _batches(lengths: list[int]) -> list[np.ndarray]:
    """Indices grouped by similar length, each batch within BATCH_TOKENS once padded."""
    order = np.argsort(lengths, kind="stable")
    batches, current = [], []
    for index in order:  # sorted by length: the newest is the longest
        if current and lengths[index] * (len(current) + 1) > BATCH_TOKENS:
            batches.append(np.array(current))
            current = []
        current.append(index)
    if current:
        batches.append(np.array(current))
    return batches
