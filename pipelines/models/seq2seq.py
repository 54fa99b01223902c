"""An encoder-decoder in PyTorch, with or without attention (the spec: models/seq2seq_spec.py).

    model = EncoderDecoder(spec)
    logits, attention = model(source, lengths, decoder_inputs)            # teacher forcing: (B, T, V), (B, T, S)
    logits, attention = model(source, lengths, decoder_inputs, teacher_forcing=False)   # free running
    decoded = model.greedy(source, lengths, steps)                        # ids, attention, hidden states
    candidates = model.beam_search(source_ids, width=5, steps=12)         # best first, each with its score

The encoder reads the source (packed, so padding never reaches a state); the
decoder starts from a bridge of the encoder's last states and writes one
symbol per step from the previous symbol and a context vector: the encoder's
last state at every step (no attention), or a mix of every encoder state
weighted by attention (additive, dot, general), computed for all source
positions at once. `step` is the one decoder step every path shares, and the
one the NumPy reference (models/seq2seq_reference.py) is checked against.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import torch
from torch import nn
from torch.nn.utils.rnn import pack_padded_sequence, pad_packed_sequence

from ..data.seq2seq import END_ID, START_ID
from ..data.text import OOV_ID, PAD_ID
from .seq2seq_spec import Seq2SeqSpec
from .torch_zoo import RNN_CLASSES, count_parameters

__all__ = ["Candidate", "Decoded", "EncoderDecoder", "Memory", "count_parameters"]

CELL_CLASSES = {"rnn": nn.RNNCell, "lstm": nn.LSTMCell, "gru": nn.GRUCell}
State = torch.Tensor | tuple[torch.Tensor, torch.Tensor]  # h (B, H), or (h, c) for an LSTM


@dataclass
class Memory:
    """What the decoder may look at: the encoder's states, their attention keys, the real positions, the last state."""

    states: torch.Tensor  # (B, S, K): one per source position
    keys: torch.Tensor | None  # (B, S, A): the states as the attention compares them (None without attention)
    mask: torch.Tensor  # (B, S): True at real positions
    last: torch.Tensor  # (B, K): the context vector without attention

    def repeat(self, times: int) -> "Memory":
        """The memory of one source for `times` beams."""
        grow = lambda tensor: None if tensor is None else tensor.expand(times, *tensor.shape[1:])  # noqa: E731
        return Memory(grow(self.states), grow(self.keys), grow(self.mask), grow(self.last))


class Attention(nn.Module):
    """Scores of every encoder state against the decoder's state, softmaxed over the real positions."""

    def __init__(self, kind: str, query_size: int, key_size: int):
        super().__init__()
        self.kind = kind
        if kind == "additive":  # e_j = v · tanh(W_q s + W_k h_j + b)
            self.query = nn.Linear(query_size, query_size, bias=False)
            self.key = nn.Linear(key_size, query_size)
            self.score = nn.Linear(query_size, 1, bias=False)
        elif kind == "general":  # e_j = s · (W h_j)
            self.key = nn.Linear(key_size, query_size, bias=False)

    def keys(self, states: torch.Tensor) -> torch.Tensor:
        """The part of the scores that depends on the source alone, computed once per source: (B, S, A)."""
        return states if self.kind == "dot" else self.key(states)

    def forward(self, query: torch.Tensor, keys: torch.Tensor, mask: torch.Tensor) -> torch.Tensor:
        """Attention weights (B, S) of a query (B, H): zero at padding, summing to one."""
        if self.kind == "additive":
            scores = self.score(torch.tanh(self.query(query)[:, None, :] + keys)).squeeze(-1)  # (B, S)
        else:
            scores = torch.bmm(keys, query[:, :, None]).squeeze(-1)  # (B, S)
        return torch.softmax(scores.masked_fill(~mask, float("-inf")), dim=-1)


@dataclass
class Decoded:
    """Greedy decoding of a batch: what was written, where it looked, and the decoder's states."""

    ids: torch.Tensor  # (B, T): END and then padding once a row is done
    attention: torch.Tensor | None  # (B, T, S); None without attention
    hidden: torch.Tensor  # (B, T, H): the decoder's state after each written symbol
    log_probabilities: torch.Tensor  # (B, T): of each written symbol


@dataclass
class Candidate:
    """One finished (or cut-off) beam: its symbols, the sum of their log probabilities, and its trace."""

    ids: list[int]  # without START; ends with END unless the step limit cut it
    score: float
    attention: torch.Tensor | None  # (T, S)
    hidden: torch.Tensor  # (T, H)
    log_probabilities: list[float]


class EncoderDecoder(nn.Module):
    def __init__(self, spec: Seq2SeqSpec):
        super().__init__()
        if spec.vocabulary_size < 5:
            raise ValueError("resolve the spec with the task's symbols first")
        self.spec = spec
        size, hidden, embedding = spec.vocabulary_size, spec.hidden_size, spec.embedding_size
        self.source_embedding = nn.Embedding(size, embedding, padding_idx=PAD_ID)
        self.encoder = RNN_CLASSES[spec.cell](embedding, hidden, batch_first=True, bidirectional=spec.bidirectional)
        self.bridge = nn.Linear(spec.encoder_size, hidden)  # the decoder's first state from the encoder's last
        self.cell_bridge = nn.Linear(spec.encoder_size, hidden) if spec.cell == "lstm" else None
        self.attention = Attention(spec.attention, hidden, spec.encoder_size) if spec.attention != "none" else None
        self.target_embedding = nn.Embedding(size, embedding, padding_idx=PAD_ID)
        self.decoder = CELL_CLASSES[spec.cell](embedding + spec.encoder_size, hidden)
        self.output = nn.Linear(hidden + spec.encoder_size, size)
        # Padding, <unk> and <s> are never written: their logits are -inf, so they take no probability.
        never = torch.zeros(size, dtype=torch.bool)
        never[[PAD_ID, OOV_ID, START_ID]] = True
        self.register_buffer("never", never, persistent=False)

    # ------------------------------------------------------------------
    # The two halves

    def encode(self, source: torch.Tensor, lengths: torch.Tensor) -> tuple[Memory, State]:
        """Read the sources (B, S) of `lengths` (B,): the decoder's memory and its first state."""
        x = self.source_embedding(source)  # (B, S, E)
        packed = pack_padded_sequence(x, lengths.cpu(), batch_first=True, enforce_sorted=False)
        packed_states, final = self.encoder(packed)
        states, _ = pad_packed_sequence(packed_states, batch_first=True, total_length=source.shape[1])  # (B, S, K)
        h = final[0] if isinstance(final, tuple) else final  # (directions, B, H)
        last = h.transpose(0, 1).reshape(source.shape[0], -1)  # (B, K): forward's last, backward's first
        state: State = torch.tanh(self.bridge(last))  # (B, H)
        if self.cell_bridge is not None:
            c = final[1].transpose(0, 1).reshape(source.shape[0], -1)
            state = (state, self.cell_bridge(c))
        mask = torch.arange(source.shape[1], device=source.device)[None, :] < lengths.to(source.device)[:, None]
        keys = self.attention.keys(states) if self.attention is not None else None
        return Memory(states, keys, mask, last), state

    def step(self, previous: torch.Tensor, state: State, memory: Memory
             ) -> tuple[torch.Tensor, State, torch.Tensor | None]:  # fmt: skip
        """One decoder step: logits (B, V) of the next symbol after `previous` (B,), the new state, the weights
        (B, S) it attended with (None without attention). The query is the previous state (Bahdanau's order)."""
        h = state[0] if isinstance(state, tuple) else state  # (B, H)
        if self.attention is None:
            context, weights = memory.last, None  # (B, K)
        else:
            weights = self.attention(h, memory.keys, memory.mask)  # (B, S)
            context = torch.bmm(weights[:, None, :], memory.states).squeeze(1)  # (B, K)
        x = torch.cat([self.target_embedding(previous), context], dim=-1)  # (B, E + K)
        state = self.decoder(x, state)
        h = state[0] if isinstance(state, tuple) else state
        logits = self.output(torch.cat([h, context], dim=-1)).masked_fill(self.never, float("-inf"))  # (B, V)
        return logits, state, weights

    # ------------------------------------------------------------------
    # Training and decoding

    def forward(self, source: torch.Tensor, lengths: torch.Tensor, decoder_inputs: torch.Tensor,
                teacher_forcing: bool = True) -> tuple[torch.Tensor, torch.Tensor | None]:  # fmt: skip
        """Logits (B, T, V) for each target position, and the attention (B, T, S) (None without attention).

        With teacher forcing every step reads the true previous symbol (`decoder_inputs`: START then the target
        but its last); without, only the first START is read and then the model's own likeliest symbol.
        """
        memory, state = self.encode(source, lengths)
        previous = decoder_inputs[:, 0]
        logits, weights = [], []
        for t in range(decoder_inputs.shape[1]):
            step_logits, state, step_weights = self.step(previous, state, memory)
            logits.append(step_logits)
            weights.append(step_weights)
            if t + 1 < decoder_inputs.shape[1]:
                previous = decoder_inputs[:, t + 1] if teacher_forcing else step_logits.argmax(-1)
        attention = torch.stack(weights, dim=1) if self.attention is not None else None
        return torch.stack(logits, dim=1), attention

    @torch.no_grad()
    def greedy(self, source: torch.Tensor, lengths: torch.Tensor, steps: int) -> Decoded:
        """Write the likeliest symbol at each step, for at most `steps` steps or until every row has written END."""
        memory, state = self.encode(source, lengths)
        batch = source.shape[0]
        previous = torch.full((batch,), START_ID, dtype=torch.long, device=source.device)
        done = torch.zeros(batch, dtype=torch.bool, device=source.device)
        ids, weights, hidden, log_probabilities = [], [], [], []
        for _ in range(steps):
            logits, state, step_weights = self.step(previous, state, memory)
            log_p = torch.log_softmax(logits.float(), dim=-1)
            best = log_p.argmax(-1)
            ids.append(best.masked_fill(done, PAD_ID))
            log_probabilities.append(log_p.gather(1, best[:, None]).squeeze(1).masked_fill(done, 0.0))
            weights.append(step_weights)
            hidden.append(state[0] if isinstance(state, tuple) else state)
            done = done | (best == END_ID)
            previous = best
            if bool(done.all()):
                break
        attention = torch.stack(weights, dim=1) if self.attention is not None else None
        return Decoded(torch.stack(ids, 1), attention, torch.stack(hidden, 1), torch.stack(log_probabilities, 1))

    @torch.no_grad()
    def beam_search(self, source_ids: torch.Tensor, width: int, steps: int) -> list[Candidate]:
        """The `width` likeliest outputs of one source (S,) found by beam search, best (highest score) first.

        A beam's score is the sum of its symbols' log probabilities; at each step every live beam is extended by
        every symbol and the `width` best extensions live on, those that wrote END leaving as finished. The search
        stops when no live beam can beat the `width`-th finished one (scores only fall), or after `steps` steps
        (the live beams are then candidates too, unfinished). Width 1 is greedy decoding.
        """
        source = source_ids[None, :]
        memory, state = self.encode(source, torch.tensor([source.shape[1]]))
        beams, finished = [_Beam()], []
        previous = torch.full((1,), START_ID, dtype=torch.long, device=source.device)
        for _ in range(steps):
            logits, state, weights = self.step(previous, state, memory.repeat(len(beams)))
            log_p = torch.log_softmax(logits.float(), dim=-1)  # (beams, V)
            h = state[0] if isinstance(state, tuple) else state  # (beams, H)
            scores = torch.tensor([beam.score for beam in beams], device=source.device)
            totals = (scores[:, None] + log_p).flatten()  # (beams * V,)
            live, rows = [], []
            for flat in torch.argsort(totals, descending=True, stable=True).tolist():
                if len(live) == width or totals[flat] == float("-inf"):
                    break
                row, symbol = divmod(flat, log_p.shape[1])
                beam = beams[row].extended(symbol, float(log_p[row, symbol]),
                                           None if weights is None else weights[row], h[row])  # fmt: skip
                if symbol == END_ID:
                    finished.append(beam)
                else:
                    live.append(beam)
                    rows.append(row)
            finished.sort(key=lambda beam: -beam.score)
            if not live or (len(finished) >= width and finished[width - 1].score >= live[0].score):
                beams = []
                break
            beams = live
            picked = torch.tensor(rows, device=source.device)
            state = (state[0][picked], state[1][picked]) if isinstance(state, tuple) else state[picked]
            previous = torch.tensor([beam.ids[-1] for beam in beams], device=source.device)
        finished = sorted(finished + beams, key=lambda beam: -beam.score)  # beams left: cut off by the step limit
        return [beam.candidate() for beam in finished[:width]]


@dataclass
class _Beam:
    """A partial output in beam search and its trace so far."""

    ids: list[int] = field(default_factory=list)
    score: float = 0.0
    log_probabilities: list[float] = field(default_factory=list)
    weights: list[torch.Tensor] = field(default_factory=list)
    hidden: list[torch.Tensor] = field(default_factory=list)

    def extended(self, symbol: int, log_p: float, weights: torch.Tensor | None, hidden: torch.Tensor) -> "_Beam":
        return _Beam(self.ids + [symbol], self.score + log_p, self.log_probabilities + [log_p],
                     self.weights + ([] if weights is None else [weights]), self.hidden + [hidden])  # fmt: skip

    def candidate(self) -> Candidate:
        attention = torch.stack(self.weights) if self.weights else None
        return Candidate(self.ids, self.score, attention, torch.stack(self.hidden), self.log_probabilities)
