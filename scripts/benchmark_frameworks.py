"""Time per epoch: PyTorch against Keras/TensorFlow, same architecture, data and batches.

Both frameworks train the same spec through their own backend (`backend_for`),
with the same configuration, so they see the same length-bucketed batches in
the same order (same seed), the same optimiser settings and the same
validation pass. We report, per framework, the training time of one epoch
(median over the epochs after the first), the whole first epoch (Keras traces
its step functions there), and the ratio Keras / PyTorch, all measured in one
process; repeats alternate the frameworks, so drift in machine load hits both.

    python scripts/benchmark_frameworks.py                        # BiLSTM 1x64 on rt-polarity
    python scripts/benchmark_frameworks.py --cell gru --epochs 4 --examples 4000
"""

from __future__ import annotations

import argparse
import json
import os
import platform

import numpy as np

from pipelines.backends import backend_for
from pipelines.data import build_vocabulary, load_dataset
from pipelines.encoding import EncodedSplit
from pipelines.models.spec import ModelSpec
from pipelines.training.config import TrainConfig

FRAMEWORKS = ("torch", "keras")


def set_threads(threads: int) -> None:
    """The same CPU threads for both frameworks (TensorFlow only accepts this before it starts)."""
    import tensorflow as tf
    import torch

    torch.set_num_threads(threads)
    tf.config.threading.set_intra_op_parallelism_threads(threads)
    tf.config.threading.set_inter_op_parallelism_threads(threads)


def epoch_times(framework: str, spec: ModelSpec, train: EncodedSplit, validation: EncodedSplit,
                config: TrainConfig, device: str, seed: int) -> dict:  # fmt: skip
    """Train for config.epochs epochs; training seconds of each epoch and the whole first epoch."""
    backend = backend_for(framework, device)
    model = backend.build(spec, seed=seed)
    history = backend.fit(model, train, validation, config).history
    train_seconds = [len(train) / row["examples_per_second"] for row in history]  # without the validation pass
    return {
        "device": backend.device_name,
        "first_epoch_seconds": history[0]["seconds"],
        "train_seconds": train_seconds,
        "epoch_seconds": [row["seconds"] for row in history],
        "val_accuracy": [row["val_accuracy"] for row in history],
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--dataset", default="rt-polarity")
    parser.add_argument("--examples", type=int, default=None, help="training examples per epoch (default: all)")
    parser.add_argument("--cell", default="lstm", choices=["rnn", "lstm", "gru"])
    parser.add_argument("--unidirectional", action="store_true")
    parser.add_argument("--layers", type=int, default=1)
    parser.add_argument("--hidden", type=int, default=64)
    parser.add_argument("--pooling", default="mean", choices=["last", "max", "mean"])
    parser.add_argument("--epochs", type=int, default=3, help="per framework and repeat; the first includes tracing")
    parser.add_argument("--repeats", type=int, default=1)
    parser.add_argument("--device", default="auto")
    parser.add_argument("--threads", type=int, default=None,
                        help="CPU threads for both frameworks (default: each framework's own choice)")  # fmt: skip
    args = parser.parse_args()
    if args.epochs < 2:
        parser.error("--epochs must be at least 2: the first epoch of Keras includes tracing")
    if args.threads:
        set_threads(args.threads)

    dataset = load_dataset(args.dataset)
    vocabulary = build_vocabulary(dataset)
    train = EncodedSplit.encode(dataset.train[: args.examples], vocabulary)
    validation = EncodedSplit.encode(dataset.validation, vocabulary)
    spec = ModelSpec(cell=args.cell, bidirectional=not args.unidirectional, layers=args.layers,
                     hidden_size=args.hidden, embedding_size=args.hidden,
                     pooling=args.pooling).resolved(len(vocabulary), len(dataset.info.classes))  # fmt: skip
    # A fixed number of epochs: no early stop.
    config = TrainConfig.layered(dataset.info.training, {"epochs": args.epochs, "patience": args.epochs})

    runs: dict[str, list[dict]] = {framework: [] for framework in FRAMEWORKS}
    for repeat in range(args.repeats):
        for framework in FRAMEWORKS if repeat % 2 == 0 else FRAMEWORKS[::-1]:
            runs[framework].append(epoch_times(framework, spec, train, validation, config, args.device, repeat))

    def steady(framework: str) -> float:  # median training seconds of the epochs after the first
        return float(np.median([s for run in runs[framework] for s in run["train_seconds"][1:]]))

    import tensorflow as tf
    import torch

    result = {
        "dataset": args.dataset,
        "model": spec.label(),
        "spec": spec.short_name(),
        "examples": len(train),
        "mean_tokens": float(train.lengths.mean()),
        "batch_size": config.batch_size,
        "epochs": args.epochs,
        "repeats": args.repeats,
        **{f"{framework}_epoch_seconds": steady(framework) for framework in FRAMEWORKS},
        **{f"{framework}_examples_per_second": len(train) / steady(framework) for framework in FRAMEWORKS},
        **{f"{framework}_first_epoch_seconds": float(np.median([run["first_epoch_seconds"] for run in runs[framework]]))
           for framework in FRAMEWORKS},  # fmt: skip
        "keras_over_torch": steady("keras") / steady("torch"),
        "devices": {framework: runs[framework][0]["device"] for framework in FRAMEWORKS},
        "cpu_cores": os.cpu_count(),
        "torch_threads": torch.get_num_threads(),
        "tensorflow_threads": tf.config.threading.get_intra_op_parallelism_threads() or "default",
        "load_average": os.getloadavg(),
        "torch": torch.__version__,
        "tensorflow": tf.__version__,
        "machine": platform.machine(),
        "runs": runs,
    }
    print(json.dumps(result, indent=1))
    print(
        f"| {result['dataset']} | {result['model']} | {result['examples']} | {result['batch_size']} "
        f"| {result['torch_epoch_seconds']:.1f} s | {result['keras_epoch_seconds']:.1f} s "
        f"| **{result['keras_over_torch']:.2f}x** | {result['torch_first_epoch_seconds']:.1f} s "
        f"| {result['keras_first_epoch_seconds']:.1f} s | {result['devices']['torch']} |"
    )


if __name__ == "__main__":
    main()
