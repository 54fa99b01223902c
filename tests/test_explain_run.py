"""Explaining a run trained on generated polar reviews: meaningful attributions, the CLI, per-run top words."""

import json
import random
import subprocess
import sys

import numpy as np
import pytest
import torch

from conftest import NEGATIVE_WORDS, POSITIVE_WORDS, synthetic_review, write_rt_corpus
from pipelines.backends import backend_for
from pipelines.cli import ATTRIBUTION_METHODS, main
from pipelines.training.config import TrainConfig
from pipelines.explain import explain, top_words
from pipelines.explain import aggregate
from pipelines.models.spec import ModelSpec
from pipelines.models.torch_zoo import RecurrentClassifier
from pipelines.training.train import plan_runs, prepare_data, train_run
from pipelines.runs import load_run
from pipelines.store import Store
from pipelines.threads import single_thread

POLAR_WORDS = set(POSITIVE_WORDS) | set(NEGATIVE_WORDS)


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    """A store with one small GRU trained on 400 generated reviews whose sentiment sits in two polar words."""
    root = tmp_path_factory.mktemp("explain-run")
    with pytest.MonkeyPatch.context() as environment:
        environment.setenv("RNNLENS_CACHE_DIR", str(root / "cache"))
        environment.delenv("RNNLENS_DATA_DIR", raising=False)
        write_rt_corpus(root / "data", per_class=200)
        store = Store(root / "artifacts")
        data = prepare_data(store, "rt-polarity", data_dir=root / "data")
        spec = ModelSpec(cell="gru", hidden_size=16, embedding_size=16, pooling="max", dropout=0.3)
        overrides = {"epochs": 8, "batch_size": 16, "learning_rate": 0.003}
        config = TrainConfig.layered(data.dataset.info.training, overrides)
        planned = plan_runs(data, [spec], ["torch"], config)[0]
        with single_thread(), store.claim(data.key, planned.run_id) as claim:  # fast on a busy machine
            metrics = train_run(planned, data, backend_for("torch", "cpu"), claim)
    assert metrics["accuracy"] > 0.9, metrics["accuracy"]  # the sanity checks need a model that learned the task
    return store, data.key, planned.run_id


@pytest.fixture(scope="module")
def run(trained):
    store, dataset, run_id = trained
    return load_run(store, dataset, run_id)


def fresh_reviews(count=12, seed=99):
    rng = random.Random(seed)
    return [synthetic_review(index % 2, rng, length=10) for index in range(count)]


def polar_hits(explanation, method="integrated_gradients") -> float:
    """Share of the text's polar words among the tokens with the largest |score| (as many as there are polar words)."""
    tokens = [token.text for token in explanation.read_tokens]
    polar = [index for index, token in enumerate(tokens) if token in POLAR_WORDS]
    strongest = np.argsort(-np.abs(explanation.attributions[method].scores))[: len(polar)]
    return len(set(strongest) & set(polar)) / len(polar)


def spearman(a: np.ndarray, b: np.ndarray) -> float:
    rank = lambda values: np.argsort(np.argsort(values)).astype(float)  # noqa: E731
    return float(np.corrcoef(rank(a), rank(b))[0, 1])


def test_the_trained_model_credits_the_polar_words(run):
    explanations = [run.explain(text, methods=["integrated_gradients", "occlusion"]) for text in fresh_reviews()]
    assert np.mean([polar_hits(e) for e in explanations]) > 0.8
    assert np.mean([polar_hits(e, "occlusion") for e in explanations]) > 0.8
    for explanation in explanations:  # and in the right direction: towards the predicted class
        scores = explanation.attributions["integrated_gradients"].scores
        polar = [i for i, token in enumerate(explanation.read_tokens) if token.text in POLAR_WORDS]
        assert scores[polar].sum() > 0


def test_randomised_weights_give_clearly_different_attributions(run):
    """Model randomisation test (Adebayo et al. 2018, "Sanity Checks for Saliency Maps"): re-initialise every
    layer, top to bottom; attributions that merely echo the input would survive it, ours must not."""
    torch.manual_seed(1234)
    randomised = RecurrentClassifier(run.spec).eval()
    random_run = type(run)(run.record, run.spec, run.classes, run.vocabulary, run.backend, randomised)
    texts = fresh_reviews()
    trained = [run.explain(text, methods=["integrated_gradients"]) for text in texts]
    shuffled = [explain(random_run, text, methods=["integrated_gradients"]) for text in texts]
    magnitudes = lambda e: np.abs(e.attributions["integrated_gradients"].scores)  # noqa: E731
    correlations = [spearman(magnitudes(a), magnitudes(b)) for a, b in zip(trained, shuffled)]
    assert np.mean(correlations) < 0.5
    assert np.mean([polar_hits(e) for e in shuffled]) < 0.6 < 0.8 < np.mean([polar_hits(e) for e in trained])


def test_top_words_are_the_polar_words_and_are_cached(trained, run, monkeypatch):
    store, dataset, run_id = trained
    words = top_words(store, run, min_count=3)
    assert words.texts_read == words.texts_total == len(store.read_test_examples(dataset))
    positive = {w.word for w in words.top("positive", 4)}
    negative = {w.word for w in words.top("negative", 4)}
    assert len(positive & set(POSITIVE_WORDS)) >= 3 and len(negative & set(NEGATIVE_WORDS)) >= 3
    for w in words.top("positive", 10):
        assert w.count >= 3
    np.testing.assert_allclose(words.means.sum(axis=1), 0, atol=1e-6)  # two classes: towards one = away from the other
    assert (store.run_dir(dataset, run_id) / "top_words.json").is_file()

    def must_not_run(*args, **kwargs):
        raise AssertionError("recomputed although cached")

    monkeypatch.setattr(aggregate, "aggregate_word_attributions", must_not_run)
    cached = top_words(store, run, min_count=3)
    assert cached.top("positive", 4) == words.top("positive", 4)
    with pytest.raises(AssertionError, match="recomputed"):
        top_words(store, run, min_count=2)  # other settings: computed again
    monkeypatch.undo()
    sampled = top_words(store, run, max_tokens=100, min_count=1, refresh=True)
    assert sampled.texts_read < sampled.texts_total and sampled.tokens_read <= 100


def test_a_stale_top_words_cache_is_recomputed_wherever_it_is_read(trained, run, monkeypatch):
    """Bumping FORMAT_VERSION makes every reader (pipeline, CLI, dashboard) treat the old file as missing."""
    from pipelines.training.train import derive_views

    store, dataset, run_id = trained
    top_words(store, run)  # cached with today's default settings
    assert aggregate.cached_top_words(store, dataset, run_id) is not None
    monkeypatch.setattr(aggregate, "FORMAT_VERSION", aggregate.FORMAT_VERSION + 1)
    assert aggregate.cached_top_words(store, dataset, run_id) is None  # what the dashboard's loader asks
    derive_views(store, dataset, run_id, "classification")  # what `train` does for a finished run
    assert aggregate.cached_top_words(store, dataset, run_id).settings["version"] == aggregate.FORMAT_VERSION


def test_derived_files_never_replace_training_files(trained):
    store, dataset, run_id = trained
    for name in ("metrics.json", "status.json", "../escape.json", ".hidden.json", "words.csv"):
        with pytest.raises(ValueError, match="derived file"):
            store.write_derived_json(dataset, run_id, name, {})
    store.write_derived_json(dataset, run_id, "notes.json", {"a": 1})
    assert store.read_derived_json(dataset, run_id, "notes.json") == {"a": 1}
    assert store.read_derived_json(dataset, run_id, "absent.json") is None
    assert store.run(dataset, run_id).state == "done"


def test_derived_files_only_go_into_finished_runs(trained):
    store, dataset, _ = trained
    with store.claim(dataset, "torch-unfinished-00000000") as claim:
        claim.set_status("failed", error="RuntimeError: boom")
    with pytest.raises(ValueError, match="is failed"):
        store.write_derived_json(dataset, "torch-unfinished-00000000", "top_words.json", {})


# ----------------------------------------------------------------------------
# Command line


def test_cli_explain_json_end_to_end(trained):
    store, dataset, run_id = trained
    result = subprocess.run(
        [sys.executable, "-m", "pipelines", "explain", "--run", run_id, "--text", "A superb, moving <b>film</b>!",
         "--json", "--artifacts", str(store.root)],
        capture_output=True, text=True, 
    )  # fmt: skip
    assert result.returncode == 0, result.stderr
    document = json.loads(result.stdout)
    assert document["run_id"] == run_id and document["dataset"] == dataset
    assert document["classes"][document["predicted"]] == "positive"
    assert [token["text"] for token in document["tokens"]][:4] == ["a", "superb", ",", "moving"]
    assert list(document["attributions"]) == list(ATTRIBUTION_METHODS)  # --methods all
    assert len(document["layers"]) == 1 and len(document["trajectory"]) == document["read"]


def test_cli_explain_prints_a_readable_summary(trained, capsys):
    store, dataset, run_id = trained
    args = ["--artifacts", str(store.root), "explain", "--run", run_id, "--dataset", dataset,
            "--text", "Dull, tedious plot. Zorgulous.", "--methods", "integrated_gradients", "occlusion"]  # fmt: skip
    assert main(args) == 0
    output = capsys.readouterr().out
    assert "prediction: negative" in output and "zorgulous?" in output
    assert "integrated_gradients" in output and "convergence delta" in output and "update" in output
    assert "towards 'negative'" in output
    assert main([*args, "--target", "1"]) == 0 and "towards 'positive'" in capsys.readouterr().out


@pytest.mark.parametrize("args,message", [
    (["--run", "torch-nothing-12345678", "--text", "fine"], "no run 'torch-nothing-12345678'"),
    (["--run", "../secrets", "--text", "fine"], "not a run id"),
    (["--run", "torch-unfinished-00000000", "--text", "fine"], "is failed"),
    (["--run", "RUN", "--text", "   "], "no words"),
    (["--run", "RUN", "--text", "fine", "--methods", "lime"], "unknown attribution method 'lime'"),
    (["--run", "RUN", "--text", "fine", "--target", "ecstatic"], "unknown target class"),
    (["--run", "RUN", "--text", "fine", "--methods", "all", "lime"], "unknown attribution method 'lime'"),
    (["--run", "RUN", "--text", "fine", "--target", "²"], "unknown target class '²'"),  # a digit, but not 0-9
    (["--run", "RUN", "--text", "fine", "--target", "١"], "unknown target class '١'"),  # Arabic-Indic one
    (["--run", "RUN", "--text", "fine", "--dataset", "../elsewhere"], "not a data set key"),
])  # fmt: skip
def test_cli_explain_bad_input_is_one_clear_line(trained, args, message, capsys):
    store, dataset, run_id = trained
    with store.claim(dataset, "torch-unfinished-00000000") as claim:
        if claim is not None:
            claim.set_status("failed", error="RuntimeError: boom")
    args = [run_id if arg == "RUN" else arg for arg in args]
    assert main(["explain", *args, "--artifacts", str(store.root)]) == 2
    error = capsys.readouterr().err
    assert message in error and "Traceback" not in error and len(error.strip().splitlines()) == 1


def test_cli_top_words(trained, capsys):
    store, dataset, run_id = trained
    assert main(["--artifacts", str(store.root), "top-words", "--run", run_id, "--min-count", "3", "--top", "4"]) == 0
    output = capsys.readouterr().out
    assert "towards positive:" in output and "towards negative:" in output
    assert main(["--artifacts", str(store.root), "top-words", "--run", run_id, "--min-count", "3", "--json"]) == 0
    document = json.loads(capsys.readouterr().out)
    assert document["settings"]["min_count"] == 3 and len(document["words"]) == len(document["counts"])
