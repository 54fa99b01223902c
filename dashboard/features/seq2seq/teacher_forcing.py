"""Teacher forcing: a decoder trained on the true previous symbols, then left to read its own (exposure bias)."""

import streamlit as st

from dashboard import loaders, ui
from dashboard.features.seq2seq import encoder_decoders, figures_seq2seq
from dashboard.state import RUNS, kept

MEASURES = {"loss": "Loss", "accuracy": "Per-token accuracy"}
COLUMNS = ("forced_loss", "forced_token_accuracy", "free_running_loss", "free_running_token_accuracy")

st.title("Teacher forcing")
ui.teach("**Trained on the truth, tested on its own guesses:** with teacher forcing every decoder step reads the true "
         "previous symbol, but at inference it reads its own, so one mistake feeds the next (exposure bias): the "
         "free-running curve is what the model really does (seed 001, section 7.8).")  # fmt: skip

selected = encoder_decoders.require_task(ui.require_dataset(), "teacher_forcing")
records = encoder_decoders.finished(selected)
by_id = {record.run_id: record for record in records}
labels = {run_id: encoder_decoders.label(record) for run_id, record in by_id.items()}

controls, result = ui.controls_and_result("Models and measure", expanded=True)
with controls:
    # By default the best model without attention and the best with: the gap differs most between them
    default = list(dict.fromkeys([next((r.run_id for r in records if r.model_spec.attention == "none"), None),
                                  next((r.run_id for r in records if r.model_spec.attention != "none"), None)]))
    chosen = ui.pick_runs(RUNS, list(by_id), [run_id for run_id in default if run_id], labels,
                          dataset=selected.dataset, help="Sorted by exact match on the test split.")
    measure = st.segmented_control("Measure", list(MEASURES), format_func=MEASURES.get, default="loss",
                                   required=True, **kept("exposure_measure"))  # fmt: skip
if not chosen:
    result.info("Pick at least one model.", icon=":material/arrow_upward:")
    st.stop()

curves, older = [], []
for run_id in chosen:
    try:
        history = loaders.history(by_id[run_id])
    except loaders.Unreadable as error:
        ui.left_out(str(error))
        continue
    if not set(COLUMNS) <= set(history.columns):
        older.append(labels[run_id])
        continue
    curves.append({"label": labels[run_id], "cell": by_id[run_id].model_spec.cell,
                   "rows": history[["epoch", *COLUMNS]].to_dict("records")})  # fmt: skip
if older:
    st.info(f"{', '.join(older)}: trained before free-running decoding was recorded every epoch; train again to "
            "see both curves.", icon=":material/history:")  # fmt: skip
if not curves:
    st.stop()
with result:
    ui.show_chart(f"{selected.dataset}-exposure-{measure}", figures_seq2seq.exposure_curves, curves, measure,
                  f"{MEASURES[measure]} on validation pairs of {selected.dataset}, by epoch", height=500)
    ui.teach("Both curves score the same validation pairs against the same targets; only what each step reads "
             "differs. The gap is the price of never having practised on its own mistakes in training.")
