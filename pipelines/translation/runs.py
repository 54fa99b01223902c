"""A finished encoder-decoder that translates: the contract the `translate` command and the Translate page draw from.

    model = load_translator(Store(), "dates", "torch-gru-additive-uni-64-3f9a1c2e")
    translation = model.translate("3rd of March 1998", beam=5)
    translation.output, translation.attention, translation.hidden, translation.candidates

Greedy decoding is beam search of width 1 (the same output, tested); a wider
beam keeps its candidates, best first, each with its score (the sum of its
symbols' log probabilities). The source is checked first (`check_source`): an
empty, huge or unknown-character source is a ValueError that says what is wrong.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import torch
from safetensors.torch import load_file

from ..data.seq2seq import END_ID, Symbols, Words, check_source, table_for
from ..devices import pick_device
from ..models.seq2seq import EncoderDecoder
from ..records import LoadedFromRecord, RunRecord
from ..runs import RunNotReady, ready_run
from ..store import Store
from ..tasks import Capability, require_seq2seq
from ..threads import single_thread
from .pairs import decoding_steps

BEAM_WIDTHS = range(1, 11)

__all__ = ["BEAM_WIDTHS", "LoadedTranslator", "RunNotReady", "Translation", "check_beam", "load_translator"]


def check_beam(width: int) -> int:
    if isinstance(width, bool) or not isinstance(width, int) or width not in BEAM_WIDTHS:
        raise ValueError(f"the beam width must be 1 to {BEAM_WIDTHS[-1]}, got {width!r}")
    return width


@dataclass
class Candidate:
    output: str
    score: float  # sum of log probabilities, END included when it ended
    finished: bool


@dataclass
class Translation:
    run_id: str
    label: str
    source: str
    beam: int
    output: str  # the best candidate's characters (or words, joined by spaces)
    symbols: list[str]  # what was written, step by step: the characters, then END (when it ended)
    probabilities: list[float]  # of each written symbol
    attention: np.ndarray | None = field(repr=False)  # (written symbols, source characters); None without attention
    hidden: np.ndarray = field(repr=False)  # (written symbols, hidden): the decoder's state after each
    candidates: list[Candidate] = field(default_factory=list)
    source_symbols: list[str] = field(default_factory=list)  # what the encoder read: the attention's columns
    unknown: list[str] = field(default_factory=list)  # a text task's source words never seen in training (<unk>)

    @property
    def score(self) -> float:
        return self.candidates[0].score

    def to_json(self) -> dict:
        return {
            "run_id": self.run_id, "label": self.label, "source": self.source, "beam": self.beam,
            "output": self.output, "score": self.score, "symbols": self.symbols,
            "source_symbols": self.source_symbols, "unknown": self.unknown,
            "probabilities": self.probabilities,
            "attention": None if self.attention is None else self.attention.round(6).tolist(),
            "candidates": [{"output": c.output, "score": c.score, "finished": c.finished} for c in self.candidates],
        }  # fmt: skip


@dataclass
class LoadedTranslator(LoadedFromRecord):
    record: RunRecord
    symbols: Symbols | Words
    model: EncoderDecoder
    device: torch.device

    @property
    def spec(self):
        return self.record.model_spec

    @property
    def label(self) -> str:
        return self.spec.label()

    @property
    def capabilities(self) -> frozenset[Capability]:
        return frozenset({Capability.TRANSLATE})

    def translate(self, source: str, beam: int = 1) -> Translation:
        """The model's output for `source` by beam search of width `beam` (1: greedy), with its trace."""
        check_beam(beam)
        source = check_source(source, self.symbols)
        ids = torch.from_numpy(self.symbols.encode(source)).to(self.device)
        with single_thread(), torch.inference_mode():  # one source, one step at a time
            candidates = self.model.beam_search(ids, beam, decoding_steps(self.model, len(ids)))
        best = candidates[0]
        symbols = [self.symbols.symbol(index) for index in best.ids]
        return Translation(
            run_id=self.run_id, label=self.label, source=source, beam=beam,
            output=self.symbols.decode(best.ids), symbols=symbols,
            probabilities=[float(np.exp(value)) for value in best.log_probabilities],
            attention=None if best.attention is None else best.attention.float().cpu().numpy(),
            hidden=best.hidden.float().cpu().numpy(),
            candidates=[Candidate(self.symbols.decode(c.ids), c.score, bool(c.ids) and c.ids[-1] == END_ID)
                        for c in candidates],
            source_symbols=self.symbols.split(source),
            unknown=self.symbols.unknown(source) if self.symbols.unit == "words" else [],
        )  # fmt: skip


def load_translator(store: Store, dataset: str, run_id: str, device: str = "cpu") -> LoadedTranslator:
    """Rebuild a finished encoder-decoder from its spec and weights, with the symbols it was trained on."""
    record, vocabulary = ready_run(store, dataset, run_id, require_seq2seq)
    target = pick_device(device)
    model = EncoderDecoder(record.model_spec)
    model.load_state_dict(load_file(str(record.path / "weights.safetensors")))  # strict: a mismatch fails loudly
    return LoadedTranslator(record, table_for(record.dataset, vocabulary), model.to(target).eval(), target)
