"""The Compare page's "from scratch or pretrained" section and the Deploy page, through AppTest, on a store the
pipeline trained (a BiGRU from scratch, fine-tuned and frozen from tiny word2vec vectors) and measured."""

from __future__ import annotations

import json

import pytest

from conftest import write_rt_corpus
from dashboard_stores import open_page, problems
from pipelines.deploy import DeploySettings
from pipelines.deploy.deployment import deploy_run
from pipelines.store import Store
from pipelines.training.train import train_zoo
from pipelines.training.word2vec import Word2VecConfig, train_embeddings
from test_embeddings import write_archive

DATASET = "rt-polarity-limit60"
FAST = DeploySettings(latency_texts=10, throughput_texts=40, rounds=1, batch_size=16)


@pytest.fixture(scope="module")
def lean_store(tmp_path_factory):
    return build_lean_store(tmp_path_factory.mktemp("lean"))


def build_lean_store(folder):
    """A BiGRU from scratch, fine-tuned and frozen from tiny word2vec vectors; the scratch one measured by deploy."""
    write_rt_corpus(folder / "data", per_class=300)
    write_archive(folder / "data")
    store = Store(folder / "artifacts")
    config = Word2VecConfig(dimensions=8, min_count=1, epochs=1, workers=1)
    train_embeddings(store.root, config, data_dir=folder / "data", show_progress=False)
    runs = {}
    for mode in (None, "tuned", "frozen"):
        [outcome] = train_zoo(store, "rt-polarity", "quick", ["torch"], overrides={"epochs": 1}, limit=60,
                              data_dir=folder / "data", only=["gru-bi-*"], pretrained=mode, show_progress=False,
                              words=False, baselines=False)  # fmt: skip
        runs[mode or "scratch"] = outcome.run_id
    deploy_run(store, runs["scratch"], settings=FAST)
    return store.root, runs


@pytest.fixture
def at_lean_store(lean_store, monkeypatch):
    root, runs = lean_store
    monkeypatch.setenv("RNNLENS_ARTIFACTS", str(root))
    return root, runs


def charts_with(app, text: str) -> list[str]:
    return [chart.proto.spec for chart in app.get("plotly_chart") if text in chart.proto.spec]


def test_compare_shows_scratch_against_pretrained(at_lean_store):
    app = open_page("compare")
    assert not problems(app)
    [chart] = [json.loads(spec) for spec in charts_with(app, "from scratch against pretrained embeddings")]
    starts = {trace["name"]: trace for trace in chart["data"] if trace.get("showlegend") is False}
    assert set(starts) == {"from scratch", "pretrained, fine-tuned", "pretrained, frozen"}
    assert all(trace["x"] == ["BiGRU 1×64"] for trace in starts.values())  # one architecture, three starts
    assert "of words pretrained" in starts["pretrained, frozen"]["customdata"][0][1]


def test_deploy_shows_the_measured_run_and_measures_another(at_lean_store):
    root, runs = at_lean_store
    app = open_page("deploy")
    assert not problems(app)
    table = app.dataframe[0].value
    assert list(table["variant"]) == ["float32", "int8", "ONNX Runtime"] and set(table["run id"]) == {runs["scratch"]}
    assert charts_with(app, "Single-text latency against accuracy")
    app.selectbox(key=f"deploy_run:{DATASET}").set_value(runs["frozen"]).run()
    app.number_input(key="deploy_limit").set_value(100).run()
    app.number_input(key="deploy_latency").set_value(20).run()
    app.button(key="deploy_measure").click().run()
    assert not problems(app)
    assert set(app.dataframe[0].value["run id"]) == {runs["scratch"], runs["frozen"]}
    assert (root / DATASET / runs["frozen"] / "deploy.json").is_file()


def test_deploy_before_any_measurement_says_how(at_lean_store):
    root, runs = at_lean_store
    for run_id in runs.values():
        (root / DATASET / run_id / "deploy.json").unlink(missing_ok=True)
    app = open_page("deploy")
    assert not problems(app)
    assert "python -m pipelines deploy --run RUN" in "\n".join(info.value for info in app.info)
    assert app.button(key="deploy_measure")


def test_inside_the_model_reads_a_pretrained_run(at_lean_store):
    """Attributions of a run whose embeddings started pretrained (and stayed frozen) still colour every word."""
    _, runs = at_lean_store
    app = open_page("inside")
    app.selectbox(key="run").set_value(runs["frozen"]).run()
    assert not problems(app)
    assert "<span title=" in "".join(html.proto.body for html in app.get("html"))
