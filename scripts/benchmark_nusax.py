"""NusaX Indonesian -> English (`nusax-id-en`): the encoder-decoders against two honest baselines, BLEU and chrF.

The baselines (pipelines/translation/baselines.py): copying the source, and a word-for-word dictionary learned
from the 500 training pairs with IBM Model 1. The models: the seq2seq zoo's GRU 128 without attention, with
additive and with dot attention, and the LSTM 128 with additive attention, each trained as `train --dataset
nusax-id-en --zoo seq2seq --only PATTERN` does (early stopping on the validation loss) within at most `--seconds`
of training. Everything is scored on the 400 test pairs by greedy decoding.

    RNNLENS_DATA_DIR=../shared/data python scripts/benchmark_nusax.py                # 180 s at most each
    python scripts/benchmark_nusax.py --seconds 30 --only 'gru-additive-*' --json
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import subprocess
import tempfile
import time

import torch

from pipelines.store import Store
from pipelines.training.dispatch import train
from pipelines.training.request import TrainRequest

TASK = "nusax-id-en"
MODELS = ("gru-none-*", "gru-additive-*", "gru-dot-*", "lstm-additive-*")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--seconds", type=float, default=180, help="training time of each model at most (180)")
    parser.add_argument("--only", nargs="*", default=list(MODELS), help="the zoo's models to train (patterns)")
    parser.add_argument("--store", default=None, help="store folder (default: a fresh temporary one)")
    parser.add_argument("--data-dir", default=None, help="the folder holding nusax-sentiment/ (or RNNLENS_DATA_DIR)")
    parser.add_argument("--json", action="store_true")
    args = parser.parse_args()

    store = Store(args.store or tempfile.mkdtemp(prefix="nusax-benchmark-"))
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], capture_output=True, text=True).stdout.strip()
    result = {"machine": f"{platform.machine()}, {os.cpu_count()} CPUs, torch {torch.__version__}", "commit": commit,
              "load_before": os.getloadavg()[0], "seconds": args.seconds, "models": []}  # fmt: skip
    for pattern in args.only:
        started = time.perf_counter()
        [outcome] = train(store, TrainRequest(dataset=TASK, zoo="seq2seq", only=(pattern,), data_dir=args.data_dir,
                                              overrides={"max_seconds": args.seconds}, show_progress=False))
        record = store.find_run(outcome.run_id)
        metrics = record.metrics
        result["models"].append({
            "run_id": record.run_id, "label": record.spec.label, "result": outcome.result, "bleu": metrics.bleu,
            "chrf": metrics.chrf, "exact_match": metrics.exact_match, "token_accuracy": metrics.token_accuracy,
            "train_seconds": metrics.train_seconds, "epochs": metrics.epochs_trained,
            "best_epoch": metrics.best_epoch, "wall_seconds": time.perf_counter() - started,
            "samples": [sample.to_json() for sample in metrics.samples[:3]],
        })  # fmt: skip
        if not args.json:
            row = result["models"][-1]
            print(f"{row['label']:34} BLEU {row['bleu']:5.2f}  chrF {row['chrf']:5.2f}  per token "
                  f"{row['token_accuracy']:.3f}  {row['epochs']} epochs (best {row['best_epoch']}), "
                  f"{row['train_seconds']:.0f} s training", flush=True)  # fmt: skip
    result["baselines"] = store.read_dataset(TASK).baselines if result["models"] else {}
    result["load_after"] = os.getloadavg()[0]
    if args.json:
        print(json.dumps(result, indent=2))
        return
    for name, scores in result["baselines"].items():
        print(f"baseline {name:25} BLEU {scores['bleu']:5.2f}  chrF {scores['chrf']:5.2f}")
    print(f"commit {commit}, {result['machine']}, load {result['load_before']:.1f} -> {result['load_after']:.1f}")


if __name__ == "__main__":
    main()
