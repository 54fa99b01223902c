"""One decoder step of an encoder-decoder from scratch in NumPy: the equations of models/seq2seq.py, in float64.

    weights = decoder_weights_from_torch(spec, model.state_dict())
    step = decoder_step(weights, previous_id, state, encoder_states, mask, last)
    step.probabilities, step.attention, step.context, step.hidden

Notation (as models/reference.py): y_{t-1} the symbol written before, s_{t-1}
the decoder's state before the step, h_j the encoder's state at source
position j (only real positions take part), K its size.

    attention scores   additive  e_j = v · tanh(s_{t-1} W_q + h_j W_k + b_k)      (Bahdanau et al. 2015)
                       dot       e_j = s_{t-1} · h_j                              (Luong et al. 2015)
                       general   e_j = s_{t-1} · (h_j W)                          (Luong et al. 2015)
    weights            a_j = exp(e_j) / Σ_k exp(e_k)                over the real positions
    context            c_t = Σ_j a_j h_j        (without attention: the encoder's last state, every step)
    cell input         x_t = [E[y_{t-1}] ; c_t]
    cell               s_t = RNN | LSTM | GRU (x_t, s_{t-1})       (`rnn_step`, `lstm_step`, `gru_step`)
    output             z_t = [s_t ; c_t] W_o + b_o;  <pad>, <unk>, <s> are never written (z = -inf)
    probabilities      p_t = softmax(z_t)

The encoder is the recurrent layer the classifiers' reference already checks
(models/reference.py); what is new here is the step above, so that is what
`verify` holds the framework to.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..data.seq2seq import START_ID
from ..data.text import OOV_ID, PAD_ID
from .convert import TORCH_GATE_ORDER, _float64, _split
from .reference import CellWeights, Dense, gru_step, lstm_step, rnn_step, softmax
from .seq2seq_spec import Seq2SeqSpec


@dataclass
class DecoderWeights:
    spec: Seq2SeqSpec
    embedding: np.ndarray  # E (symbols, embedding)
    cell: CellWeights  # input (embedding + K, hidden)
    output: Dense  # (hidden + K, symbols)
    attention: dict[str, np.ndarray]  # W_q (H, A), W_k (K, A), b_k (A,), v (A,) | W (K, H) | nothing for dot


@dataclass
class DecoderStep:
    logits: np.ndarray  # (symbols,)
    probabilities: np.ndarray  # (symbols,)
    attention: np.ndarray | None  # (source,): a_j; None without attention
    context: np.ndarray  # (K,)
    hidden: np.ndarray  # s_t (hidden,)
    cell: np.ndarray | None  # an LSTM's c_t


def attention_weights(weights: DecoderWeights, query: np.ndarray, states: np.ndarray) -> np.ndarray:
    """a_j over the source positions given (the real ones only): (source,)."""
    kind, w = weights.spec.attention, weights.attention
    if kind == "additive":
        scores = np.tanh(query @ w["query"] + states @ w["key"] + w["key_bias"]) @ w["score"]
    elif kind == "general":
        scores = (states @ w["key"]) @ query
    else:
        scores = states @ query
    return softmax(scores)


def decoder_step(weights: DecoderWeights, previous: int, hidden: np.ndarray, cell: np.ndarray | None,
                 states: np.ndarray, last: np.ndarray) -> DecoderStep:  # fmt: skip
    """One step after writing `previous`, from the state (hidden, cell) over the encoder's real states (S, K)."""
    if weights.spec.attention == "none":
        attention, context = None, last
    else:
        attention = attention_weights(weights, hidden, states)
        context = attention @ states  # c_t = Σ_j a_j h_j
    x = np.concatenate([weights.embedding[previous], context])[None, :]
    if weights.spec.cell == "lstm":
        new_hidden, new_cell, _ = lstm_step(x, hidden[None, :], cell[None, :], weights.cell)
        new_cell = new_cell[0]
    else:
        step = rnn_step if weights.spec.cell == "rnn" else gru_step
        new_hidden, _ = step(x, hidden[None, :], weights.cell)
        new_cell = None
    new_hidden = new_hidden[0]
    logits = np.concatenate([new_hidden, context]) @ weights.output.weight + weights.output.bias
    logits[[PAD_ID, OOV_ID, START_ID]] = -np.inf
    return DecoderStep(logits, softmax(logits), attention, context, new_hidden, new_cell)


def decoder_weights_from_torch(spec: Seq2SeqSpec, state_dict: dict) -> DecoderWeights:
    """The decoder's weights of an `EncoderDecoder`'s state dict, as the equations above hold them."""
    order = TORCH_GATE_ORDER[spec.cell]
    transpose = lambda blocks: {gate: block.T for gate, block in blocks.items()}  # noqa: E731  (H, I) -> (I, H)
    cell = CellWeights(
        cell=spec.cell,
        input_weights=transpose(_split(_float64(state_dict["decoder.weight_ih"]), order, axis=0)),
        recurrent_weights=transpose(_split(_float64(state_dict["decoder.weight_hh"]), order, axis=0)),
        input_bias=_split(_float64(state_dict["decoder.bias_ih"]), order, axis=0),
        recurrent_bias=_split(_float64(state_dict["decoder.bias_hh"]), order, axis=0),
    )
    attention = {}
    if spec.attention == "additive":
        attention = {"query": _float64(state_dict["attention.query.weight"]).T,
                     "key": _float64(state_dict["attention.key.weight"]).T,
                     "key_bias": _float64(state_dict["attention.key.bias"]),
                     "score": _float64(state_dict["attention.score.weight"])[0]}  # fmt: skip
    elif spec.attention == "general":
        attention = {"key": _float64(state_dict["attention.key.weight"]).T}
    return DecoderWeights(
        spec=spec, embedding=_float64(state_dict["target_embedding.weight"]), cell=cell,
        output=Dense(_float64(state_dict["output.weight"]).T, _float64(state_dict["output.bias"])),
        attention=attention,
    )  # fmt: skip
