"""`train --framework both`, `list` and `verify` end to end through the command line, on generated data.

Training and verifying run in this process (`main`, the same entry point as
`python -m pipelines`), so TensorFlow is imported once; the error paths also
run as a real subprocess.
"""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys

import pytest

from pipelines.cli import main
from pipelines.models.spec import parameter_count
from pipelines.models.zoos import quick_zoo
from pipelines.runs import load_run
from pipelines.store import Store
from tiny_zoo import lean_tensorflow, one_thread_for_torch

one_thread = pytest.fixture(scope="module", autouse=True)(one_thread_for_torch)


GRU_MODELS = [spec.short_name() for spec in quick_zoo() if spec.cell == "gru"]  # uni- and bidirectional


@pytest.fixture(scope="module")
def trained_store(tmp_path_factory) -> Store:
    """The quick zoo's two GRU models in both frameworks, one epoch each, on the generated Rotten
    Tomatoes corpus. Every Keras model costs seconds of tracing, and tests/test_reference.py covers
    the other architectures."""
    from conftest import write_rt_corpus

    folder = tmp_path_factory.mktemp("verify")
    write_rt_corpus(folder / "data")
    lean_tensorflow()
    args = ["--artifacts", str(folder / "store"), "train", "--dataset", "rt-polarity", "--zoo", "quick",
            "--only", "gru-*", "--framework", "both", "--data-dir", str(folder / "data"),
            "--epochs", "1", "--quiet", "--no-baselines"]  # fmt: skip
    assert main(args) == 0
    return Store(folder / "store")


def cli_json(capsys, *args) -> tuple[int, object]:
    status = main(list(args))
    return status, json.loads(capsys.readouterr().out)


def test_keras_runs_are_stored_listed_and_loaded_like_pytorch_runs(trained_store, capsys):
    status, rows = cli_json(capsys, "--artifacts", str(trained_store.root), "list", "--json")
    assert status == 0 and len(rows) == 4 and {row["state"] for row in rows} == {"done"}
    assert sorted(row["framework"] for row in rows) == ["keras", "keras", "torch", "torch"]
    for record in trained_store.runs():
        formula = parameter_count(record.model_spec, record.framework)
        assert record.metrics.parameters == record.metrics.parameters_formula == formula
        if record.framework == "keras":
            assert (record.path / "model.keras").is_file() and record.spec.versions["keras"]
            history = trained_store.read_history(record.dataset, record.run_id)
            assert list(history.columns) == ["epoch", "train_loss", "train_accuracy", "val_loss", "val_accuracy",
                                             "learning_rate", "grad_norm", "grad_norm_max", "seconds",
                                             "examples_per_second"]  # fmt: skip
    keras_run = next(r for r in trained_store.runs() if r.run_id.startswith(f"keras-{GRU_MODELS[1]}-"))
    loaded = load_run(trained_store, keras_run.dataset, keras_run.run_id)
    assert loaded.framework == "keras" and loaded.label == "BiGRU 1×64 (keras)"
    probabilities = loaded.predict_proba(["A wonderful, moving film.", ""])
    assert probabilities.shape == (2, 2) and abs(probabilities.sum(axis=1) - 1).max() < 1e-5
    main(["--artifacts", str(trained_store.root), "list"])
    assert f"keras-{GRU_MODELS[0]}-" in capsys.readouterr().out


@pytest.mark.parametrize("framework", ["keras", "torch"])
def test_verify_finds_the_reference_in_agreement(trained_store, capsys, framework):
    run_id = next(r.run_id for r in trained_store.runs() if r.run_id.startswith(f"{framework}-{GRU_MODELS[1]}-"))
    # --artifacts after the command too, and no --dataset: the run is found in whichever data set holds it.
    status, report = cli_json(capsys, "verify", "--run", run_id, "--json", "--artifacts", str(trained_store.root))
    assert status == 0 and report["agree"]
    assert report["run_id"] == run_id and report["framework"] == framework and report["examples"] == 12
    assert report["max_abs_difference"] <= 1e-5 and report["differing_labels"] == 0
    assert report["f1_macro"]["framework"] == pytest.approx(report["f1_macro"]["reference"])
    assert len(set(report["parameters"].values())) == 1
    assert report["stored_predictions_max_abs_difference"] <= 1e-6
    assert main(["--artifacts", str(trained_store.root), "verify", "--run", run_id, "--dataset", "rt-polarity"]) == 0
    text = capsys.readouterr().out
    assert "max |p_framework - p_reference|" in text and "macro F1" in text and text.rstrip().endswith("AGREE")


def test_a_full_verify_is_kept_in_the_run_and_a_sample_is_not(trained_store, capsys):
    from pipelines.verify import REPORT_FILE, stored_report

    record = next(r for r in trained_store.runs() if r.run_id.startswith(f"torch-{GRU_MODELS[0]}-"))
    (record.path / REPORT_FILE).unlink(missing_ok=True)
    status, sample = cli_json(capsys, "--artifacts", str(trained_store.root), "verify", "--run", record.run_id,
                              "--limit", "5", "--json")  # fmt: skip
    assert status == 0 and sample["examples"] == 5 and sample["examples_total"] == 12 and sample["agree"]
    assert stored_report(trained_store, record.dataset, record.run_id) is None
    assert main(["--artifacts", str(trained_store.root), "verify", "--run", record.run_id]) == 0
    assert "12 test texts" in capsys.readouterr().out
    kept = stored_report(trained_store, record.dataset, record.run_id)
    assert kept.examples == kept.examples_total == 12 and kept.agree
    assert main(["--artifacts", str(trained_store.root), "verify", "--run", record.run_id, "--limit", "0"]) == 2


def test_training_caches_each_runs_top_words(trained_store, tmp_path, capsys):
    from conftest import write_rt_corpus
    from pipelines.explain import top_words

    for record in trained_store.runs():
        cached = trained_store.read_derived_json(record.dataset, record.run_id, "top_words.json")
        assert cached and cached["run_id"] == record.run_id, record.run_id
    run = load_run(trained_store, "rt-polarity", trained_store.runs()[0].run_id)
    assert top_words(trained_store, run).texts_read == 12  # read back, not computed again

    write_rt_corpus(tmp_path / "data")
    args = ["--artifacts", str(tmp_path / "store"), "train", "--dataset", "rt-polarity", "--zoo", "quick", "--only",
            "rnn-uni-*", "--data-dir", str(tmp_path / "data"), "--epochs", "1", "--quiet", "--no-baselines",
            "--no-top-words"]  # fmt: skip
    assert main(args) == 0
    bare = Store(tmp_path / "store")
    (record,) = bare.runs()
    assert bare.read_derived_json(record.dataset, record.run_id, "top_words.json") is None
    assert main(args[:-1]) == 0  # without the flag: the finished run is skipped, its top words computed now
    assert "top words from" in capsys.readouterr().out
    assert bare.read_derived_json(record.dataset, record.run_id, "top_words.json")["run_id"] == record.run_id


def test_verify_of_an_unknown_or_unfinished_run_is_one_clear_line(trained_store, capsys):
    result = subprocess.run([sys.executable, "-m", "pipelines", "--artifacts", str(trained_store.root), "verify",
                             "--run", "keras-nothing-00000000"], capture_output=True, text=True,
                            env=os.environ)  # fmt: skip
    assert result.returncode == 2 and "no run 'keras-nothing-00000000'" in result.stderr
    assert "Traceback" not in result.stderr and len(result.stderr.strip().splitlines()) == 1

    with trained_store.claim("rt-polarity", "torch-broken-00000000") as claim:
        claim.set_status("failed", error="RuntimeError: out of memory")
    try:
        assert main(["--artifacts", str(trained_store.root), "verify", "--run", "torch-broken-00000000"]) == 2
        error = capsys.readouterr().err
        assert "is failed: RuntimeError: out of memory" in error and "Traceback" not in error
        assert main(["--artifacts", str(trained_store.root), "verify", "--run", claim.run_id, "--dataset", "imdb"]) == 2
        assert "no run" in capsys.readouterr().err
    finally:
        shutil.rmtree(claim.path)
