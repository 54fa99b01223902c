"""How the recurrent weights start: the lesson of the memory lab.

A gate makes long memory *possible*; where its bias starts decides whether
training finds that memory in a short budget. With PyTorch's default (every
bias uniform in ±1/√H) an LSTM's forget gate and a GRU's update gate sit near
0.5, so a memory halves at every step and nothing survives 100 steps to be
learned from (BENCHMARKS.md, "Memory lab").

- forget-bias: the LSTM's forget gate (the GRU's update gate) starts at bias 1,
  keeping about 73% per step. Gers, Schmidhuber & Cummins (2000); Jozefowicz,
  Zaremba & Sutskever (2015), "An empirical exploration of recurrent network
  architectures".
- chrono: the same biases drawn as log U(1, T - 1) for a longest expected
  dependency of T steps, so that units forget on time scales spread up to T; an
  LSTM's input gate starts at the negative. Tallec & Ollivier (2018), "Can
  recurrent neural networks warp time?", https://arxiv.org/abs/1804.11188.
- identity: a plain RNN's recurrent matrix starts as the identity (biases at
  zero), so the state is carried unchanged until training moves it. Le, Jaitly
  & Hinton (2015), "A simple way to initialize recurrent networks of rectified
  linear units", https://arxiv.org/abs/1504.00941.

PyTorch keeps two biases per block (b_ih + b_hh); the scheme sets b_ih and
zeroes b_hh, so their sum is the bias the paper asks for.
"""

from __future__ import annotations

import torch
from torch import nn

from .convert import TORCH_GATE_ORDER
from .spec import ModelSpec

# Where PyTorch packs each block in weight_ih / bias_ih (LSTM i, f, g, o; GRU r, z, n).
LSTM_INPUT, LSTM_FORGET = TORCH_GATE_ORDER["lstm"].index("input"), TORCH_GATE_ORDER["lstm"].index("forget")
GRU_UPDATE = TORCH_GATE_ORDER["gru"].index("update")


def initialise(rnn: nn.RNNBase, spec: ModelSpec) -> None:
    """Apply `spec.init` to one single-layer recurrent module, in place (seeded by torch's generator)."""
    if spec.init == "default":
        return
    size = rnn.hidden_size
    with torch.no_grad():
        if spec.init == "identity":
            rnn.weight_hh_l0.copy_(torch.eye(size))
            rnn.bias_ih_l0.zero_()
            rnn.bias_hh_l0.zero_()
            return
        keep = LSTM_FORGET if isinstance(rnn, nn.LSTM) else GRU_UPDATE  # the gate that keeps the old state
        bias = torch.ones(size) if spec.init == "forget-bias" else chrono_bias(size, spec.init_timescale)
        _set_block(rnn, keep, bias)
        if isinstance(rnn, nn.LSTM) and spec.init == "chrono":
            _set_block(rnn, LSTM_INPUT, -bias)


def chrono_bias(size: int, timescale: int) -> torch.Tensor:
    """log U(1, T - 1) per unit (Tallec & Ollivier 2018); all zero when T < 3 leaves no range to draw from."""
    if timescale < 3:
        return torch.zeros(size)
    return torch.empty(size).uniform_(1.0, float(timescale - 1)).log()


def _set_block(rnn: nn.RNNBase, block: int, bias: torch.Tensor) -> None:
    size = rnn.hidden_size
    rnn.bias_ih_l0[block * size : (block + 1) * size] = bias
    rnn.bias_hh_l0[block * size : (block + 1) * size] = 0.0
