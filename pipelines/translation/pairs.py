"""Pairs as arrays, decoding a whole split, and the scores of a sequence-to-sequence model.

    encoded = EncodedPairs.encode(pairs, symbols)
    source, lengths, decoder_inputs, targets = encoded.padded(indices)     # one batch, teacher forcing
    written = decode_split(model, encoded, device)                         # greedy, in length-sorted batches
    metrics = sequence_metrics(sources, targets, written)                  # exact, per token, by length bucket
    metrics = sequence_metrics(sources, targets, written, split=str.split) # a text task's: tokens are words

Scores are pure functions of strings (predictions and targets in, a dict
out): exact-sequence accuracy (the whole output right, END included), per-token
accuracy (position by position against the target, a missing or extra symbol
counting as wrong), and both by source-length bucket of ten symbols (characters,
or words for a text task: `split` says how a string splits into its symbols).
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import torch

from ..data.seq2seq import END_ID, START_ID, Pair, Symbols, length_bucket
from ..data.text import OOV_ID, PAD_ID

IGNORED = -100  # a padded target position: cross-entropy skips it
DECODE_BATCH = 256


@dataclass
class EncodedPairs:
    sources: list[np.ndarray]  # ids per pair
    targets: list[np.ndarray]  # ids per pair, END last
    texts: list[Pair]

    @classmethod
    def encode(cls, pairs: list[Pair], symbols: Symbols) -> "EncodedPairs":
        sources = [symbols.encode(pair.source) for pair in pairs]
        targets = [np.concatenate([symbols.encode(pair.target), [END_ID]]) for pair in pairs]
        return cls(sources, targets, list(pairs))

    def __len__(self) -> int:
        return len(self.sources)

    @property
    def lengths(self) -> np.ndarray:
        return np.array([len(source) for source in self.sources])

    def padded(self, indices: np.ndarray) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
        """(sources (B, S), lengths (B,), decoder inputs (B, T): START then the target but its last,
        targets (B, T) with IGNORED after each END)."""
        sources = [self.sources[index] for index in indices]
        targets = [self.targets[index] for index in indices]
        source = np.full((len(indices), max(len(s) for s in sources)), PAD_ID, dtype=np.int64)
        target = np.full((len(indices), max(len(t) for t in targets)), IGNORED, dtype=np.int64)
        inputs = np.full(target.shape, PAD_ID, dtype=np.int64)
        for row, (s, t) in enumerate(zip(sources, targets)):
            source[row, : len(s)] = s
            target[row, : len(t)] = t
            inputs[row, : len(t)] = np.concatenate([[START_ID], t[:-1]])
        # A target word never seen in training (a text task's validation and test pairs) is <unk>, which no model
        # writes (its logit is -inf): the loss skips it, and the text scores count it as missed.
        target[target == OOV_ID] = IGNORED
        return source, np.array([len(s) for s in sources]), inputs, target


def decoding_steps(model, source_length: int) -> int:
    """How far greedy decoding may write: the longest training target, or longer for a longer source, plus END."""
    return max(model.spec.longest_target, source_length) + 1


def decode_split(model, encoded: EncodedPairs, device: torch.device, symbols: Symbols,
                 batch_size: int = DECODE_BATCH) -> list[str]:  # fmt: skip
    """Every source's greedy output, as text, in the split's order."""
    model.eval()
    order = np.argsort(encoded.lengths, kind="stable")
    written: list[str] = [""] * len(encoded)
    for start in range(0, len(order), batch_size):
        indices = order[start : start + batch_size]
        source, lengths, _, _ = encoded.padded(indices)
        decoded = model.greedy(torch.from_numpy(source).to(device), torch.from_numpy(lengths),
                               decoding_steps(model, int(lengths.max())))  # fmt: skip
        for index, ids in zip(indices, decoded.ids.cpu().tolist()):
            written[index] = symbols.decode(ids)
    return written


def token_accuracy(target: str, written: str, split=list) -> tuple[int, int]:
    """(right, counted): position by position over the longer of the two, END included as one more symbol."""
    target, written = [*split(target), None], [*split(written), None]
    right = sum(a == b for a, b in zip(target, written))
    return right, max(len(target), len(written))


def sequence_metrics(sources: list[str], targets: list[str], written: list[str], split=list) -> dict:
    """Exact-sequence and per-token accuracy, overall and by source-length bucket (in symbols: `split(text)`)."""
    if not targets:
        raise ValueError("no pairs to score")
    exact = [target == output for target, output in zip(targets, written)]
    tokens = [token_accuracy(target, output, split) for target, output in zip(targets, written)]
    buckets: dict[str, dict] = {}
    for source, right, (correct, counted) in zip(sources, exact, tokens):
        bucket = buckets.setdefault(length_bucket(len(split(source))),
                                    {"examples": 0, "exact": 0, "right": 0, "counted": 0})  # fmt: skip
        bucket["examples"] += 1
        bucket["exact"] += int(right)
        bucket["right"] += correct
        bucket["counted"] += counted
    by_length = [{"bucket": name, "low": int(name.split("-")[0]), "examples": values["examples"],
                  "exact_match": values["exact"] / values["examples"],
                  "token_accuracy": values["right"] / values["counted"]}
                 for name, values in sorted(buckets.items(), key=lambda item: int(item[0].split("-")[0]))]  # fmt: skip
    return {
        "examples": len(targets),
        "exact_match": float(np.mean(exact)),
        "token_accuracy": sum(c for c, _ in tokens) / sum(n for _, n in tokens),
        "by_length": by_length,
    }
