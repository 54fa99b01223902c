"""The PyTorch forecaster: a window of values in, the next `horizon` values out, from one `ForecasterSpec`.

    window (batch, lookback, 1) -> recurrent layers -> state after the last value -> dense -> (batch, horizon)

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
