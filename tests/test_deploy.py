"""`deploy`: every variant measured and scored, int8 and ONNX within stated tolerances of the float model,
the report kept in the run's folder, and clear words for a Keras run, a layer that does not export and a
missing ONNX Runtime."""

from __future__ import annotations

import json
import sys

import pytest
import torch
from torch import nn

from conftest import write_rt_corpus
from pipelines.cli import main
from pipelines.deploy import DeploySettings, cached_report, format_report
from pipelines.deploy.deployment import deploy_run
from pipelines.deploy.variants import ExportError, export_onnx
from pipelines.runs import load_run
from pipelines.store import Store
from pipelines.training.train import train_zoo
from run_documents import finish, spec_document

DATASET = "rt-polarity-limit80"
FAST = DeploySettings(latency_texts=12, throughput_texts=48, rounds=1, batch_size=16)
# Stated tolerances against the float model on the test split.
ONNX_TOLERANCE = 1e-4  # the same float32 maths in another runtime
INT8_TOLERANCE = 0.05  # int8 weights: probabilities move a little ...
INT8_AGREEMENT = 0.95  # ... and a few texts near the boundary may change class


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    """A BiGRU and a plain RNN, trained by the pipeline on a small generated rt-polarity."""
    folder = tmp_path_factory.mktemp("deploy")
    data = folder / "data"
    write_rt_corpus(data, per_class=400)
    store = Store(folder / "artifacts")
    outcomes = train_zoo(store, "rt-polarity", "quick", ["torch"], overrides={"epochs": 3}, data_dir=data, limit=80,
                         only=["gru-bi-*", "rnn-uni-*"], show_progress=False, words=False, baselines=False)  # fmt: skip
    assert [outcome.result for outcome in outcomes] == ["trained", "trained"], outcomes
    return store, {outcome.run_id.split("-")[1]: outcome.run_id for outcome in outcomes}


def test_every_variant_is_measured_and_within_tolerance(trained):
    store, runs = trained
    report = deploy_run(store, runs["gru"], settings=FAST)
    assert [variant.name for variant in report.variants] == ["float", "int8", "onnx"]
    float_, int8, onnx = report.variants
    record = store.run(DATASET, runs["gru"])
    assert report.examples == record.metrics.examples == 80  # the whole test split
    assert float_.accuracy == pytest.approx(record.metrics.accuracy)  # the run as trained
    assert float_.max_probability_difference == 0 and float_.speedup == pytest.approx(1.0)
    assert onnx.max_probability_difference <= ONNX_TOLERANCE and onnx.agreement == 1.0
    assert int8.max_probability_difference <= INT8_TOLERANCE and int8.agreement >= INT8_AGREEMENT
    assert 0 < int8.max_probability_difference  # it really ran quantised
    assert int8.size_bytes < float_.size_bytes and int8.size_ratio == pytest.approx(float_.size_bytes / int8.size_bytes)
    assert float_.size_bytes == (record.path / "weights.safetensors").stat().st_size
    for variant in report.variants:
        assert variant.available and 0 < variant.latency_p50_ms <= variant.latency_p95_ms and variant.throughput > 0
    assert not int8.notes
    assert "ONNX Runtime" in format_report(report)


def test_the_report_is_kept_and_read_back(trained):
    store, runs = trained
    first = deploy_run(store, runs["gru"], settings=FAST)
    record = store.run(DATASET, runs["gru"])
    assert (record.path / "deploy.json").is_file()
    assert cached_report(store, record, FAST).created_at == first.created_at
    assert deploy_run(store, runs["gru"], settings=FAST).created_at == first.created_at  # read, not measured
    assert cached_report(store, record, DeploySettings(latency_texts=5)) is None  # other settings: measure anew
    assert deploy_run(store, runs["gru"], settings=FAST, refresh=True).created_at > first.created_at


def test_a_plain_rnn_says_what_stays_float(trained):
    store, runs = trained
    int8 = deploy_run(store, runs["rnn"], settings=FAST).variant("int8")
    assert int8.available and "stays float32" in int8.notes[0]


def test_a_missing_onnx_runtime_is_named(trained, monkeypatch):
    store, runs = trained
    monkeypatch.setitem(sys.modules, "onnxruntime", None)  # import onnxruntime now raises ImportError
    report = deploy_run(store, runs["gru"], settings=FAST, refresh=True)
    onnx = report.variant("onnx")
    assert not onnx.available and "onnxruntime==" in onnx.problem
    assert report.variant("int8").available
    assert "not available: ONNX Runtime is not installed" in format_report(report)


class Unexportable(nn.Module):
    """A layer with an operator ONNX has no export for (the modified Bessel function i0)."""

    def __init__(self, inner: nn.Module):
        super().__init__()
        self.inner = inner

    def forward(self, x):
        return self.inner(torch.special.i0(x))


def test_a_layer_that_does_not_export_is_named(trained):
    store, runs = trained
    model = load_run(store, DATASET, runs["gru"]).torch_model()
    last = len(model.head) - 1
    model.head[last] = Unexportable(model.head[last])
    with pytest.raises(ExportError, match=rf"layer head\.{last} \(Unexportable\) cannot be exported.*i0"):
        export_onnx(model)


def test_keras_and_unknown_runs_are_refused(trained, capsys):
    store, runs = trained
    keras_id = "keras-gru-bi-1x64-mean-0000cafe"
    with store.claim(DATASET, keras_id) as claim:
        finish(claim, spec_document(keras_id, framework="keras"))
    with pytest.raises(ValueError, match="deploy measures PyTorch runs.*keras run.*--framework torch"):
        deploy_run(store, keras_id)
    root = str(store.root)
    assert main(["--artifacts", root, "deploy", "--run", keras_id]) == 2
    assert "--framework torch" in capsys.readouterr().err
    assert main(["--artifacts", root, "deploy", "--run", "torch-nothing-here"]) == 2
    assert main(["--artifacts", root, "deploy", "--run", runs["gru"], "--limit", "0"]) == 2
    assert "--limit must be at least 1" in capsys.readouterr().err
    assert main(["--artifacts", root, "deploy", "--run", runs["gru"], "--latency-texts", "0"]) == 2
    assert "--latency-texts and --batch-size must be at least 1" in capsys.readouterr().err


def test_the_command_prints_json(trained, capsys):
    store, runs = trained
    command = ["--artifacts", str(store.root), "deploy", "--run", runs["gru"], "--latency-texts", "12",
               "--batch-size", "16", "--limit", "40", "--json"]  # fmt: skip
    assert main(command) == 0
    report = json.loads(capsys.readouterr().out)
    assert report["examples"] == 40 and {variant["name"] for variant in report["variants"]} == {"float", "int8", "onnx"}
