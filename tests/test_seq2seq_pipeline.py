"""Encoder-decoders from the command line to the pages: a tiny seq2seq zoo trained once, then `translate` (and its
refusals), `verify` and `list`, and the Translate, The bottleneck and Teacher forcing pages through AppTest; the same
for a tiny word-for-word NusaX Indonesian -> English (BLEU, chrF, the baselines, unknown words)."""

from __future__ import annotations

import json

import pytest

from dashboard_stores import open_page, problems
from pipelines.cli import main
from pipelines.store import Store
from test_seq2seq import write_parallel_nusax

TASK = "reverse-6-limit60"


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    root = tmp_path_factory.mktemp("seq2seq") / "store"
    assert main(["--artifacts", str(root), "train", "--dataset", "reverse-6", "--zoo", "seq2seq-small", "--limit",
                 "60", "--epochs", "3", "--learning-rate", "0.02", "--quiet"]) == 0  # fmt: skip
    return root


def runs_by_attention(store) -> dict[str, str]:
    return {record.model_spec.attention: record.run_id for record in Store(store).runs(TASK)}


def run_cli(store, capsys, *arguments) -> tuple[int, str, str]:
    capsys.readouterr()
    code = main(["--artifacts", str(store), *arguments])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def test_translate_gives_the_output_attention_and_candidates(store, capsys):
    additive = runs_by_attention(store)["additive"]
    code, out, _ = run_cli(store, capsys, "translate", "--run", additive, "--text", "abcdef", "--beam", "4", "--json")
    assert code == 0
    translation = json.loads(out)
    assert len(translation["attention"]) == len(translation["symbols"])
    assert all(len(row) == 6 and abs(sum(row) - 1) < 1e-4 for row in translation["attention"])
    assert len(translation["candidates"]) == 4 and translation["output"] == translation["candidates"][0]["output"]
    code, out, _ = run_cli(store, capsys, "translate", "--run", runs_by_attention(store)["none"], "--text", "abc")
    assert code == 0 and "output" in out and "attention (rows" not in out  # no attention to show


@pytest.mark.parametrize("text, beam, message", [
    ("", 1, "the source is empty"), ("abc!?", 1, "never saw in training: '!', '?'"),
    ("a" * 100_000, 1, "100,000 characters long"), ("abc", 0, "beam width must be 1 to 10"),
    ("abc", 11, "beam width must be 1 to 10"),
])  # fmt: skip
def test_translate_refuses_bad_input_in_one_line(store, capsys, text, beam, message):
    run_id = runs_by_attention(store)["additive"]
    code, out, err = run_cli(store, capsys, "translate", "--run", run_id, "--text", text, "--beam", str(beam))
    assert code == 2 and message in err and "Traceback" not in err and out == ""


def test_translate_refuses_a_run_of_another_kind(store, capsys, tmp_path):
    code, _, err = run_cli(store, capsys, "translate", "--run", "torch-lstm-uni-1x64-nothere", "--text", "abc")
    assert code == 2 and "error:" in err


def test_verify_holds_the_decoder_step_to_the_reference_and_list_shows_the_scores(store, capsys):
    for run_id in runs_by_attention(store).values():
        code, out, _ = run_cli(store, capsys, "verify", "--run", run_id, "--json")
        report = json.loads(out)
        assert code == 0 and report["agree"] and report["max_abs_difference"] < 1e-5 and report["steps"] > 0
    code, out, _ = run_cli(store, capsys, "list", "--json")
    rows = [row for row in json.loads(out) if row["task"] == "seq2seq"]
    assert len(rows) == 2 and all(0 <= row["exact_match"] <= 1 for row in rows)


def test_the_pages_draw_the_attention_and_the_curve(store, store_at):
    store_at(store)
    app = open_page("translate")
    assert not problems(app)
    charts = app.get("plotly_chart")
    assert len(charts) == 1 and '"type":"heatmap"' in charts[0].proto.spec  # the additive model's attention
    assert "one context vector" in "\n".join(info.value for info in app.info)  # the model without attention
    app.text_input(key="source").set_value("ab?").run()
    assert not problems(app) and "never saw in training" in "\n".join(info.value for info in app.info)
    app = open_page("bottleneck")
    assert not problems(app)
    assert len(app.get("plotly_chart")) == 1 and len(app.dataframe[0].value) == 2


def test_the_overview_and_the_report_have_a_part_for_encoder_decoders(store, store_at, capsys, tmp_path):
    store_at(store)
    app = open_page("overview")
    assert not problems(app) and [metric.label for metric in app.metric][:3] == [
        "train pairs", "validation pairs", "test pairs"]  # fmt: skip
    assert set(app.dataframe[0].value["model"]) == {"GRU 16, no attention", "GRU 16, additive attention"}
    code, _, _ = run_cli(store, capsys, "report", "--dataset", TASK, "--out", str(tmp_path / "report.html"))
    html = (tmp_path / "report.html").read_text()
    assert code == 0 and "Encoder-decoders: the context vector and attention" in html
    assert "The best encoder-decoder, GRU 16" in html and "Exact match by source length (characters)" in html


def test_teacher_forcing_page_draws_both_curves_of_every_epoch(store, store_at):
    for run_id in runs_by_attention(store).values():
        history = Store(store).read_history(TASK, run_id)
        assert len(history) == 3 and history[["forced_loss", "free_running_loss"]].notna().all().all()
    store_at(store)
    app = open_page("teacher_forcing")
    assert not problems(app)
    [chart] = app.get("plotly_chart")
    assert chart.proto.spec.count('"name":"GRU 16, ') == 4  # two models, teacher-forced and free-running each
    assert "exposure bias" in "\n".join(caption.value for caption in app.caption)


# ----------------------------------------------------------------------------
# NusaX Indonesian -> English, word by word

TEXT_TASK = "nusax-id-en-limit30"


@pytest.fixture(scope="module")
def text_store(tmp_path_factory):
    folder = tmp_path_factory.mktemp("nusax-id-en")
    write_parallel_nusax(folder / "data")
    assert main(["--artifacts", str(folder / "store"), "train", "--dataset", "nusax-id-en", "--data-dir",
                 str(folder / "data"), "--zoo", "seq2seq-small", "--limit", "30", "--epochs", "2", "--quiet"]) == 0
    return folder / "store"


def test_a_text_run_keeps_bleu_and_chrf_and_its_task_the_baselines(text_store, capsys):
    records = Store(text_store).runs(TEXT_TASK)
    assert len(records) == 2 and all(0 <= record.metrics.bleu <= 100 and record.metrics.chrf > 0 for record in records)
    baselines = Store(text_store).read_dataset(TEXT_TASK).baselines
    assert set(baselines) == {"copy", "dictionary"} and baselines["dictionary"]["chrf"] > baselines["copy"]["chrf"]
    additive = next(record.run_id for record in records if record.model_spec.attention == "additive")
    code, out, _ = run_cli(text_store, capsys, "translate", "--run", additive, "--text", "Saya suka durian.", "--json")
    translation = json.loads(out)
    assert code == 0 and translation["source_symbols"] == ["saya", "suka", "durian", "."]
    assert translation["unknown"] == ["durian"] and len(translation["attention"][0]) == 4
    assert set(translation["test_split"]) == {"exact_match", "token_accuracy", "bleu", "chrf"}
    code, out, _ = run_cli(text_store, capsys, "translate", "--run", additive, "--text", "Saya suka durian.")
    assert code == 0 and "read as <unk>: 'durian'" in out and "BLEU" in out
    for text, beam, message in (("", 1, "the source is empty"), ("durian", 1, "none of the source's words"),
                                ("saya " * 20_000, 1, "100,000 characters long"), ("saya", 0, "beam width")):
        code, out, err = run_cli(text_store, capsys, "translate", "--run", additive, "--text", text, "--beam", str(beam))
        assert code == 2 and message in err and "Traceback" not in err


def test_the_pages_show_a_text_task_with_its_baselines_and_unknown_words(text_store, store_at):
    store_at(text_store)
    app = open_page("bottleneck")
    assert not problems(app)
    charts = app.get("plotly_chart")
    assert len(charts) == 2 and "source length (words)" in charts[0].proto.spec
    assert "word for word (IBM Model 1)" in charts[1].proto.spec and '"type":"bar"' in charts[1].proto.spec
    assert {"BLEU", "chrF"} <= set(app.dataframe[0].value.columns)
    app = open_page("translate")
    app.text_input(key="source").set_value("Saya suka durian.").run()
    assert not problems(app) and "never seen in training, read as \\<unk\\>: 'durian'" in app.warning[0].value
    assert '"type":"heatmap"' in app.get("plotly_chart")[0].proto.spec


def test_the_report_of_a_text_task_scores_it_beside_the_baselines(text_store, capsys, tmp_path):
    code, _, _ = run_cli(text_store, capsys, "report", "--dataset", TEXT_TASK, "--out", str(tmp_path / "report.html"))
    html = (tmp_path / "report.html").read_text()
    assert code == 0 and "the baselines&#x27; BLEU: copy" in html and "BLEU and chrF (grey: baselines)" in html
    assert "Per-token accuracy by source length (words)" in html and "mean source length (words)" in html
