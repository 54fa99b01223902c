"""Training throughput: our trainer against a naive loop, same model and data.

The naive loop is what most tutorials write: every text padded to `maxlen`,
batches of 32 in random order, no bucketing. Ours buckets texts by length and
uses the data set's batch size and the trainer's fused Adam kernel. Both train
the same `RecurrentClassifier` with the same Adam settings and clipping for one
epoch over the same examples; we report training examples per second and their
ratio, measured in one process, the two interleaved.

    python scripts/benchmark_training.py --dataset rt-polarity
    python scripts/benchmark_training.py --dataset imdb --examples 3000
    python scripts/benchmark_training.py --threads 1     # one thread: steadier on a shared machine
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import time

import numpy as np
import torch
from torch import nn

from pipelines.data import build_vocabulary, load_dataset
from pipelines.devices import pick_device, seed_everything
from pipelines.encoding import EncodedSplit
from pipelines.models.spec import ModelSpec
from pipelines.models.torch_zoo import RecurrentClassifier
from pipelines.training.config import TrainConfig
from pipelines.training.torch_loop import fit


def naive_epoch(model: nn.Module, split: EncodedSplit, maxlen: int, device: torch.device,
                batch_size: int = 32) -> float:  # fmt: skip
    """One epoch the tutorial way; returns training examples per second."""
    ids, lengths, labels = split.padded(np.arange(len(split)), width=maxlen)  # everything padded to maxlen
    ids, lengths, labels = (torch.from_numpy(a) for a in (ids, lengths, labels))
    optimizer = torch.optim.Adam(model.parameters(), lr=0.002)
    loss_function = nn.CrossEntropyLoss()
    model.train()
    order = torch.randperm(len(split))
    start = time.perf_counter()
    for begin in range(0, len(split), batch_size):
        index = order[begin : begin + batch_size]
        logits = model(ids[index].to(device), lengths[index].to(device))
        loss = loss_function(logits, labels[index].to(device))
        optimizer.zero_grad()
        loss.backward()
        nn.utils.clip_grad_norm_(model.parameters(), 1.0)
        optimizer.step()
    if device.type == "cuda":
        torch.cuda.synchronize()
    return len(split) / (time.perf_counter() - start)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--dataset", default="rt-polarity")
    parser.add_argument("--examples", type=int, default=4000, help="training examples per epoch")
    parser.add_argument("--cell", default="lstm")
    parser.add_argument("--hidden", type=int, default=64)
    parser.add_argument("--device", default="auto")
    parser.add_argument("--repeats", type=int, default=2)
    parser.add_argument("--threads", type=int, default=None, help="CPU threads (default: PyTorch's own choice)")
    args = parser.parse_args()
    if args.threads:
        torch.set_num_threads(args.threads)

    device = pick_device(args.device)
    dataset = load_dataset(args.dataset)
    vocabulary = build_vocabulary(dataset)
    train = EncodedSplit.encode(dataset.train[: args.examples], vocabulary)
    validation = EncodedSplit.encode(dataset.validation[:200], vocabulary)
    spec = ModelSpec(cell=args.cell, bidirectional=True, hidden_size=args.hidden, embedding_size=args.hidden,
                     pooling="max").resolved(len(vocabulary), len(dataset.info.classes))  # fmt: skip
    config = TrainConfig.layered(dataset.info.training, {"epochs": 1})

    ours, naive = [], []
    for repeat in range(args.repeats):  # interleaved, so drift in machine load hits both
        seed_everything(repeat)
        model = RecurrentClassifier(spec).to(device)
        ours.append(fit(model, train, validation, config, device).history[0]["examples_per_second"])
        seed_everything(repeat)
        model = RecurrentClassifier(spec).to(device)
        naive.append(naive_epoch(model, train, vocabulary.maxlen, device))

    result = {
        "dataset": args.dataset,
        "model": spec.label(),
        "examples": len(train),
        "mean_tokens": float(train.lengths.mean()),
        "maxlen": vocabulary.maxlen,
        "batch_size_ours": config.batch_size,
        "ours_examples_per_second": float(np.median(ours)),
        "naive_examples_per_second": float(np.median(naive)),
        "speedup": float(np.median(ours) / np.median(naive)),
        "device": torch.cuda.get_device_name(device) if device.type == "cuda" else f"cpu ({os.cpu_count()} cores)",
        "threads": torch.get_num_threads(),
        "torch": torch.__version__,
        "machine": platform.machine(),
    }
    print(json.dumps(result, indent=1))
    print(
        f"| {result['dataset']} | {result['model']} | {result['examples']} "
        f"| {result['mean_tokens']:.0f} / {result['maxlen']} "
        f"| {result['ours_examples_per_second']:.0f} | {result['naive_examples_per_second']:.0f} "
        f"| **{result['speedup']:.1f}x** | {result['device']} |"
    )


if __name__ == "__main__":
    main()
