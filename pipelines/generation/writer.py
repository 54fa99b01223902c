"""A finished language model that writes: the contract the `generate` command and the Write page draw from.

    model = load_language_model(Store(), "rt-polarity-chars", "torch-lstm-1x256-3f9a1c2e")
    generation = model.write("The film ", SamplingSettings(length=200, temperature=0.8, seed=7))
    generation.text, generation.steps[0].candidates, generation.hidden(layer=0)
    model.write("The film ", settings, on_step=show)      # the same, each character shown as it comes

Recurrent models and n-gram baselines answer the same calls; a step knows the
character written, the probability the model gave it, the model's likeliest
candidates at that point, and (recurrent models) every layer's hidden state
after reading it. The same prompt, settings and seed always write the same text.
When a model writes the boundary (a review is over) it starts the next review
from a fresh state, exactly as it was trained.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Callable, Protocol

import numpy as np
import torch
from safetensors.torch import load_file

from ..data.characters import BOUNDARY_ID, Alphabet
from ..data.text import PAD_ID
from ..devices import pick_device
from ..models.language_model import CharLanguageModel
from ..records import RunRecord
from ..runs import RunNotReady, ready_run
from ..store import Store
from ..tasks import NGRAM, Capability, require_language_model
from ..threads import single_thread
from .ngram import NGramModel
from .sampling import SamplingSettings, clean_prompt, sample, sampling_distribution

CANDIDATES = 5  # the likeliest next characters each step keeps

__all__ = ["Generation", "LoadedLanguageModel", "NGramReader", "Reader", "RecurrentReader", "RunNotReady", "Step",
           "load_language_model"]  # fmt: skip


class Reader(Protocol):
    """Reads symbols and says what comes next: a recurrent model or an n-gram model behind one call shape."""

    layers: int  # hidden layers it can show (0 for an n-gram model)

    def start(self): ...  # the state before a passage

    def read(self, state, ids: list[int]) -> tuple[np.ndarray, object, list[np.ndarray]]:
        """(P(next symbol) after the last id (alphabet,), the new state, per layer the hidden states (ids, units))."""
        ...


class RecurrentReader:
    def __init__(self, model: CharLanguageModel, device: torch.device):
        self.model, self.device, self.layers = model.eval(), device, model.spec.layers

    def start(self):
        return None  # zeros, as in training

    def read(self, state, ids):
        with torch.inference_mode():
            logits, state, outputs = self.model(torch.tensor([ids], device=self.device), state)
            probabilities = torch.softmax(logits[0, -1].float(), dim=-1).cpu().numpy()
        return probabilities, state, [output[0].float().cpu().numpy() for output in outputs]


class NGramReader:
    layers = 0

    def __init__(self, model: NGramModel):
        self.model = model

    def start(self):
        return (BOUNDARY_ID,) * (self.model.order - 1)  # as counted: order - 1 boundaries before a passage

    def read(self, state, ids):
        history = self.model.order - 1
        state = (*state, *ids)[-history:] if history else ()  # the last order - 1 symbols are all it remembers
        return self.model.distribution(state), state, []


@dataclass
class Step:
    character: str
    probability: float  # what the model gave this character (temperature 1)
    sampling_probability: float  # what it was drawn with (after temperature and top-k)
    candidates: list[tuple[str, float]]  # the model's likeliest next characters, most likely first
    hidden: list[np.ndarray] = field(default_factory=list, repr=False)  # per layer (units,): after reading it

    @property
    def bits(self) -> float:
        """How surprised the model was by its own choice: -log2 P."""
        return -math.log2(max(self.probability, 1e-300))


@dataclass
class Generation:
    run_id: str
    label: str
    prompt: str  # as the model read it (`clean_prompt`)
    settings: SamplingSettings
    steps: list[Step]
    prompt_hidden: list[np.ndarray] = field(default_factory=list, repr=False)  # per layer (prompt, units)

    @property
    def text(self) -> str:
        """The characters written after the prompt."""
        return "".join(step.character for step in self.steps)

    @property
    def bits_per_character(self) -> float:
        return float(np.mean([step.bits for step in self.steps]))

    def hidden(self, layer: int) -> np.ndarray:
        """One layer's hidden state after each character read, prompt then written text: (characters, units)."""
        written = [step.hidden[layer] for step in self.steps]
        return np.concatenate([self.prompt_hidden[layer], np.array(written).reshape(len(written), -1)])

    def to_json(self) -> dict:
        return {
            "run_id": self.run_id, "label": self.label, "prompt": self.prompt, "text": self.text,
            "settings": self.settings.to_json(), "bits_per_character": self.bits_per_character,
            "characters": [{"character": step.character, "probability": step.probability,
                            "sampling_probability": step.sampling_probability,
                            "candidates": [{"character": c, "probability": p} for c, p in step.candidates]}
                           for step in self.steps],
        }  # fmt: skip


@dataclass
class LoadedLanguageModel:
    run_id: str
    label: str  # e.g. 'LSTM 1×256' or '5-gram'
    alphabet: Alphabet
    reader: Reader
    record: RunRecord | None = None  # None for a model still in training (its samples are written before it is done)

    @property
    def spec(self):
        """The run's LanguageModelSpec or NGramSpec; None for a model still in training."""
        return self.record.model_spec if self.record else None

    @property
    def capabilities(self) -> frozenset[Capability]:
        """Write (`pipelines.loaded`): recurrent and n-gram models alike."""
        return frozenset({Capability.GENERATE})

    def write(self, prompt: str, settings: SamplingSettings,
              on_step: Callable[[Step], None] | None = None) -> Generation:  # fmt: skip
        """Write `settings.length` characters after `prompt`; `on_step` sees each one as it comes (streaming).

        The prompt is checked first (`clean_prompt`: a ValueError says what is wrong with it).
        """
        prompt = clean_prompt(prompt, self.alphabet)
        with single_thread():  # one character at a time: a second thread only waits (pipelines/threads.py)
            return self._write(prompt, settings, on_step)

    def _write(self, prompt: str, settings: SamplingSettings, on_step: Callable[[Step], None] | None) -> Generation:
        rng = np.random.default_rng(settings.seed)
        probabilities, state, prompt_hidden = self.reader.read(self.reader.start(),
                                                               [BOUNDARY_ID, *self.alphabet.encode(prompt)])
        steps = []
        for _ in range(settings.length):
            distribution = sampling_distribution(probabilities, settings)
            index = sample(distribution, rng)
            step = Step(self.alphabet.symbol(index), float(probabilities[index]), float(distribution[index]),
                        self.candidates(probabilities))  # fmt: skip
            if index == BOUNDARY_ID:  # the review is over: the next one starts from a fresh state
                state = self.reader.start()
            probabilities, state, hidden = self.reader.read(state, [index])
            step.hidden = [layer[-1] for layer in hidden]
            steps.append(step)
            if on_step:
                on_step(step)
            if index == BOUNDARY_ID and settings.stop_at_end:
                break
        # The states after the boundary that opens a passage are not the prompt's: leave them out.
        return Generation(self.run_id, self.label, prompt, settings, steps, [layer[1:] for layer in prompt_hidden])

    def candidates(self, probabilities: np.ndarray) -> list[tuple[str, float]]:
        order = [index for index in np.argsort(-probabilities, kind="stable") if index != PAD_ID][:CANDIDATES]
        return [(self.alphabet.symbol(index), float(probabilities[index])) for index in order]


def load_language_model(store: Store, dataset: str, run_id: str, device: str = "cpu") -> LoadedLanguageModel:
    """Rebuild a finished language model (recurrent or n-gram) from its spec and its weights or counts."""
    record, vocabulary = ready_run(store, dataset, run_id, require_language_model)
    alphabet, spec = Alphabet(vocabulary), record.model_spec
    if record.task == NGRAM.name:
        reader: Reader = NGramReader(NGramModel.load(record.path / "ngram.safetensors", alphabet, spec.order))
    else:
        target = pick_device(device)
        model = CharLanguageModel(spec)
        model.load_state_dict(load_file(str(record.path / "weights.safetensors")))  # strict: a mismatch fails loudly
        reader = RecurrentReader(model.to(target), target)
    return LoadedLanguageModel(run_id, spec.label(), alphabet, reader, record)
