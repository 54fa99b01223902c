"""Training: how did each model learn, epoch by epoch?"""

import streamlit as st

from dashboard import figures, loaders, ui
from pipelines.tasks import task_of

st.title("Training")
ui.teach("Loss and accuracy per epoch on the training and validation splits, for one model or several overlaid.")

selected = ui.require_dataset()
runs = ui.require_runs(selected, ui.trained_by_epochs)  # classifiers, and language models (loss in nats per character)
finished, frame, labels, by_id = runs.records, runs.frame, runs.labels, runs.by_id


def runs_ui() -> list[str]:
    """Run ids to draw: the best model by default."""
    return ui.pick_runs("training_runs", list(frame["run_id"]), list(frame["run_id"][:1]), labels,
                        help="Pick several to overlay them; the list is sorted by macro F1 (language models: "
                             "by bits per character).")  # fmt: skip


chosen = runs_ui()
if not chosen:
    st.info("Pick at least one model above.", icon=":material/arrow_upward:")
    st.stop()

histories, best_epochs = {}, {}
for run_id in chosen:
    try:
        histories[labels[run_id]] = loaders.history(by_id[run_id])
    except loaders.Unreadable as error:
        st.warning(f"Left out: {error}.", icon=":material/warning:")
        continue
    best_epochs[labels[run_id]] = by_id[run_id].metrics.best_epoch
if not histories:
    st.stop()
styles = figures.run_styles(frame[frame["label"].isin(list(histories))])

ui.show_chart("training-curves", figures.training_curves, histories, styles, best_epochs, height=420)
if any(ui.language_models(task_of(by_id[run_id])) for run_id in chosen):
    ui.teach("A language model's loss is its surprise per character in nats (÷ ln 2 = bits per character), and its "
             "accuracy how often its likeliest next character was the right one.")  # fmt: skip
ui.teach(
    "When validation loss turns up while training loss keeps falling, the model has started to memorise the "
    "training reviews (overfitting). The star marks the best validation epoch: the weights kept are that epoch's."
)
ui.show_chart("optimisation-curves", figures.optimisation_curves, histories, styles, height=320)
ui.teach(
    "The learning rate halves when validation loss stops improving. Gradients larger than the clip norm are "
    "scaled down before each step; the dotted line is the largest norm seen in an epoch."
)
