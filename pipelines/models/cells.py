"""The three recurrent cells by name: the one table every model, explainer and page reads.

    RNN   Elman (1990)                       one weight block
    LSTM  Hochreiter & Schmidhuber (1997)    input, forget, candidate, output
    GRU   Cho et al. (2014)                  reset, update, candidate
"""

from __future__ import annotations

CELLS = ("rnn", "lstm", "gru")
CELL_NAMES = {"rnn": "RNN", "lstm": "LSTM", "gru": "GRU"}

# Each cell's weight blocks in the textbook's order (how each framework packs them: models/convert.py).
WEIGHT_BLOCKS = {
    "rnn": ("hidden",),
    "lstm": ("input", "forget", "candidate", "output"),
    "gru": ("reset", "update", "candidate"),
}
# The sigmoid gates: values in [0, 1].
GATES = {"rnn": (), "lstm": ("input", "forget", "output"), "gru": ("reset", "update")}
# What reading a text step by step keeps besides the hidden state, the most telling first
# (the forget gate of an LSTM and the update gate of a GRU decide what is carried on).
STEP_VALUES = {
    "rnn": (),
    "lstm": ("forget", "input", "output", "candidate", "cell"),
    "gru": ("update", "reset", "candidate"),
}


def weight_blocks(cell: str) -> int:
    """Weight blocks per cell: one for a plain RNN, four for an LSTM, three for a GRU."""
    return len(WEIGHT_BLOCKS[cell])
