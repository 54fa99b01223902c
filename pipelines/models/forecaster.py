"""The PyTorch forecasters: a window of values in, the next `horizon` values out, from one `ForecasterSpec`.

    direct           window (batch, lookback, 1) -> recurrent layers -> state after the last value -> dense
                     -> (batch, horizon)
    encoder-decoder  window -> encoder -> final states -> decoder, `horizon` steps -> dense per step -> (batch, horizon)

    model = forecaster_for(spec)

Each layer is the classifier zoo's one-direction `RecurrentLayer`, so the
weights of a layer sit where they do in every other model of the project, and
`layer_outputs` hands each layer's hidden states to the pages that look inside.
"""

from __future__ import annotations

import torch
from torch import nn

from .forecast_spec import ForecasterSpec
from .torch_zoo import RecurrentLayer


class RecurrentForecaster(nn.Module):
    def __init__(self, spec: ForecasterSpec):
        super().__init__()
        if spec.lookback < 1 or spec.horizon < 1:
            raise ValueError("resolve the spec with the lookback and the horizon first")
        self.spec = spec
        sizes = [1] + [spec.hidden_size] * (spec.layers - 1)
        self.layers = nn.ModuleList(RecurrentLayer(spec.cell, size, spec.hidden_size, False) for size in sizes)
        self.dropout = nn.Dropout(spec.dropout)
        self.head = nn.Linear(spec.hidden_size, spec.horizon)

    def layer_outputs(self, windows: torch.Tensor) -> list[torch.Tensor]:
        """Every layer's hidden states (batch, lookback, hidden) for windows (batch, lookback)."""
        x = windows.unsqueeze(-1)  # (batch, lookback, 1)
        full = torch.full((windows.shape[0],), windows.shape[1], dtype=torch.long)  # no padding: all steps are real
        outputs = []
        for index, layer in enumerate(self.layers):
            x = layer(self.dropout(x) if index else x, full)  # (batch, lookback, hidden)
            outputs.append(x)
        return outputs

    def forward(self, windows: torch.Tensor) -> torch.Tensor:
        """Encoded windows (batch, lookback) -> encoded forecasts (batch, horizon)."""
        last_state = self.layer_outputs(windows)[-1][:, -1]  # (batch, hidden)
        return self.head(last_state)


CELL_MODULES = {"rnn": nn.RNN, "lstm": nn.LSTM, "gru": nn.GRU}


class EncoderDecoderForecaster(nn.Module):
    """Seed 001's `build_seq2seq_model` in PyTorch (its Keras original: pipelines/models/keras_forecaster.py).

    An encoder LSTM reads the window; its final states (h and c: the context vector) start a decoder LSTM that
    runs `horizon` steps; a Dense layer reads each decoder state: one value per step, trained with MSE like every
    forecaster here. The seed leaves its `decoder_input` sequence open; here every decoder step reads the window's
    last value (in the model's encoding), so training and forecasting compute the same thing (no teacher forcing,
    no exposure bias) and the decoder's states alone carry the forecast forward.
    """

    def __init__(self, spec: ForecasterSpec):
        super().__init__()
        if spec.lookback < 1 or spec.horizon < 1:
            raise ValueError("resolve the spec with the lookback and the horizon first")
        self.spec = spec
        module = CELL_MODULES[spec.cell]
        self.encoder = module(1, spec.hidden_size, batch_first=True)
        self.decoder = module(1, spec.hidden_size, batch_first=True)
        self.head = nn.Linear(spec.hidden_size, 1)

    def layer_outputs(self, windows: torch.Tensor) -> list[torch.Tensor]:
        """The encoder's hidden states (batch, lookback, hidden) while it reads windows (batch, lookback)."""
        return [self.encoder(windows.unsqueeze(-1))[0]]

    def decoder_inputs(self, windows: torch.Tensor) -> torch.Tensor:
        """(batch, horizon, 1): the window's last value at every decoder step."""
        return windows[:, -1:, None].expand(-1, self.spec.horizon, 1)

    def forward(self, windows: torch.Tensor) -> torch.Tensor:
        """Encoded windows (batch, lookback) -> encoded forecasts (batch, horizon)."""
        _, context = self.encoder(windows.unsqueeze(-1))  # h (1, batch, hidden), or (h, c) for an LSTM
        states, _ = self.decoder(self.decoder_inputs(windows).contiguous(), context)
        return self.head(states).squeeze(-1)


def forecaster_for(spec: ForecasterSpec) -> nn.Module:
    """The PyTorch model of a recurrent forecaster's spec, direct or encoder-decoder."""
    return EncoderDecoderForecaster(spec) if spec.encoder_decoder else RecurrentForecaster(spec)
