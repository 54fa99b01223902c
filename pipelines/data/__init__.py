"""Data sets by key, and the statistics the store keeps about each.

    dataset = load_dataset("rt-polarity")
    vocabulary = build_vocabulary(dataset)
"""

from __future__ import annotations

import hashlib
import json
import os
from dataclasses import replace

import numpy as np

from . import imdb, memory, nusax, rt_polarity
from .base import DataError, Dataset, DatasetInfo, Example, limit_examples
from .text import OOV_ID, TokenInfo, Vocabulary, WordCoverage, read_tokens, tokenize, tokenize_with_spans, word_coverage

DATASET_KEYS = ("rt-polarity", "imdb", "nusax")  # plus the generated memory tasks: memory-dN (memory.py)
DEFAULT_DATASET = "rt-polarity"

__all__ = [
    "DATASET_KEYS", "DEFAULT_DATASET", "DataError", "Dataset", "DatasetInfo", "Example",
    "TokenInfo", "Vocabulary", "build_vocabulary", "dataset_summary", "load_dataset", "read_tokens",
    "data_fingerprint", "resolve_info", "tokenize", "tokenize_with_spans", "WordCoverage", "word_coverage",
]  # fmt: skip


def _split_key(key: str, language: str | None) -> tuple[str, str | None]:
    """'nusax-javanese' is shorthand for ('nusax', 'javanese')."""
    if key.startswith("nusax-") and language is None:
        return "nusax", key.removeprefix("nusax-")
    return key, language


def resolve_info(key: str, language: str | None = None, limit: int | None = None) -> DatasetInfo:
    """The description (and store key) of a data set, without reading any data."""
    key, language = _split_key(key, language)
    if memory.is_memory_key(key):
        info = memory.info_for(key)
    elif key == "rt-polarity":
        info = rt_polarity.INFO
    elif key == "imdb":
        info = imdb.INFO
    elif key == "nusax":
        info = nusax.info_for(language or nusax.DEFAULT_LANGUAGE)
    else:
        raise DataError(f"unknown data set {key!r}; choose one of: {', '.join(DATASET_KEYS)}, or memory-dN")
    if language is not None and key != "nusax":
        raise DataError(f"--language applies to nusax only, not {key}")
    if limit is not None:
        if limit < 2:
            raise DataError(f"--limit must be at least 2, got {limit}")
        # A cut-down data set is a different data set: it gets its own store folder and vocabulary.
        info = replace(info, key=f"{info.key}-limit{limit}", title=f"{info.title}, {limit} per split")
    return info


def load_dataset(
    key: str = DEFAULT_DATASET,
    data_dir: str | os.PathLike | None = None,
    language: str | None = None,
    limit: int | None = None,
) -> Dataset:
    """Train / validation / test examples of a data set, optionally cut to `limit` per split."""
    info = resolve_info(key, language, limit)
    base_key, language = _split_key(key, language)
    if memory.is_memory_key(base_key):
        dataset = memory.load(base_key)
    elif base_key == "rt-polarity":
        dataset = rt_polarity.load(data_dir)
    elif base_key == "imdb":
        dataset = imdb.load(data_dir)
    else:
        dataset = nusax.load(data_dir, language or nusax.DEFAULT_LANGUAGE)
    if limit is not None:
        dataset = Dataset(
            info,
            limit_examples(dataset.train, limit, seed=1),
            limit_examples(dataset.validation, limit, seed=2),
            limit_examples(dataset.test, limit, seed=3),
        )
    return dataset


def build_vocabulary(dataset: Dataset) -> Vocabulary:
    """The vocabulary of a data set: learned from its training split only."""
    info = dataset.info
    return Vocabulary.build((e.text for e in dataset.train), info.num_words, info.maxlen, info.min_count)


def data_fingerprint(dataset: Dataset) -> str:
    """Short hash of every split's ids, texts and labels: tells a changed or truncated data copy from the original,
    even one that happens to give the same vocabulary."""
    digest = hashlib.sha256()
    for split, examples in dataset.splits().items():
        for example in examples:
            digest.update(json.dumps([split, example.id, example.text, example.label], ensure_ascii=False).encode())
    return digest.hexdigest()[:12]


def length_stats(lengths: np.ndarray, maxlen: int) -> dict:
    return {
        "mean": float(lengths.mean()),
        "median": float(np.median(lengths)),
        "p90": float(np.percentile(lengths, 90)),
        "p95": float(np.percentile(lengths, 95)),
        "max": int(lengths.max()),
        "truncated_fraction": float((lengths > maxlen).mean()),
    }


def dataset_summary(dataset: Dataset, vocabulary: Vocabulary) -> dict:
    """Everything the store's dataset.json says: sizes, balance, lengths, coverage."""
    info = dataset.info
    summary: dict = {
        "key": info.key,
        "title": info.title,
        "task": info.task,
        "classes": list(info.classes),
        "source": info.source,
        "citation": info.citation,
        "language": info.language,
        "training_defaults": info.training,
        "splits": {},
        "lengths": {},
    }
    for split, examples in dataset.splits().items():
        counts = np.bincount([e.label for e in examples], minlength=len(info.classes))
        token_lists = [tokenize(e.text) for e in examples]
        lengths = np.array([len(tokens) for tokens in token_lists] or [0])
        summary["splits"][split] = {"size": len(examples), "class_counts": counts.tolist()}
        summary["lengths"][split] = length_stats(lengths, vocabulary.maxlen)
        if split == "train":
            edges = np.histogram_bin_edges(lengths, bins=min(50, max(int(lengths.max()), 1)))
            histogram, edges = np.histogram(lengths, bins=edges)
            summary["length_histogram"] = {"edges": edges.tolist(), "counts": histogram.tolist()}
        if split == "test":
            tokens = [token for tokens in token_lists for token in tokens]
            known = sum(token in vocabulary for token in tokens)
            summary["test_token_coverage"] = known / max(len(tokens), 1)
    summary["vocabulary"] = {
        "size": len(vocabulary),
        "num_words": info.num_words,
        "min_count": info.min_count,
        "maxlen": vocabulary.maxlen,
        "fingerprint": vocabulary.fingerprint(),
        "pad_id": 0,
        "oov_id": OOV_ID,
    }
    summary["data_fingerprint"] = data_fingerprint(dataset)
    return summary
