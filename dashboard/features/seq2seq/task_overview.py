"""The Overview of a sequence-to-sequence task: its card, and its encoder-decoders (beside the baselines for text)."""

from __future__ import annotations

import streamlit as st

from dashboard import figures, loaders, ui
from dashboard.features.seq2seq import encoder_decoders, tables_seq2seq
from dashboard.state import Selection
from pipelines.data.seq2seq import unit_of
from pipelines.records import DatasetSummary
from pipelines.tasks import Capability
from pipelines.translation.baselines import BASELINE_NAMES


def render(selected: Selection, summary: DatasetSummary) -> None:
    unit = unit_of(selected.dataset)
    st.subheader(summary.title)
    columns = st.columns(5)
    for column, split in zip(columns, ("train", "validation", "test")):
        column.metric(f"{split} pairs", f"{summary.split_size(split):,}")
    columns[3].metric(f"symbols ({unit})", f"{summary.vocabulary.size:,}" if summary.vocabulary else "–",
                      help=f"One table for both sides: the {unit} of the training pairs, and <pad>, <unk>, <s>, "
                           "</s>.")  # fmt: skip
    coverage = summary.test_token_coverage
    columns[4].metric(f"test {unit} known", "–" if coverage is None else f"{coverage:.1%}",
                      help="Share of the test sources' symbols in the table; the rest read as <unk>.")
    histogram = summary.length_histogram
    if histogram and summary.vocabulary:
        ui.show_chart(f"{summary.key}-source-lengths", figures.length_histogram, histogram.edges, histogram.counts,
                      int(histogram.edges[-1]), 0.0, unit, "sources", height=260)  # fmt: skip  (no cut: the end)
    st.subheader("Leaderboard")
    records = loaders.runs(selected.dataset)
    ui.describe_unfinished(records)
    finished = ui.drawn([record for record in records if record.state == "done"], Capability.TRANSLATE)
    if not finished:
        if not records:
            ui.from_a_terminal(f"No encoder-decoders for {selected.dataset} yet:", encoder_decoders.TRAIN_TASKS)
        return
    board = tables_seq2seq.model_board(tables_seq2seq.best_first(finished))
    ui.show_table(board, f"{selected.dataset}-seq2seq-leaderboard", column_config={
        name: st.column_config.NumberColumn(format="%.3f") for name in ("exact match", "per-token accuracy")} | {
        name: st.column_config.NumberColumn(format="%.2f") for name in ("BLEU", "chrF")} | {
        "train time (s)": st.column_config.NumberColumn(format="%.0f")})  # fmt: skip
    if summary.baselines:
        line = "; ".join(f"{BASELINE_NAMES.get(name, name)} BLEU {scores['bleu']:.2f}, chrF {scores['chrf']:.2f}"
                         for name, scores in summary.baselines.items())  # fmt: skip
        ui.teach(f"Baselines on the same test split: {line}. The bottleneck page draws them beside every model.")
    ui.teach("Scores are greedy decoding of the test split: exact match is the whole output right; per-token "
             "accuracy compares position by position. Translate shows what a model writes, and where it looks.")
