"""The description of an encoder-decoder, and the zoos `train --zoo seq2seq` reads them from. No framework here.

    encoder   embedding -> [RNN | LSTM | GRU] (one way or both) -> a state per source character
    bridge    the decoder starts from tanh(W [last states] + b)
    decoder   one cell step per output character, reading the previous character and a context vector:
              none      the encoder's last state at every step (Cho et al. 2014: the context vector alone)
              additive  v · tanh(W_q s + W_k h_j) over every source state h_j (Bahdanau, Cho & Bengio 2015)
              dot       s · h_j (Luong, Pham & Manning 2015)
              general   s · W h_j (Luong et al. 2015)

The spec is resolved with the task's symbol count and longest target when a
run is trained, and kept in the run's spec.json (the run kind `seq2seq`).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields, replace

from .cells import CELL_NAMES, CELLS
from .zoos import matching

ATTENTION = ("none", "additive", "dot", "general")
ATTENTION_NAMES = {"none": "no attention", "additive": "additive attention", "dot": "dot attention",
                   "general": "general attention"}  # fmt: skip


@dataclass(frozen=True)
class Seq2SeqSpec:
    cell: str = "gru"  # rnn | lstm | gru, for the encoder and the decoder alike
    attention: str = "additive"  # none | additive | dot | general
    hidden_size: int = 64  # the encoder's per direction and the decoder's
    embedding_size: int = 32
    bidirectional: bool = False  # the encoder reads both ways (its states are then 2 x hidden_size)
    vocabulary_size: int = 0  # symbols, specials included: filled in from the task (`resolved`)
    longest_target: int = 0  # the longest training target: decoding stops after it (and the source's length)

    def __post_init__(self):
        if self.cell not in CELLS:
            raise ValueError(f"cell must be one of {CELLS}, got {self.cell!r}")
        if self.attention not in ATTENTION:
            raise ValueError(f"attention must be one of {ATTENTION}, got {self.attention!r}")
        if self.hidden_size < 1 or self.embedding_size < 1:
            raise ValueError("hidden and embedding sizes must be positive")
        if self.attention == "dot" and self.bidirectional:
            raise ValueError("dot attention compares the decoder's state with each encoder state, so they must be "
                             "the same size: use a one-way encoder, or general attention")  # fmt: skip

    @property
    def encoder_size(self) -> int:
        """The size of each encoder state (and of the context vector)."""
        return self.hidden_size * (2 if self.bidirectional else 1)

    def resolved(self, vocabulary_size: int, longest_target: int) -> "Seq2SeqSpec":
        if vocabulary_size < 5:
            raise ValueError(f"a table needs <pad>, <unk>, <s>, </s> and a character; got {vocabulary_size} symbols")
        return replace(self, vocabulary_size=vocabulary_size, longest_target=longest_target)

    def short_name(self) -> str:
        """Readable part of a run id, e.g. 'gru-additive-uni-64'."""
        return f"{self.cell}-{self.attention}-{'bi' if self.bidirectional else 'uni'}-{self.hidden_size}"

    def label(self) -> str:
        """Human label for charts, e.g. 'GRU 64, additive attention'."""
        direction = "Bi" if self.bidirectional else ""
        return f"{direction}{CELL_NAMES[self.cell]} {self.hidden_size}, {ATTENTION_NAMES[self.attention]}"

    def to_json(self) -> dict:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict) -> "Seq2SeqSpec":
        unknown = set(data) - {f.name for f in fields(cls)}
        if unknown:
            raise ValueError(f"unknown model spec keys: {', '.join(sorted(unknown))}")
        return cls(**data)


# ----------------------------------------------------------------------------
# Zoos


def seq2seq_zoo(hidden_size: int = 64, bidirectional: bool = False) -> list[Seq2SeqSpec]:
    """Every cell without attention, with additive and with dot attention (general attention where the encoder
    reads both ways: its states are then twice the decoder's size): nine models (docs/seq2seq.md for the sizes)."""
    luong = "general" if bidirectional else "dot"
    return [Seq2SeqSpec(cell=cell, attention=attention, hidden_size=hidden_size, bidirectional=bidirectional)
            for attention in ("none", "additive", luong) for cell in CELLS]  # fmt: skip


def seq2seq_small_zoo() -> list[Seq2SeqSpec]:
    """A GRU of 16 units without and with additive attention: seconds, for a first look and the tests."""
    return [Seq2SeqSpec(cell="gru", attention=attention, hidden_size=16, embedding_size=8)
            for attention in ("none", "additive")]  # fmt: skip


SEQ2SEQ_ZOOS = {"seq2seq": seq2seq_zoo, "seq2seq-small": seq2seq_small_zoo}


def seq2seq_zoo_specs(name: str, hidden_size: int, bidirectional: bool = False,
                      only: list[str] | None = None) -> list[Seq2SeqSpec]:  # fmt: skip
    """The specs of a seq2seq zoo at the task's size and direction; `only` keeps those whose short name matches."""
    if name not in SEQ2SEQ_ZOOS:
        raise ValueError(f"the {name!r} zoo holds no encoder-decoders; sequence-to-sequence tasks train one of: "
                         f"{', '.join(SEQ2SEQ_ZOOS)}")  # fmt: skip
    specs = seq2seq_zoo(hidden_size, bidirectional) if name == "seq2seq" else seq2seq_small_zoo()
    return matching(name, specs, only)
