"""GPU readiness: the `full` zoo trained on IMDb on one GPU, explanations on CUDA, CPU against CUDA.

The CUDA path of the pipelines (bfloat16 autocast, Adam's fused kernel on
CUDA, cuDNN's recurrent kernels, and the cuDNN-off backward pass that Captum's
attributions need) runs here for the first time on a GPU. For each run of the
zoo it prints the training time, the peak GPU memory and the test accuracy;
then the explanation benchmark on CUDA (one ~200-token review, Integrated
Gradients with 32 steps, the states and gates) and the largest difference
between one run's class probabilities computed on the CPU and on CUDA.
Target: the full zoo on IMDb in 15 minutes or less on one H100/H200.

It trains through the same functions as `python -m pipelines train`
(prepare_data, plan_runs, train_run), into a temporary store unless
--artifacts is given.

A GPU machine may have PyTorch (a CUDA build) but nothing else of ours, and no
network. The script needs PyTorch, NumPy, pandas, pyarrow, scikit-learn,
safetensors, filelock, psutil, tqdm (a CUDA PyTorch image usually has them)
and pydantic; captum only for the explanation benchmark. Bring what is
missing as wheels, and IMDb without its unlabelled half:

    # here, with pip and the network
    python scripts/gpu_check.py --wheels              # prints the `pip download` command for Python 3.12 wheels
    python scripts/gpu_check.py --pack-imdb .gpu/aclImdb_v1.tar.gz --data-dir ../shared/data
    # there
    python3 -m pip install --no-index --no-deps --target /tmp/site .whl/*.whl && export PYTHONPATH=/tmp/site:$PWD
    python3 scripts/gpu_check.py --data-dir .gpu --out gpu_check.json

A dry run on the CPU, on a few examples (the test suite runs it on generated data):

    python scripts/gpu_check.py --device cpu --limit 200
"""

from __future__ import annotations

import argparse
import importlib.util
import json
import os
import platform
import statistics
import sys
import tarfile
import tempfile
import time
from pathlib import Path

# Importable names the pipelines need on a GPU machine, and the wheels to carry when they are missing
# (requirements.txt's versions; pydantic's own dependencies listed with it).
NEEDED = {
    "numpy": ["numpy==2.4.6"], "pandas": ["pandas==3.1.1"], "pyarrow": ["pyarrow==26.0.1"],
    "sklearn": ["scikit-learn==1.9.1", "scipy==1.17.1", "joblib", "threadpoolctl==3.8.0"],
    "safetensors": ["safetensors==0.8.0"], "filelock": ["filelock==4.3.1"], "psutil": ["psutil==7.2.2"],
    "tqdm": ["tqdm==4.70.1"],
    "pydantic": ["pydantic==2.14.4", "pydantic-core==2.50.5", "annotated-types==0.8.0", "typing-inspection==0.4.5",
                 "typing-extensions==4.16.0"],
}  # fmt: skip
OPTIONAL = {"captum": ["captum==0.9.0"]}  # the explanation benchmark; its own needs (matplotlib ...) come with images
PIP_DOWNLOAD = ("python3 -m pip download --no-deps --only-binary=:all: --python-version 3.12 --implementation cp "
                "--platform manylinux_2_28_x86_64 --platform manylinux_2_17_x86_64 --platform manylinux2014_x86_64 "
                "-d .whl")  # fmt: skip
TARGET_SECONDS = 15 * 60
EXPLAIN_TOKENS = 200  # the explanation benchmark's review length, as scripts/benchmark_explain.py


def missing(modules) -> list[str]:
    return [name for name in modules if importlib.util.find_spec(name) is None]


def wheels_command(modules) -> str:
    wheels = [wheel for name in modules for wheel in {**NEEDED, **OPTIONAL}[name]]
    return f"{PIP_DOWNLOAD} {' '.join(wheels)}" if wheels else "(nothing to download)"


def pack_imdb(destination: Path, data_dir: str | None) -> None:
    """IMDb's labelled reviews only (train and test, no `unsup/`), in the official layout: small enough to carry."""
    from pipelines.data import imdb

    source = imdb.find_source(data_dir)
    if not source.is_file():
        raise SystemExit(f"error: --pack-imdb reads the archive {imdb.ARCHIVE}; found the folder {source}")
    destination.parent.mkdir(parents=True, exist_ok=True)
    kept = 0
    with tarfile.open(source, "r:*") as archive, tarfile.open(destination, "w:gz") as packed:
        for member in archive:
            if member.isfile() and imdb._MEMBER.search(member.name):
                packed.addfile(member, archive.extractfile(member))
                kept += 1
    print(f"{destination}: {kept:,} reviews, {destination.stat().st_size / 2**20:.1f} MiB (from {source})")


def environment(device) -> dict:
    import torch

    facts = {"python": platform.python_version(), "torch": torch.__version__, "cuda": torch.version.cuda,
             "device": str(device), "cpus": os.cpu_count()}  # fmt: skip
    if device.type == "cuda":
        properties = torch.cuda.get_device_properties(device)
        facts.update(gpu=properties.name, gpu_memory_gib=round(properties.total_memory / 2**30, 1),
                     cudnn=torch.backends.cudnn.version(), bf16=torch.cuda.is_bf16_supported())  # fmt: skip
    return facts


def train_every_run(store, data, planned, backend, zoo_name: str) -> list[dict]:
    """Train each planned run as `train` does; per run: seconds, peak GPU memory, test accuracy."""
    import torch

    from pipelines.training.train import train_run

    cuda = backend.device.type == "cuda"
    rows = []
    for run in planned:
        with store.claim(data.key, run.run_id) as claim:
            if claim is None:
                print(f"{run.run_id}: already in {store.root}, not timed")
                continue
            if cuda:
                torch.cuda.reset_peak_memory_stats(backend.device)
            started = time.perf_counter()
            metrics = train_run(run, data, backend, claim, zoo_name)
            if cuda:
                torch.cuda.synchronize(backend.device)
            row = {"run_id": run.run_id, "seconds": time.perf_counter() - started, "accuracy": metrics["accuracy"],
                   "epochs": metrics["epochs_trained"], "best_epoch": metrics["best_epoch"],
                   "examples_per_second": metrics["examples_per_second"],
                   "peak_gpu_mib": torch.cuda.max_memory_allocated(backend.device) / 2**20 if cuda else None}
        rows.append(row)
        peak = f"{row['peak_gpu_mib']:,.0f} MiB" if cuda else "-"
        print(f"{run.run_id:<44} {row['seconds']:7.1f} s  peak {peak:>10}  accuracy {row['accuracy']:.4f}  "
              f"epochs {row['epochs']}", flush=True)  # fmt: skip
    return rows


def review_of(texts: list[str], tokens: int) -> str:
    """The test review whose length is closest to `tokens` words."""
    from pipelines.data import tokenize

    return min(texts, key=lambda text: abs(len(tokenize(text)) - tokens))


def explain_benchmark(store, key: str, run_id: str, device: str, text: str, repeats: int) -> dict:
    """Median time of one explanation (states, gates, Integrated Gradients with 32 steps) on `device`."""
    from pipelines.runs import load_run

    run = load_run(store, key, run_id, device=device)
    times, explanation = [], None
    for index in range(repeats + 2):  # two warm-ups: cuDNN picks its kernels, Captum builds its graph
        started = time.perf_counter()
        explanation = run.explain(text, methods=["integrated_gradients"], ig_steps=32)
        if index >= 2:
            times.append(time.perf_counter() - started)
    scores = explanation.attributions["integrated_gradients"]
    return {"run_id": run_id, "device": device, "tokens": len(explanation.read_tokens), "repeats": repeats,
            "median_ms": 1000 * statistics.median(times), "max_ms": 1000 * max(times),
            "ig_delta": float(scores.delta) if scores.delta is not None else None}  # fmt: skip


def cpu_against(store, key: str, run_id: str, device: str, texts: list[str]) -> dict:
    """The same run's class probabilities on the CPU and on `device`: largest difference, label agreement."""
    import numpy as np

    from pipelines.runs import load_run

    on_cpu = load_run(store, key, run_id, device="cpu").predict_proba(texts)
    on_device = load_run(store, key, run_id, device=device).predict_proba(texts)
    return {"run_id": run_id, "texts": len(texts), "device": device,
            "largest_probability_difference": float(np.abs(on_cpu - on_device).max()),
            "same_label_share": float((on_cpu.argmax(1) == on_device.argmax(1)).mean())}  # fmt: skip


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--device", default="cuda", choices=("cuda", "cpu"))
    parser.add_argument("--dataset", default="imdb")
    parser.add_argument("--zoo", action="append", default=None, help="zoo(s) to train (default: full)")
    parser.add_argument("--only", action="append", default=None, help="only the zoo's models matching this glob")
    parser.add_argument("--limit", type=int, default=None, help="at most N examples per split (a dry run)")
    parser.add_argument("--epochs", type=int, default=None, help="default: the data set's")
    parser.add_argument("--data-dir", default=None, help="where aclImdb_v1.tar.gz is (default: $RNNLENS_DATA_DIR)")
    parser.add_argument("--artifacts", default=None, help="keep the runs in this store (default: a temporary one)")
    parser.add_argument("--explain-repeats", type=int, default=10)
    parser.add_argument("--compare-texts", type=int, default=2000, help="test texts for CPU against CUDA")
    parser.add_argument("--out", default=None, help="also write the figures as JSON here")
    parser.add_argument("--wheels", action="store_true", help="print the `pip download` command for what is missing")
    parser.add_argument("--pack-imdb", default=None, metavar="FILE", help="write IMDb without its unlabelled half")
    arguments = parser.parse_args()

    absent, absent_optional = missing(NEEDED), missing(OPTIONAL)
    if arguments.wheels:
        print(wheels_command(absent + absent_optional) if absent + absent_optional else
              f"nothing missing here; for a machine with PyTorch alone: {wheels_command([*NEEDED, *OPTIONAL])}")
        return 0
    if importlib.util.find_spec("torch") is None or absent:
        names = ", ".join((["torch"] if importlib.util.find_spec("torch") is None else []) + absent)
        print(f"error: this Python lacks {names}; bring them as wheels: {wheels_command(absent)} (then "
              f"pip install --no-index --no-deps --target /tmp/site .whl/*.whl; PYTHONPATH=/tmp/site:$PWD)",
              file=sys.stderr)  # fmt: skip
        return 2
    if arguments.pack_imdb:
        pack_imdb(Path(arguments.pack_imdb), arguments.data_dir)
        return 0

    import torch

    from pipelines.backends import TorchBackend
    from pipelines.data import DataError, resolve_info
    from pipelines.models.zoos import zoo
    from pipelines.store import Store
    from pipelines.training.config import TrainConfig
    from pipelines.training.train import plan_runs, prepare_data

    if arguments.device == "cuda" and not torch.cuda.is_available():
        print("error: PyTorch sees no CUDA GPU here; use --device cpu for a dry run", file=sys.stderr)
        return 2
    backend = TorchBackend(arguments.device)
    report = {"date": time.strftime("%Y-%m-%d %H:%M"), "environment": environment(backend.device),
              "settings": {name: value for name, value in vars(arguments).items() if name not in ("wheels",)}}
    print(json.dumps(report["environment"]))
    store = Store(arguments.artifacts or tempfile.mkdtemp(prefix="gpu-check-"))
    zoos = arguments.zoo or ["full"]
    try:
        info = resolve_info(arguments.dataset, None, arguments.limit)
        config = TrainConfig.layered(info.training, {"epochs": arguments.epochs})
        data = prepare_data(store, arguments.dataset, data_dir=arguments.data_dir, limit=arguments.limit)
    except (DataError, ValueError) as error:
        print(f"error: {error}", file=sys.stderr)
        return 2

    started = time.perf_counter()
    report["runs"] = []
    for zoo_name in zoos:
        planned = plan_runs(data, zoo(zoo_name, arguments.only), ["torch"], config)
        report["runs"] += train_every_run(store, data, planned, backend, zoo_name)
    total = time.perf_counter() - started
    report["total_seconds"] = total
    verdict = "within" if total <= TARGET_SECONDS else "over"
    print(f"{len(report['runs'])} runs of {'+'.join(zoos)} on {data.key} in {total / 60:.1f} min on {backend.device_name} "
          f"({verdict} the {TARGET_SECONDS // 60}-minute target)")  # fmt: skip

    if not report["runs"]:
        return 0
    # The run the explanation benchmark has always used: a one-layer bidirectional LSTM of 128, else the first.
    chosen = next((row["run_id"] for row in report["runs"] if "-lstm-bi-1x128" in row["run_id"]),
                  report["runs"][0]["run_id"])  # fmt: skip
    texts = list(store.read_test_examples(data.key)["text"])
    if absent_optional:
        print(f"explanation benchmark skipped: no {', '.join(absent_optional)} ({wheels_command(absent_optional)})")
    else:
        report["explain"] = explain_benchmark(store, data.key, chosen, arguments.device,
                                              review_of(texts, EXPLAIN_TOKENS), arguments.explain_repeats)
        print(f"explain on {arguments.device}: {report['explain']['median_ms']:.0f} ms median "
              f"({report['explain']['tokens']} tokens, {chosen})")  # fmt: skip
    report["cpu_against_device"] = cpu_against(store, data.key, chosen, arguments.device,
                                               texts[: arguments.compare_texts])  # fmt: skip
    comparison = report["cpu_against_device"]
    note = " (dry run: both on the CPU)" if arguments.device == "cpu" else ""
    print(f"CPU against {arguments.device}: largest probability difference "
          f"{comparison['largest_probability_difference']:.2e}, same label for {comparison['same_label_share']:.2%} "
          f"of {comparison['texts']} texts{note}")  # fmt: skip
    if arguments.out:
        Path(arguments.out).write_text(json.dumps(report, indent=1))
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
