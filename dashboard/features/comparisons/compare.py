"""Compare & sweeps: which architecture choices matter, and what do they cost?"""

import streamlit as st

from dashboard import comparisons, figures, figures_comparisons, loaders, tables, ui
from dashboard.features.comparisons import figures_pretraining, tables_pretraining
from dashboard.pages import page_path
from pipelines.models.zoos import zoo

st.title("Compare & sweeps")
ui.teach("RNN against LSTM against GRU, and what depth, width and direction do to macro F1.")

selected = ui.require_dataset()
runs = ui.require_runs(selected)
finished, frame, labels = runs.records, runs.frame, runs.labels

st.subheader("RNN vs LSTM vs GRU")
if frame["cell"].isna().all():
    st.info("Only the baselines pass the sidebar filters; turn a cell back on to compare recurrent models.",
            icon=":material/filter_alt:")  # fmt: skip
    st.stop()
uncertainty = loaders.cell_uncertainty([record for record in finished if tables.spec_of(record)])
ui.show_chart("cells", figures.cell_comparison, frame, uncertainty.intervals, uncertainty.apart, uncertainty.best,
              1 / len(finished[0].classes), height=420)  # fmt: skip
ui.teach(" ".join(filter(None, (
    "Every dot is one trained model (each seed its own dot); its bar is the 95% bootstrap interval of its macro F1: "
    "how far the score could move on another test split of the same size (the test texts resampled 2,000 times).",
    uncertainty.sentence(labels),
    "Overlapping bars do not prove a tie (a paired test can find smaller differences): the Significance page tests "
    "each pair directly. The axis reaches down to the majority-class baseline, so a gap of one point looks like one "
    "point. Gated cells (LSTM, GRU) can carry a word's signal across a long review; a plain RNN's gradient fades "
    "over many steps, so it tends to score lower on longer texts. The dashed lines are bag-of-words baselines: a "
    "recurrent model below them has not yet earned its cost.",
))))
st.page_link(page_path("significance"), label="Which differences are real? Every pair on the Significance page",
             icon=":material/balance:")  # fmt: skip

st.subheader("Over seeds: is the order more than luck?")
models = comparisons.model_frame(finished)
ui.show_chart("f1-intervals", figures_comparisons.model_intervals, models, "f1_macro",
              height=140 + 42 * int(models["baseline"].isna().sum()))  # fmt: skip
if models["seeds"].max() < 2:
    ui.from_a_terminal("Every model here has one seed, so there is no interval to draw. Train each three times:",
                       f"{ui.train_command(selected.dataset)} --seeds 3")
ui.teach("A model's seeds differ only in their random start and batch order. When the bars of two models overlap, "
         "reseeding alone could swap them.")  # fmt: skip

st.subheader("Sweeps: depth, width, direction")
points = tables.sweep_points(finished, labels)
trained, planned = points["run_id"].nunique(), len(zoo("sweep"))
if points.empty or points.groupby("study")["value"].nunique().max() < 2:
    ui.from_a_terminal(
        f"**The sweep zoo has not been trained on {selected.dataset} yet.** It varies one factor at a time from a "
        "shared base (1 layer, 64 units, one direction) for each cell: depth 1/2/3, width 32/64/128 and direction, "
        f"{planned} models in all. Train it with:", ui.train_command(selected.dataset, "sweep"),
        then="or on the Train page; the studies appear here as runs finish.",
    )
    st.page_link(ui.TRAIN_PAGE, label="Open the Train page", icon=":material/model_training:")
else:
    ui.show_chart("sweeps", figures.sweep_studies, comparisons.sweep_summary(points), height=400)
    ui.teach("Each panel changes one thing and keeps the rest at the base model, so a slope is that factor's effect. "
             "A flat line means the extra size buys nothing on this data set.")  # fmt: skip
    if trained < planned:
        ui.from_a_terminal(f"{trained} of the sweep zoo's {planned} models are trained (shown above; some come from "
                           "other zoos with the same shape). For every point of every study:",
                           ui.train_command(selected.dataset, "sweep"))

st.subheader("What accuracy costs")
# One point per model (its seeds' mean accuracy and train time); the majority class costs nothing and learns nothing.
costly = models[models["baseline"] != "majority"]
model_styles = figures.run_styles(costly)
left, right = st.columns(2)
with left:
    ui.show_chart("accuracy-vs-parameters", figures.tradeoff, costly, model_styles, "parameters", "parameters",
                  log_x=True)  # fmt: skip
with right:
    ui.show_chart("accuracy-vs-train-time", figures.tradeoff, costly, model_styles, "train_seconds", "train time (s)")
ui.teach("Up and to the left is better: more accuracy for fewer parameters or less training time. Most parameters "
         "sit in the word embeddings, so the cells differ less in size than you might expect.")  # fmt: skip

st.subheader("From scratch or pretrained embeddings")
pretraining = tables_pretraining.pretraining_points(finished, labels)
if pretraining.empty:
    ui.from_a_terminal(
        f"**No run of {selected.dataset} starts from pretrained embeddings yet.** Learn word vectors from IMDb's "
        "unlabelled reviews, then train the quick zoo again with its embedding table starting from them, "
        "fine-tuned or frozen:", "python -m pipelines embed", f"{ui.train_command(selected.dataset)} --pretrained tuned",
        f"{ui.train_command(selected.dataset)} --pretrained frozen",
    )
else:
    ui.show_chart("scratch-vs-pretrained", figures_pretraining.scratch_vs_pretrained, pretraining, height=420)
    ui.teach("Hollow: embeddings learned from the labelled texts alone. Filled: started from word2vec vectors "
             "learned on 75,000 unlabelled IMDb reviews, then fine-tuned (circles) or kept frozen (squares). "
             "Hover for how much of the vocabulary the vectors covered; a word they lack starts at random.")
