"""Scoring a language model on held-out passages: bits per character, perplexity, next-character accuracy.

    scores = score_recurrent(model, split, device)      # or score_ngram(ngram, texts)
    language_model_metrics(scores, alphabet)             # {"bits_per_character": 2.07, ...}

Every symbol a passage holds is predicted from the ones before it (its
characters, then its end), and each counts once, whichever model predicts it:
the recurrent models and the n-gram baselines are scored on exactly the same
symbols. Bits per character = mean of -log2 P(symbol); perplexity = 2 ** bits.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np
import torch

from ..data.characters import Alphabet
from ..data.text import OOV_ID
from ..encoding import EVAL_BATCH_SIZE, EncodedPassages, inference_batches
from ..threads import SMALL_BATCH, single_thread
from .ngram import NGramModel, padded


@dataclass
class Scores:
    """Per predicted symbol, in passage order: its log-probability (nats) and whether it was the likeliest."""

    log_probabilities: np.ndarray  # (symbols,)
    correct: np.ndarray  # (symbols,) bool
    passages: int
    unknown: int = 0  # symbols that were <unk>: characters outside the alphabet

    @property
    def bits_per_character(self) -> float:
        return bits(-float(self.log_probabilities.mean()))


def bits(nats: float) -> float:
    """Nats (natural-log units, what cross-entropy losses report) in bits."""
    return nats / math.log(2)


def score_recurrent(model, split: EncodedPassages, device: torch.device) -> Scores:
    """A `CharLanguageModel` on every passage of a split, each read from a fresh state."""
    model.eval()
    log_probabilities, correct = [None] * len(split), [None] * len(split)
    with torch.inference_mode(), single_thread(device.type == "cpu" and len(split) <= SMALL_BATCH):
        for indices in inference_batches(split.lengths, EVAL_BATCH_SIZE):
            inputs, targets = split.padded(indices)
            logits, _, _ = model(torch.from_numpy(inputs).to(device))
            log_softmax = torch.log_softmax(logits.float(), dim=-1).cpu().numpy()  # (batch, time, alphabet)
            for row, index in enumerate(indices):
                length = len(split.targets[index])
                target = split.targets[index]
                log_probabilities[index] = log_softmax[row, np.arange(length), target]
                correct[index] = log_softmax[row, :length].argmax(-1) == target
    return _scores(log_probabilities, correct, split.targets)


def score_ngram(model: NGramModel, texts: list[str]) -> Scores:
    """An n-gram model on every passage, with the same symbols as `score_recurrent`."""
    log_probabilities, correct, targets = [], [], []
    history = model.order - 1
    for text in texts:
        symbols = padded(model.alphabet, text, model.order)  # order - 1 boundaries, the text, the boundary
        target = symbols[history:]
        distributions = np.array([model.distribution(tuple(symbols[i : i + history])) for i in range(len(target))])
        log_probabilities.append(np.log(distributions[np.arange(len(target)), target]))
        correct.append(distributions.argmax(-1) == target)
        targets.append(target)
    return _scores(log_probabilities, correct, targets)


def _scores(log_probabilities: list, correct: list, targets: list) -> Scores:
    every_target = np.concatenate(targets)
    return Scores(np.concatenate(log_probabilities), np.concatenate(correct), len(targets),
                  int((every_target == OOV_ID).sum()))  # fmt: skip


def language_model_metrics(test: Scores, alphabet: Alphabet, validation: Scores | None = None) -> dict:
    """The scores every language model's metrics.json holds (`pipelines.records.GenerationMetrics`)."""
    bits_per_character = test.bits_per_character
    if not bits_per_character < 1000:  # 2^1000 is near a float's limit: a model this far off has diverged
        raise ValueError(f"training diverged: the test split scores {bits_per_character:.4g} bits per character; "
                         "try a smaller --learning-rate")  # fmt: skip
    return {
        "characters": int(len(test.log_probabilities)),
        "passages": test.passages,
        "bits_per_character": bits_per_character,
        "perplexity": 2.0**bits_per_character,
        "accuracy": float(test.correct.mean()),
        "validation_bits_per_character": validation.bits_per_character if validation else None,
        "unknown_characters": test.unknown,
        "alphabet_size": alphabet.size,
    }


def loss_and_accuracy(model, split: EncodedPassages, device: torch.device) -> tuple[float, float]:
    """Mean nats per symbol and next-symbol accuracy: the validation figures the training loop keeps."""
    scores = score_recurrent(model, split, device)
    return -float(scores.log_probabilities.mean()), float(scores.correct.mean())

