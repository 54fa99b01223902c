"""Significance: is a difference between two models real, or luck of the test split and the seed?"""

import pandas as pd
import streamlit as st

from dashboard import comparisons, figures_comparisons, loaders, ui
from dashboard.state import RUNS, kept, on_offer
from pipelines.comparison import seed_groups, versus
from pipelines.comparison.overview import test_texts
from pipelines.comparison.significance import MATRIX_LIMIT, points

st.title("Significance")
ui.teach("Which differences between models are real? McNemar's test and a bootstrap on the test split, and the "
         "spread over seeds.")  # fmt: skip

selected = ui.require_dataset()
runs = ui.require_runs(selected)
finished, frame, labels, by_id = runs.records, runs.frame, runs.labels, runs.by_id
groups = seed_groups(finished)
order = list(frame["run_id"])  # best macro F1 first
REFERENCE = "reference"  # the run every other is tested against, kept in the address


def runs_ui() -> list[str]:
    default = comparisons.one_run_per_model(order, finished, MATRIX_LIMIT - 2)  # room for the two baselines
    return ui.pick_runs(RUNS, order, default, labels,
                        help="By default the first seed of every model and the baselines. Past a dozen, each run "
                             "is tested against the best one only.")  # fmt: skip


chosen = runs_ui()
if len(chosen) < 2:
    st.info("Pick at least two models above to compare them.", icon=":material/arrow_upward:")
    st.stop()
table = loaders.significance([by_id[run_id] for run_id in chosen], labels)
ui.warn_left_out(table.left_out)
if len(table.runs) < 2:
    st.info("Fewer than two of these runs have readable test predictions: nothing to compare.",
            icon=":material/info:")  # fmt: skip
    st.stop()
texts = test_texts(selected.dataset)
examples = next(iter(table.pairs.values())).examples

st.subheader("Every pair")
if table.against:
    st.info(f"{len(table.runs)} runs: each is compared with the best, {table.labels[table.against]}, instead of "
            f"every pair with every other.", icon=":material/info:")  # fmt: skip
else:
    matrix = comparisons.significance_matrix(table)
    ui.show_chart("significance-matrix", figures_comparisons.significance_heatmap, *matrix,
                  height=160 + 44 * len(table.runs))  # fmt: skip
ui.teach(f"Each cell is the row's test accuracy minus the column's, in points, on the same {examples:,} {texts}. "
         "A tick means McNemar's exact test (on the texts exactly one of the two gets right), Holm-adjusted for "
         "the number of pairs, finds the difference real at the 5% level and the 95% bootstrap interval excludes "
         "zero; a question mark means the two disagree.")  # fmt: skip

tested = [record.run_id for record in table.runs]
on_offer(REFERENCE, tested)
reference = st.selectbox("Compare every model with", tested, format_func=table.labels.get,
                         **kept(REFERENCE, table.labels.get))  # fmt: skip
rows = []
for record in table.runs:
    pair = table.pair(record.run_id, reference) if record.run_id != reference else None
    if pair is not None:
        interval = pair.intervals["accuracy"]
        rows.append({"label": pair.first_label, "difference": interval.difference * 100, "low": interval.low * 100,
                     "high": interval.high * 100, "verdict": pair.verdict})  # fmt: skip
if rows:
    ui.show_chart("differences", figures_comparisons.differences_to, table.labels[reference], pd.DataFrame(rows),
                  height=140 + 40 * len(rows))  # fmt: skip

st.subheader("In words")
pairs = [table.pair(record.run_id, reference) for record in table.runs if record.run_id != reference]
pairs = [pair if pair.intervals["accuracy"].difference >= 0 else pair.swapped() for pair in pairs if pair]
st.markdown("\n".join(f"- {pair.sentence(texts)}" for pair in pairs))  # the better of each pair first
with st.expander("Every pair as a table"):
    ui.show_table(comparisons.pairs_frame(table), f"{selected.dataset}-significance", column_config={
        name: st.column_config.NumberColumn(name, format="%+.1f") for name in ("accuracy difference",
                                                                              "macro F1 difference")
    } | {name: st.column_config.NumberColumn(name, format="%.4f") for name in ("McNemar p", "p (Holm)")})  # fmt: skip

st.subheader("Over seeds")
seeded = [group for group in groups if len(group.runs) > 1]
if not seeded:
    ui.from_a_terminal("Every model here was trained once. A second seed shows how much of a difference is the "
                       "random start:", f"{ui.train_command(selected.dataset)} --seeds 3")
    st.stop()
best = max(seeded, key=lambda group: group.spread("accuracy").mean)
others = [group for group in seeded if group is not best]
against_best = dict(zip(map(id, others), versus(best, others)))
seed_rows = []
for group in seeded:
    spread, comparison = group.spread("accuracy"), against_best.get(id(group))
    seed_rows.append({
        "model": group.label, "seeds": len(group.runs), "mean accuracy": spread.mean, "sd": spread.std,
        "lowest": spread.minimum, "highest": spread.maximum,
        f"{best.label} minus this": None if comparison is None else comparison.difference * 100,
        "Welch p (Holm)": None if comparison is None else comparison.p_adjusted,
    })  # fmt: skip
ui.show_table(pd.DataFrame(seed_rows), f"{selected.dataset}-seeds", column_config={
    "mean accuracy": st.column_config.NumberColumn(format="%.4f"), "sd": st.column_config.NumberColumn(format="%.4f"),
    "lowest": st.column_config.NumberColumn(format="%.4f"), "highest": st.column_config.NumberColumn(format="%.4f"),
    f"{best.label} minus this": st.column_config.NumberColumn(format="%+.1f pts"),
    "Welch p (Holm)": st.column_config.NumberColumn(format="%.3f"),
})  # fmt: skip
widest = max(seeded, key=lambda group: group.spread("accuracy").maximum - group.spread("accuracy").minimum)
span = widest.spread("accuracy")
ui.teach(f"Reseeding alone moved {widest.label} by {points(span.maximum - span.minimum)} points "
         f"({span.minimum:.3f} to {span.maximum:.3f}). Welch's t-test on the seeds' scores asks whether a model "
         f"differs from {best.label} beyond that (Holm-adjusted for the {len(others)} comparisons); with "
         f"{len(best.runs)} seeds each it notices only large gaps.")
