"""What a data set is: a small description plus plain (id, text, label) records.

Also the helpers every loader shares: finding local copies, downloading with a
progress bar and checksum (pooch), stratified splits, and an atomic parse cache.
"""

from __future__ import annotations

import json
import os
import random
from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

from ..files import write_json


class DataError(ValueError):
    """A data set cannot be found, downloaded or parsed; the message says what to do."""


@dataclass(frozen=True)
class Example:
    id: str
    text: str
    label: int


@dataclass(frozen=True)
class DatasetInfo:
    key: str  # store folder name, e.g. "rt-polarity" or "nusax-javanese"
    title: str
    classes: tuple[str, ...]
    source: str
    citation: str
    num_words: int  # vocabulary size, specials included
    maxlen: int  # tokens kept per text
    min_count: int = 1  # rarer tokens become <unk>
    language: str = "english"
    # Training settings that suit this data set; the CLI can still override them.
    training: dict = field(default_factory=dict)
    task: str = "classification"  # the kind of the runs trained on it (pipelines/tasks.py)
    # Intra-op threads for training on it (None: every core). Long sequences through a small recurrence are
    # many tiny steps, where threads mostly wait for each other (threads.py; BENCHMARKS.md, "Memory lab").
    threads: int | None = None


@dataclass
class Dataset:
    info: DatasetInfo
    train: list[Example]
    validation: list[Example]
    test: list[Example]

    def splits(self) -> dict[str, list[Example]]:
        return {"train": self.train, "validation": self.validation, "test": self.test}


# ----------------------------------------------------------------------------
# Where data lives


def data_dirs(data_dir: str | os.PathLike | None) -> list[Path]:
    """Folders to search for local copies: the flag, then RNNLENS_DATA_DIR."""
    if data_dir and not Path(data_dir).expanduser().is_dir():  # a typo must not fall back to a download in silence
        raise DataError(f"--data-dir {data_dir} is not a folder; give the folder that holds the data copies")
    candidates = [data_dir, os.environ.get("RNNLENS_DATA_DIR")]
    return [Path(c).expanduser() for c in candidates if c]


def cache_dir() -> Path:
    """Where parsed data sets and downloads are kept (RNNLENS_CACHE_DIR to move it)."""
    root = os.environ.get("RNNLENS_CACHE_DIR") or Path.home() / ".cache" / "rnnlens"
    return Path(root)


def download(url: str, destination: Path, sha256: str | None = None) -> Path:
    """Fetch `url` to `destination` with a progress bar; verify `sha256` if given (pooch does all three).

    The file appears at `destination` only once complete and verified.
    """
    import pooch  # only when something has to be downloaded

    try:
        path = pooch.retrieve(url, known_hash=f"sha256:{sha256}" if sha256 else None, fname=destination.name,
                              path=destination.parent, progressbar=True)  # fmt: skip
    except (OSError, ValueError) as error:  # requests' connection and HTTP errors; a checksum mismatch
        raise DataError(f"could not download {url}: {error}") from error
    return Path(path)


# ----------------------------------------------------------------------------
# Splits


def stratified_split(
    examples: list[Example], fractions: tuple[float, ...], seed: int
) -> list[list[Example]]:
    """Split into parts of the given fractions, each with the same class balance.

    Deterministic for a given seed and input order.
    """
    if abs(sum(fractions) - 1.0) > 1e-9:
        raise ValueError(f"split fractions must add up to 1, got {fractions}")
    by_label: dict[int, list[Example]] = defaultdict(list)
    for example in examples:
        by_label[example.label].append(example)
    parts: list[list[Example]] = [[] for _ in fractions]
    rng = random.Random(seed)
    for label in sorted(by_label):
        group = by_label[label]
        rng.shuffle(group)
        start = 0
        for index, fraction in enumerate(fractions):
            # The last part takes the remainder so no example is lost to rounding.
            end = len(group) if index == len(fractions) - 1 else start + round(fraction * len(group))
            parts[index].extend(group[start:end])
            start = end
    for part in parts:
        rng.shuffle(part)
    return parts


def limit_examples(examples: list[Example], limit: int, seed: int) -> list[Example]:
    """At most `limit` examples, keeping the class balance (for quick runs and tests)."""
    if limit >= len(examples):
        return examples
    kept, _ = stratified_split(examples, (limit / len(examples), 1 - limit / len(examples)), seed)
    return kept[:limit]


# ----------------------------------------------------------------------------
# Parse cache: one JSON file per parsed source, written atomically


def cached_records(name: str, parse: Callable[[], dict]) -> dict:
    """Return the cached result of `parse()`, computing and storing it on first use.

    The cache file only ever appears complete (temporary file, then rename), so an
    interrupted or failed parse leaves nothing behind to be mistaken for data.
    """
    path = cache_dir() / f"{name}.json"
    if path.exists():
        try:
            with open(path, encoding="utf-8") as handle:
                return json.load(handle)
        except (OSError, json.JSONDecodeError):
            path.unlink(missing_ok=True)  # unreadable cache: parse again
    records = parse()
    write_json(path, records, indent=None)
    return records
