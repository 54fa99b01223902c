"""The bottleneck: does an encoder-decoder's accuracy fall as its inputs grow longer, and does attention hold?"""

import pandas as pd
import streamlit as st

from dashboard import ui
from dashboard.features.seq2seq import encoder_decoders, figures_seq2seq, tables_seq2seq
from dashboard.state import kept
from pipelines.data.seq2seq import unit_of
from pipelines.translation.baselines import BASELINE_NAMES

MEASURES = {"exact_match": "Exact match", "token_accuracy": "Per-token accuracy"}

st.title("The bottleneck")
ui.teach("**A single context vector is a bottleneck:** without attention an encoder-decoder must squeeze the whole "
         "source into one state, so its accuracy falls as sources grow longer; attention looks back at every "
         "encoder state and holds (Cho et al. 2014; Bahdanau, Cho & Bengio 2015, Figure 2).")  # fmt: skip

selected = encoder_decoders.require_task(ui.require_dataset(), "bottleneck")
records = encoder_decoders.finished(selected)
unit = unit_of(selected.dataset)
# On real sentences no model writes a whole translation right: per-token accuracy first, where exact match is all 0
measure = st.segmented_control("Measure", list(MEASURES), format_func=MEASURES.get, required=True,
                               default="token_accuracy" if unit == "words" else "exact_match",
                               **kept("measure"))  # fmt: skip
curves = tables_seq2seq.length_curves(records)
ui.show_chart(f"{selected.dataset}-accuracy-by-length", figures_seq2seq.accuracy_by_length, curves, measure,
              f"{MEASURES[measure]} by source length on the test split of {selected.dataset}", unit, height=520)
if len({bucket["bucket"] for curve in curves for bucket in curve["by_length"]}) < 2:
    ui.teach("This task's sources all fall in one length bucket: train on reverse-60 or copy-60 (5 to 60 letters) "
             "to see the curve.")  # fmt: skip

st.subheader("Every model")
table = pd.DataFrame([{
    "model": curve["label"], "attention": curve["attention"], "context vector (units)": record.model_spec.encoder_size,
    "exact match": record.metrics.exact_match, "per-token accuracy": record.metrics.token_accuracy,
    "training (s)": record.metrics.train_seconds, "epochs": record.metrics.epochs_trained,
    **({"BLEU": record.metrics.bleu, "chrF": record.metrics.chrf} if unit == "words" else {}),
} for curve, record in zip(curves, records)])  # fmt: skip
ui.show_table(table, f"{selected.dataset}-encoder-decoders", column_config={
    "BLEU": st.column_config.NumberColumn(format="%.2f"), "chrF": st.column_config.NumberColumn(format="%.2f"),
    "exact match": st.column_config.NumberColumn(format="%.3f"),
    "per-token accuracy": st.column_config.NumberColumn(format="%.3f"),
    "training (s)": st.column_config.NumberColumn(format="%.0f")})
ui.teach("The context vector's capacity is its size: a wider one holds more of the source, but only attention "
         "removes the bottleneck. Compare models trained for the same time (BENCHMARKS.md, section 16).")

if unit == "words":
    st.subheader("Against the baselines")
    baselines = encoder_decoders.baselines(selected.dataset)
    rows = [{"label": BASELINE_NAMES.get(name, name), "baseline": True, **scores}
            for name, scores in baselines.items()]  # fmt: skip
    rows += [{"label": curve["label"], "baseline": False, "cell": curve["cell"], "bleu": record.metrics.bleu or 0.0,
              "chrf": record.metrics.chrf or 0.0} for curve, record in zip(curves, records)]  # fmt: skip
    ui.show_chart(f"{selected.dataset}-text-scores", figures_seq2seq.text_scores, rows,
                  f"BLEU and chrF on the test split of {selected.dataset} (grey: baselines)", height=460)
    ui.teach("Exact match is near zero on real sentences: BLEU counts the output's word sequences (1 to 4 words) "
             "found in the reference, chrF its character sequences. Both are scored on lower-cased words with "
             "punctuation apart, so they compare these systems, not published results (docs/seq2seq.md).")
