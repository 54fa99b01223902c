"""The one tokenizer and vocabulary every model, framework and page shares.

Tokens are lower-cased words (apostrophes kept inside words, so "don't" stays
one token) and single punctuation or symbol characters (so "!" and an emoji are
tokens of their own). Spans point into the original text, so a page can colour
the user's own words rather than our lower-cased copies.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections import Counter
from dataclasses import dataclass
from typing import Iterable

import numpy as np

PAD_ID = 0
OOV_ID = 1
PAD_TOKEN = "<pad>"
OOV_TOKEN = "<unk>"

_TOKEN_PATTERN = re.compile(r"\w+(?:'\w+)*|[^\w\s]")


@dataclass(frozen=True)
class Token:
    text: str  # lower-cased token as the vocabulary sees it
    start: int  # character offsets into the original text
    end: int


def tokenize_with_spans(text: str) -> list[Token]:
    """Split `text` into tokens, keeping where each came from."""
    return [Token(m.group().lower(), m.start(), m.end()) for m in _TOKEN_PATTERN.finditer(text)]


def tokenize(text: str) -> list[str]:
    """Split `text` into lower-cased word and punctuation tokens."""
    return [m.group().lower() for m in _TOKEN_PATTERN.finditer(text)]


class Vocabulary:
    """Token <-> id mapping: id 0 is padding, id 1 stands for every unknown word."""

    def __init__(self, tokens: list[str], maxlen: int):
        if tokens[:2] != [PAD_TOKEN, OOV_TOKEN]:
            raise ValueError("a vocabulary must start with the padding and unknown tokens")
        if maxlen < 1:
            raise ValueError(f"maxlen must be at least 1, got {maxlen}")
        self.tokens = tokens
        self.maxlen = maxlen
        self._ids = {token: index for index, token in enumerate(tokens)}

    @classmethod
    def build(cls, texts: Iterable[str], num_words: int, maxlen: int, min_count: int = 1) -> "Vocabulary":
        """The `num_words` most frequent tokens (specials included) seen `min_count` times or more.

        Ties are broken alphabetically so the same texts always give the same ids.
        """
        counts = Counter(token for text in texts for token in tokenize(text))
        frequent = sorted(
            (token for token, count in counts.items() if count >= min_count),
            key=lambda token: (-counts[token], token),
        )
        return cls([PAD_TOKEN, OOV_TOKEN] + frequent[: max(num_words - 2, 0)], maxlen)

    def __len__(self) -> int:
        return len(self.tokens)

    def __contains__(self, token: str) -> bool:
        return token in self._ids

    def id_of(self, token: str) -> int:
        return self._ids.get(token, OOV_ID)

    def encode(self, text: str) -> list[int]:
        """Token ids of `text`, cut to the first `maxlen` tokens; never padded."""
        return [self.id_of(token) for token in tokenize(text)[: self.maxlen]]

    def encode_batch(self, texts: list[str]) -> tuple[np.ndarray, np.ndarray]:
        """Post-padded ids `(batch, time)` and true lengths `(batch,)`.

        An empty text becomes a single unknown token, so every row has at least
        one real step and no model ever pools over nothing.
        """
        encoded = [self.encode(text) or [OOV_ID] for text in texts]
        lengths = np.array([len(ids) for ids in encoded], dtype=np.int64)
        ids = np.full((len(encoded), int(lengths.max(initial=1))), PAD_ID, dtype=np.int64)
        for row, sequence in enumerate(encoded):
            ids[row, : len(sequence)] = sequence
        return ids, lengths

    def to_json(self) -> dict:
        return {"maxlen": self.maxlen, "tokens": self.tokens, "fingerprint": self.fingerprint()}

    @classmethod
    def from_json(cls, data: dict) -> "Vocabulary":
        return cls(list(data["tokens"]), int(data["maxlen"]))

    def fingerprint(self) -> str:
        """Short hash of the mapping: a run records it to detect a swapped vocabulary."""
        payload = json.dumps([self.maxlen, self.tokens], ensure_ascii=False).encode()
        return hashlib.sha256(payload).hexdigest()[:12]
