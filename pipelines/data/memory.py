"""The memory-distance task: can a recurrent model carry one word across D steps? Generated, seeded, offline.

    memory-d100              "left  mango pebble ... (100 filler words)"  -> class left
    memory-d100-distractors  the same, but the filler also holds the marker words: only the first counts

The first word is a marker, `left` or `right`, and decides the class; D filler
words drawn uniformly from 47 neutral ones follow. The models read the
sequence one way and classify from their final hidden state (pooling "last"),
so the marker's information must survive D steps of the recurrence: the only
way to score above chance. (Max or mean pooling, or a backward direction, would
see the marker directly at step one and make the task trivial; the memory zoo
uses neither.) In the distractor variant a tenth of the filler positions hold a
marker word too, so "remember the last marker you saw" fails: only the first
one decides.

Train, validation and test sequences come from separate seeded generators, so
the same key always gives the same data, and no test sequence is a training one
except by chance (with 47^D possible fillers, never in practice for D >= 5).
"""

from __future__ import annotations

import random
import re

from .base import DataError, Dataset, DatasetInfo, Example

MARKERS = ("left", "right")  # the class names too: label 0 = "left"
FILLER = (
    "apple", "bread", "cloud", "dance", "eagle", "field", "grape", "house", "island", "jelly", "kettle", "lemon",
    "mango", "night", "ocean", "pebble", "quilt", "river", "stone", "table", "umbrella", "valley", "window",
    "yellow", "zebra", "anchor", "basket", "candle", "desert", "engine", "forest", "garden", "harbor", "igloo",
    "jacket", "kitten", "ladder", "meadow", "needle", "orange", "pillow", "rabbit", "saddle", "tunnel", "violin",
    "walnut", "yogurt",
)  # fmt: skip
SIZES = {"train": 4000, "validation": 500, "test": 1000}
SEEDS = {"train": 1, "validation": 2, "test": 3}  # one generator per split
DISTRACTOR_SHARE = 0.1  # of the filler positions, in the -distractors variant
MAX_DISTANCE = 1000
KEY = re.compile(r"memory-d(\d+)(-distractors)?")
DEFAULT_DISTANCES = (5, 10, 20, 50, 100, 200)  # the lab's sweep
# Adam at 3e-3 with gradient clipping; early stopping with patience enough for a slow start, and a stop
# once every validation sequence is right (a solved task has nothing left to learn, only time to waste).
TRAINING = {"epochs": 30, "batch_size": 64, "learning_rate": 0.003, "patience": 8, "lr_patience": 4,
            "stop_at_accuracy": 1.0}


def is_memory_key(key: str) -> bool:
    return key.startswith("memory-")


def info_for(key: str) -> DatasetInfo:
    """The description of `memory-dN` or `memory-dN-distractors`, for any N from 1 to 1,000."""
    match = KEY.fullmatch(key)
    if not match:
        raise DataError(f"{key!r} is not a memory task: write memory-dN (N from 1 to {MAX_DISTANCE}), "
                        "e.g. memory-d100, or memory-d100-distractors")  # fmt: skip
    distance, distractors = int(match.group(1)), bool(match.group(2))
    if not 1 <= distance <= MAX_DISTANCE:
        raise DataError(f"the memory task's distance must be 1 to {MAX_DISTANCE} steps, got {distance}")
    title = f"Memory over {distance} step{'s' * (distance != 1)}" + (", with distractors" if distractors else "")
    return DatasetInfo(
        key=key, title=title, classes=MARKERS, task="memory", language="tokens",
        source=f"generated: a marker word, then {distance} filler words"
               + (f" ({DISTRACTOR_SHARE:.0%} of them marker words too)" if distractors else ""),
        citation="the adding/copy-memory family of tasks: Hochreiter & Schmidhuber 1997; Arjovsky et al. 2016",
        num_words=2 + len(MARKERS) + len(FILLER), maxlen=distance + 1, min_count=1, training=dict(TRAINING),
        threads=1,
    )  # fmt: skip


def distance_of(key: str) -> int:
    return int(KEY.fullmatch(key).group(1))


def sequence(label: int, distance: int, distractors: bool, rng: random.Random) -> str:
    """The marker of `label`, then `distance` filler words (some of them marker words with `distractors`)."""
    words = [MARKERS[label]]
    for _ in range(distance):
        if distractors and rng.random() < DISTRACTOR_SHARE:
            words.append(rng.choice(MARKERS))
        else:
            words.append(rng.choice(FILLER))
    return " ".join(words)


def generate(key: str, split: str, size: int) -> list[Example]:
    """`size` sequences of one split, balanced between the classes; the same every time."""
    info = info_for(key)
    distractors = key.endswith("-distractors")
    rng = random.Random(f"{info.key}/{split}/{SEEDS[split]}")  # str seeds hash deterministically
    labels = [index % 2 for index in range(size)]
    rng.shuffle(labels)
    return [Example(f"{split}-{index}", sequence(label, info.maxlen - 1, distractors, rng), label)
            for index, label in enumerate(labels)]  # fmt: skip


def load(key: str) -> Dataset:
    info = info_for(key)
    return Dataset(info, *(generate(key, split, SIZES[split]) for split in ("train", "validation", "test")))
