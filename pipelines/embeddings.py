"""Pretrained word embeddings in the store: vectors, their vocabulary and how they were made; no pickle.

    artifacts/embeddings/<name>/vectors.safetensors   one float32 row per word: {"vectors": (words, dimensions)}
    artifacts/embeddings/<name>/vocab.json            the words, row by row, and how often the corpus had each
    artifacts/embeddings/<name>/settings.json         algorithm, dimensions, corpus (which parts, how many reviews
                                                      and tokens), library versions, training time; written last,
                                                      so a folder without it is unfinished and never read

    embeddings = read_embeddings(store_root, "word2vec-imdb-128d-1a2b3c4d")
    table, coverage = embeddings.table_for(vocabulary)   # rows in a data set's own vocabulary order

One artifact serves every data set whose vocabulary overlaps its words: a data
set's token that the corpus had gets the pretrained row, any other token keeps
a small random start (and, fine-tuned, learns one). The words are our one
tokenizer's tokens (`pipelines.data.text`), so they match every vocabulary.
Written by `python -m pipelines embed` (`pipelines/training/word2vec.py`).
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import numpy as np
from pydantic import ValidationError
from safetensors.numpy import load_file, save_file

from .data.text import OOV_ID, PAD_ID, Vocabulary
from .files import read_json, write_atomically, write_json
from .records import Record, describe

FOLDER = "embeddings"  # under the store's root, beside the data sets' folders
RANDOM_START = 0.05  # uniform(-0.05, 0.05) for tokens the corpus lacks: the zoo's own embedding start


class EmbeddingsNotFound(ValueError):
    """No (readable) embeddings of that name in the store; the message says how to make some."""


class CorpusFacts(Record):
    """What the embeddings were trained on: never a test review (`pipelines.data.unlabelled`)."""

    name: str  # e.g. "imdb-unsup+train"
    parts: list[str]  # archive folders read, e.g. ["train/unsup", "train/pos", "train/neg"]
    texts: int
    tokens: int
    fingerprint: str  # of the texts' ids: the same corpus gives the same fingerprint


class EmbeddingSettings(Record):
    """settings.json: everything that made the vectors, and what it cost."""

    name: str
    algorithm: str  # "word2vec skip-gram" or "word2vec CBOW"
    dimensions: int
    window: int
    min_count: int
    negative: int
    epochs: int
    seed: int
    corpus: CorpusFacts
    words: int
    train_seconds: float | None = None
    versions: dict[str, str | None] = {}
    created_at: float | None = None


@dataclass(frozen=True)
class Embeddings:
    settings: EmbeddingSettings
    words: list[str]
    vectors: np.ndarray  # (words, dimensions) float32

    @property
    def name(self) -> str:
        return self.settings.name

    @property
    def dimensions(self) -> int:
        return int(self.vectors.shape[1])

    def table_for(self, vocabulary: Vocabulary, seed: int = 0) -> tuple[np.ndarray, float]:
        """An embedding table in `vocabulary`'s row order, and the share of its words the corpus had.

        Padding is zeros (the models' padding row); <unk> and words the corpus never had keep
        the zoo's random start, seeded so the same run starts the same way.
        """
        rows = {word: index for index, word in enumerate(self.words)}
        rng = np.random.default_rng(seed)
        table = rng.uniform(-RANDOM_START, RANDOM_START, (len(vocabulary), self.dimensions)).astype(np.float32)
        table[PAD_ID] = 0.0
        known = 0
        for index, token in enumerate(vocabulary.tokens):
            if index in (PAD_ID, OOV_ID) or token not in rows:
                continue
            table[index] = self.vectors[rows[token]]
            known += 1
        words = len(vocabulary) - 2  # the two specials are no words
        return table, known / words if words else 0.0


def embeddings_root(store_root: str | Path) -> Path:
    return Path(store_root) / FOLDER


def write_embeddings(store_root: str | Path, settings: EmbeddingSettings, words: list[str], counts: list[int],
                     vectors: np.ndarray) -> Path:  # fmt: skip
    """Write one artifact; settings.json goes last, so a reader never meets half of one."""
    if vectors.shape != (len(words), settings.dimensions) or len(counts) != len(words):
        raise ValueError(f"vectors {vectors.shape} do not match {len(words)} words of {settings.dimensions} dimensions")
    folder = embeddings_root(store_root) / settings.name
    matrix = np.ascontiguousarray(vectors, dtype=np.float32)
    write_atomically(folder / "vectors.safetensors", lambda path: save_file({"vectors": matrix}, str(path)))
    write_json(folder / "vocab.json", {"words": words, "counts": [int(count) for count in counts]}, indent=None)
    write_json(folder / "settings.json", settings.to_json())
    return folder


def read_settings(store_root: str | Path, name: str) -> EmbeddingSettings:
    path = embeddings_root(store_root) / name / "settings.json"
    if Path(name).name != name or name.startswith("."):
        raise EmbeddingsNotFound(f"{name!r} is not a name of embeddings; `python -m pipelines list` shows them")
    try:
        return EmbeddingSettings.model_validate(read_json(path))
    except FileNotFoundError:
        raise EmbeddingsNotFound(f"no embeddings {name!r} in {embeddings_root(store_root)}; make some with "
                                 "`python -m pipelines embed`") from None  # fmt: skip
    except ValidationError as error:
        raise EmbeddingsNotFound(f"embeddings {name}: {describe('settings.json', error)}") from error
    except (OSError, ValueError) as error:
        raise EmbeddingsNotFound(f"embeddings {name}: settings.json cannot be read ({error})") from error


def read_embeddings(store_root: str | Path, name: str) -> Embeddings:
    """One artifact, checked: as many words as vector rows, of the dimensions its settings say."""
    settings = read_settings(store_root, name)
    folder = embeddings_root(store_root) / name
    try:
        words = list(read_json(folder / "vocab.json")["words"])
        vectors = load_file(str(folder / "vectors.safetensors"))["vectors"]
    except (OSError, ValueError, KeyError, TypeError) as error:
        raise EmbeddingsNotFound(f"embeddings {name} cannot be read ({type(error).__name__}: {error})") from error
    if vectors.shape != (len(words), settings.dimensions):
        raise EmbeddingsNotFound(f"embeddings {name} are damaged: {vectors.shape[0]} vectors of "
                                 f"{vectors.shape[1]} for {len(words)} words of {settings.dimensions}")  # fmt: skip
    return Embeddings(settings, words, vectors)


def list_embeddings(store_root: str | Path) -> list[EmbeddingSettings]:
    """Every finished, readable artifact in the store, newest first."""
    root = embeddings_root(store_root)
    if not root.is_dir():
        return []
    found = []
    for folder in root.iterdir():
        if folder.is_dir() and (folder / "settings.json").is_file():
            try:
                found.append(read_settings(store_root, folder.name))
            except EmbeddingsNotFound:
                continue  # damaged: `read_embeddings` names it when someone asks for it
    return sorted(found, key=lambda settings: -(settings.created_at or 0.0))


def choose_embeddings(store_root: str | Path, name: str | None = None) -> Embeddings:
    """The named artifact, or else the newest one in the store."""
    if name:
        return read_embeddings(store_root, name)
    available = list_embeddings(store_root)
    if not available:
        raise EmbeddingsNotFound(f"no pretrained embeddings in {embeddings_root(store_root)}; make them first with "
                                 "`python -m pipelines embed` (word2vec on IMDb's unlabelled reviews)")  # fmt: skip
    return read_embeddings(store_root, available[0].name)
