"""Text to learn word embeddings from: IMDb's training side only, never a test review.

    corpus = unlabelled_corpus(data_dir, "unsup+train")   # ids and texts of train/unsup (+ train/pos, train/neg)

The IMDb archive holds 50,000 unlabelled reviews (`train/unsup`) beside its
25,000 labelled training reviews; Maas et al. (2011) and Dai & Le (2015) learned
their word vectors from both. Labels are never read here, and the `test/`
folder is never opened: the member pattern below admits `train/` paths only,
so whatever the embeddings learn, they learned without the test split (a test
checks this on an archive whose test reviews hold words found nowhere else).
"""

from __future__ import annotations

import os
import re
import tarfile
import zlib
from dataclasses import dataclass
from pathlib import Path

from . import imdb
from .base import DataError, cached_records

# The corpora on offer: which training folders of the archive each reads.
CORPORA = {
    "unsup": ("train/unsup",),
    "unsup+train": ("train/unsup", "train/pos", "train/neg"),
}
DEFAULT_CORPUS = "unsup+train"
_TRAIN_MEMBER = re.compile(r"(?:^|/)aclImdb/(train/(?:unsup|pos|neg))/(\d+_\d+)\.txt$")


@dataclass(frozen=True)
class Corpus:
    name: str  # "imdb-unsup" or "imdb-unsup+train"
    parts: tuple[str, ...]
    ids: list[str]  # e.g. "train/unsup/123_0"
    texts: list[str]


def _read_archive(path: Path) -> list[list[str]]:
    rows = []
    try:
        with tarfile.open(path, "r:*") as archive:
            for member in archive:  # one streaming pass over the gzip
                match = _TRAIN_MEMBER.search(member.name)
                if match and member.isfile():
                    raw = archive.extractfile(member).read().decode("utf-8", errors="replace")
                    rows.append([f"{match.group(1)}/{match.group(2)}", imdb.clean(raw)])
    except (tarfile.TarError, EOFError, zlib.error, OSError) as error:
        raise DataError(f"{path} is corrupt or truncated ({type(error).__name__}: {error}); "
                        f"replace it with a fresh copy of {imdb.URL}") from error  # fmt: skip
    return rows


def _read_folder(path: Path) -> list[list[str]]:
    rows = []
    for file in sorted((path / "train").glob("*/*.txt")):
        match = _TRAIN_MEMBER.search(file.relative_to(path.parent).as_posix())
        if match:
            rows.append([f"{match.group(1)}/{match.group(2)}", imdb.clean(file.read_text("utf-8", errors="replace"))])
    return rows


def unlabelled_corpus(data_dir: str | os.PathLike | None = None, name: str = DEFAULT_CORPUS) -> Corpus:
    """The training-side texts of the IMDb archive (parsed once, cached), in a stable order."""
    if name not in CORPORA:
        raise DataError(f"unknown corpus {name!r}; choose one of: {', '.join(CORPORA)}")
    source = imdb.find_source(data_dir)
    read = _read_archive if source.is_file() else _read_folder
    rows = cached_records(f"imdb-train-texts-{imdb.source_fingerprint(source)}",
                          lambda: {"rows": sorted(read(source))})["rows"]  # fmt: skip
    parts = CORPORA[name]
    kept = [(review_id, text) for review_id, text in rows if review_id.rsplit("/", 1)[0] in parts]
    if not any(review_id.startswith("train/unsup/") for review_id, _ in kept):
        raise DataError(f"{source} has no unlabelled reviews (aclImdb/train/unsup/); the full archive from "
                        f"{imdb.URL} has 50,000")  # fmt: skip
    return Corpus(f"imdb-{name}", parts, [review_id for review_id, _ in kept], [text for _, text in kept])
