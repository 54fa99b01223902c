"""Weights between PyTorch, Keras and the NumPy reference.

    reference = reference_from_torch(spec, torch_model.state_dict())
    reference = reference_from_keras(spec, keras_model)
    keras_model = torch_state_to_keras(spec, torch_model.state_dict())          # a new Keras model
    torch_model.load_state_dict(keras_to_torch_state(spec, keras_model))        # strict load works

Every conversion goes through the reference's named blocks (`CellWeights`:
one weight matrix per gate, in the textbook orientation x @ W), so each
framework's layout is written down once, here. Both frameworks' layouts were
checked against their sources (torch.nn.modules.rnn; keras/src/layers/rnn/
lstm.py, gru.py, simple_rnn.py) and are pinned by tests/test_reference.py.

PyTorch (nn.RNN / nn.LSTM / nn.GRU, one layer and direction each, see torch_zoo):
    weight_ih_l0  (G*H, I)   gate blocks stacked along rows; y = x @ W.T
    weight_hh_l0  (G*H, H)
    bias_ih_l0    (G*H,)     two biases for every cell: b_ih and b_hh
    bias_hh_l0    (G*H,)
    gate order    LSTM i, f, g, o        GRU r, z, n
    GRU           n = tanh(W_in x + b_in + r * (W_hn h + b_hn))   (reset after)

Keras (SimpleRNN / LSTM / GRU, wrapped in Bidirectional when bidirectional):
    kernel           (I, G*H)   gate blocks side by side along columns; y = x @ W
    recurrent_kernel (H, G*H)
    bias             SimpleRNN, LSTM: (G*H,), one bias
                     GRU reset_after=True: (2, 3H), row 0 the input bias, row 1 the recurrent
                     GRU reset_after=False: (3H,)
    gate order       LSTM i, f, c, o (c is PyTorch's g)   GRU z, r, h (update first!)

Consequences:
- RNN and LSTM biases only ever appear as b_ih + b_hh, so PyTorch -> Keras adds
  them and Keras -> PyTorch puts the sum in b_ih and zeros in b_hh; outputs are
  unchanged, the split is not (it was never identifiable).
- PyTorch's GRU is Keras's GRU with reset_after=True: both keep the recurrent
  candidate bias inside the reset gate, so both keep two biases. A Keras GRU
  with reset_after=False has no PyTorch equivalent; converting one raises.
- Batch norm: PyTorch weight/bias/running_mean/running_var are Keras
  gamma/beta/moving_mean/moving_variance; the Keras zoo uses PyTorch's epsilon
  (1e-5), so the same numbers give the same outputs.
- Dense: PyTorch's Linear weight (out, in) is Keras's kernel (in, out) transposed.
- Embedding: the same table. Row 0 is padding, whose value never reaches an
  output (Keras masks those steps); PyTorch keeps it at zero, so Keras ->
  PyTorch writes zeros there.
"""

from __future__ import annotations

import numpy as np

from .reference import BatchNorm, CellWeights, Dense, HeadLayer, ReferenceModel
from .spec import ModelSpec

LSTM_GATE_ORDER = ("input", "forget", "candidate", "output")  # the same in both: i, f, g (Keras: c), o
TORCH_GATE_ORDER = {"rnn": ("hidden",), "lstm": LSTM_GATE_ORDER, "gru": ("reset", "update", "candidate")}
KERAS_GATE_ORDER = {"rnn": ("hidden",), "lstm": LSTM_GATE_ORDER, "gru": ("update", "reset", "candidate")}
TORCH_DIRECTIONS = ("forward_rnn", "backward_rnn")


def _split(packed: np.ndarray, order: tuple[str, ...], axis: int) -> dict[str, np.ndarray]:
    """Cut a packed matrix into its gate blocks: {gate: block}."""
    return dict(zip(order, np.split(packed, len(order), axis=axis)))


def _join(blocks: dict[str, np.ndarray], order: tuple[str, ...], axis: int) -> np.ndarray:
    return np.concatenate([blocks[gate] for gate in order], axis=axis)


def _zeros_like(blocks: dict[str, np.ndarray]) -> dict[str, np.ndarray]:
    return {gate: np.zeros_like(block) for gate, block in blocks.items()}


def _float64(value) -> np.ndarray:
    if hasattr(value, "detach"):  # a torch tensor
        value = value.detach().cpu().numpy()
    return np.array(value, dtype=np.float64)  # a copy: the reference never aliases a framework's memory


# ----------------------------------------------------------------------------
# PyTorch


def torch_head_indices(spec: ModelSpec) -> tuple[list[tuple[int, int | None]], int]:
    """Positions of the layers with weights in torch_zoo.DenseHead, an nn.Sequential of
    [Dropout, (Linear, [BatchNorm1d], ReLU, Dropout) per width, Linear]:
    ([(linear, batch norm or None) per width], output linear).
    """
    index, layers = 1, []
    for _ in spec.head:
        layers.append((index, index + 1 if spec.batch_norm else None))
        index += 4 if spec.batch_norm else 3
    return layers, index


def _torch_cell(spec: ModelSpec, state: dict, prefix: str) -> CellWeights:
    order = TORCH_GATE_ORDER[spec.cell]
    transpose = lambda blocks: {gate: block.T for gate, block in blocks.items()}  # noqa: E731  (H, I) -> (I, H)
    return CellWeights(
        cell=spec.cell,
        input_weights=transpose(_split(_float64(state[prefix + "weight_ih_l0"]), order, axis=0)),
        recurrent_weights=transpose(_split(_float64(state[prefix + "weight_hh_l0"]), order, axis=0)),
        input_bias=_split(_float64(state[prefix + "bias_ih_l0"]), order, axis=0),
        recurrent_bias=_split(_float64(state[prefix + "bias_hh_l0"]), order, axis=0),
        reset_after=True,
    )


def reference_from_torch(spec: ModelSpec, state_dict: dict) -> ReferenceModel:
    """The reference holding a `RecurrentClassifier`'s weights (state dict of tensors or arrays)."""
    directions = TORCH_DIRECTIONS[: spec.directions]
    recurrent = [
        [_torch_cell(spec, state_dict, f"encoder.layers.{layer}.{direction}.") for direction in directions]
        for layer in range(spec.layers)
    ]

    def linear(index: int) -> Dense:
        return Dense(_float64(state_dict[f"head.{index}.weight"]).T, _float64(state_dict[f"head.{index}.bias"]))

    head_indices, output_index = torch_head_indices(spec)
    head = []
    for linear_index, norm_index in head_indices:
        norm = None
        if norm_index is not None:
            names = ("weight", "bias", "running_mean", "running_var")
            norm = BatchNorm(*(_float64(state_dict[f"head.{norm_index}.{name}"]) for name in names))
        head.append(HeadLayer(linear(linear_index), norm))
    return ReferenceModel(spec, _float64(state_dict["embedding.weight"]), recurrent, head, linear(output_index))


def torch_state_from_reference(reference: ReferenceModel) -> dict:
    """A state dict that `RecurrentClassifier(spec).load_state_dict` accepts (strict), float32 tensors."""
    import torch

    spec = reference.spec
    state: dict[str, np.ndarray] = {}
    embedding = reference.embedding.copy()
    embedding[0] = 0.0  # the padding row: PyTorch keeps it at zero
    state["embedding.weight"] = embedding
    order = TORCH_GATE_ORDER[spec.cell]
    for layer, directions in enumerate(reference.recurrent):
        for direction, weights in zip(TORCH_DIRECTIONS, directions):
            if spec.cell == "gru" and not weights.reset_after:
                raise ValueError("a GRU with reset_after=False has no PyTorch equivalent (PyTorch resets after)")
            prefix = f"encoder.layers.{layer}.{direction}."
            recurrent_bias = weights.recurrent_bias or _zeros_like(weights.input_bias)
            state[prefix + "weight_ih_l0"] = _join(weights.input_weights, order, axis=1).T  # (G*H, I)
            state[prefix + "weight_hh_l0"] = _join(weights.recurrent_weights, order, axis=1).T  # (G*H, H)
            state[prefix + "bias_ih_l0"] = _join(weights.input_bias, order, axis=0)
            state[prefix + "bias_hh_l0"] = _join(recurrent_bias, order, axis=0)
    head_indices, output_index = torch_head_indices(spec)
    for (linear_index, norm_index), layer in zip(head_indices, reference.head):
        state[f"head.{linear_index}.weight"] = layer.dense.weight.T
        state[f"head.{linear_index}.bias"] = layer.dense.bias
        if norm_index is not None:
            norm = layer.batch_norm
            for name, value in zip(("weight", "bias", "running_mean", "running_var"),
                                   (norm.scale, norm.shift, norm.running_mean, norm.running_variance)):  # fmt: skip
                state[f"head.{norm_index}.{name}"] = value
    state[f"head.{output_index}.weight"] = reference.output.weight.T
    state[f"head.{output_index}.bias"] = reference.output.bias
    tensors = {name: torch.tensor(np.ascontiguousarray(value), dtype=torch.float32) for name, value in state.items()}
    for _, norm_index in head_indices:
        if norm_index is not None:
            tensors[f"head.{norm_index}.num_batches_tracked"] = torch.tensor(0, dtype=torch.long)
    return tensors


# ----------------------------------------------------------------------------
# Keras


def _array(variable) -> np.ndarray:
    return np.array(variable.numpy() if hasattr(variable, "numpy") else variable, dtype=np.float64)


def keras_directions(keras_model, layer: int) -> list:
    """The Keras RNN layers of recurrent layer `layer` (0-based): [forward] or [forward, backward]."""
    wrapper = keras_model.get_layer(f"recurrent_{layer + 1}")
    if hasattr(wrapper, "forward_layer"):  # Bidirectional
        return [wrapper.forward_layer, wrapper.backward_layer]
    return [wrapper]


def _keras_cell(cell_name: str, rnn_layer) -> CellWeights:
    cell = rnn_layer.cell
    order = KERAS_GATE_ORDER[cell_name]
    bias = _array(cell.bias)
    reset_after = bool(getattr(cell, "reset_after", True))
    if cell_name == "gru" and reset_after:
        input_bias, recurrent_bias = _split(bias[0], order, axis=0), _split(bias[1], order, axis=0)  # (2, 3H)
    else:
        input_bias, recurrent_bias = _split(bias, order, axis=0), None
    return CellWeights(
        cell=cell_name,
        input_weights=_split(_array(cell.kernel), order, axis=1),
        recurrent_weights=_split(_array(cell.recurrent_kernel), order, axis=1),
        input_bias=input_bias,
        recurrent_bias=recurrent_bias,
        reset_after=reset_after,
    )


def reference_from_keras(spec: ModelSpec, keras_model) -> ReferenceModel:
    """The reference holding the weights of a model from `keras_zoo.build_keras_model(spec)`."""
    recurrent = [
        [_keras_cell(spec.cell, rnn) for rnn in keras_directions(keras_model, layer)] for layer in range(spec.layers)
    ]
    dense_of = lambda layer: Dense(_array(layer.kernel), _array(layer.bias))  # noqa: E731
    head = []
    for index in range(1, len(spec.head) + 1):
        norm = None
        if spec.batch_norm:
            bn = keras_model.get_layer(f"batch_norm_{index}")
            statistics = (_array(bn.moving_mean), _array(bn.moving_variance))
            norm = BatchNorm(_array(bn.gamma), _array(bn.beta), *statistics, epsilon=float(bn.epsilon))
        head.append(HeadLayer(dense_of(keras_model.get_layer(f"dense_{index}")), norm))
    embedding = _array(keras_model.get_layer("embedding").embeddings)
    return ReferenceModel(spec, embedding, recurrent, head, dense_of(keras_model.get_layer("logits")))


def keras_from_reference(reference: ReferenceModel, keras_model=None):
    """Write the reference's weights into a Keras zoo model (a new one if none is given); returns the model."""
    from .keras_zoo import build_keras_model

    spec = reference.spec
    if keras_model is None:
        keras_model = build_keras_model(spec)
    order = KERAS_GATE_ORDER[spec.cell]
    keras_model.get_layer("embedding").embeddings.assign(reference.embedding.astype(np.float32))
    for layer, directions in enumerate(reference.recurrent):
        for weights, rnn in zip(directions, keras_directions(keras_model, layer)):
            cell = rnn.cell
            if spec.cell == "gru" and not (weights.reset_after and getattr(cell, "reset_after", True)):
                raise ValueError("the Keras zoo's GRU resets after the matmul (reset_after=True); these weights do not")
            summed = weights.input_bias  # RNN, LSTM: Keras keeps one bias, the sum of PyTorch's two
            if weights.recurrent_bias is not None and spec.cell != "gru":
                summed = {gate: weights.input_bias[gate] + weights.recurrent_bias[gate] for gate in order}
            if spec.cell == "gru":
                recurrent_bias = weights.recurrent_bias or _zeros_like(weights.input_bias)
                bias = np.stack([_join(weights.input_bias, order, 0), _join(recurrent_bias, order, 0)])  # (2, 3H)
            else:
                bias = _join(summed, order, 0)
            cell.kernel.assign(_join(weights.input_weights, order, axis=1).astype(np.float32))
            cell.recurrent_kernel.assign(_join(weights.recurrent_weights, order, axis=1).astype(np.float32))
            cell.bias.assign(bias.astype(np.float32))
    for index, layer in enumerate(reference.head, start=1):
        _assign_dense(keras_model.get_layer(f"dense_{index}"), layer.dense)
        if layer.batch_norm is not None:
            bn, norm = keras_model.get_layer(f"batch_norm_{index}"), layer.batch_norm
            pairs = [(bn.gamma, norm.scale), (bn.beta, norm.shift),
                     (bn.moving_mean, norm.running_mean), (bn.moving_variance, norm.running_variance)]  # fmt: skip
            for variable, value in pairs:
                variable.assign(value.astype(np.float32))
    _assign_dense(keras_model.get_layer("logits"), reference.output)
    return keras_model


def _assign_dense(layer, dense: Dense) -> None:
    layer.kernel.assign(dense.weight.astype(np.float32))
    layer.bias.assign(dense.bias.astype(np.float32))


# ----------------------------------------------------------------------------
# Between the frameworks


def torch_state_to_keras(spec: ModelSpec, state_dict: dict, keras_model=None):
    """A PyTorch zoo model's state dict -> a Keras zoo model with the same outputs.

    Fills `keras_model` in place when one is given (it must be built from the
    same spec), else builds a new one; returns the Keras model.
    """
    return keras_from_reference(reference_from_torch(spec, state_dict), keras_model)


def keras_to_torch_state(spec: ModelSpec, keras_model) -> dict:
    """A Keras zoo model -> a state dict for `RecurrentClassifier(spec).load_state_dict(...)` (strict)."""
    return torch_state_from_reference(reference_from_keras(spec, keras_model))
