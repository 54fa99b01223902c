"""A recurrent classifier from scratch in NumPy: the textbook equations, nothing else.

    reference = reference_from_torch(spec, model.state_dict())   # models/convert.py; or reference_from_keras
    reference.predict_proba(token_ids)          # (batch, classes), float64
    trace = reference.trace(token_ids_of_one_text)
    trace.direction(layer=0, direction="backward").gates["forget"]   # (time, hidden)

It computes what the PyTorch and Keras zoos compute, in float64, step by step,
so that a student can read the model top to bottom and a test can hold both
frameworks to it (within 1e-5). Weights are held per gate under plain names
(`input`, `forget`, `candidate`, `output`, `reset`, `update`), in the textbook
orientation `x @ W` (input, hidden); `convert.py` knows how each framework
packs them.

Notation: x_t is the input at step t (a token's embedding, or the layer
below's output), h_{t-1} the previous hidden state, σ the logistic sigmoid,
⊙ the element-wise product. Every state starts at zero.

    embedding   e_t = E[id_t]
    dropout     at inference the identity (it only acts while training)
    layers      the output sequence of one layer is the input of the next
    bidirectional  a backward pass reads the real tokens from last to first; the
                layer's output at t is [h_t(forward) ; h_t(backward)]
    pooling     last: [forward h at the last token ; backward h at the first]
                max / mean: over the real tokens only
    head        z = ReLU(BatchNorm(W z + b)) per hidden width, then logits = W z + b
    batch norm  y = γ (x - μ) / sqrt(σ² + ε) + β   with the running μ, σ² (inference)
    softmax     p_k = exp(logit_k) / Σ_j exp(logit_j)

The cells are written out on `rnn_step`, `lstm_step` and `gru_step`.

Padding (id 0) comes after the real tokens and never reaches a result: a
left-to-right pass reaches it only after every real token; the backward pass
reverses each text's real tokens in place first; pooling looks at real tokens only.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
from threadpoolctl import threadpool_limits

from .cells import WEIGHT_BLOCKS
from .spec import ModelSpec

DIRECTIONS = ("forward", "backward")


# ----------------------------------------------------------------------------
# Weights


@dataclass
class CellWeights:
    """One direction of one recurrent layer, one block per gate (see `cells.WEIGHT_BLOCKS`).

    `recurrent_bias` is the second bias some conventions keep: PyTorch has one
    for every block (b_hh beside b_ih), Keras's GRU with reset_after=True has one
    (the reset gate multiplies it), Keras's SimpleRNN, LSTM and reset-before
    GRU have none (None). For RNN and LSTM the two biases only ever appear
    added; for a reset-after GRU they differ in the candidate.
    """

    cell: str  # rnn | lstm | gru
    input_weights: dict[str, np.ndarray]  # gate -> (input, hidden)
    recurrent_weights: dict[str, np.ndarray]  # gate -> (hidden, hidden)
    input_bias: dict[str, np.ndarray]  # gate -> (hidden,)
    recurrent_bias: dict[str, np.ndarray] | None = None  # gate -> (hidden,)
    reset_after: bool = True  # GRU only: PyTorch's and Keras's default; False is Keras's older convention

    def __post_init__(self):
        gates = set(WEIGHT_BLOCKS[self.cell])
        for name in ("input_weights", "recurrent_weights", "input_bias", "recurrent_bias"):
            blocks = getattr(self, name)
            assert blocks is None or set(blocks) == gates, f"{name} needs blocks {sorted(gates)}"
        if self.cell == "gru" and not self.reset_after:
            assert self.recurrent_bias is None, "a reset-before GRU has a single bias"

    @property
    def hidden_size(self) -> int:
        return next(iter(self.input_bias.values())).shape[0]

    def parameter_count(self) -> int:
        blocks = [self.input_weights, self.recurrent_weights, self.input_bias, self.recurrent_bias or {}]
        return sum(array.size for block in blocks for array in block.values())

    def preactivation(self, gate: str, x: np.ndarray, h: np.ndarray) -> np.ndarray:
        """x W_gate + h U_gate + b_gate (+ the recurrent bias where there is one): (batch, hidden)."""
        total = x @ self.input_weights[gate] + h @ self.recurrent_weights[gate] + self.input_bias[gate]
        return total + self.recurrent_bias[gate] if self.recurrent_bias is not None else total


@dataclass
class Dense:
    weight: np.ndarray  # (inputs, outputs)
    bias: np.ndarray  # (outputs,)


@dataclass
class BatchNorm:
    scale: np.ndarray  # γ (features,)
    shift: np.ndarray  # β (features,)
    running_mean: np.ndarray  # μ (features,)
    running_variance: np.ndarray  # σ² (features,)
    epsilon: float = 1e-5


@dataclass
class HeadLayer:
    dense: Dense
    batch_norm: BatchNorm | None = None


# ----------------------------------------------------------------------------
# The pieces, as equations


def sigmoid(x: np.ndarray) -> np.ndarray:
    """σ(x) = 1 / (1 + exp(-x)), written via tanh so that no exp overflows."""
    return 0.5 * (1.0 + np.tanh(0.5 * x))


def relu(x: np.ndarray) -> np.ndarray:
    return np.maximum(x, 0.0)


def softmax(logits: np.ndarray) -> np.ndarray:
    """p_k = exp(z_k) / Σ_j exp(z_j), shifted by max z first (same value, no overflow)."""
    shifted = np.exp(logits - logits.max(axis=-1, keepdims=True))
    return shifted / shifted.sum(axis=-1, keepdims=True)


def embed(token_ids: np.ndarray, table: np.ndarray) -> np.ndarray:
    """e_t = E[id_t]: (batch, time) -> (batch, time, embedding)."""
    return table[token_ids]


def dropout_at_inference(x: np.ndarray) -> np.ndarray:
    """Dropout zeroes random units only while training (and rescales the rest then); at inference it is the identity."""
    return x


def rnn_step(x: np.ndarray, h: np.ndarray, weights: CellWeights) -> tuple[np.ndarray, dict]:
    """Elman RNN:  h_t = tanh(x_t W + h_{t-1} U + b)."""
    return np.tanh(weights.preactivation("hidden", x, h)), {}


def lstm_step(x: np.ndarray, h: np.ndarray, c: np.ndarray, weights: CellWeights) -> tuple[np.ndarray, np.ndarray, dict]:
    """LSTM (Hochreiter & Schmidhuber 1997, with a forget gate, Gers et al. 2000):

        i_t = σ(x_t W_i + h_{t-1} U_i + b_i)        input gate
        f_t = σ(x_t W_f + h_{t-1} U_f + b_f)        forget gate
        g_t = tanh(x_t W_g + h_{t-1} U_g + b_g)     candidate
        o_t = σ(x_t W_o + h_{t-1} U_o + b_o)        output gate
        c_t = f_t ⊙ c_{t-1} + i_t ⊙ g_t             cell state
        h_t = o_t ⊙ tanh(c_t)
    """
    i = sigmoid(weights.preactivation("input", x, h))
    f = sigmoid(weights.preactivation("forget", x, h))
    g = np.tanh(weights.preactivation("candidate", x, h))
    o = sigmoid(weights.preactivation("output", x, h))
    c = f * c + i * g
    return o * np.tanh(c), c, {"input": i, "forget": f, "candidate": g, "output": o}


def gru_step(x: np.ndarray, h: np.ndarray, weights: CellWeights) -> tuple[np.ndarray, dict]:
    """GRU (Cho et al. 2014):

        r_t = σ(x_t W_r + h_{t-1} U_r + b_r)        reset gate
        z_t = σ(x_t W_z + h_{t-1} U_z + b_z)        update gate
        reset after (PyTorch; Keras reset_after=True):
            n_t = tanh(x_t W_n + b_n + r_t ⊙ (h_{t-1} U_n + b'_n))
        reset before (Keras reset_after=False; the 2014 paper):
            n_t = tanh(x_t W_n + b_n + (r_t ⊙ h_{t-1}) U_n)
        h_t = (1 - z_t) ⊙ n_t + z_t ⊙ h_{t-1}

    b_r and b_z include the recurrent biases b'_r, b'_z where there are any;
    b'_n is the one that cannot be folded into b_n.
    """
    r = sigmoid(weights.preactivation("reset", x, h))
    z = sigmoid(weights.preactivation("update", x, h))
    input_part = x @ weights.input_weights["candidate"] + weights.input_bias["candidate"]
    if weights.reset_after:
        recurrent_part = h @ weights.recurrent_weights["candidate"]
        if weights.recurrent_bias is not None:
            recurrent_part = recurrent_part + weights.recurrent_bias["candidate"]
        n = np.tanh(input_part + r * recurrent_part)
    else:
        n = np.tanh(input_part + (r * h) @ weights.recurrent_weights["candidate"])
    return (1.0 - z) * n + z * h, {"reset": r, "update": z, "candidate": n}


def reverse_real_tokens(x: np.ndarray, lengths: np.ndarray) -> np.ndarray:
    """Reverse the first lengths[b] steps of each row of x (batch, time, ...); padding stays at the end."""
    reversed_x = x.copy()
    for row, length in enumerate(lengths):
        reversed_x[row, :length] = x[row, :length][::-1]
    return reversed_x


@dataclass
class DirectionTrace:
    """What one direction of one layer computed, aligned to the tokens.

    For the backward direction, position t holds the state after reading the
    text from its last token back to token t. For a batch the arrays carry a
    leading batch axis; `ReferenceModel.trace` returns them for one text.
    """

    layer: int  # 0 = the layer reading the embeddings
    direction: str  # forward | backward
    hidden: np.ndarray  # h_t (time, hidden)
    gates: dict[str, np.ndarray] = field(default_factory=dict)  # LSTM input/forget/output; GRU reset/update
    candidate: np.ndarray | None = None  # LSTM g_t, GRU n_t (time, hidden); None for a plain RNN
    cell: np.ndarray | None = None  # LSTM c_t (time, hidden); None for RNN and GRU


def run_direction(x: np.ndarray, weights: CellWeights) -> dict[str, np.ndarray]:
    """Read x (batch, time, input) left to right from zero states; every state and gate, (batch, time, hidden)."""
    batch, time, _ = x.shape
    h = np.zeros((batch, weights.hidden_size))
    c = np.zeros_like(h)
    steps = []
    for t in range(time):
        if weights.cell == "lstm":
            h, c, values = lstm_step(x[:, t], h, c, weights)
            values = {**values, "cell": c}
        elif weights.cell == "gru":
            h, values = gru_step(x[:, t], h, weights)
        else:
            h, values = rnn_step(x[:, t], h, weights)
        steps.append({**values, "hidden": h})
    return {name: np.stack([step[name] for step in steps], axis=1) for name in steps[0]}


def run_layer(
    x: np.ndarray, lengths: np.ndarray, directions: list[CellWeights], layer: int
) -> tuple[np.ndarray, list[DirectionTrace]]:
    """One recurrent layer: (batch, time, input) -> (batch, time, directions*hidden), and its traces."""
    traces = []
    for direction, weights in zip(DIRECTIONS, directions):
        if direction == "forward":
            values = run_direction(x, weights)
        else:  # read each text from its last real token back to its first; put the results back in token order
            backward = run_direction(reverse_real_tokens(x, lengths), weights)
            values = {name: reverse_real_tokens(array, lengths) for name, array in backward.items()}
        gates = {name: values[name] for name in WEIGHT_BLOCKS[weights.cell] if name not in ("candidate", "hidden")}
        trace = DirectionTrace(layer, direction, values["hidden"], gates, values.get("candidate"), values.get("cell"))
        traces.append(trace)
    return np.concatenate([trace.hidden for trace in traces], axis=-1), traces


def pool(outputs: np.ndarray, lengths: np.ndarray, pooling: str, hidden_size: int) -> np.ndarray:
    """(batch, time, directions*hidden) -> (batch, directions*hidden), over the real tokens only."""
    real = (np.arange(outputs.shape[1])[None, :] < lengths[:, None])[..., None]  # (batch, time, 1)
    if pooling == "max":
        return np.where(real, outputs, -np.inf).max(axis=1)
    if pooling == "mean":
        return np.where(real, outputs, 0.0).sum(axis=1) / lengths[:, None]
    # last: the forward state after the last real token, the backward state after reading back to the first
    forward_last = outputs[np.arange(len(lengths)), lengths - 1, :hidden_size]  # (batch, hidden)
    if outputs.shape[-1] == hidden_size:
        return forward_last
    return np.concatenate([forward_last, outputs[:, 0, hidden_size:]], axis=-1)


def dense(x: np.ndarray, layer: Dense) -> np.ndarray:
    """y = x W + b."""
    return x @ layer.weight + layer.bias


def batch_norm_at_inference(x: np.ndarray, norm: BatchNorm) -> np.ndarray:
    """y = γ (x - μ) / sqrt(σ² + ε) + β, with the running mean and variance learned in training."""
    return norm.scale * (x - norm.running_mean) / np.sqrt(norm.running_variance + norm.epsilon) + norm.shift


# ----------------------------------------------------------------------------
# The model


@dataclass
class ReferenceForward:
    """Everything one forward pass computed, for a batch."""

    logits: np.ndarray  # (batch, classes)
    probabilities: np.ndarray  # (batch, classes)
    pooled: np.ndarray  # (batch, directions*hidden)
    traces: list[DirectionTrace]  # per layer and direction, arrays (batch, time, hidden)


@dataclass
class ReferenceTrace:
    """One text's pass: tokens' ids, class probabilities, and every layer's states and gates (time, hidden)."""

    token_ids: np.ndarray  # (time,)
    logits: np.ndarray  # (classes,)
    probabilities: np.ndarray  # (classes,)
    traces: list[DirectionTrace]

    def direction(self, layer: int, direction: str = "forward") -> DirectionTrace:
        for trace in self.traces:
            if trace.layer == layer and trace.direction == direction:
                return trace
        raise ValueError(f"no layer {layer} {direction} direction in this model")


@dataclass
class ReferenceModel:
    spec: ModelSpec
    embedding: np.ndarray  # E (vocabulary, embedding)
    recurrent: list[list[CellWeights]]  # [layer][direction]
    head: list[HeadLayer]
    output: Dense  # (last width, classes)

    def __post_init__(self):
        assert len(self.recurrent) == self.spec.layers and all(len(d) == self.spec.directions for d in self.recurrent)
        assert len(self.head) == len(self.spec.head)

    # -- the forward pass ----------------------------------------------------

    def forward(self, token_ids: np.ndarray, lengths: np.ndarray | None = None) -> ReferenceForward:
        """Token ids (batch, time), post-padded with 0 -> logits, probabilities and every internal state."""
        token_ids = np.asarray(token_ids, dtype=np.int64)
        if token_ids.ndim != 2:
            raise ValueError(f"token ids must be (batch, time), got shape {token_ids.shape}")
        if lengths is None:
            lengths = (token_ids != 0).sum(axis=1)
        lengths = np.clip(np.asarray(lengths, dtype=np.int64), 1, token_ids.shape[1])  # as the frameworks do

        x = dropout_at_inference(embed(token_ids, self.embedding))  # (batch, time, embedding)
        traces: list[DirectionTrace] = []
        # Thousands of small matrix products: one BLAS thread beats several waiting on each other
        # (10x here on two busy cores).
        with threadpool_limits(1, user_api="blas"):
            for layer, directions in enumerate(self.recurrent):
                if layer > 0:
                    x = dropout_at_inference(x)
                x, layer_traces = run_layer(x, lengths, directions, layer)  # (batch, time, directions*hidden)
                traces += layer_traces
        pooled = pool(x, lengths, self.spec.pooling, self.spec.hidden_size)  # (batch, directions*hidden)

        z = dropout_at_inference(pooled)
        for layer in self.head:
            z = dense(z, layer.dense)  # (batch, width)
            if layer.batch_norm is not None:
                z = batch_norm_at_inference(z, layer.batch_norm)
            z = dropout_at_inference(relu(z))
        logits = dense(z, self.output)  # (batch, classes)
        return ReferenceForward(logits, softmax(logits), pooled, traces)

    def predict_proba(self, token_ids: np.ndarray, lengths: np.ndarray | None = None) -> np.ndarray:
        """Class probabilities (batch, classes) in float64."""
        return self.forward(token_ids, lengths).probabilities

    def trace(self, token_ids) -> ReferenceTrace:
        """One text's ids (time,) without padding -> probabilities and every layer's states and gates."""
        token_ids = np.asarray(token_ids, dtype=np.int64).reshape(-1)
        if token_ids.size == 0:
            raise ValueError("trace needs at least one token id (encode an empty text as one unknown word)")
        result = self.forward(token_ids[None, :], np.array([token_ids.size]))
        one = lambda array: None if array is None else array[0]  # noqa: E731
        traces = [
            DirectionTrace(t.layer, t.direction, t.hidden[0], {name: gate[0] for name, gate in t.gates.items()},
                           one(t.candidate), one(t.cell))  # fmt: skip
            for t in result.traces
        ]
        return ReferenceTrace(token_ids, result.logits[0], result.probabilities[0], traces)

    # -- counting ----------------------------------------------------------------

    def parameter_count(self) -> int:
        """Trainable values: embedding, cells, dense layers, batch norm's γ and β (not its running statistics)."""
        total = self.embedding.size + sum(weights.parameter_count() for layer in self.recurrent for weights in layer)
        for layer in self.head:
            total += layer.dense.weight.size + layer.dense.bias.size
            if layer.batch_norm is not None:
                total += layer.batch_norm.scale.size + layer.batch_norm.shift.size
        return total + self.output.weight.size + self.output.bias.size
