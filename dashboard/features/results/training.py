"""Training: how did each model learn, epoch by epoch?"""

import streamlit as st

from dashboard import figures, loaders, ui
from dashboard.state import RUNS
from pipelines.tasks import Capability, task_of

st.title("Training")
ui.teach("Loss and accuracy per epoch on the training and validation splits, for one model or several overlaid.")

selected = ui.require_dataset()
runs = ui.require_runs(selected, ui.trained_by_epochs)  # classifiers, and language models (loss in nats per character)
finished, frame, labels, by_id = runs.records, runs.frame, runs.labels, runs.by_id
forecasting = task_of(finished[0]).can(Capability.FORECAST)  # a data set holds one kind: classifiers or forecasters
if frame["epochs_trained"].isna().any():  # baselines: fitted in one go, no epochs to draw
    ui.teach(f"{int(frame['epochs_trained'].isna().sum())} baselines are fitted in one go, not epoch by epoch: "
             "they have no curves here (the Forecasts page compares them).")  # fmt: skip
    frame = frame[frame["epochs_trained"].notna()].reset_index(drop=True)
if forecasting:  # best test RMSE first, as on the Forecasts page
    frame = frame.iloc[sorted(range(len(frame)), key=lambda row: by_id[frame["run_id"][row]].metrics.rmse)]


def runs_ui() -> list[str]:
    """Run ids to draw: the best model by default."""
    return ui.pick_runs(RUNS, list(frame["run_id"]), list(frame["run_id"][:1]), labels,
                        help="Pick several to overlay them; best first (macro F1, test RMSE, or bits per "
                             "character for language models).")  # fmt: skip


chosen = runs_ui()
if not chosen:
    st.info("Pick at least one model above.", icon=":material/arrow_upward:")
    st.stop()

histories, best_epochs = {}, {}
for run_id in chosen:
    try:
        histories[labels[run_id]] = loaders.history(by_id[run_id])
    except loaders.Unreadable as error:
        ui.left_out(str(error))
        continue
    best_epochs[labels[run_id]] = by_id[run_id].metrics.best_epoch
if not histories:
    st.stop()
styles = figures.run_styles(frame[frame["label"].isin(list(histories))])

accuracy = "Direction accuracy" if forecasting else "Accuracy"
ui.show_chart("training-curves", figures.training_curves, histories, styles, best_epochs, accuracy, height=420)
if any(task_of(by_id[run_id]).can(Capability.GENERATE) for run_id in chosen):
    ui.teach("A language model's loss is its surprise per character in nats (÷ ln 2 = bits per character), and its "
             "accuracy how often its likeliest next character was the right one.")  # fmt: skip
ui.teach(
    "When validation loss turns up while training loss keeps falling, the model has started to memorise the "
    "training examples (overfitting). The star marks the best validation epoch: the weights kept are that epoch's."
    + (" A forecaster's loss is the squared error in training standard deviations; direction accuracy is the share "
       "of its forecasts that move the right way from the last value read." if forecasting else "")
)
ui.show_chart("optimisation-curves", figures.optimisation_curves, histories, styles, height=320)
ui.teach(
    "The learning rate halves when validation loss stops improving. Gradients larger than the clip norm are "
    "scaled down before each step; the dotted line is the largest norm seen in an epoch."
)
