"""What each recurrent layer computes at each token, from the layer's own weights.

PyTorch's fused kernels return the hidden states and keep the gates to
themselves. So we take each layer and direction's hidden states from its own
kernel and compute the gates from the textbook equations and the trained
weights (float32, like the model): a step's gates depend only on its input and
the previous hidden state, so every step's are computed at once (a loop of
several hundred small steps cost a 200-token review 25 ms). The tests check the
states against the model's own forward pass and against a step-by-step NumPy
reference to 1e-5.

    RNN   Elman (1990)
          h_t = tanh(W_ih x_t + b_ih + W_hh h_{t-1} + b_hh)
    LSTM  Hochreiter & Schmidhuber (1997), forget gate after Gers et al. (2000)
          i, f, o = sigmoid(W_i* x_t + b_i* + W_h* h_{t-1} + b_h*)     g = tanh(...)
          c_t = f * c_{t-1} + i * g            h_t = o * tanh(c_t)
    GRU   Cho et al. (2014), as PyTorch writes it (reset applied after the product)
          r, z = sigmoid(...)                  n = tanh(W_in x_t + b_in + r * (W_hn h_{t-1} + b_hn))
          h_t = (1 - z) * n + z * h_{t-1}

A backward direction reads the text from its last token to its first; its step
for token t is stored at row t, so every array reads in the order of the text.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import torch
from torch import nn

from ..models.cells import GATES, STEP_VALUES
from ..models.torch_zoo import RecurrentClassifier

CELL_VALUES = STEP_VALUES  # values kept per step besides the hidden state (the cells' own table)
DIRECTIONS = ("forward", "backward")
__all__ = ["CELL_VALUES", "DIRECTIONS", "GATES", "LayerStates", "UNIT_ORDERS", "read_layers", "units_by_similarity"]


@dataclass
class LayerStates:
    """One direction of one recurrent layer, one row per token read (reading order of the text)."""

    layer: int  # 0 = the layer reading the embeddings
    direction: str  # "forward" | "backward"
    hidden: np.ndarray  # (tokens, hidden)
    values: dict[str, np.ndarray]  # CELL_VALUES[cell] -> (tokens, hidden): gates, candidate, cell state
    # Drawn from the arrays above, so a page only has to plot:
    norm: np.ndarray = field(init=False)  # (tokens,) L2 norm of the hidden state
    means: dict[str, np.ndarray] = field(init=False)  # gate name -> (tokens,) mean over units
    # Σ_t h_j(t) · ∂P(target)/∂h_j(t): how much unit j pushed towards the target class; set by `explain`.
    unit_contribution: np.ndarray | None = None  # (hidden,)
    unit_order: np.ndarray | None = None  # (hidden,) units from most towards the target to most against

    def __post_init__(self):
        self.norm = np.linalg.norm(self.hidden, axis=1)
        self.means = {name: values.mean(axis=1) for name, values in self.values.items()}

    def set_contribution(self, contribution: np.ndarray) -> None:
        self.unit_contribution = contribution
        self.unit_order = np.argsort(-contribution, kind="stable")

    def ordered_units(self, by: str, by_words: np.ndarray | None = None) -> np.ndarray:
        """Unit indices (hidden,) for drawing, by one of UNIT_ORDERS. "words" takes the run's order from its test
        set (`UnitWords.order`, given as `by_words`); without it, the units are clustered on this text instead."""
        if by == "words" and by_words is not None:
            return np.asarray(by_words)
        if by == "words":
            by = "similarity"
        if by == "contribution" and self.unit_order is not None:
            return self.unit_order
        if by == "similarity":
            return units_by_similarity(self.hidden)
        if by in UNIT_ORDERS:
            return np.arange(self.hidden.shape[1])
        raise ValueError(f"unknown unit order {by!r}; choose one of: {', '.join(UNIT_ORDERS)}")

    def to_json(self) -> dict:
        return {
            "layer": self.layer,
            "direction": self.direction,
            "hidden": self.hidden.tolist(),
            "values": {name: values.tolist() for name, values in self.values.items()},
            "norm": self.norm.tolist(),
            "means": {name: means.tolist() for name, means in self.means.items()},
            "unit_contribution": None if self.unit_contribution is None else self.unit_contribution.tolist(),
            "unit_order": None if self.unit_order is None else self.unit_order.tolist(),
        }


UNIT_ORDERS = {
    "words": "units that answer the same words on the test set next to each other: the same rows for every text",
    "contribution": "by how much each unit pushed towards the explained class (most towards it first)",
    "similarity": "units that rise and fall together next to each other (clustered by correlation)",
    "index": "as the model numbers them",
}


def units_by_similarity(hidden: np.ndarray) -> np.ndarray:
    """An order of the units (hidden,) that puts units with similar time courses side by side.

    Average-linkage clustering of the units' activations over the tokens, with
    correlation distance 1 - r, read off in dendrogram order. Units that do not
    change over the text correlate with nothing; they come last.
    """
    from scipy.cluster.hierarchy import leaves_list, linkage  # only when asked: scipy's import is not free

    hidden = np.asarray(hidden, dtype=np.float64)  # (tokens, hidden)
    moving = np.flatnonzero(hidden.std(axis=0) > 1e-6)
    still = np.setdiff1d(np.arange(hidden.shape[1]), moving)
    if len(moving) < 3:
        return np.concatenate([moving, still])
    tree = linkage(hidden[:, moving].T, method="average", metric="correlation")
    return np.concatenate([moving[leaves_list(tree)], still])


def cell_of(rnn: nn.RNNBase) -> str:
    if isinstance(rnn, nn.LSTM):
        return "lstm"
    if isinstance(rnn, nn.GRU):
        return "gru"
    return "rnn"


@torch.inference_mode()
def step_through(rnn: nn.RNNBase, inputs: torch.Tensor) -> dict[str, torch.Tensor]:
    """Run one single-layer, one-direction nn.RNN / LSTM / GRU over `inputs` (time, features).

    Returns "hidden" and the cell's CELL_VALUES, each (time, hidden). The hidden
    states are the layer's own (its fused kernel); each step's gates depend only
    on x_t and h_{t-1}, so the cells' one-step equations below give every step's
    gates at once from those, and only the LSTM's cell state follows its
    recurrence step by step.
    """
    assert rnn.num_layers == 1 and not rnn.bidirectional and rnn.bias and rnn.proj_size == 0, rnn
    hidden = rnn(inputs.unsqueeze(0))[0][0]  # (time, hidden)
    previous = torch.cat([hidden.new_zeros(1, rnn.hidden_size), hidden[:-1]])  # h_{t-1}, h_{-1} = 0
    x, size, cell = project_inputs(rnn, inputs), rnn.hidden_size, cell_of(rnn)
    if cell == "rnn":
        return {"hidden": hidden}  # nothing but the state itself
    if cell == "gru":
        _, reset_update, candidate = gru_step(rnn, x, previous)  # every step at once
        return {"hidden": hidden, "reset": reset_update[:, :size], "update": reset_update[:, size:],
                "candidate": candidate}  # fmt: skip
    _, _, gates, candidate = lstm_step(rnn, x, previous, torch.zeros_like(previous))  # gates need no c_{t-1}
    i, f, o = gates[:, :size], gates[:, size : 2 * size], gates[:, 3 * size :]
    c, cells = inputs.new_zeros(size), []
    for forget, remember, new in zip(f, i, candidate):
        c = torch.addcmul(forget * c, remember, new)  # c_t = f * c_{t-1} + i * g
        cells.append(c)
    return {"hidden": hidden, "input": i, "forget": f, "output": o, "candidate": candidate, "cell": torch.stack(cells)}


def unroll(rnn: nn.RNNBase, inputs: torch.Tensor, states: list[torch.Tensor] | None = None,
           cells: list[torch.Tensor] | None = None) -> dict[str, torch.Tensor]:  # fmt: skip
    """`step_through`, with autograd as the caller has it, for one text (time, features) or a batch of equally
    long texts (time, batch, features). `states` (and `cells`, for an LSTM) collect each step's h_t (c_t): the
    graph's own nodes, so gradients can be asked with respect to the state itself (every path from it to the
    loss, not only the direct one). `pipelines.explain.gradients` does.
    """
    assert rnn.num_layers == 1 and not rnn.bidirectional and rnn.bias and rnn.proj_size == 0, rnn
    steps = {"rnn": _rnn_steps, "lstm": _lstm_steps, "gru": _gru_steps}[cell_of(rnn)]
    return steps(rnn, inputs, states if states is not None else [], cells if cells is not None else [])


def project_inputs(rnn: nn.RNNBase, inputs: torch.Tensor) -> torch.Tensor:
    """Every step's input projection at once (time, ..., blocks*hidden): W_ih x_t + b (the part without h)."""
    bias = rnn.bias_ih_l0 if isinstance(rnn, nn.GRU) else rnn.bias_ih_l0 + rnn.bias_hh_l0  # GRU: b_hn stays apart
    return inputs @ rnn.weight_ih_l0.T + bias


# One step of each cell from its projected input x (..., blocks*hidden) and the previous state (..., hidden):
# the equations, written once. The loops below run them over a text, one step at a time; gradients.py runs
# every step of a text at once (a batch of steps) to differentiate each one.


def rnn_step(rnn: nn.RNN, x: torch.Tensor, h: torch.Tensor) -> torch.Tensor:
    activation = torch.tanh if rnn.nonlinearity == "tanh" else torch.relu
    return activation(x + h @ rnn.weight_hh_l0.T)  # W_ih x_t + b + W_hh h_{t-1}


def lstm_step(rnn: nn.LSTM, x: torch.Tensor, h: torch.Tensor, c: torch.Tensor) -> tuple[torch.Tensor, ...]:
    """(h, c, sigmoid of every block (i, f, _, o are used), candidate g)."""
    size = rnn.hidden_size
    z = x + h @ rnn.weight_hh_l0.T  # (..., 4*hidden) pre-activations of i, f, g, o (PyTorch's order)
    gates = torch.sigmoid(z)
    candidate = torch.tanh(z[..., 2 * size : 3 * size])
    c = torch.addcmul(gates[..., size : 2 * size] * c, gates[..., :size], candidate)  # f * c + i * g
    return gates[..., 3 * size :] * torch.tanh(c), c, gates, candidate  # h = o * tanh(c)


def gru_step(rnn: nn.GRU, x: torch.Tensor, h: torch.Tensor) -> tuple[torch.Tensor, ...]:
    """(h, reset and update gates, candidate n)."""
    size = rnn.hidden_size
    recurrent = rnn.bias_hh_l0 + h @ rnn.weight_hh_l0.T  # (..., 3*hidden) W_h* h + b_h*
    r_z = torch.sigmoid(x[..., : 2 * size] + recurrent[..., : 2 * size])  # reset, update
    n = torch.tanh(torch.addcmul(x[..., 2 * size :], r_z[..., :size], recurrent[..., 2 * size :]))  # b_hn in r * (.)
    return torch.lerp(n, h, r_z[..., size:]), r_z, n  # (1 - z) * n + z * h


def _zero_state(rnn: nn.RNNBase, inputs: torch.Tensor) -> torch.Tensor:
    """h_0 = 0 for one text (hidden,) or a batch of equally long texts (batch, hidden): inputs are (time, ...)."""
    return inputs.new_zeros(*inputs.shape[1:-1], rnn.hidden_size)


def _rnn_steps(rnn: nn.RNN, inputs: torch.Tensor, hidden: list, cells: list) -> dict[str, torch.Tensor]:
    h = _zero_state(rnn, inputs)
    for x in project_inputs(rnn, inputs):
        h = rnn_step(rnn, x, h)
        hidden.append(h)
    return {"hidden": torch.stack(hidden)}


def _lstm_steps(rnn: nn.LSTM, inputs: torch.Tensor, hidden: list, cells: list) -> dict[str, torch.Tensor]:
    size = rnn.hidden_size
    i, f, o = slice(0, size), slice(size, 2 * size), slice(3 * size, 4 * size)
    h = c = _zero_state(rnn, inputs)
    sigmoids, candidates = [], []
    for x in project_inputs(rnn, inputs):
        h, c, gates, candidate = lstm_step(rnn, x, h, c)
        sigmoids.append(gates), candidates.append(candidate), cells.append(c), hidden.append(h)
    gates = torch.stack(sigmoids)  # (time, ..., 4*hidden)
    return {"hidden": torch.stack(hidden), "input": gates[..., i], "forget": gates[..., f], "output": gates[..., o],
            "candidate": torch.stack(candidates), "cell": torch.stack(cells)}  # fmt: skip


def _gru_steps(rnn: nn.GRU, inputs: torch.Tensor, hidden: list, cells: list) -> dict[str, torch.Tensor]:
    size = rnn.hidden_size
    h = _zero_state(rnn, inputs)
    reset_update, candidates = [], []
    for x in project_inputs(rnn, inputs):
        h, r_z, n = gru_step(rnn, x, h)
        reset_update.append(r_z), candidates.append(n), hidden.append(h)
    gates = torch.stack(reset_update)  # (time, ..., 2*hidden)
    return {"hidden": torch.stack(hidden), "reset": gates[..., :size], "update": gates[..., size:],
            "candidate": torch.stack(candidates)}  # fmt: skip


@torch.inference_mode()
def read_layers(model: RecurrentClassifier, embedded: torch.Tensor) -> list[LayerStates]:
    """Every layer and direction of `model` reading one text's embeddings (time, embedding)."""
    readings: list[LayerStates] = []
    inputs = embedded  # (time, features) of the layer being read
    for index, layer in enumerate(model.encoder.layers):
        directions = {"forward": step_through(layer.forward_rnn, inputs)}
        if layer.backward_rnn is not None:
            backward = step_through(layer.backward_rnn, inputs.flip(0))  # reads the last token first
            directions["backward"] = {name: values.flip(0) for name, values in backward.items()}  # row t = token t
        cell = cell_of(layer.forward_rnn)
        for direction, values in directions.items():
            arrays = {name: tensor.float().cpu().numpy() for name, tensor in values.items()}
            kept = {name: arrays[name] for name in CELL_VALUES[cell]}  # in the cells' table's order
            readings.append(LayerStates(index, direction, arrays["hidden"], kept))
        # Dropout between layers is off at inference, so the next layer reads exactly this.
        inputs = torch.cat([values["hidden"] for values in directions.values()], dim=-1)  # (time, D*hidden)
    return readings


@torch.inference_mode()
def prefix_probabilities(model: RecurrentClassifier, top_hidden: np.ndarray) -> np.ndarray:
    """Class probabilities after each prefix (time, classes) of a unidirectional model, from its top layer's states.

    A forward direction's state at token t has read tokens 0..t only, so pooling
    the top layer's states up to t and applying the head gives exactly the
    model's prediction for the text cut after token t.
    """
    assert not model.spec.bidirectional, "a backward direction has read the whole text at every token"
    top_hidden = torch.as_tensor(top_hidden, device=model.embedding.weight.device)  # (time, hidden)
    pooling = model.spec.pooling
    if pooling == "last":
        pooled = top_hidden
    elif pooling == "max":
        pooled = torch.cummax(top_hidden, dim=0).values
    else:
        steps = torch.arange(1, top_hidden.shape[0] + 1, device=top_hidden.device, dtype=top_hidden.dtype)
        pooled = top_hidden.cumsum(dim=0) / steps.unsqueeze(1)
    return torch.softmax(model.head(pooled), dim=-1).float().cpu().numpy()  # (time, classes)
