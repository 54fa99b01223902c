"""Sequence-to-sequence tasks for the encoder-decoder: generated, seeded, offline, read one character at a time.

    dates        "3rd of March 1998", "TUE 03/03/98", "1998/3/3", ...  ->  "1998-03-03"
    reverse-N    "qjdkaat"  ->  "taakdjq"   (random sequences of 5 to N symbols from an alphabet of 20)
    copy-N       "qjdkaat"  ->  "qjdkaat"
    nusax-id-en  "Kuenya enak dan harganya juga murah."  ->  "they're great and inexpensive"   (word by word)

    pairs = load_pairs("reverse-60")        # PairDataset: train / validation / test lists of Pair(source, target)
    symbols = Symbols.build(pairs.train)    # the characters both sides read and write

Dates are the attention *picture*: the month word feeds the month digits, the
year's last two characters the year's. Copy and reverse are the *bottleneck*
lesson (Cho et al. 2014; Bahdanau et al. 2015, Figure 2): an encoder-decoder
that must squeeze every symbol into one context vector is good on short
sequences and fails on long ones, and attention, which looks back at every
encoder state, holds. The calibration behind the sizes and the defaults is in
docs/seq2seq.md.

NusaX (Winata et al. 2023) is real text: its Indonesian and English sentences
are translations of each other (500 / 100 / 400 pairs), read one *word* at a
time (lower-cased, punctuation apart: `data.text.tokenize`). Characters would
make sources of about 150 steps and targets of 190, too long to learn from 500
pairs in minutes on a CPU; a subword segmenter learned from 500 sentences would
mostly split rare words into pieces the model has seen once. With words a
source is about 27 steps, and the dictionary baseline reads the same units.

Every generated split comes from its own seeded generator (the same key always gives the
same data); the symbols of copy and reverse are the letters a to t, so a user
can type a sequence to translate.
"""

from __future__ import annotations

import calendar
import datetime
import random
import re
from dataclasses import dataclass, field, replace
from typing import Iterable

import numpy as np

from . import length_stats
from . import nusax
from .base import DataError
from .characters import CharacterTable
from .text import OOV_ID, OOV_TOKEN, PAD_ID, PAD_TOKEN, Vocabulary, tokenize

START, END = "<s>", "</s>"  # the decoder's first input, and the symbol that ends its output
START_ID, END_ID = 2, 3
SEQUENCE_ALPHABET = "abcdefghijklmnopqrst"  # 20 symbols
SHORTEST = 5  # copy and reverse: sequences of SHORTEST to N symbols (N below SHORTEST: 1 to N)
LONGEST = 200
FIRST_YEAR, LAST_YEAR = 1950, 2029
SIZES = {"dates": {"train": 20000, "validation": 1000, "test": 2000},
         "sequences": {"train": 20000, "validation": 1000, "test": 1500}}  # fmt: skip
SEEDS = {"train": 1, "validation": 2, "test": 3}
BUCKET = 10  # accuracy by source length, in buckets of ten: 1-10, 11-20, ...
KEY = re.compile(r"(reverse|copy)-(\d+)")
MAX_SOURCE_CHARACTERS = 1000  # what translate reads at most: longer input is refused, not cut

# Adam at 3e-3 with clipping, batch 64 (docs/seq2seq.md): the dates task with attention is solved within an
# epoch or two, and a solved task stops. Copy and reverse learn slowly: more epochs, the same early stopping.
DATES_TRAINING = {"epochs": 8, "batch_size": 64, "learning_rate": 0.003, "patience": 2, "stop_at_accuracy": 0.999}
SEQUENCE_TRAINING = {"epochs": 15, "batch_size": 64, "learning_rate": 0.002, "patience": 3}
# 500 NusaX pairs: small batches for more steps an epoch; the validation loss stops it once it overfits.
TEXT_TRAINING = {"epochs": 40, "batch_size": 16, "learning_rate": 0.003, "patience": 4}
TEXT_TASKS = {"nusax-id-en": ("indonesian", "english")}  # key -> (source language, target language)


@dataclass(frozen=True)
class PairInfo:
    key: str  # store folder name, e.g. "dates" or "reverse-60-limit200"
    title: str
    source: str
    citation: str
    longest_source: int  # characters, by construction
    longest_target: int
    language: str = "characters"
    unit: str = "characters"  # what one symbol is: a character, or a word (text tasks)
    training: dict = field(default_factory=dict)
    hidden_size: int = 64  # the seq2seq zoo's size on this task (docs/seq2seq.md: what trains well here)
    bidirectional: bool = False  # whether the zoo's encoders read both ways on this task
    # Intra-op threads for training: a decoder step is a few small matrix products, so a second thread mostly
    # waits at every step's barrier (pipelines/threads.py); on our loaded 2-core machine one thread was 20x faster.
    threads: int | None = 1
    task: str = "seq2seq"


@dataclass(frozen=True)
class Pair:
    id: str
    source: str
    target: str


@dataclass
class PairDataset:
    info: PairInfo
    train: list[Pair]
    validation: list[Pair]
    test: list[Pair]

    def splits(self) -> dict[str, list[Pair]]:
        return {"train": self.train, "validation": self.validation, "test": self.test}


# ----------------------------------------------------------------------------
# Keys


def is_pair_key(key: str) -> bool:
    """Whether a data set key names a sequence-to-sequence task (with or without a `-limitN` cut)."""
    base = key.split("-limit")[0]
    return base == "dates" or base in TEXT_TASKS or bool(KEY.fullmatch(base))


def unit_of(key: str) -> str:
    """'words' for a text task's store key (`nusax-id-en`, `nusax-id-en-limit50`), else 'characters'."""
    return "words" if key.split("-limit")[0] in TEXT_TASKS else "characters"


def table_for(key: str, vocabulary: Vocabulary) -> "Symbols | Words":
    """The symbol table of a task's stored vocabulary: words for a text task, characters for the others."""
    return Words(vocabulary) if unit_of(key) == "words" else Symbols(vocabulary)


def resolve_pairs(key: str, limit: int | None = None) -> PairInfo:
    """The description (and store key) of a task, without generating any data."""
    if key == "dates":
        info = PairInfo(
            key="dates", title="Dates to ISO 8601", language="english",
            source="generated: dates from 1950 to 2029 written in ten ways (a fifth upper-cased), to YYYY-MM-DD",
            citation="the dates exercise of Chollet's and Ng's courses; attention: Bahdanau, Cho & Bengio 2015",
            longest_source=len("wednesday, september 30th 2029"),
            longest_target=10, training=dict(DATES_TRAINING), bidirectional=True,
        )  # fmt: skip
    elif key in TEXT_TASKS:
        source, target = TEXT_TASKS[key]
        info = PairInfo(
            key=key, title="NusaX Indonesian to English, word by word", language=f"{source} to {target}",
            source="https://github.com/IndoNLP/nusax (datasets/sentiment): the same sentences in both languages",
            citation=nusax.INFO.citation, longest_source=128, longest_target=160, training=dict(TEXT_TRAINING),
            hidden_size=128, unit="words",
        )  # fmt: skip
    else:
        match = KEY.fullmatch(key)
        if not match:
            raise DataError(f"unknown sequence-to-sequence task {key!r}: write dates, nusax-id-en, reverse-N or "
                            f"copy-N (N from 1 to {LONGEST}, e.g. reverse-60)")  # fmt: skip
        operation, longest = match.group(1), int(match.group(2))
        if not 1 <= longest <= LONGEST:
            raise DataError(f"the {operation} task's longest sequence must be 1 to {LONGEST} symbols, got {longest}")
        shortest = min(SHORTEST, longest)
        info = PairInfo(
            key=key, title=f"{operation.capitalize()} a sequence of {shortest} to {longest} symbols",
            source=f"generated: random sequences of {shortest} to {longest} letters a-t, "
                   f"{'reversed' if operation == 'reverse' else 'copied'}",
            citation="Sutskever, Vinyals & Le 2014; Cho et al. 2014 (the bottleneck); Bahdanau et al. 2015",
            longest_source=longest, longest_target=longest, language="tokens", training=dict(SEQUENCE_TRAINING),
            hidden_size=128,
        )  # fmt: skip
    if limit is not None:
        if limit < 2:
            raise DataError(f"--limit must be at least 2, got {limit}")
        info = replace(info, key=f"{info.key}-limit{limit}", title=f"{info.title}, {limit} per split")
    return info


def load_pairs(key: str, limit: int | None = None, data_dir=None) -> PairDataset:
    """Train / validation / test pairs of a task; `limit` per split (quick trials and tests). A text task reads
    its files from `data_dir` (or RNNLENS_DATA_DIR, the cache, a download: `data.nusax.find_folder`)."""
    info = resolve_pairs(key, limit)
    if key in TEXT_TASKS:
        splits = nusax.load_parallel(data_dir, *TEXT_TASKS[key])
        return PairDataset(info, *[[Pair(identifier, " ".join(tokenize(source)), " ".join(tokenize(target)))
                                    for identifier, source, target in splits[split][:limit]]
                                   for split in ("train", "validation", "test")])  # fmt: skip
    kind = "dates" if key == "dates" else "sequences"
    splits = [generate(key, split, min(SIZES[kind][split], limit or SIZES[kind][split]))
              for split in ("train", "validation", "test")]  # fmt: skip
    return PairDataset(info, *splits)


def generate(key: str, split: str, size: int) -> list[Pair]:
    """`size` pairs of one split of a task; the same every time."""
    rng = random.Random(f"{key}/{split}/{SEEDS[split]}")  # str seeds hash deterministically
    make = written_date if key == "dates" else _sequence_maker(key)
    return [Pair(f"{split}-{index}", *make(rng)) for index in range(size)]


def _sequence_maker(key: str):
    operation, longest = KEY.fullmatch(key).group(1), int(KEY.fullmatch(key).group(2))
    shortest = min(SHORTEST, longest)

    def make(rng: random.Random) -> tuple[str, str]:
        source = "".join(rng.choice(SEQUENCE_ALPHABET) for _ in range(rng.randint(shortest, longest)))
        return source, source[::-1] if operation == "reverse" else source

    return make


# ----------------------------------------------------------------------------
# Dates, in ten written forms


def _ordinal(day: int) -> str:
    suffix = "th" if 11 <= day % 100 <= 13 else {1: "st", 2: "nd", 3: "rd"}.get(day % 10, "th")
    return f"{day}{suffix}"


def _month(date: datetime.date) -> str:
    return calendar.month_name[date.month].lower()


def _mon(date: datetime.date) -> str:
    return calendar.month_abbr[date.month].lower()


FORMS = (
    lambda d, _: f"{d.day} {_month(d)} {d.year}",  # 3 march 1998
    lambda d, _: f"{_ordinal(d.day)} of {_month(d)} {d.year}",  # 3rd of march 1998
    lambda d, _: f"{_month(d)} {d.day}, {d.year}",  # march 3, 1998
    lambda d, _: f"{_mon(d)} {d.day} {d.year}",  # mar 3 1998
    lambda d, _: f"{d.day:02d}/{d.month:02d}/{d.year}",  # 03/03/1998
    lambda d, _: f"{d.day}.{d.month}.{d.year % 100:02d}",  # 3.3.98
    lambda d, _: f"{calendar.day_abbr[d.weekday()].lower()} {d.day} {_mon(d)} {d.year}",  # tue 3 mar 1998
    lambda d, _: f"{calendar.day_name[d.weekday()].lower()}, {_month(d)} {_ordinal(d.day)} {d.year}",
    lambda d, _: f"{d.year}/{d.month}/{d.day}",  # 1998/3/3
    lambda d, _: f"{d.day} {_mon(d)}. {d.year}",  # 3 mar. 1998
)
UPPER_SHARE = 0.2


def written_date(rng: random.Random) -> tuple[str, str]:
    """A random date from 1950 to 2029 in one of the ten forms (a fifth upper-cased), and its ISO form.

    A two-digit year (3.3.98) is read as 1950-2049 would be: 50-99 are the 1900s, 00-29 the 2000s, so it names
    one date only.
    """
    first, last = datetime.date(FIRST_YEAR, 1, 1), datetime.date(LAST_YEAR, 12, 31)
    date = first + datetime.timedelta(days=rng.randint(0, (last - first).days))
    written = rng.choice(FORMS)(date, rng)
    if rng.random() < UPPER_SHARE:
        written = written.upper()
    return written, date.isoformat()


# ----------------------------------------------------------------------------
# The symbols both sides read and write


class Symbols(CharacterTable):
    """Characters <-> ids for an encoder-decoder: <pad> 0, <unk> 1, <s> 2, </s> 3, then the characters.

    One table for the source and the target side (each has its own embedding); stored as the task's vocab.json.
    """

    unit = "characters"
    split = staticmethod(list)  # a text's symbols

    def __init__(self, vocabulary: Vocabulary):
        tokens = vocabulary.tokens
        if len(tokens) < 5 or tokens[START_ID] != START or tokens[END_ID] != END or any(
                len(token) != 1 for token in tokens[4:]):  # fmt: skip
            raise ValueError("not a sequence-to-sequence alphabet: expected <pad>, <unk>, <s>, </s>, then characters")
        self.vocabulary = vocabulary
        self.tokens = tokens
        self._ids = {token: index for index, token in enumerate(tokens) if index > END_ID}

    @classmethod
    def build(cls, pairs: Iterable[Pair], longest: int = MAX_SOURCE_CHARACTERS) -> "Symbols":
        """Every character of the training pairs, most frequent first (ties in character order)."""
        counts: dict[str, int] = {}
        for pair in pairs:
            for character in pair.source + pair.target:
                counts[character] = counts.get(character, 0) + 1
        kept = sorted(counts, key=lambda character: (-counts[character], character))
        return cls(Vocabulary([PAD_TOKEN, OOV_TOKEN, START, END, *kept], maxlen=longest))

    def decode(self, ids: Iterable[int]) -> str:
        """The characters of ids, up to the first </s>; the specials are left out."""
        characters = []
        for index in ids:
            if index == END_ID:
                break
            if index > END_ID:
                characters.append(self.tokens[index])
        return "".join(characters)


class Words:
    """Words <-> ids for a text task, the interface of `Symbols`: <pad> 0, <unk> 1, <s> 2, </s> 3, then the words
    of the training pairs, most frequent first. A text's words are `data.text.tokenize`'s (lower-cased,
    punctuation apart); an output is its words joined by spaces. A word outside the table reads as <unk>."""

    unit = "words"
    split = staticmethod(tokenize)

    def __init__(self, vocabulary: Vocabulary):
        tokens = vocabulary.tokens
        if len(tokens) < 5 or tokens[START_ID] != START or tokens[END_ID] != END:
            raise ValueError("not a sequence-to-sequence word table: expected <pad>, <unk>, <s>, </s>, then words")
        self.vocabulary = vocabulary
        self.tokens = tokens
        self._ids = {token: index for index, token in enumerate(tokens) if index > END_ID}

    @classmethod
    def build(cls, pairs: Iterable[Pair], longest: int = MAX_SOURCE_CHARACTERS) -> "Words":
        counts: dict[str, int] = {}
        for pair in pairs:
            for word in tokenize(pair.source) + tokenize(pair.target):
                counts[word] = counts.get(word, 0) + 1
        kept = sorted(counts, key=lambda word: (-counts[word], word))
        return cls(Vocabulary([PAD_TOKEN, OOV_TOKEN, START, END, *kept], maxlen=longest))

    def __len__(self) -> int:
        return len(self.tokens)

    def __contains__(self, word: str) -> bool:
        return word in self._ids

    def fingerprint(self) -> str:
        return self.vocabulary.fingerprint()

    def encode(self, text: str) -> np.ndarray:
        return np.array([self._ids.get(word, OOV_ID) for word in tokenize(text)], dtype=np.int64)

    def unknown(self, text: str) -> list[str]:
        """The distinct words of `text` outside the table, in order of appearance."""
        return list(dict.fromkeys(word for word in tokenize(text) if word not in self._ids))

    def symbol(self, index: int) -> str:
        return self.tokens[index]

    def decode(self, ids: Iterable[int]) -> str:
        """The words of ids, up to the first </s>, joined by spaces; <unk> stays (the model wrote it)."""
        words = []
        for index in ids:
            if index == END_ID:
                break
            if index > END_ID or index == OOV_ID:
                words.append(self.tokens[index])
        return " ".join(words)


def build_table(data: PairDataset) -> "Symbols | Words":
    """The symbols of a task, from its training pairs only."""
    return (Words if data.info.unit == "words" else Symbols).build(data.train)


def check_source(text: str, symbols: "Symbols | Words") -> str:
    """A source as a model may read it; ValueError, saying what is wrong, for an empty, huge or unknown one.

    Characters outside a character task's table are refused; a text task reads unknown words as <unk> (most
    test sentences of 500 training pairs hold one: `unknown_words_note` says which), and refuses a source
    whose words are all unknown."""
    if not isinstance(text, str) or not text.strip():
        wanted = "a sentence" if symbols.unit == "words" else "a date or a sequence"
        raise ValueError(f"the source is empty: type {wanted} to translate")
    if len(text) > MAX_SOURCE_CHARACTERS:
        raise ValueError(f"the source is {len(text):,} characters long; at most {MAX_SOURCE_CHARACTERS:,} are read")
    unknown = symbols.unknown(text)
    if symbols.unit == "words":
        if not symbols.split(text) or len(unknown) == len(set(symbols.split(text))):
            raise ValueError("none of the source's words was in the training pairs: this model cannot read it "
                             f"(e.g. {', '.join(repr(word) for word in unknown[:5])})")  # fmt: skip
        return text
    if unknown:
        shown = ", ".join(repr(character) for character in unknown[:10])
        more = f" and {len(unknown) - 10} more" if len(unknown) > 10 else ""
        raise ValueError(f"the source has characters this model never saw in training: {shown}{more}")
    return text


def unknown_words_note(unknown: list[str]) -> str:
    """What a page or the terminal says of the words a model read as <unk>."""
    more = f" and {len(unknown) - 10} more" if len(unknown) > 10 else ""
    shown = ", ".join(repr(word) for word in unknown[:10]) + more
    return f"{len(unknown)} word{'s' if len(unknown) != 1 else ''} never seen in training, read as <unk>: {shown}"


def length_bucket(length: int) -> str:
    """'1-10', '11-20', ...: the bucket of a source length."""
    low = (max(length, 1) - 1) // BUCKET * BUCKET + 1
    return f"{low}-{low + BUCKET - 1}"


# ----------------------------------------------------------------------------
# The task's card (dataset.json)


def pairs_summary(data: PairDataset, symbols: "Symbols | Words") -> dict:
    """What the store's dataset.json says about a task: pairs per split, source lengths (in symbols: characters or
    words), the symbols."""
    info = data.info
    summary: dict = {
        "key": info.key, "title": info.title, "task": info.task, "classes": [], "source": info.source,
        "citation": info.citation, "language": info.language, "training_defaults": info.training,
        "splits": {}, "lengths": {},
    }  # fmt: skip
    for split, pairs in data.splits().items():
        lengths = np.array([len(symbols.split(pair.source)) for pair in pairs] or [0])
        summary["splits"][split] = {"size": len(pairs)}
        summary["lengths"][split] = length_stats(lengths, MAX_SOURCE_CHARACTERS)
        if split == "train":
            histogram, edges = np.histogram(lengths, bins=min(50, max(int(lengths.max()), 1)))
            summary["length_histogram"] = {"edges": edges.tolist(), "counts": histogram.tolist()}
        if split == "test":
            read = [symbol for pair in pairs for symbol in symbols.split(pair.source)]
            summary["test_token_coverage"] = 1 - len([s for s in read if s not in symbols]) / max(len(read), 1)
    summary["vocabulary"] = {"size": len(symbols), "num_words": None, "min_count": 1,
                             "maxlen": MAX_SOURCE_CHARACTERS, "fingerprint": symbols.fingerprint(),
                             "pad_id": PAD_ID, "oov_id": OOV_ID}  # fmt: skip
    return summary
