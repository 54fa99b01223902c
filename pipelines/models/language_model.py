"""A character language model in PyTorch: the same cells as the classifiers, reading left to right.

    embedding -> [RNN | LSTM | GRU] x layers -> linear -> a distribution over the next character

Every position predicts the character after it, so one passage of T characters
is T + 1 predictions in one forward pass (seed 001's generator predicts one
character per window instead, which wastes all the others). Each layer is its
own single-layer `nn.RNN/LSTM/GRU`, so each layer's hidden states come out for
the Write page's heatmap, and the state can be carried from one call to the
next: that is how text is written one character at a time.
"""

from __future__ import annotations

import torch
from torch import nn

from ..data.text import PAD_ID
from .cells import weight_blocks
from .language_model_spec import LanguageModelSpec
from .torch_zoo import RNN_CLASSES, count_parameters

__all__ = ["CharLanguageModel", "State", "count_parameters", "parameter_count"]

State = list  # one entry per layer: h (1, batch, hidden), or (h, c) for an LSTM


class CharLanguageModel(nn.Module):
    def __init__(self, spec: LanguageModelSpec):
        super().__init__()
        if spec.alphabet_size < 4:
            raise ValueError("resolve the spec with the alphabet size first")
        self.spec = spec
        self.embedding = nn.Embedding(spec.alphabet_size, spec.embedding_size)
        sizes = [spec.embedding_size] + [spec.hidden_size] * (spec.layers - 1)
        self.layers = nn.ModuleList(RNN_CLASSES[spec.cell](size, spec.hidden_size, batch_first=True) for size in sizes)
        self.dropout = nn.Dropout(spec.dropout)
        self.output = nn.Linear(spec.hidden_size, spec.alphabet_size)
        # Padding is never a character to predict: its logit is -inf, so it takes no probability at all.
        never = torch.zeros(spec.alphabet_size, dtype=torch.bool)
        never[PAD_ID] = True
        self.register_buffer("never", never, persistent=False)

    def forward(self, ids: torch.Tensor, state: State | None = None) -> tuple[torch.Tensor, State, list[torch.Tensor]]:
        """Logits (batch, time, alphabet) for the character after each position, the state after the last
        position, and each layer's hidden states (batch, time, hidden).

        Padding after a passage changes nothing before it: every layer reads left to right.
        """
        x = self.dropout(self.embedding(ids))  # (batch, time, embedding)
        states, outputs = [], []
        for index, rnn in enumerate(self.layers):
            x, layer_state = rnn(x, None if state is None else state[index])  # (batch, time, hidden)
            states.append(layer_state)
            outputs.append(x)
            x = self.dropout(x)
        logits = self.output(x).masked_fill(self.never, float("-inf"))  # (batch, time, alphabet)
        return logits, states, outputs


def parameter_count(spec: LanguageModelSpec) -> int:
    """Closed form: embedding V·E, per layer G·H·(I + H) weights and 2·G·H biases (PyTorch's two), output H·V + V."""
    gates = weight_blocks(spec.cell)
    total, input_size = spec.alphabet_size * spec.embedding_size, spec.embedding_size
    for _ in range(spec.layers):
        total += gates * spec.hidden_size * (input_size + spec.hidden_size) + 2 * gates * spec.hidden_size
        input_size = spec.hidden_size
    return total + spec.hidden_size * spec.alphabet_size + spec.alphabet_size
