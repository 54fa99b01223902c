"""Language models in the dashboard: the Write page, and a corpus's Overview, Training and Train pages (AppTest);
and the pure figure and text builders they draw with."""

import time

import numpy as np
import pytest

from dashboard import highlight
from dashboard.features.writing import figures_writing, tables_language
from dashboard_stores import CORPUS, copy_store, open_page, problems
from pipelines.generation import Step
from pipelines.store import Store
from pipelines.training import jobs
from test_dashboard import texts

LANGUAGE_MODELS = 7  # the small zoo: RNN, LSTM, GRU with 64 units, and unigram, bigram, trigram, 5-gram


def written(app) -> list[str]:
    """The texts on the page, as HTML (each model's, side by side)."""
    return [html.proto.body for html in app.get("html") if "<span title=" in html.proto.body]


def open_write(**settings):
    """The Write page without its typewriter (seconds a test need not wait), and any other settings."""
    app = open_page("overview")
    for key, value in {"write_watch": False, **settings}.items():
        app.session_state[key] = value
    app.switch_page("features/writing/write.py").run()
    return app


def runs_of(root, prefix: str) -> list[str]:
    return [record.run_id for record in Store(root).runs(CORPUS) if record.run_id.startswith(prefix)]


# -- Write ---------------------------------------------------------------------------------------------


def test_write_page_writes_with_the_best_of_each_cell_side_by_side(real_runs):
    app = open_write()
    assert not problems(app)
    assert "language models of rt-polarity-chars" in texts(app.caption)  # the sidebar's data set holds classifiers
    chosen = app.multiselect(key="runs").value
    assert [run_id.split("-")[1] for run_id in chosen] == ["rnn", "lstm", "gru"]
    assert len(written(app)) == 3 and "bits per character on the test passages · PyTorch" in texts(app.markdown)
    grid, candidates = app.get("plotly_chart")
    assert '"customdata"' in grid.proto.spec and "likeliest next characters" in candidates.proto.spec


def test_on_a_projector_the_text_comes_first_and_the_controls_fold_below_it(real_runs):
    app = open_write(presentation=True)
    assert not problems(app)
    blocks = list(app.main.children.values())
    folded = next(index for index, block in enumerate(blocks) if getattr(block, "type", "") == "expander")
    assert blocks[folded].label == "Models, prompt and sampling" and blocks[folded].multiselect(key="runs")
    shown = next(index for index, block in enumerate(blocks)
                 if hasattr(block, "children") and any("<span title=" in html.proto.body for html in block.get("html")))
    assert shown < folded  # the models' texts above the folded controls


def test_the_same_settings_write_the_same_text_and_another_seed_another(real_runs):
    first, again = written(open_write()), written(open_write())
    assert first == again
    app = open_write(write_seed=11, write_temperature=1.5)
    assert not problems(app) and written(app) != first


def test_an_ngram_model_writes_too_and_has_no_hidden_state(real_runs):
    bigram = runs_of(real_runs, "ngram-2gram-")
    app = open_write(**{"runs": bigram, "tab": "Hidden states"})
    assert not problems(app)
    assert "counted n-grams" in texts(app.markdown) and len(written(app)) == 1
    assert "keeps no hidden state" in texts(app.info)


def test_the_hidden_states_and_each_characters_candidates(real_runs):
    app = open_write(tab="Hidden states")
    assert not problems(app)
    heatmap = app.get("plotly_chart")[0].proto.spec
    assert "hidden state after each character" in heatmap and '"type":"heatmap"' in heatmap
    app = open_write(write_character=3, write_length=40, write_stop=False)
    assert "Character 3: after “…The film" in texts(app.markdown)


@pytest.mark.parametrize("prompt, message", [
    ("The film 😀", "never saw in training: '😀' (U+1F600)"),
    ('<img src=x onerror="alert(1)"> film', "never saw in training: '<' (U+003C)"),
])  # fmt: skip
def test_a_prompt_the_models_cannot_read_is_explained_not_written(real_runs, prompt, message):
    app = open_write(prompt=prompt)
    assert not problems(app)
    shown = texts(app.info).replace("\\", "")  # markdown: what the user typed is escaped, shown as text
    assert message in shown and not written(app) and not app.get("plotly_chart")


def test_an_empty_prompt_starts_a_review_from_its_first_character(real_runs):
    app = open_write(prompt="")
    assert not problems(app) and len(written(app)) == 3


def test_damaged_language_models_are_named_and_the_others_write(trained, store_at, tmp_path):
    root = store_at(copy_store(trained, tmp_path / "damaged", datasets=(CORPUS,)))
    gru = runs_of(root, "torch-gru-")[0]
    (root / CORPUS / gru / "weights.safetensors").write_bytes(b"not safetensors")
    (root / CORPUS / runs_of(root, "ngram-3gram-")[0] / "metrics.json").write_text("[1, 2]")
    app = open_write()
    assert not problems(app)
    assert gru in texts(app.warning) and len(written(app)) == 2  # its model cannot load; RNN and LSTM write
    app.switch_page("features/results/overview.py").run()
    assert not problems(app)
    assert "metrics.json has the wrong shape" in texts(app.warning) and len(app.dataframe[0].value) == 5
    assert gru in texts(app.warning) and "weights.safetensors has 15 bytes" in texts(app.warning)  # checksum: left out


# -- a corpus on the other pages ------------------------------------------------------------------------


def test_a_corpus_overview_ranks_language_models_against_the_ngrams(real_runs):
    app = open_page("overview")
    app.sidebar.selectbox(key="dataset").set_value(CORPUS).run()
    assert not problems(app)
    assert [metric.label for metric in app.metric][3:] == ["alphabet", "test characters known"]
    board, samples = (frame.value for frame in app.dataframe)
    assert len(board) == LANGUAGE_MODELS and list(board["bits per character"]) == sorted(board["bits per character"])
    assert set(board["kind"]) == {"recurrent", "n-gram"} and set(samples["prompt"]) >= {"", "The film "}
    specs = [chart.proto.spec for chart in app.get("plotly_chart")]
    assert any("knows nothing: log2" in spec for spec in specs) and any("characters per passage" in s for s in specs)


def test_training_curves_of_language_models(real_runs):
    app = open_page("training")
    app.sidebar.selectbox(key="dataset").set_value(CORPUS).run()
    assert not problems(app)
    assert "4 finished runs of this data set are character n-gram models" in texts(app.caption)
    assert len(app.get("plotly_chart")) == 2 and "surprise per character in nats" in texts(app.caption)
    assert len(app.multiselect(key="runs").options) == 3  # RNN, LSTM, GRU
    app.button_group(key="filter_cell").set_value(["gru"]).run()  # the sidebar's filters apply to them too
    assert app.multiselect(key="runs").options == ["GRU 1×64"]


def test_train_page_starts_language_models(tmp_path, store_at, rt_data_dir, monkeypatch):
    monkeypatch.setenv("RNNLENS_DATA_DIR", str(rt_data_dir))
    monkeypatch.setenv("OMP_NUM_THREADS", "1")
    root = store_at(tmp_path / "store")
    app = open_page("train")
    app.button_group(key="train_kind").set_value("Language models (Write)").run()
    assert app.selectbox[0].options == ["rt-polarity-chars", "imdb-chars"] and app.selectbox[2].options == ["PyTorch"]
    app.selectbox[1].set_value("charlm-small")
    app.number_input[0].set_value(1)  # epochs
    app.number_input[1].set_value(20)  # reviews per split
    app.form_submit_button[0].click().run()
    assert not problems(app)
    assert "Started the charlm-small zoo on rt-polarity-chars-limit20" in texts(app.success)
    deadline = time.monotonic() + 180
    while any(job.alive for job in jobs.list_jobs(Store(root))) and time.monotonic() < deadline:
        time.sleep(0.5)
    app.run()
    progress = [bar.proto.text for bar in app.get("progress")]
    assert len(progress) == LANGUAGE_MODELS and all("bits per character" in text for text in progress)


# -- the pure builders ------------------------------------------------------------------------------------


def steps(text: str) -> list[Step]:
    return [Step(character, 0.1 * (index % 10), 0.5, [(character, 0.4), ("e", 0.2)]) for index, character
            in enumerate(text)]  # fmt: skip


def test_written_text_escapes_every_character_and_hover():
    hostile = '<img src=x onerror="alert(1)">'
    page = highlight.written_text(hostile, [(c, p, hover) for c, p, hover in
                                            [("<", 0.9, '" onmouseover="alert(2)'), ("\n", 0.1, "end")]])  # fmt: skip
    assert "<img" not in page and "&lt;img src=x onerror=&quot;alert(1)&quot;&gt;" in page
    assert 'title="&quot; onmouseover=&quot;alert(2)"' in page and "⏎<br>" in page
    assert "background:rgba(245,158,11,0.00)" in page and "rgba(245,158,11,0.56)" in page  # sure vs surprised


def test_character_grid_puts_a_review_end_at_the_end_of_its_row():
    written = list("ab\ncd")
    figure = figures_writing.character_grid("xy", written, [0.5] * 5, ["hover"] * 5, columns=3)
    prompt, text = figure.data
    assert list(prompt.x) == [0, 1] and list(text.x) == [2, 0, 1, 0, 1] and list(text.y) == [0, 1, 1, 2, 2]
    assert list(text.customdata) == [0, 1, 2, 3, 4] and list(text.text) == ["a", "b", "⏎", "c", "d"]


def test_bits_bars_put_the_best_model_on_top_and_the_uniform_line_at_log2():
    board = tables_language.pd.DataFrame({"model": ["bigram", "LSTM 1×64"], "cell": [None, "lstm"],
                                          "bits per character": [3.5, 2.1]})  # fmt: skip
    figure = figures_writing.bits_bars(board, alphabet_size=64)
    assert list(figure.data[0].y) == ["bigram", "LSTM 1×64"]  # drawn bottom-up: the best last, on top
    assert figure.layout.shapes[0].x0 == pytest.approx(6.0)


def test_a_step_in_words_and_as_a_hover():
    step = Step("g", 0.23, 0.4, [("s", 0.31), ("g", 0.23), (" ", 0.1)])
    assert tables_language.step_hover(step) == "wrote g (23.0%); likeliest: s 31% · g 23% · ␣ 10%"
    sentence = tables_language.step_sentence("LSTM 1×64", 11, step, "The film is a")
    assert sentence.startswith("Character 12: after “…The film is a”, LSTM 1×64 wrote “g”")
    assert "it liked “s” best, 31%" in sentence and np.isfinite(step.bits)


def test_candidate_bars_add_the_written_character_when_it_was_not_a_favourite():
    figure = figures_writing.candidate_bars([("s", 0.31), ("t", 0.2)], ("g", 0.03), "The film is a", "#3558d6")
    assert list(figure.data[0].y) == ["g", "t", "s"] and list(figure.data[0].marker.color)[0] == "#3558d6"
