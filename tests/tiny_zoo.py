"""Tiny stand-ins for the zoos and tiny three-class data, shared by the cross-framework tests.

Every architecture of the `quick` and `sweep` zoos, with widths scaled down
and duplicates of the same shape dropped (width is the only thing the sweep's
width study varies; dropout does not act at inference), plus the `full` zoo's
stacked bidirectional model with a batch-norm head.
"""

from __future__ import annotations

import random
from dataclasses import replace

import torch

from conftest import NEUTRAL_WORDS, synthetic_review
from pipelines.encoding import EncodedSplit
from pipelines.data import Example, Vocabulary
from pipelines.models.spec import CELLS, POOLINGS, ModelSpec
from pipelines.models.zoos import full_zoo, quick_zoo, sweep_zoo

CLASSES = 3
TINY_HIDDEN = 6
TINY_EMBEDDING = 4


def shape_of(spec: ModelSpec) -> tuple:
    return (spec.cell, spec.bidirectional, spec.layers, spec.pooling, len(spec.head), spec.batch_norm)


def tiny(spec: ModelSpec) -> ModelSpec:
    """The same architecture with a few units per layer, and little dropout so that 8 epochs teach it something.

    Dense layers get 8 and 9 units: with 3 or 4 units behind batch norm and ReLU, all of them could die in
    training and leave a model that answers every text alike (seen with both frameworks' Adam).
    """
    head = tuple(8 + index for index in range(len(spec.head)))
    return replace(spec, hidden_size=TINY_HIDDEN, embedding_size=TINY_EMBEDDING, head=head, dropout=0.1)


def zoo_architectures() -> list[ModelSpec]:
    """One tiny spec per distinct shape of the quick and sweep zoos, and the full zoo's batch-norm head."""
    batch_norm_shapes = [spec for spec in full_zoo() if spec.batch_norm and spec.cell == "lstm"]
    unique: dict[tuple, ModelSpec] = {}
    for spec in quick_zoo() + sweep_zoo() + batch_norm_shapes:
        unique.setdefault(shape_of(spec), tiny(spec))
    return list(unique.values())


def other_poolings() -> list[ModelSpec]:
    """The poolings the quick and sweep zoos do not use (the full zoo does), taken in turn by stacked
    bidirectional models of each cell; the plain RNN's has a batch-norm head."""
    used = {spec.pooling for spec in quick_zoo() + sweep_zoo()}
    missing = [pooling for pooling in POOLINGS if pooling not in used]
    if not missing:
        return []
    stacked = ModelSpec(bidirectional=True, layers=2, hidden_size=TINY_HIDDEN, embedding_size=TINY_EMBEDDING,
                        dropout=0.1)  # fmt: skip
    return [
        replace(stacked, cell=cell, pooling=missing[index % len(missing)],
                head=(3,) if cell == "rnn" else (), batch_norm=cell == "rnn")  # fmt: skip
        for index, cell in enumerate(CELLS)
    ]


def three_class_text(label: int, rng: random.Random, length: int | None = None) -> str:
    """Negative, neutral (no polar word) or positive."""
    if label == 1:
        return " ".join(rng.choice(NEUTRAL_WORDS) for _ in range(length or rng.randint(1, 10)))
    return synthetic_review(label // 2, rng, length)


def tiny_splits(seed: int = 0) -> tuple[EncodedSplit, EncodedSplit, EncodedSplit, Vocabulary]:
    """Train 48 / validation 15 / test 24 texts, 1 to 30 tokens long; test holds a one-token and a long text."""
    rng = random.Random(seed)

    def split(size: int, offset: int, lengths=()) -> list[Example]:
        examples = []
        for index in range(size):
            label = index % CLASSES
            length = lengths[index] if index < len(lengths) else None
            examples.append(Example(str(offset + index), three_class_text(label, rng, length), label))
        return examples

    train = split(48, 0)
    vocabulary = Vocabulary.build([e.text for e in train], num_words=40, maxlen=30)
    encode = lambda examples: EncodedSplit.encode(examples, vocabulary)  # noqa: E731
    return encode(train), encode(split(15, 100)), encode(split(24, 200, lengths=(2, 1, 30, 25))), vocabulary


def one_thread_for_torch():
    """A generator for a module fixture: tiny models run several times faster on one thread when the
    cores are shared (two busy cores make OpenMP's workers wait on each other)."""
    threads = torch.get_num_threads()
    torch.set_num_threads(1)
    yield
    torch.set_num_threads(threads)


def lean_tensorflow() -> None:
    """One thread, as for torch, and no graph optimisation: Grappler spends seconds on each new
    training step and saves milliseconds per batch, a bad trade for a few batches. Possible only
    before TensorFlow's runtime starts, and then for the whole process."""
    import tensorflow as tf

    try:
        tf.config.threading.set_intra_op_parallelism_threads(1)
        tf.config.threading.set_inter_op_parallelism_threads(1)
    except RuntimeError:
        pass  # another test module started TensorFlow first
    tf.config.optimizer.set_experimental_options({"disable_meta_optimizer": True})
