"""Deploy: what does each model cost to serve on a CPU, and what do int8 and ONNX Runtime save?"""

import streamlit as st

from dashboard import ui
from dashboard.features.deploy import figures_deploy, loaders_deploy, tables_deploy
from dashboard.loaders import Unreadable
from pipelines.tasks import Capability

NUMBER = st.column_config.NumberColumn
COLUMNS = {
    "size (MB)": NUMBER(format="%.2f"), "p50 (ms)": NUMBER(format="%.2f"), "p95 (ms)": NUMBER(format="%.2f"),
    "texts/s": NUMBER(format="%.0f"), "accuracy": NUMBER(format="%.4f"), "macro F1": NUMBER(format="%.4f"),
    "max |Δp| vs float": NUMBER(format="%.1e", help="The largest probability difference to float32"),
    "same class": NUMBER(format="percent", help="The share of texts on which it predicts float32's class"),
    "speed-up": NUMBER(format="%.2f×"), "× smaller": NUMBER(format="%.2f×"),
}  # fmt: skip

st.title("Deploy")
ui.teach("Each model three ways: PyTorch as trained (float32), PyTorch with int8 weights (dynamic quantisation) and "
         "ONNX Runtime. Size, time to answer one text, texts per second in batches, and what the test set says.")

selected = ui.require_dataset()
runs = ui.require_runs(selected, Capability.EXPLAIN)
labels = runs.labels
torch_runs = [record for record in runs.records if record.framework == "torch"]
if len(torch_runs) < len(runs.records):
    ui.teach(f"{len(runs.records) - len(torch_runs)} Keras run(s) left out: int8 quantisation and the ONNX export "
             "here are PyTorch's; train the same model with --framework torch to deploy it.")
if not torch_runs:
    st.info("**No PyTorch run to deploy.** Train one with `--framework torch`.", icon=":material/info:")
    st.stop()
reports = {record.run_id: report for record in torch_runs if (report := loaders_deploy.deploy_report(record))}


def measure_ui() -> None:
    """Pick a run, measure it here, keep the report in the store."""
    ids = [record.run_id for record in torch_runs]
    waiting = [run_id for run_id in ids if run_id not in reports]
    left, middle, right = st.columns([3, 1, 1])
    chosen = left.selectbox("Model", ids, format_func=labels.get, key=ui.remembered("deploy_run", ids,
                            (waiting or ids)[0]))  # fmt: skip
    limit = middle.number_input("Test texts scored", 100, 100_000, 2000, step=500, key="deploy_limit",
                                help="A seeded sample of the test split; the command scores all by default.")
    latency_texts = right.number_input("Single texts timed", 20, 1000, 100, step=20, key="deploy_latency")
    if st.button("Measure", key="deploy_measure", icon=":material/speed:"):
        with st.spinner(f"Quantising, exporting and timing {labels[chosen]}…"):
            try:
                loaders_deploy.measure(next(r for r in torch_runs if r.run_id == chosen), int(limit), int(latency_texts))
            except Unreadable as error:
                st.warning(f"{error}.", icon=":material/warning:")
                return
        st.rerun()
    ui.teach(f"The same from a terminal, on the whole test split: `python -m pipelines deploy --run {chosen}`. "
             "Timing here shares the CPU with this app; the command's figures are steadier.")


if not reports:
    ui.from_a_terminal(f"**No model of {selected.dataset} has been measured yet.** Measure one below, or every one "
                       "from a terminal:", "python -m pipelines deploy --run RUN", icon=":material/speed:")
    measure_ui()
    st.stop()

frame = tables_deploy.deploy_frame(reports, labels)
ui.show_chart("latency-vs-accuracy", figures_deploy.latency_vs_accuracy, frame, height=440)
ui.teach("Colour is the cell, shape the variant; dotted lines join one model's variants. Left is faster, up is "
         "more accurate: a variant that moves left without dropping is a free speed-up.")
ui.show_table(tables_deploy.readable(frame, compact=selected.presentation), f"deploy-{selected.dataset}",
              column_config=COLUMNS)
for line in tables_deploy.problems(reports, labels):
    st.caption(f":material/info: {line}")
ui.teach("Latency: one text at a time on one thread, the median (p50) and the slowest twentieth (p95). Speed-up and "
         "× smaller are against the same model in float32. int8 stores the LSTM/GRU and linear weights as 8-bit "
         "integers and the embedding table as 8-bit rows.")

with st.expander("Measure a model", expanded=len(reports) < len(torch_runs)):
    measure_ui()
