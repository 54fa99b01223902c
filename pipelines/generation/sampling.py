"""Choosing the next character: temperature, top-k, and a seed, so the same settings write the same text.

    settings = SamplingSettings(length=200, temperature=0.8, top_k=0, seed=7)   # ValueError if out of range
    prompt = clean_prompt("The film ", alphabet)                                  # ValueError for unseen characters
    index = sample(sampling_distribution(probabilities, settings), rng)

Temperature T divides the log-probabilities before they are normalised again:
below 1 the likely characters grow likelier (safer, more repetitive text),
above 1 the distribution flattens (bolder, more misspelt text). Top-k keeps the
k likeliest characters only (k = 1 always takes the likeliest: greedy). Padding
and <unk> are never written.
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import asdict, dataclass

import numpy as np

from ..data.characters import Alphabet
from ..data.text import OOV_ID, PAD_ID

MAX_LENGTH = 5_000  # characters one call writes: ten reviews' worth, a few seconds for an LSTM on a CPU
MAX_PROMPT = 2_000  # characters a prompt may hold (the longest training passages hold a few hundred)
MAX_TEMPERATURE = 5.0
UNKNOWN_SHOWN = 8  # characters a message names before it says "and N more"


@dataclass(frozen=True)
class SamplingSettings:
    length: int = 200  # characters to write after the prompt
    temperature: float = 0.8
    top_k: int = 0  # 0: every character may be drawn
    seed: int = 0
    stop_at_end: bool = False  # stop when the model ends the review, rather than start another

    def __post_init__(self):
        if isinstance(self.length, bool) or not 1 <= self.length <= MAX_LENGTH:
            raise ValueError(f"length must be 1 to {MAX_LENGTH:,} characters, got {self.length:,}")
        if not 0 < self.temperature <= MAX_TEMPERATURE:
            raise ValueError(f"temperature must be above 0 and at most {MAX_TEMPERATURE:g}, got {self.temperature:g}; "
                             "for the likeliest character every time, use top-k 1")  # fmt: skip
        if self.top_k < 0:
            raise ValueError(f"top-k must be 0 (every character) or a positive number, got {self.top_k}")
        if self.seed < 0:
            raise ValueError(f"the seed must be 0 or a positive whole number, got {self.seed}")

    def to_json(self) -> dict:
        return asdict(self)


def clean_prompt(prompt: str, alphabet: Alphabet) -> str:
    """The prompt as a model reads it, or a ValueError that says what is wrong with it.

    NFC; whitespace runs (line breaks too) become one space and leading space
    goes, as in the training passages (a trailing space stays: "The film " asks
    for the next word). Characters outside the alphabet are refused by name.
    An empty prompt is fine: the model starts a review from its first character.
    """
    text = re.sub(r"\s+", " ", unicodedata.normalize("NFC", prompt)).lstrip()
    if len(text) > MAX_PROMPT:
        raise ValueError(f"the prompt is {len(text):,} characters long; at most {MAX_PROMPT:,} are read "
                         "(the training passages are a few hundred)")  # fmt: skip
    unknown = alphabet.unknown(text)
    if unknown:
        named = ", ".join(f"{character!r} (U+{ord(character):04X})" for character in unknown[:UNKNOWN_SHOWN])
        more = f" and {len(unknown) - UNKNOWN_SHOWN} more" if len(unknown) > UNKNOWN_SHOWN else ""
        raise ValueError(f"the prompt has characters this model never saw in training: {named}{more}; "
                         f"it reads and writes {alphabet.size - 2} characters: {_sample_of(alphabet)}")  # fmt: skip
    return text


def _sample_of(alphabet: Alphabet) -> str:
    characters = "".join(sorted(alphabet.characters[3:]))
    return characters if len(characters) <= 60 else characters[:57] + "…"


def sampling_distribution(probabilities: np.ndarray, settings: SamplingSettings) -> np.ndarray:
    """What the next character is drawn from: the model's probabilities with padding and <unk> removed,
    sharpened or flattened by the temperature, cut to the top k, normalised."""
    kept = probabilities.astype(np.float64).copy()
    kept[[PAD_ID, OOV_ID]] = 0.0
    # The likeliest character's log-probability is subtracted before dividing: a tiny temperature (1e-320) then
    # makes it 0 and every other -inf (greedy), never -inf - -inf = nan.
    with np.errstate(divide="ignore", over="ignore"):
        logits = np.log(kept)
        logits = (logits - logits.max()) / settings.temperature
    weights = np.exp(logits)
    if 0 < settings.top_k < np.count_nonzero(weights):
        weights[np.argsort(-weights, kind="stable")[settings.top_k :]] = 0.0  # a tie at the cut keeps the lower id
    return weights / weights.sum()


def sample(distribution: np.ndarray, rng: np.random.Generator) -> int:
    """Draw the next symbol's id from a `sampling_distribution`."""
    return int(rng.choice(len(distribution), p=distribution))
