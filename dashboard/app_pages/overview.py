"""Overview: what is the data, and which models did best on it?"""

import streamlit as st

from dashboard import figures, language_models, loaders, tables, ui
from pipelines.records import DatasetSummary

st.title("Overview")
ui.teach("The data set the models learned from, and how every finished model scored on its test split.")

selected = ui.require_dataset()
summary = ui.require_summary(selected.dataset)
if summary.task == "generation":  # a character corpus: its card, and its language models against the n-grams
    language_models.corpus_overview(selected, summary)
    st.stop()


def dataset_card(summary: DatasetSummary) -> None:
    st.subheader(summary.title)
    columns = st.columns(5)
    for column, split in zip(columns, ("train", "validation", "test")):
        column.metric(f"{split} reviews", f"{summary.split_size(split):,}")
    vocabulary = summary.vocabulary
    columns[3].metric("vocabulary (words)", f"{vocabulary.size:,}" if vocabulary else "–",
                      help="Words seen min_count times or more in the training split; the rest read as <unk>.")
    coverage = summary.test_token_coverage
    columns[4].metric("test words known", "–" if coverage is None else f"{coverage:.1%}",
                      help="Share of the test split's tokens that are in the vocabulary.")  # fmt: skip
    left, right = st.columns(2)
    with left:
        counts = {split: info.class_counts for split, info in summary.splits.items()}
        ui.show_chart(f"{selected.dataset}-class-balance", figures.class_balance, counts, summary.classes,
                      height=260)  # fmt: skip
    with right:
        histogram = summary.length_histogram
        if histogram and vocabulary:
            ui.show_chart(f"{selected.dataset}-review-lengths", figures.length_histogram, histogram.edges,
                          histogram.counts, vocabulary.maxlen, summary.truncated_fraction, height=260)  # fmt: skip
    ui.teach(
        "A model that always guessed the larger class would already score its share on accuracy, which is why "
        "the leaderboard also shows macro F1. Reviews longer than maxlen are cut: the models never see the rest."
    )


dataset_card(summary)

st.subheader("Leaderboard")
ui.teach("Click a column header to sort. Macro F1 averages the classes, so a model cannot win by favouring one.")
records = loaders.runs(selected.dataset)
ui.describe_unfinished(records)
finished = [record for record in ui.drawn([r for r in records if r.state == "done"], ui.classifiers)
            if selected.keeps(record)]  # fmt: skip
if not records:
    command = ui.train_command(selected.dataset)
    st.info(f"No runs for {selected.dataset} yet. Train the quick zoo:\n\n```\n{command}\n```",
            icon=":material/school:")  # fmt: skip
    st.page_link(ui.TRAIN_PAGE, label="Open the Train page", icon=":material/model_training:")
elif not finished:
    st.info("No finished run passes the sidebar filters yet.", icon=":material/filter_alt:")
else:
    board = tables.leaderboard(tables.run_frame(finished))
    ui.show_table(board, f"{selected.dataset}-leaderboard", column_config={
        "accuracy": st.column_config.ProgressColumn("accuracy", format="%.3f", min_value=0, max_value=1),
        "macro F1": st.column_config.ProgressColumn("macro F1", format="%.3f", min_value=0, max_value=1),
        "ROC AUC": st.column_config.NumberColumn("ROC AUC", format="%.3f"),
        "parameters": st.column_config.NumberColumn("parameters", format="localized"),
        "train time (s)": st.column_config.NumberColumn("train time (s)", format="%.1f"),
    })  # fmt: skip
