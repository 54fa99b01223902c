"""How far back does a model look? Where its word attributions fall, by distance from the last word.

    shares = attribution_by_distance(run, texts, labels)   # (longest,): share of |IG| k words before the end

For every text, Integrated Gradients (attributions.py) scores each word's push
towards the text's class; the scores' magnitudes are turned into shares of the
text's total, and the shares are averaged by distance from the end (k = 0 is
the last word) over the texts long enough to have a word there. A model that
solved a memory task puts nearly all its attribution at the marker, D words
back; one that cannot remember so far puts it on the last few words, which
carry nothing (Seed 001, 7.2.3: "the model only learns short-term patterns").
"""

from __future__ import annotations

from collections import defaultdict

import numpy as np
import torch

from ..encoding import pad_batch
from .attributions import IntegratedGradients
from .explanation import ExplainableRun

LOOKBACK_STEPS = 16  # Integrated Gradients' path points: the shares of a sum are stable long before 32
BATCH_TOKENS = 65_536  # tokens per forward pass, path points included


def attribution_by_distance(run: ExplainableRun, texts: list[str], labels: list[int],
                            steps: int = LOOKBACK_STEPS) -> tuple[np.ndarray, np.ndarray]:  # fmt: skip
    """(share (longest,), texts (longest,)): the mean share of |attribution| k words before the end, and how
    many texts reach that far. Texts without tokens are skipped."""
    if len(texts) != len(labels):
        raise ValueError(f"need one label per text, got {len(texts)} texts and {len(labels)} labels")
    encoded = [(run.vocabulary.encode(text), label) for text, label in zip(texts, labels)]
    encoded = [(ids, label) for ids, label in encoded if ids]
    if not encoded:
        raise ValueError("none of these texts has a word the model reads")
    model = run.torch_model()
    method = IntegratedGradients(model, steps=steps)
    device = model.embedding.weight.device
    by_length: dict[int, list] = defaultdict(list)
    for ids, label in encoded:
        by_length[len(ids)].append((ids, label))
    longest = max(by_length)
    totals, counts = np.zeros(longest), np.zeros(longest)
    for length, group in sorted(by_length.items()):
        per_pass = max(1, BATCH_TOKENS // (length * steps))
        for start in range(0, len(group), per_pass):
            chunk = group[start : start + per_pass]
            ids, lengths = pad_batch([ids for ids, _ in chunk])  # (texts, length): equally long, nothing padded
            scores = method.attribute(torch.from_numpy(ids).to(device), torch.from_numpy(lengths).to(device),
                                      [label for _, label in chunk]).scores  # fmt: skip  (texts, length)
            magnitude = np.abs(scores)
            shares = magnitude / np.maximum(magnitude.sum(axis=1, keepdims=True), 1e-12)
            totals[:length] += shares[:, ::-1].sum(axis=0)  # index k = k words before the end
            counts[:length] += len(chunk)
    return totals / np.maximum(counts, 1), counts
