"""The descriptions of language models, and the zoo the `train` command reads them from. No framework here.

    LanguageModelSpec   a recurrent character model:  embedding -> [RNN | LSTM | GRU] x layers -> softmax
    NGramSpec           its baseline: the next character from the n-1 before it (counts, Kneser-Ney smoothing)

Both are resolved with the corpus's alphabet size when a run is trained, and
stored in the run's spec.json; the run kinds `generation` and `ngram`
(pipelines/tasks.py) read them back.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields, replace

from .cells import CELL_NAMES, CELLS
from .zoos import matching

NGRAM_NAMES = {1: "unigram", 2: "bigram", 3: "trigram"}


def _from_json(cls, data: dict):
    unknown = set(data) - {f.name for f in fields(cls)}
    if unknown:
        raise ValueError(f"unknown model spec keys: {', '.join(sorted(unknown))}")
    return cls(**data)


@dataclass(frozen=True)
class LanguageModelSpec:
    cell: str = "lstm"  # rnn | lstm | gru
    layers: int = 1  # stacked recurrent layers, 1-3
    hidden_size: int = 256
    embedding_size: int = 32
    dropout: float = 0.0  # after the embedding, between layers and before the output layer
    alphabet_size: int = 0  # ids in the alphabet, padding included; filled in from the corpus (`resolved`)

    bidirectional = False  # a language model reads left to right only: it may not see what it predicts

    def __post_init__(self):
        if self.cell not in CELLS:
            raise ValueError(f"cell must be one of {CELLS}, got {self.cell!r}")
        if not 1 <= self.layers <= 3:
            raise ValueError(f"layers must be 1, 2 or 3, got {self.layers}")
        if self.hidden_size < 1 or self.embedding_size < 1:
            raise ValueError("hidden and embedding sizes must be positive")
        if not 0.0 <= self.dropout < 1.0:
            raise ValueError(f"dropout must be in [0, 1), got {self.dropout}")

    def resolved(self, alphabet_size: int) -> "LanguageModelSpec":
        if alphabet_size < 4:
            raise ValueError(f"an alphabet needs padding, <unk>, the boundary and a character; got {alphabet_size}")
        return replace(self, alphabet_size=alphabet_size)

    def short_name(self) -> str:
        """Readable part of a run id, e.g. 'lstm-2x256'."""
        return f"{self.cell}-{self.layers}x{self.hidden_size}"

    def label(self) -> str:
        """Human label for charts, e.g. 'LSTM 2×256'."""
        return f"{CELL_NAMES[self.cell]} {self.layers}×{self.hidden_size}"

    def to_json(self) -> dict:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict) -> "LanguageModelSpec":
        return _from_json(cls, data)


@dataclass(frozen=True)
class NGramSpec:
    order: int = 3  # characters seen: the one predicted and the order - 1 before it
    alphabet_size: int = 0

    def __post_init__(self):
        if not 1 <= self.order <= 8:
            raise ValueError(f"an n-gram's order must be 1 to 8, got {self.order}")

    def resolved(self, alphabet_size: int) -> "NGramSpec":
        return replace(self, alphabet_size=alphabet_size)

    def short_name(self) -> str:
        return f"{self.order}gram"

    def label(self) -> str:
        """'unigram', 'bigram', 'trigram', then '5-gram'."""
        return NGRAM_NAMES.get(self.order, f"{self.order}-gram")

    def to_json(self) -> dict:
        return asdict(self)

    @classmethod
    def from_json(cls, data: dict) -> "NGramSpec":
        return _from_json(cls, data)


# ----------------------------------------------------------------------------
# Zoos

# Unigram and bigram, the baselines; trigram and 5-gram; and a 7-gram, the best order on rt-polarity-chars
# (BENCHMARKS.md, "Generation": 8 and more gain nothing), so the recurrent models meet the strongest counter.
BASELINES = [NGramSpec(order) for order in (1, 2, 3, 5, 7)]


def charlm_zoo() -> list:
    """RNN, LSTM and GRU with one layer of 256 units, and an LSTM with two; plus the n-gram baselines."""
    one_layer = [LanguageModelSpec(cell=cell, hidden_size=256) for cell in CELLS]
    return BASELINES + one_layer + [LanguageModelSpec(cell="lstm", layers=2, hidden_size=256, dropout=0.1)]


def charlm_small_zoo() -> list:
    """RNN, LSTM and GRU with 64 units: a few minutes in all on a CPU, for a first look (and the tests' shape)."""
    return BASELINES[:4] + [LanguageModelSpec(cell=cell, hidden_size=64) for cell in CELLS]


LANGUAGE_MODEL_ZOOS = {"charlm": charlm_zoo, "charlm-small": charlm_small_zoo}


def language_model_zoo(name: str, only: list[str] | None = None) -> list:
    """The specs of a language-model zoo; `only` keeps those whose short name matches a glob, e.g. 'lstm-*'."""
    if name not in LANGUAGE_MODEL_ZOOS:
        raise ValueError(f"the {name!r} zoo holds no language models; character corpora train one of: "
                         f"{', '.join(LANGUAGE_MODEL_ZOOS)}")  # fmt: skip
    return matching(name, LANGUAGE_MODEL_ZOOS[name](), only)
