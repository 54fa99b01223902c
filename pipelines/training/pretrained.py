"""The zoo option `--pretrained tuned|frozen`: start each model's embedding table from pretrained vectors.

    specs = pretrained_specs(zoo("quick"), embeddings, "frozen")    # ids say "...-pretrained-frozen-..."
    coverage = start_embedding_table(model, embeddings, vocabulary, frozen=True, seed=42)

The spec records which embeddings and whether they stay frozen, so a run's id
says so and never collides with the same architecture trained from scratch
(whose spec, and so id, is what it always was). The embedding size becomes the
vectors' size. Frozen, the table is left out of the optimiser (no gradient is
even computed for it); tuned, it trains like any other weight. Either way the
finished run's weights hold the table as used, so loading, explaining and
verifying a run need neither this module nor the embeddings artifact.
"""

from __future__ import annotations

from dataclasses import replace

import torch

from ..data.text import Vocabulary
from ..embeddings import Embeddings
from ..models.spec import ModelSpec

MODES = ("tuned", "frozen")


def pretrained_specs(specs: list[ModelSpec], embeddings: Embeddings, mode: str) -> list[ModelSpec]:
    if mode not in MODES:
        raise ValueError(f"--pretrained must be one of {', '.join(MODES)}, got {mode!r}")
    return [replace(spec, embedding_size=embeddings.dimensions, embeddings=embeddings.name,
                    frozen_embeddings=mode == "frozen") for spec in specs]  # fmt: skip


def start_embedding_table(model: torch.nn.Module, embeddings: Embeddings, vocabulary: Vocabulary, frozen: bool,
                          seed: int) -> float:  # fmt: skip
    """Copy the vectors into a PyTorch zoo model's embedding table; returns the share of words the corpus had."""
    table, coverage = embeddings.table_for(vocabulary, seed)
    weight = model.embedding.weight
    if tuple(weight.shape) != table.shape:
        raise ValueError(f"the model's embedding table is {tuple(weight.shape)}, the pretrained one {table.shape}")
    with torch.no_grad():
        weight.copy_(torch.from_numpy(table))
    weight.requires_grad_(not frozen)
    return coverage
