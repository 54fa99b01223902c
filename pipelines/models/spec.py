"""The one description of a recurrent classifier, shared by every framework.

    embedding -> [recurrent layer (one or two directions)] x layers -> pooling
              -> [dense -> (batch norm) -> relu] x len(head) -> dense -> softmax

Dropout (rate `dropout`) sits after the embedding, between recurrent layers and
before every dense layer; it is off at inference, so it never changes a
prediction. Padding (id 0, always after the text) never reaches a result: each
direction reads only the real tokens.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields, replace

from .cells import CELL_NAMES, CELLS, weight_blocks

POOLINGS = ("last", "max", "mean")
# How the recurrent weights start (models/initialisation.py): the framework's own default, or a scheme
# that lets gated cells carry information over many steps from the first epoch (the memory lab's lesson).
INITS = ("default", "forget-bias", "chrono", "identity")
# Fields added after run ids existed: left out of to_json at their defaults, so older ids stay the same.
LATER_FIELDS = {"init": "default", "init_timescale": 0}


@dataclass(frozen=True)
class ModelSpec:
    cell: str = "lstm"  # rnn | lstm | gru
    bidirectional: bool = False
    layers: int = 1  # stacked recurrent layers, 1-3
    hidden_size: int = 64  # units per direction
    embedding_size: int = 64
    dropout: float = 0.3
    pooling: str = "last"  # last state | max over time | mean over time
    head: tuple[int, ...] = ()  # widths of dense ReLU layers before the output layer
    batch_norm: bool = False  # batch norm after each head layer (seed 000's model)
    init: str = "default"  # one of INITS
    init_timescale: int = 0  # chrono: the longest dependency to expect, in steps (filled in by `resolved`)
    # Where the embedding table started: None = random (from scratch), else the name of a pretrained
    # embeddings artifact (pipelines/embeddings.py); frozen = kept as pretrained, never trained.
    embeddings: str | None = None
    frozen_embeddings: bool = False
    # Filled in from the data when a run is trained (see `resolved`).
    vocab_size: int = 0
    num_classes: int = 0

    def __post_init__(self):
        # A spec from JSON carries lists; keep it hashable and equal to the original.
        object.__setattr__(self, "head", tuple(int(width) for width in self.head))
        self.validate()

    def validate(self) -> None:
        if self.cell not in CELLS:
            raise ValueError(f"cell must be one of {CELLS}, got {self.cell!r}")
        if self.pooling not in POOLINGS:
            raise ValueError(f"pooling must be one of {POOLINGS}, got {self.pooling!r}")
        if not 1 <= self.layers <= 3:
            raise ValueError(f"layers must be 1, 2 or 3, got {self.layers}")
        if self.hidden_size < 1 or self.embedding_size < 1 or any(width < 1 for width in self.head):
            raise ValueError("hidden, embedding and head sizes must be positive")
        if not 0.0 <= self.dropout < 1.0:
            raise ValueError(f"dropout must be in [0, 1), got {self.dropout}")
        if self.batch_norm and not self.head:
            raise ValueError("batch_norm applies to head layers; give the head at least one layer")
        if self.init not in INITS:
            raise ValueError(f"init must be one of {INITS}, got {self.init!r}")
        if self.init in ("forget-bias", "chrono") and self.cell == "rnn":
            raise ValueError(f"a plain RNN has no gates for the {self.init} initialisation; try identity")
        if self.init == "identity" and self.cell != "rnn":
            raise ValueError("the identity initialisation is for plain RNNs; gated cells take chrono or forget-bias")
        if self.frozen_embeddings and not self.embeddings:
            raise ValueError("frozen_embeddings needs pretrained embeddings to keep; name them in `embeddings`")

    @property
    def directions(self) -> int:
        return 2 if self.bidirectional else 1

    @property
    def gates(self) -> int:
        """Weight blocks per cell: one for a plain RNN, four for LSTM, three for GRU."""
        return weight_blocks(self.cell)

    def resolved(self, vocab_size: int, num_classes: int, maxlen: int | None = None) -> "ModelSpec":
        """The spec with the data's sizes filled in; chrono initialisation takes maxlen as its timescale."""
        if vocab_size < 3 or num_classes < 2:
            raise ValueError(f"need a vocabulary of 3+ tokens and 2+ classes, got {vocab_size}, {num_classes}")
        timescale = self.init_timescale
        if self.init == "chrono" and not timescale:
            if not maxlen or maxlen < 2:
                raise ValueError("chrono initialisation needs the longest sequence (maxlen >= 2) as its timescale")
            timescale = maxlen
        return replace(self, vocab_size=vocab_size, num_classes=num_classes, init_timescale=timescale)

    def short_name(self) -> str:
        """Readable part of a run id, e.g. 'lstm-bi-2x128'."""
        name = f"{self.cell}-{'bi' if self.bidirectional else 'uni'}-{self.layers}x{self.hidden_size}"
        if self.pooling != "last":
            name += f"-{self.pooling}"
        if self.head:
            name += "-dense" + "x".join(str(width) for width in self.head)
        if self.init != "default":
            name += f"-{self.init}"
        if self.embeddings:
            name += f"-pretrained-{self.start}"
        return name

    @property
    def start(self) -> str:
        """How the embedding table started: 'scratch', or pretrained and then 'frozen' or 'tuned'."""
        if not self.embeddings:
            return "scratch"
        return "frozen" if self.frozen_embeddings else "tuned"

    def label(self) -> str:
        """Human label for charts, e.g. 'BiLSTM 2×128', 'LSTM 1×64 (chrono)' for a non-default start, or
        'BiGRU 1×128 · pretrained, frozen'."""
        label = f"{'Bi' if self.bidirectional else ''}{CELL_NAMES[self.cell]} {self.layers}×{self.hidden_size}"
        if self.init != "default":
            label += f" ({self.init})"
        return label + (f" · pretrained, {self.start}" if self.embeddings else "")

    def to_json(self) -> dict:
        data = asdict(self)
        data["head"] = list(self.head)
        for name, default in LATER_FIELDS.items():
            if data[name] == default:
                del data[name]
        # Written only when set: a spec from scratch keeps the JSON, and so the run id, it had before
        # pretrained embeddings existed.
        if not self.embeddings:
            del data["embeddings"], data["frozen_embeddings"]
        return data

    @classmethod
    def from_json(cls, data: dict) -> "ModelSpec":
        known = {f.name for f in fields(cls)}
        unknown = set(data) - known
        if unknown:
            raise ValueError(f"unknown model spec keys: {', '.join(sorted(unknown))}")
        return cls(**data)


FRAMEWORKS = ("torch", "keras")  # PyTorch and Keras conventions, e.g. for counting parameters
FRAMEWORK_NAMES = {"torch": "PyTorch", "keras": "Keras"}


def recurrent_bias_count(cell: str, hidden_size: int, framework: str = "torch") -> int:
    """Bias values of one direction of one recurrent layer.

    PyTorch gives every cell two bias vectors per weight block (b_ih and b_hh).
    Keras gives SimpleRNN and LSTM one; its GRU with reset_after=True (ours, and
    PyTorch's equations) keeps two, because the reset gate multiplies the
    recurrent bias of the candidate: n = tanh(W_n x + b_n + r * (U_n h + b'_n)).
    """
    if framework not in FRAMEWORKS:
        raise ValueError(f"framework must be one of {FRAMEWORKS}, got {framework!r}")
    blocks = weight_blocks(cell)
    two_biases = framework == "torch" or cell == "gru"
    return (2 if two_biases else 1) * blocks * hidden_size


def parameter_count(spec: ModelSpec, framework: str = "torch") -> int:
    """Closed-form trainable parameter count, in PyTorch's or Keras's conventions.

    Per direction and layer, with input size I and hidden size H, a cell with G
    weight blocks has G*H*(I + H) weights plus its biases (`recurrent_bias_count`:
    2*G*H in PyTorch; G*H for Keras's SimpleRNN and LSTM, 2*G*H for its GRU).
    Batch norm adds a scale and a shift per unit; its running statistics are
    not trained, so they are not counted.
    """
    total = spec.vocab_size * spec.embedding_size
    input_size = spec.embedding_size
    for _ in range(spec.layers):
        weights = spec.gates * spec.hidden_size * (input_size + spec.hidden_size)
        total += spec.directions * (weights + recurrent_bias_count(spec.cell, spec.hidden_size, framework))
        input_size = spec.directions * spec.hidden_size
    for width in spec.head:
        total += input_size * width + width + (2 * width if spec.batch_norm else 0)
        input_size = width
    return total + input_size * spec.num_classes + spec.num_classes


def parameter_breakdown(spec: ModelSpec, framework: str = "torch") -> list[tuple[str, str, int]]:
    """`parameter_count` part by part: (part, the formula with the spec's numbers in it, count).

    The counts add up to `parameter_count(spec, framework)`; the Glass box page shows them.
    """
    gates, hidden = spec.gates, spec.hidden_size
    biases = recurrent_bias_count(spec.cell, hidden, framework)
    bias_text = f"{biases // (gates * hidden)}·{gates}·{hidden}" if gates > 1 else f"{biases // hidden}·{hidden}"
    parts = [("embedding", f"V·E = {spec.vocab_size:,}·{spec.embedding_size}", spec.vocab_size * spec.embedding_size)]
    input_size = spec.embedding_size
    for layer in range(1, spec.layers + 1):
        weights = gates * hidden * (input_size + hidden)
        per_direction = weights + biases
        formula = f"{gates}·{hidden}·({input_size} + {hidden}) + {bias_text}"
        if spec.directions == 2:
            formula = f"2·({formula})"
        parts.append((f"recurrent layer {layer}", formula, spec.directions * per_direction))
        input_size = spec.directions * hidden
    for index, width in enumerate(spec.head, start=1):
        norm = 2 * width if spec.batch_norm else 0
        formula = f"{input_size}·{width} + {width}" + (f" + 2·{width}" if norm else "")
        part = f"dense layer {index}" + (" + batch norm" if norm else "")
        parts.append((part, formula, input_size * width + width + norm))
        input_size = width
    parts.append(("output layer", f"{input_size}·{spec.num_classes} + {spec.num_classes}",
                  input_size * spec.num_classes + spec.num_classes))  # fmt: skip
    return parts
