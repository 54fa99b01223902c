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
from typing import Container, Iterable

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

    def coverage(self, text: str) -> "WordCoverage":
        """How many words of `text`, within maxlen, this vocabulary knows (`word_coverage`)."""
        return word_coverage(text, self, self.maxlen)

    def to_json(self) -> dict:
        return {"maxlen": self.maxlen, "tokens": self.tokens, "fingerprint": self.fingerprint()}

    @classmethod
    def from_json(cls, data: dict) -> "Vocabulary":
        return cls(list(data["tokens"]), int(data["maxlen"]))

    def fingerprint(self) -> str:
        """Short hash of the mapping: a run records it to detect a swapped vocabulary."""
        payload = json.dumps([self.maxlen, self.tokens], ensure_ascii=False).encode()
        return hashlib.sha256(payload).hexdigest()[:12]


@dataclass(frozen=True)
class TokenInfo:
    """One token of a text as a model reads it."""

    text: str  # lower-cased, as the vocabulary sees it
    start: int  # character span in the original text: text[start:end]
    end: int
    id: int  # vocabulary id; OOV_ID (<unk>) for every unknown word
    known: bool
    truncated: bool  # beyond the vocabulary's maxlen: the model never reads it


def read_tokens(text: str, vocabulary: Vocabulary) -> list[TokenInfo]:
    """Every token of `text` with its id, whether the vocabulary knows it, and whether maxlen cuts it.

    The one account of "what the model reads": the ids of the tokens not
    truncated are exactly `vocabulary.encode(text)`.
    """
    tokens = tokenize_with_spans(text)
    ids = [vocabulary.id_of(token.text) for token in tokens]
    return [TokenInfo(token.text, token.start, token.end, id_, id_ != OOV_ID, index >= vocabulary.maxlen)
            for index, (token, id_) in enumerate(zip(tokens, ids))]  # fmt: skip


MOSTLY_UNKNOWN = 0.5  # more than this share of a text's words unknown: its prediction comes with a warning


@dataclass(frozen=True)
class WordCoverage:
    """How many of a text's words a model knows. Words are the tokens with a letter or digit in them: punctuation
    and symbols are tokens too, but "!" alone says nothing about whether the model understood the text.

    `unknown` keeps each unknown word as it was typed, in order, repeats included; `handling` says in one
    sentence what the model does with them (the <unk> token, dropped, ...).
    """

    words: int  # words the model reads (a recurrent model: within maxlen)
    unknown: tuple[str, ...]
    handling: str

    @property
    def known(self) -> int:
        return self.words - len(self.unknown)

    @property
    def unknown_share(self) -> float:
        """Share of the words not known; 0 for a text without words."""
        return len(self.unknown) / self.words if self.words else 0.0

    @property
    def nothing_known(self) -> bool:
        """Not one word known (or no word at all): any answer is a guess about text the model cannot read."""
        return self.known == 0

    @property
    def mostly_unknown(self) -> bool:
        """Some words known, but more than MOSTLY_UNKNOWN of them not."""
        return not self.nothing_known and self.unknown_share > MOSTLY_UNKNOWN

    def to_json(self) -> dict:
        return {"words": self.words, "known": self.known, "unknown": list(self.unknown),
                "unknown_share": self.unknown_share, "handling": self.handling}  # fmt: skip


UNKNOWN_AS_UNK = (f"each unknown word is read as the same {OOV_TOKEN} token: the model sees that a word was there, "
                  "not which")


def word_coverage(text: str, known: Container[str], maxlen: int | None = None,
                  handling: str = UNKNOWN_AS_UNK) -> WordCoverage:  # fmt: skip
    """The words of `text` (the first `maxlen` tokens, if given) and which of them `known` lacks.

    The one count of unknown words: `Vocabulary.coverage` for a recurrent model, a baseline's own features
    for a bag-of-words model, so every page and command says the same number.
    """
    tokens = tokenize_with_spans(text)[:maxlen]
    words = [token for token in tokens if any(character.isalnum() for character in token.text)]
    unknown = tuple(text[token.start : token.end] for token in words if token.text not in known)
    return WordCoverage(len(words), unknown, handling)
