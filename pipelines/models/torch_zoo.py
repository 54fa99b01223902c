"""The PyTorch zoo: one `RecurrentClassifier` built from a `ModelSpec`.

Padding. Batches are post-padded with id 0. A forward direction reads left to
right, so what it computes at real tokens never depends on the padding after
them. A backward direction must start at the *last real token*, not at the
padding: we reverse each sequence's real tokens in place (padding stays at the
end), run an ordinary forward RNN over that, and reverse its outputs back. This
is what packed sequences do, but PyTorch's packed path is several times slower
on the CPU, while this keeps the fast padded kernels (cuDNN / oneDNN).

Each direction of each layer is its own single-layer `nn.RNN/LSTM/GRU`, so the
weights of one direction are easy to find (`encoder.layers[i].forward_rnn`).
"""

from __future__ import annotations

import torch
from torch import nn

from .initialisation import initialise
from .spec import ModelSpec

RNN_CLASSES = {"rnn": nn.RNN, "lstm": nn.LSTM, "gru": nn.GRU}


def reverse_padded(x: torch.Tensor, lengths: torch.Tensor) -> torch.Tensor:
    """Reverse the first `lengths[b]` steps of each row of `x` (batch, time, ...); padding stays put."""
    time = x.shape[1]
    if not _exporting() and lengths.device.type == "cpu" and bool((lengths == time).all()):
        # No padding (one text; a batch of copies of it, as Integrated Gradients makes): a plain flip,
        # whose backward is a flip too rather than gather's much slower scatter-add.
        return x.flip(1)
    steps = torch.arange(time, device=x.device).unsqueeze(0)  # (1, time)
    last = (lengths.to(x.device) - 1).unsqueeze(1)  # (batch, 1)
    index = torch.where(steps <= last, last - steps, steps)  # (batch, time)
    index = index.view(*index.shape, *([1] * (x.dim() - 2))).expand_as(x)
    return x.gather(1, index)


def _exporting() -> bool:
    """Whether the model is being traced for export (ONNX): then no branch may depend on the data."""
    return torch.jit.is_tracing() or torch.compiler.is_compiling()


def time_mask(lengths: torch.Tensor, time: int) -> torch.Tensor:
    """(batch, time) booleans: True at real tokens."""
    return torch.arange(time, device=lengths.device).unsqueeze(0) < lengths.unsqueeze(1)


class RecurrentLayer(nn.Module):
    """One recurrent layer, reading forwards and optionally backwards."""

    def __init__(self, cell: str, input_size: int, hidden_size: int, bidirectional: bool):
        super().__init__()
        rnn_class = RNN_CLASSES[cell]
        self.forward_rnn = rnn_class(input_size, hidden_size, batch_first=True)
        self.backward_rnn = rnn_class(input_size, hidden_size, batch_first=True) if bidirectional else None

    def forward(self, x: torch.Tensor, lengths: torch.Tensor) -> torch.Tensor:
        outputs, _ = self.forward_rnn(x)  # (batch, time, hidden)
        if self.backward_rnn is None:
            return outputs
        backward, _ = self.backward_rnn(reverse_padded(x, lengths))  # (batch, time, hidden), reversed time
        return torch.cat([outputs, reverse_padded(backward, lengths)], dim=-1)  # (batch, time, 2*hidden)


class RecurrentEncoder(nn.Module):
    """Stacked recurrent layers; returns every layer's outputs."""

    def __init__(self, spec: ModelSpec):
        super().__init__()
        sizes = [spec.embedding_size] + [spec.directions * spec.hidden_size] * (spec.layers - 1)
        self.layers = nn.ModuleList(
            RecurrentLayer(spec.cell, size, spec.hidden_size, spec.bidirectional) for size in sizes
        )
        for layer in self.layers:
            for rnn in filter(None, (layer.forward_rnn, layer.backward_rnn)):
                initialise(rnn, spec)  # spec.init: the default, or a scheme for long memory
        self.dropout = nn.Dropout(spec.dropout)

    def forward(self, x: torch.Tensor, lengths: torch.Tensor) -> list[torch.Tensor]:
        outputs = []
        for index, layer in enumerate(self.layers):
            if index > 0:
                x = self.dropout(x)
            x = layer(x, lengths)  # (batch, time, directions*hidden)
            outputs.append(x)
        return outputs


def pool(outputs: torch.Tensor, lengths: torch.Tensor, pooling: str, hidden_size: int) -> torch.Tensor:
    """(batch, time, directions*hidden) -> (batch, directions*hidden), over real tokens only."""
    mask = time_mask(lengths, outputs.shape[1]).unsqueeze(-1)  # (batch, time, 1)
    if pooling == "max":
        return outputs.masked_fill(~mask, float("-inf")).max(dim=1).values
    if pooling == "mean":
        return (outputs * mask).sum(dim=1) / lengths.unsqueeze(1).to(outputs.dtype)
    # "last": the forward direction's state after the last real token; the
    # backward direction's state after reading back to the first token.
    rows = torch.arange(outputs.shape[0], device=outputs.device)
    forward_last = outputs[rows, lengths - 1, :hidden_size]  # (batch, hidden)
    if outputs.shape[-1] == hidden_size:
        return forward_last
    return torch.cat([forward_last, outputs[:, 0, hidden_size:]], dim=-1)  # (batch, 2*hidden)


class DenseHead(nn.Sequential):
    """[dense -> (batch norm) -> relu -> dropout] per hidden width, then the output layer."""

    def __init__(self, spec: ModelSpec, input_size: int):
        modules: list[nn.Module] = [nn.Dropout(spec.dropout)]
        for width in spec.head:
            modules.append(nn.Linear(input_size, width))
            if spec.batch_norm:
                modules.append(nn.BatchNorm1d(width))
            modules += [nn.ReLU(), nn.Dropout(spec.dropout)]
            input_size = width
        modules.append(nn.Linear(input_size, spec.num_classes))
        super().__init__(*modules)


class RecurrentClassifier(nn.Module):
    def __init__(self, spec: ModelSpec):
        super().__init__()
        if spec.vocab_size < 3 or spec.num_classes < 2:
            raise ValueError("resolve the spec with the vocabulary size and class count first")
        self.spec = spec
        self.embedding = nn.Embedding(spec.vocab_size, spec.embedding_size, padding_idx=0)
        # Keras's default embedding init, not PyTorch's N(0, 1): small vectors train
        # faster and generalise better here, and both twins then start alike.
        nn.init.uniform_(self.embedding.weight, -0.05, 0.05)
        with torch.no_grad():
            self.embedding.weight[0].zero_()  # the padding row
        self.embedding_dropout = nn.Dropout(spec.dropout)
        self.encoder = RecurrentEncoder(spec)
        self.head = DenseHead(spec, spec.directions * spec.hidden_size)

    def forward(self, token_ids: torch.Tensor, lengths: torch.Tensor | None = None) -> torch.Tensor:
        """Token ids (batch, time), post-padded with 0 -> class logits (batch, classes)."""
        return self.forward_embedded(self.embedding(token_ids), lengths_of(token_ids, lengths))

    def forward_embedded(self, embedded: torch.Tensor, lengths: torch.Tensor) -> torch.Tensor:
        """Logits from embeddings (batch, time, embedding); the entry point for attribution."""
        return self.forward_layers(embedded, lengths)[0]

    def forward_layers(self, embedded: torch.Tensor, lengths: torch.Tensor) -> tuple[torch.Tensor, list[torch.Tensor]]:
        """Logits (batch, classes) and every layer's outputs (batch, time, D*hidden), from embeddings.

        Explanations read the layers' outputs here rather than through hooks: a hook on a model that several
        sessions share would also catch the other sessions' forward passes.
        """
        outputs = self.encoder(self.embedding_dropout(embedded), lengths)  # per layer (batch, time, D*hidden)
        return self.head(pool(outputs[-1], lengths, self.spec.pooling, self.spec.hidden_size)), outputs


def lengths_of(token_ids: torch.Tensor, lengths: torch.Tensor | None = None) -> torch.Tensor:
    """True lengths: given, or counted as the non-padding ids (at least 1, so pooling is defined)."""
    if lengths is None:
        lengths = (token_ids != 0).sum(dim=1)
    return lengths.to(token_ids.device).clamp(min=1)


def count_parameters(model: nn.Module) -> int:
    return sum(parameter.numel() for parameter in model.parameters() if parameter.requires_grad)
