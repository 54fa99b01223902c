"""Overview: what is the data, and which models did best on it?"""

import pandas as pd
import streamlit as st

from dashboard import comparisons, figures, figures_comparisons, loaders, tables, ui
from dashboard.features.forecasting import forecast_overview
from dashboard.features.seq2seq import task_overview
from dashboard.features.writing import language_models
from pipelines.records import DatasetSummary

SPREADS = ("± sd", "F1 ± sd")  # the leaderboard's spreads over seeds, as text: "–" where there is one seed

st.title("Overview")
ui.teach("The data set the models learned from, and how every finished model scored on its test split.")

selected = ui.require_dataset()
summary = ui.require_summary(selected.dataset)
if summary.series is not None:  # a forecasting data set: its own card and leaderboard
    forecast_overview.render(selected, summary)
    st.stop()
if summary.task == "generation":  # a character corpus: its card, and its language models against the n-grams
    language_models.corpus_overview(selected, summary)
    st.stop()
if summary.task == "seq2seq":  # a sequence-to-sequence task: its card, and its encoder-decoders
    task_overview.render(selected, summary)
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

def headline_view(line: comparisons.Headline) -> None:
    """The best recurrent model beside the bag-of-words baselines: what the RNNs add, at a glance."""
    columns = st.columns(3)
    if line.best_label is not None:
        seeds = f", the mean of its {line.best_seeds} seeds" if line.best_seeds > 1 else ""
        gain = f"{line.gain * 100:+.1f} points vs TF-IDF + LR" if line.gain is not None else None
        columns[0].metric(f"best recurrent: {line.best_label}", f"{line.best_accuracy:.3f}", gain,
                          help=f"Test accuracy{seeds}. The arrow is what it adds over the bag-of-words "
                               "baseline.")  # fmt: skip
    for column, (name, value) in zip(columns[1:], (("TF-IDF + logistic regression", line.tfidf_accuracy),
                                                   ("majority class", line.majority_accuracy))):  # fmt: skip
        if value is not None:
            column.metric(name, f"{value:.3f}", help="A baseline: test accuracy of a model that reads no order.")


st.subheader("Leaderboard")
ui.teach("One row per model, click a column header to sort. A model trained with several seeds shows the mean, "
         "the spread (± one standard deviation) and a 95% interval of the mean. The baselines (majority class, "
         "TF-IDF + logistic regression) are what a recurrent model must beat. Macro F1 averages the classes, so a "
         "model cannot win by favouring one.")  # fmt: skip
records = loaders.runs(selected.dataset)
ui.describe_unfinished(records)
finished = [record for record in ui.drawn([r for r in records if r.state == "done"], ui.classifiers)
            if selected.keeps(record)]  # fmt: skip
if not records:
    ui.from_a_terminal(f"No runs for {selected.dataset} yet. Train the quick zoo:", ui.train_command(selected.dataset))
    st.page_link(ui.TRAIN_PAGE, label="Open the Train page", icon=":material/model_training:")
elif not finished:
    st.info("No finished run passes the sidebar filters yet.", icon=":material/filter_alt:")
else:
    frame = comparisons.model_frame(finished)
    headline_view(comparisons.headline(frame))
    board = comparisons.model_leaderboard(frame)
    for spread in SPREADS:  # st.dataframe writes a missing number "None": a model trained once has no spread
        board[spread] = board[spread].map(lambda value: "–" if pd.isna(value) else f"{value:.3f}")
    three = {"ROC AUC": st.column_config.NumberColumn("ROC AUC", format="%.3f"),
             **{name: st.column_config.TextColumn(name, alignment="right") for name in SPREADS}}
    ui.show_table(board, f"{selected.dataset}-leaderboard", column_config={
        "accuracy": st.column_config.ProgressColumn("accuracy", format="%.3f", min_value=0, max_value=1),
        "macro F1": st.column_config.ProgressColumn("macro F1", format="%.3f", min_value=0, max_value=1),
        "vs TF-IDF + LR": st.column_config.NumberColumn("vs TF-IDF + LR", format="%+.1f pts",
                                                        help="Accuracy points over the bag-of-words baseline"),
        "parameters": st.column_config.NumberColumn("parameters", format="localized"),
        "train time (s)": st.column_config.NumberColumn("train time (s)", format="%.1f"),
        "epochs": st.column_config.NumberColumn("epochs", format="%.1f"), **three,
    })  # fmt: skip
    ui.show_chart(f"{selected.dataset}-accuracy-intervals", figures_comparisons.model_intervals, frame,
                  height=140 + 42 * int(frame["baseline"].isna().sum()))  # fmt: skip
    ui.teach("Each dot is a model's mean test accuracy; the bar is the 95% interval of that mean over its seeds "
             "and the small circles are the seeds themselves. Where two bars overlap a lot, the order may be luck: "
             "the Significance page tests it.")  # fmt: skip
unfinished = tables.problem_runs(records)
if len(unfinished) > ui.SHOWN_IN_A_LINE:  # the notes above name the first few: here is every one, and why
    with st.expander(f"All {len(unfinished)} runs not on the leaderboard", icon=":material/list:"):
        ui.show_table(unfinished, f"{selected.dataset}-runs-not-shown")
