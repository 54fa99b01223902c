"""Streamlit pieces for language models, shared by the Overview (a corpus's card and leaderboard) and Write.

A character corpus (`rt-polarity-chars`) is a data set of its own in the store, holding language models
(recurrent and n-gram) and no classifiers: `require_corpus` finds one for pages that need it.
"""

from __future__ import annotations

import time
from dataclasses import replace

import streamlit as st

from dashboard import figures, highlight, loaders, ui
from dashboard.features.writing import figures_writing, tables_language
from dashboard.state import Selection
from pipelines.generation import clean_prompt
from pipelines.records import DatasetSummary, RunRecord
from pipelines.tasks import Capability

TRAIN_CORPUS = "python -m pipelines train --dataset rt-polarity-chars --zoo charlm"
TYPEWRITER_SECONDS = 1 / 150  # per character as a text first appears: quick to wait for, slow enough to watch
REDRAW_EVERY = 4  # characters between redraws of a text being written
KEPT = "write_generations"  # this session's generations: a rerun (a click) redraws them without writing again
KEPT_AT_MOST = 24


def corpora() -> list[str]:
    """The store's data sets that are character corpora (their dataset.json says `task: generation`)."""
    keys = []
    for key in loaders.datasets():
        try:
            if loaders.dataset_summary(key).task == "generation":
                keys.append(key)
        except loaders.Unreadable:
            continue  # the Overview names it
    return keys


def require_corpus(selected: Selection) -> Selection:
    """The selection, on a character corpus: the sidebar's data set if it is one, else one of the store's."""
    keys = corpora()
    if not keys:
        ui.from_a_terminal("**No language models yet.** Train the character models and their n-gram baselines on "
                           "the review texts (one corpus, about 40 minutes on a 2-core CPU; `--zoo charlm-small` takes "
                           "a few):", TRAIN_CORPUS, then="or start them on the Train page.")  # fmt: skip
        st.page_link(ui.TRAIN_PAGE, label="Open the Train page", icon=":material/model_training:")
        st.stop()
    if selected.dataset in keys:
        return selected
    key = keys[0]
    if len(keys) > 1:
        key = st.selectbox("Corpus", keys, key=ui.remembered("write_corpus", keys, keys[0]))
    ui.teach(f"The sidebar's data set ({selected.dataset}) holds classifiers; these are the language models of "
             f"{key}. Pick it in the sidebar to see its card and training curves.")  # fmt: skip
    return replace(selected, dataset=key)


# -- the Overview of a corpus ---------------------------------------------------------------


def corpus_overview(selected: Selection, summary: DatasetSummary) -> None:
    """A corpus's card, then its language models against the n-gram baselines, and what each one wrote."""
    corpus_card(summary)
    st.subheader("Leaderboard")
    records = loaders.runs(selected.dataset)
    ui.describe_unfinished(records)
    finished = ui.drawn([record for record in records if record.state == "done"], Capability.GENERATE)
    kept = [record for record in finished if selected.keeps(record)]
    if kept:
        leaderboard(kept, summary)
    elif finished:
        st.info(f"The sidebar filters hide all {len(finished)} finished runs. Turn some choices back on.",
                icon=":material/filter_alt_off:")  # fmt: skip
    elif not records:
        ui.from_a_terminal(f"No runs for {selected.dataset} yet:", TRAIN_CORPUS)


def corpus_card(summary: DatasetSummary) -> None:
    st.subheader(summary.title)
    columns = st.columns(5)
    for column, split in zip(columns, ("train", "validation", "test")):
        lengths = summary.lengths.get(split)
        characters = round(lengths.mean * summary.split_size(split)) if lengths else 0
        column.metric(f"{split} characters", f"{characters:,}", help=f"in {summary.split_size(split):,} passages")
    alphabet = summary.vocabulary.size - 1 if summary.vocabulary else None
    columns[3].metric("alphabet", "–" if alphabet is None else f"{alphabet} symbols",
                      help="The characters seen 5 times or more in training, the end of a review, and <unk> for "
                           "the rest: what a model chooses from at every step.")  # fmt: skip
    coverage = summary.test_token_coverage
    columns[4].metric("test characters known", "–" if coverage is None else f"{coverage:.2%}")
    histogram = summary.length_histogram
    if histogram and summary.vocabulary:
        ui.show_chart(f"{summary.key}-passage-lengths", figures.length_histogram, histogram.edges, histogram.counts,
                      summary.vocabulary.maxlen, summary.truncated_fraction, "characters", "passages",
                      height=260)  # fmt: skip
    ui.teach("Each passage is one review snippet, read character by character: a model predicts every character "
             "from the ones before it, and the end of the review too.")  # fmt: skip


def leaderboard(records: list[RunRecord], summary: DatasetSummary) -> None:
    """Bits per character of every language model against the n-gram baselines, and what each one wrote."""
    board = tables_language.language_model_board(records)
    alphabet = summary.vocabulary.size - 1 if summary.vocabulary else None
    ui.show_chart(f"{summary.key}-bits-per-character", figures_writing.bits_bars, board, alphabet,
                  height=140 + 32 * len(board))
    ui.teach("Bits per character: how many yes/no questions, on average, the model still needs to guess the next "
             "character. The n-gram baselines count which character followed the last n−1 in training.")  # fmt: skip
    ui.show_table(board.drop(columns="cell"), f"{summary.key}-language-models", column_config={
        "bits per character": st.column_config.NumberColumn(format="%.3f"),
        "perplexity": st.column_config.NumberColumn(format="%.2f"),
        "next-character accuracy": st.column_config.ProgressColumn(format="%.3f", min_value=0, max_value=1),
        "validation bits per character": st.column_config.NumberColumn(format="%.3f"),
        "parameters": st.column_config.NumberColumn(format="localized"),
        "train time (s)": st.column_config.NumberColumn(format="%.1f"),
    })  # fmt: skip
    st.subheader("What they wrote")
    ui.teach("Written right after training, from the same prompts with the same seed (temperature 0.8). "
             "Try your own on the Write page.")  # fmt: skip
    ui.show_table(tables_language.samples_table(records, tables_language.run_labels(records)),
                  f"{summary.key}-samples")  # fmt: skip


# -- the Write page ----------------------------------------------------------------------------


def written(record: RunRecord, prompt: str, settings, watch: bool):
    """What the run writes after `prompt`: drawn as it is written the first time (slowed to be watched when
    `watch`), from this session's memory afterwards. ValueError for a prompt the model cannot read."""
    key = (record.run_id, loaders.run_marker(record), prompt, settings)
    kept = st.session_state.setdefault(KEPT, {})
    if key in kept:
        generation = kept[key]
        st.html(text_html(generation.prompt, generation.steps))
        return generation
    model = loaders.load(record)
    prompt = clean_prompt(prompt, model.alphabet)  # before anything is drawn: a ValueError says what is wrong
    placeholder, steps = st.empty(), []

    def show(step) -> None:
        steps.append(step)
        if watch:
            time.sleep(TYPEWRITER_SECONDS)
        if len(steps) % REDRAW_EVERY == 0:
            placeholder.html(text_html(prompt, steps))

    generation = model.write(prompt, settings, on_step=show)
    placeholder.html(text_html(generation.prompt, generation.steps))
    if len(kept) >= KEPT_AT_MOST:
        kept.pop(next(iter(kept)))
    kept[key] = generation
    return generation


def text_html(prompt: str, steps: list) -> str:
    return highlight.written_text(prompt, [(step.character, step.probability, tables_language.step_hover(step))
                                           for step in steps])  # fmt: skip
