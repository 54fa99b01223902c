"""NusaX-Senti (Winata et al., EACL 2023): 3-class sentiment in 12 languages.

Each language has the official `train.csv` (500 rows), `valid.csv` (100) and
`test.csv` (400) with columns `id,text,label`. The languages are parallel
translations of the same sentences. Looked for in --data-dir / RNNLENS_DATA_DIR
(as `nusax-sentiment/<language>/` or `<language>/`), then in the download cache,
then fetched from the IndoNLP/nusax repository. Licence: CC BY-SA 4.0.
"""

from __future__ import annotations

import csv
import os
from dataclasses import replace
from pathlib import Path

from .base import DataError, Dataset, DatasetInfo, Example, cache_dir, data_dirs, download

LANGUAGES = (
    "acehnese", "balinese", "banjarese", "buginese", "english", "indonesian",
    "javanese", "madurese", "minangkabau", "ngaju", "sundanese", "toba_batak",
)  # fmt: skip
DEFAULT_LANGUAGE = "indonesian"
CLASSES = ("negative", "neutral", "positive")
SPLIT_FILES = {"train": "train.csv", "validation": "valid.csv", "test": "test.csv"}
URL = "https://raw.githubusercontent.com/IndoNLP/nusax/main/datasets/sentiment/{language}/{file}"

INFO = DatasetInfo(
    key="nusax",
    title="NusaX-Senti (Indonesian)",
    classes=CLASSES,
    source="https://github.com/IndoNLP/nusax (datasets/sentiment)",
    citation=("Winata et al., 'NusaX: Multilingual Parallel Sentiment Dataset for 10 Indonesian Local Languages', "
              "EACL 2023"),
    num_words=10_000,
    maxlen=128,
    min_count=1,
    language=DEFAULT_LANGUAGE,
    training={"epochs": 40, "batch_size": 16, "patience": 6, "learning_rate": 0.003},
)


def info_for(language: str) -> DatasetInfo:
    """The description for one language; Indonesian keeps the plain key `nusax`."""
    if language not in LANGUAGES:
        raise DataError(f"unknown NusaX language {language!r}; choose one of: {', '.join(LANGUAGES)}")
    if language == DEFAULT_LANGUAGE:
        return INFO
    title = f"NusaX-Senti ({language.replace('_', ' ').title()})"
    return replace(INFO, key=f"nusax-{language}", title=title, language=language)


def find_folder(language: str, data_dir: str | os.PathLike | None = None) -> Path:
    """The folder holding the three CSV files of `language`, downloading if needed."""
    for folder in data_dirs(data_dir):
        for candidate in (folder / "nusax-sentiment" / language, folder / language):
            if all((candidate / name).is_file() for name in SPLIT_FILES.values()):
                return candidate
    cached = cache_dir() / "nusax-sentiment" / language
    try:
        for name in SPLIT_FILES.values():
            if not (cached / name).is_file():
                download(URL.format(language=language, file=name), cached / name)
    except DataError as error:
        raise DataError(
            f"NusaX ({language}) not found and {error}. Put the IndoNLP/nusax folder "
            f"datasets/sentiment/ as nusax-sentiment/ (holding {language}/train.csv, valid.csv, "
            "test.csv) in a directory and pass --data-dir DIR or set RNNLENS_DATA_DIR=DIR"
        ) from None
    return cached


def read_split(path: Path) -> list[Example]:
    label_ids = {name: index for index, name in enumerate(CLASSES)}
    try:
        with open(path, encoding="utf-8", newline="") as handle:
            rows = list(csv.DictReader(handle))
    except (OSError, UnicodeDecodeError, csv.Error) as error:
        raise DataError(f"cannot read {path}: {error}") from error
    if not rows or not {"id", "text", "label"} <= rows[0].keys():
        raise DataError(f"{path} must be a CSV with columns id,text,label and at least one row")
    examples = []
    for line, row in enumerate(rows, start=2):
        if row["label"] not in label_ids:
            raise DataError(f"{path}:{line}: label {row['label']!r} is not one of {', '.join(CLASSES)}")
        examples.append(Example(id=f"{path.stem}-{row['id']}", text=row["text"].strip(), label=label_ids[row["label"]]))
    return examples


def load(data_dir: str | os.PathLike | None = None, language: str = DEFAULT_LANGUAGE) -> Dataset:
    info = info_for(language)
    folder = find_folder(language, data_dir)
    splits = {split: read_split(folder / name) for split, name in SPLIT_FILES.items()}
    return Dataset(info, splits["train"], splits["validation"], splits["test"])


def load_parallel(data_dir: str | os.PathLike | None = None, source: str = "indonesian",
                  target: str = "english") -> dict[str, list[tuple[str, str, str]]]:  # fmt: skip
    """(id, source text, target text) per split: the languages are translations of the same sentences, and a
    sentence has the same id in every language's file (the encoder-decoder's `nusax-id-en` task)."""
    splits = {}
    for split, name in SPLIT_FILES.items():
        sides = [{example.id: example.text for example in read_split(find_folder(language, data_dir) / name)}
                 for language in (source, target)]  # fmt: skip
        if sides[0].keys() != sides[1].keys():
            missing = sorted(sides[0].keys() ^ sides[1].keys())[:5]
            raise DataError(f"NusaX {source} and {target} {name} are not parallel: ids {', '.join(missing)} are in "
                            "one file only")  # fmt: skip
        splits[split] = [(identifier, text, sides[1][identifier]) for identifier, text in sides[0].items()]
    return splits
