"""Top words: which words push each model towards each class, over its whole test split?"""

import streamlit as st

from dashboard import figures, figures_inside, loaders, ui
from dashboard.state import RUNS
from pipelines.tasks import Capability

st.title("Top words")
ui.teach("Integrated Gradients scores every word of every test review for its push towards each class; these are "
         "the words with the strongest push on average. Two models that learned the same thing list the same words.")

selected = ui.require_dataset()
runs = ui.require_runs(selected, Capability.EXPLAIN)
finished, frame, labels, by_id = runs.records, runs.frame, runs.labels, runs.by_id


def options_ui() -> tuple[list[str], int]:
    left, right = st.columns([3, 1])
    with left:
        chosen = ui.pick_runs(RUNS, list(frame["run_id"]), list(frame["run_id"][:1]), labels,
                              help="One row of word lists per model; sorted by macro F1.")  # fmt: skip
    count = right.slider("Words per class", 5, 30, 12, key="top_words_count")
    return chosen, count


def missing_ui(record) -> None:
    """Runs trained with --no-top-words, or before the pipeline cached them: compute on request."""
    ui.from_a_terminal(f"**{labels[record.run_id]}**: its top words are not in the store yet. Training computes them "
                       "for every new run; for this one, compute them here (seconds on a small data set) or in a "
                       "terminal:", f"python -m pipelines top-words --run {record.run_id}",
                       icon=":material/hourglass_empty:")  # fmt: skip
    if st.button("Compute now", key=f"top_words_compute:{record.run_id}", icon=":material/calculate:"):
        with st.spinner(f"Scoring every test review with {labels[record.run_id]}…"):
            try:
                loaders.compute_top_words(record)
            except loaders.Unreadable as error:
                st.warning(f"{error}.", icon=":material/warning:")
                return
        st.rerun()


def words_ui(record, count: int) -> None:
    words = loaders.top_words(record)
    if words is None:
        missing_ui(record)
        return
    st.subheader(labels[record.run_id])
    columns = st.columns(1 if selected.presentation else len(words.classes))
    for index, class_name in enumerate(words.classes):
        top = [word for word in words.top(class_name, count) if word.mean > 0]
        with columns[index % len(columns)]:
            if not top:
                st.info(f"No word pushes {labels[record.run_id]} towards {class_name}.", icon=":material/info:")
                continue
            ui.show_chart(f"top-words-{record.run_id}-{class_name}", figures_inside.top_word_bars,
                          [w.word for w in top], [w.mean for w in top], [w.count for w in top], class_name,
                          figures.class_colour(class_name, index), height=140 + 26 * len(top))  # fmt: skip
    ui.teach(f"From {words.texts_read:,} of {words.texts_total:,} test texts ({words.tokens_read:,} tokens); words "
             f"seen at least {words.min_count} times; Integrated Gradients with {words.steps} steps, in log-odds "
             "per occurrence.")  # fmt: skip


chosen, count = options_ui()
if not chosen:
    st.info("Pick at least one model above.", icon=":material/arrow_upward:")
    st.stop()
for run_id in chosen:
    words_ui(by_id[run_id], count)
