"""Character corpora for language models: the review texts we already have, read one character at a time.

    corpus = load_corpus("rt-polarity-chars")          # train / validation / test passages (plain strings)
    alphabet = Alphabet.build(corpus.train)             # the characters a model reads and writes
    inputs, targets = alphabet.sequence("A fine film.")  # "\\nA fine film." -> "A fine film.\\n"

A corpus reuses a classification data set's own split (`rt-polarity-chars`
has exactly the passages of `rt-polarity`'s train, validation and test
reviews), so a language model never reads a review that a classifier is tested
on, and no passage crosses from one split to another.

Each passage is one sequence. A language model reads the boundary character
("\\n") first and must predict every character of the passage and then the
boundary again: the end of a review counts as one character to predict, for
the recurrent models and the n-gram baselines alike. Whitespace runs become
one space (so "\\n" only ever marks a boundary), texts are NFC-normalised, and
reviews longer than a corpus's `max_characters` are cut at a space into passages.

The alphabet is a `Vocabulary` whose tokens are characters: id 0 pads, id 1
stands for every character seen fewer than `min_count` times in training
(`<unk>`), id 2 is the boundary. It is stored as the corpus's vocab.json, with a
fingerprint like any vocabulary.
"""

from __future__ import annotations

import os
import unicodedata
from collections import Counter
from dataclasses import dataclass, field, replace
from typing import Iterable

import numpy as np

from . import length_stats, load_dataset
from .base import DataError, Dataset
from .text import OOV_ID, OOV_TOKEN, PAD_ID, PAD_TOKEN, Vocabulary

BOUNDARY = "\n"  # before and after every passage: "a review starts" and "the review is over"
BOUNDARY_ID = 2


@dataclass(frozen=True)
class CorpusInfo:
    key: str  # store folder name, e.g. "rt-polarity-chars"
    title: str
    source: str  # the classification data set whose texts and split it reads
    citation: str
    max_characters: int  # longer reviews are cut into passages of at most this many characters
    min_count: int = 5  # rarer training characters read as <unk>
    language: str = "english"
    training: dict = field(default_factory=dict)  # TrainConfig defaults that suit the corpus


# A larger learning rate and smaller batches than the classifiers'. On rt-polarity-chars the 256-unit models were
# still improving by 0.04-0.06 bits per character an epoch after six (BENCHMARKS.md, "Generation"): twelve keep
# a one-layer LSTM within the 10 minutes on a 2-core CPU, and early stopping ends sooner when they stall.
CHARACTER_TRAINING = {"epochs": 12, "batch_size": 32, "learning_rate": 0.003, "patience": 2, "clip_norm": 1.0}

CORPORA = {
    "rt-polarity-chars": CorpusInfo(
        key="rt-polarity-chars", title="Rotten Tomatoes snippets, character by character", source="rt-polarity",
        citation="Pang & Lee, 'Seeing stars', ACL 2005", max_characters=300, training=CHARACTER_TRAINING,
    ),
    "imdb-chars": CorpusInfo(
        key="imdb-chars", title="IMDb reviews, character by character", source="imdb",
        citation="Maas et al., 'Learning Word Vectors for Sentiment Analysis', ACL 2011", max_characters=400,
        training={**CHARACTER_TRAINING, "epochs": 2},
    ),
}  # fmt: skip
CORPUS_KEYS = tuple(CORPORA)


def is_corpus(key: str) -> bool:
    """Whether a data set key names a character corpus (with or without a `-limitN` cut)."""
    return key.split("-limit")[0] in CORPORA


def resolve_corpus(key: str, limit: int | None = None) -> CorpusInfo:
    """The description (and store key) of a corpus, without reading any data."""
    if key not in CORPORA:
        raise DataError(f"unknown character corpus {key!r}; choose one of: {', '.join(CORPUS_KEYS)}")
    info = CORPORA[key]
    if limit is not None:
        if limit < 2:
            raise DataError(f"--limit must be at least 2, got {limit}")
        info = replace(info, key=f"{info.key}-limit{limit}", title=f"{info.title}, {limit} reviews per split")
    return info


@dataclass
class Corpus:
    info: CorpusInfo
    train: list[str]
    validation: list[str]
    test: list[str]
    cut: dict[str, int] = field(default_factory=dict)  # per split: passages that end where a longer review was cut

    def splits(self) -> dict[str, list[str]]:
        return {"train": self.train, "validation": self.validation, "test": self.test}


def normalise(text: str) -> str:
    """NFC, and every run of whitespace (line breaks and tabs included) as one space; no space at the ends."""
    return " ".join(unicodedata.normalize("NFC", text).split())


def passages(text: str, max_characters: int) -> list[str]:
    """A normalised text cut into passages of at most `max_characters`, at the last space before the limit."""
    text = normalise(text)
    pieces = []
    while len(text) > max_characters:
        cut = text.rfind(" ", 0, max_characters + 1)
        cut = cut if cut > 0 else max_characters  # one enormous word: cut inside it
        pieces.append(text[:cut])
        text = text[cut:].lstrip()
    return pieces + ([text] if text else [])


def corpus_from(dataset: Dataset, info: CorpusInfo) -> Corpus:
    """The passages of a classification data set's splits, in its own order."""

    pieces = {name: [passages(example.text, info.max_characters) for example in examples]
              for name, examples in dataset.splits().items()}  # fmt: skip
    texts = {name: [piece for review in reviews for piece in review] for name, reviews in pieces.items()}
    cut = {name: sum(len(review) - 1 for review in reviews) for name, reviews in pieces.items()}
    corpus = Corpus(info, texts["train"], texts["validation"], texts["test"], cut)
    for name, texts in corpus.splits().items():
        if not texts:
            raise DataError(f"{info.key} has no {name} passages; is the {info.source} data set empty?")
    return corpus


def load_corpus(key: str, data_dir: str | os.PathLike | None = None, limit: int | None = None) -> Corpus:
    """Train / validation / test passages of a corpus; `limit` reviews per split (quick trials)."""
    info = resolve_corpus(key, limit)
    return corpus_from(load_dataset(CORPORA[key].source, data_dir=data_dir, limit=limit), info)


# ----------------------------------------------------------------------------
# The alphabet


class CharacterTable:
    """Single characters <-> ids over a `Vocabulary`: what a character language model's `Alphabet` and an
    encoder-decoder's `Symbols` (data/seq2seq.py) share. A subclass's __init__ checks its special tokens and sets
    `vocabulary`, `tokens` (id -> symbol) and `_ids` (the symbols a text may hold -> id)."""

    vocabulary: Vocabulary
    tokens: list[str]
    _ids: dict[str, int]

    def __len__(self) -> int:
        return len(self.tokens)

    def __contains__(self, character: str) -> bool:
        return character in self._ids

    def fingerprint(self) -> str:
        return self.vocabulary.fingerprint()

    def encode(self, text: str) -> np.ndarray:
        """One id per character; characters outside the table read as <unk>."""
        return np.array([self._ids.get(character, OOV_ID) for character in text], dtype=np.int64)

    def unknown(self, text: str) -> list[str]:
        """The distinct characters of `text` outside the table, in order of appearance."""
        return list(dict.fromkeys(character for character in text if character not in self._ids))

    def symbol(self, index: int) -> str:
        return self.tokens[index]


class Alphabet(CharacterTable):
    """Characters <-> ids, over a `Vocabulary` whose tokens are single characters.

    The symbols a model predicts are every id but padding: `size` of them
    (`<unk>`, the boundary and the characters), so a model that knows nothing
    scores log2(size) bits per character.
    """

    def __init__(self, vocabulary: Vocabulary):
        tokens = vocabulary.tokens
        if len(tokens) < 4 or tokens[BOUNDARY_ID] != BOUNDARY or any(len(token) != 1 for token in tokens[2:]):
            raise ValueError("not a character alphabet: expected <pad>, <unk>, the boundary, then single characters")
        self.vocabulary = vocabulary
        self.tokens = self.characters = tokens  # id -> symbol
        self._ids = {token: index for index, token in enumerate(tokens) if index >= BOUNDARY_ID}

    @classmethod
    def build(cls, texts: Iterable[str], min_count: int = 1, max_characters: int = 1000) -> "Alphabet":
        """The characters seen `min_count` times or more, most frequent first (ties alphabetically)."""
        counts = Counter(character for text in texts for character in text)
        counts.pop(BOUNDARY, None)
        kept = sorted((c for c, n in counts.items() if n >= min_count), key=lambda c: (-counts[c], c))
        return cls(Vocabulary([PAD_TOKEN, OOV_TOKEN, BOUNDARY, *kept], maxlen=max_characters))

    @property
    def size(self) -> int:
        """Symbols a model predicts: every id but padding."""
        return len(self.characters) - 1

    def sequence(self, text: str) -> tuple[np.ndarray, np.ndarray]:
        """(inputs, targets) of one passage: the boundary then the text, and the text then the boundary."""
        ids = self.encode(text)
        return np.concatenate([[BOUNDARY_ID], ids]), np.concatenate([ids, [BOUNDARY_ID]])

    def to_json(self) -> dict:
        return self.vocabulary.to_json()

    @classmethod
    def from_json(cls, data: dict) -> "Alphabet":
        return cls(Vocabulary.from_json(data))


def readable(character: str) -> str:
    """A symbol as a page or a terminal can show it: the boundary as ⏎, a space as ␣, <unk> as is."""
    return {BOUNDARY: "⏎", " ": "␣"}.get(character, character)


# ----------------------------------------------------------------------------
# The corpus card (dataset.json)


def corpus_summary(corpus: Corpus, alphabet: Alphabet) -> dict:
    """What the store's dataset.json says about a corpus: passages and their lengths per split, the alphabet.

    Sizes count passages and lengths are in characters (so mean x size is the split's characters);
    `truncated_fraction` is the share of passages that end where a longer review was cut;
    `test_token_coverage` the share of test characters inside the alphabet.
    """
    info = corpus.info
    summary: dict = {
        "key": info.key, "title": info.title, "task": "generation", "classes": [],
        "source": f"the {info.source} data set's texts and split", "citation": info.citation,
        "language": info.language, "training_defaults": info.training, "splits": {}, "lengths": {},
    }  # fmt: skip
    for split, texts in corpus.splits().items():
        lengths = np.array([len(text) for text in texts])
        summary["splits"][split] = {"size": len(texts)}
        summary["lengths"][split] = {**length_stats(lengths, info.max_characters),
                                     "truncated_fraction": corpus.cut.get(split, 0) / len(texts)}  # fmt: skip
        if split == "train":
            histogram, edges = np.histogram(lengths, bins=min(50, max(int(lengths.max()), 1)))
            summary["length_histogram"] = {"edges": edges.tolist(), "counts": histogram.tolist()}
        if split == "test":
            unknown = sum(character not in alphabet for text in texts for character in text)
            summary["test_token_coverage"] = 1 - unknown / max(sum(len(text) for text in texts), 1)
    summary["vocabulary"] = {"size": len(alphabet), "num_words": None, "min_count": info.min_count,
                             "maxlen": info.max_characters, "fingerprint": alphabet.fingerprint(),
                             "pad_id": PAD_ID, "oov_id": OOV_ID}  # fmt: skip
    return summary
