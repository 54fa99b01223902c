"""What a recurrent language-model pretraining (Dai & Le 2015) would cost here: time a few training steps.

    flock /work/bench.lock python scripts/benchmark_language_model.py --tokens 20000000

Dai & Le pretrained an LSTM as a language model (or sequence autoencoder) on
IMDb's 75,000 training-side reviews, then fine-tuned it as the classifier:
0.924 (LM-LSTM) and 0.928 (SA-LSTM) test accuracy. This times next-token
training steps (forward, backward, Adam) of such an LSTM on this machine's CPU
and extrapolates to one pass over the corpus (`--tokens`: the embed step's
token count), for their size (1,024 units) and for our zoo's (128 units), with
a full softmax over a 40,000-word vocabulary. Nothing is trained to the end:
it measures what an epoch would take.
"""

from __future__ import annotations

import argparse
import os
import time

import torch
from torch import nn


class LanguageModel(nn.Module):
    def __init__(self, vocabulary: int, embedding: int, hidden: int):
        super().__init__()
        self.embedding = nn.Embedding(vocabulary, embedding)
        self.lstm = nn.LSTM(embedding, hidden, batch_first=True)
        self.output = nn.Linear(hidden, vocabulary)

    def forward(self, ids: torch.Tensor) -> torch.Tensor:
        states, _ = self.lstm(self.embedding(ids))  # (batch, time, hidden)
        return self.output(states)  # (batch, time, vocabulary)


def seconds_per_token(hidden: int, embedding: int, vocabulary: int, batch: int, length: int, steps: int) -> float:
    torch.manual_seed(0)
    model = LanguageModel(vocabulary, embedding, hidden)
    optimiser = torch.optim.Adam(model.parameters(), lr=1e-3)
    ids = torch.randint(0, vocabulary, (batch, length + 1))
    loss_function = nn.CrossEntropyLoss()
    times = []
    for _ in range(steps + 1):  # the first step warms up
        started = time.perf_counter()
        logits = model(ids[:, :-1])
        loss = loss_function(logits.reshape(-1, vocabulary), ids[:, 1:].reshape(-1))
        optimiser.zero_grad()
        loss.backward()
        optimiser.step()
        times.append(time.perf_counter() - started)
    return sorted(times[1:])[len(times[1:]) // 2] / (batch * length)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--tokens", type=int, default=20_000_000, help="tokens in one pass over the corpus")
    parser.add_argument("--steps", type=int, default=3)
    args = parser.parse_args()
    print(f"{time.strftime('%Y-%m-%d %H:%M:%S')}; {os.cpu_count()} cores, torch {torch.__version__} on "
          f"{torch.get_num_threads()} threads; load average {os.getloadavg()}")
    for name, hidden, embedding in (("Dai & Le's size", 1024, 512), ("our zoo's size", 128, 128)):
        per_token = seconds_per_token(hidden, embedding, 40_000, batch=16, length=50, steps=args.steps)
        epoch_hours = per_token * args.tokens / 3600
        print(f"LSTM LM, {name} ({hidden} units, embeddings of {embedding}, softmax over 40,000 words): "
              f"{1 / per_token:,.0f} tokens/s -> {epoch_hours:,.1f} h per pass over {args.tokens:,} tokens")
    print(f"load average at the end {os.getloadavg()}")


if __name__ == "__main__":
    main()
