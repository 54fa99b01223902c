"""Texts as token ids, and padded batches of them: shared by inference, training, verify and explain.

    split = EncodedSplit.encode(examples, vocabulary)
    ids, lengths, labels = split.padded(indices)   # (batch, time) post-padded with 0
    for indices in inference_batches(split.lengths, 256): ...

`pad_batch` is the one place token sequences become a padded array; `EncodedPassages` is a character
corpus's split for a language model.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Iterator, Sequence

import numpy as np

from .data import Example, Vocabulary
from .data.characters import Alphabet
from .data.text import OOV_ID, PAD_ID

EVAL_BATCH_SIZE = 256  # texts per batch when predicting: every framework's inference pass


def pad_batch(sequences: Sequence[Sequence[int]], width: int | None = None) -> tuple[np.ndarray, np.ndarray]:
    """(ids (batch, time) post-padded with PAD_ID, lengths (batch,)) for token-id sequences.

    `width` cuts or pads to that many steps (default: the longest sequence); lengths count the real steps kept.
    """
    lengths = np.array([len(sequence) for sequence in sequences], dtype=np.int64)
    width = width or int(lengths.max(initial=1))
    ids = np.full((len(sequences), width), PAD_ID, dtype=np.int64)
    for row, sequence in enumerate(sequences):
        kept = np.asarray(sequence[:width], dtype=np.int64)
        ids[row, : len(kept)] = kept
    return ids, np.minimum(lengths, width)


def encode_text(text: str, vocabulary: Vocabulary) -> list[int]:
    """What a model reads of `text`: its first maxlen token ids; a text without tokens reads as one unknown word."""
    return vocabulary.encode(text) or [OOV_ID]


@dataclass
class EncodedSplit:
    ids: list[np.ndarray]  # token ids per example, unpadded
    labels: np.ndarray  # (examples,)
    example_ids: list[str]

    @classmethod
    def encode(cls, examples: list[Example], vocabulary: Vocabulary) -> "EncodedSplit":
        ids = [np.asarray(encode_text(e.text, vocabulary), dtype=np.int64) for e in examples]
        return cls(ids, np.array([e.label for e in examples], dtype=np.int64), [e.id for e in examples])

    @classmethod
    def of_texts(cls, texts: Sequence[str], vocabulary: Vocabulary) -> "EncodedSplit":
        """Unlabelled texts (label 0), e.g. what a user typed."""
        return cls.encode([Example(str(index), text, 0) for index, text in enumerate(texts)], vocabulary)

    def __len__(self) -> int:
        return len(self.ids)

    @property
    def lengths(self) -> np.ndarray:
        return np.array([len(ids) for ids in self.ids], dtype=np.int64)

    def padded(self, indices: np.ndarray, width: int | None = None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        """(ids (batch, time) post-padded with 0, lengths (batch,), labels (batch,)) for `indices`."""
        ids, lengths = pad_batch([self.ids[index] for index in indices], width)
        return ids, lengths, self.labels[indices]


def inference_batches(lengths: np.ndarray, batch_size: int) -> Iterator[np.ndarray]:
    """Batches in length order (least padding); callers put results back by index."""
    order = np.argsort(lengths, kind="stable")
    for start in range(0, len(order), batch_size):
        yield order[start : start + batch_size]


IGNORED = -100  # a target no loss or score counts: the padding after a passage (PyTorch's ignore_index)


@dataclass
class EncodedPassages:
    """A character corpus split for a language model: per passage, the ids it reads and the ids it must predict.

    Inputs are the boundary then the passage; targets the passage then the boundary (`Alphabet.sequence`).
    """

    inputs: list[np.ndarray]
    targets: list[np.ndarray]

    @classmethod
    def encode(cls, texts: Sequence[str], alphabet: Alphabet) -> "EncodedPassages":
        pairs = [alphabet.sequence(text) for text in texts]
        return cls([inputs for inputs, _ in pairs], [targets for _, targets in pairs])

    def __len__(self) -> int:
        return len(self.inputs)

    @property
    def lengths(self) -> np.ndarray:
        return np.array([len(ids) for ids in self.inputs], dtype=np.int64)

    @property
    def symbols(self) -> int:
        """Symbols to predict in the split: every character, and each passage's end."""
        return int(self.lengths.sum())

    def padded(self, indices: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """(inputs (batch, time) post-padded with 0, targets (batch, time) with IGNORED after each passage)."""
        inputs, lengths = pad_batch([self.inputs[index] for index in indices])
        targets, _ = pad_batch([self.targets[index] for index in indices])
        targets[np.arange(targets.shape[1])[None, :] >= lengths[:, None]] = IGNORED
        return inputs, targets
