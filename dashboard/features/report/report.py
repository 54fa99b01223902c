"""Report: this data set's runs as one file to take home, HTML (opens offline) or PDF."""

import re
import time

import streamlit as st

from dashboard import loaders, ui
from dashboard.examples import examples_for
from dashboard.state import RUNS
from dashboard.features.report import loaders_report
from dashboard.report.course import reported
from pipelines.tasks import TASKS

st.title("Report")
ui.teach("A hand-out of this data set's runs: the data card, leaderboard with baselines and intervals, curves, "
         "confusion matrices, sweeps, the significance table and one review's word attributions; on a memory-lab "
         "task the lab's sweep and gradients through time, on a series the forecasters against the baselines, on a "
         "character corpus the language models against the n-grams, on a sequence-to-sequence task its "
         "encoder-decoders; with the date, the store and the exact run ids.")

selected = ui.require_dataset()
runs = ui.require_runs(selected, reported)
finished, frame, labels, by_id = runs.records, runs.frame, runs.labels, runs.by_id
summary = ui.require_summary(selected.dataset)
examples = examples_for(summary)
BUILT = "report_built"  # (settings, file name, bytes, mime) of the last report built in this session


def settings_ui() -> dict:
    order = list(frame["run_id"])
    chosen = ui.pick_runs(RUNS, order, order, labels, help="Every finished run by default; the report "
                          "names the runs it leaves out.")  # fmt: skip
    text = ""
    if any(TASKS[record.task].classifier for record in finished if record.task in TASKS):  # only they explain
        text = st.text_area("A review to explain", value=examples[0] if examples else "", key="report_text",
                            height=80, help="The best recurrent model's word attributions and the TF-IDF baseline's "
                            "word weights.")  # fmt: skip
    title = st.text_input("Title", value=f"{summary.title}: recurrent models against the baselines",
                          key="report_title")  # fmt: skip
    return {"run_ids": tuple(chosen), "text": text.strip() or None, "title": title.strip() or None}


def build(settings: dict, kind: str) -> None:
    started = time.perf_counter()
    try:
        with st.spinner(f"Building the {kind.upper()} report (the PDF is printed by headless Chromium)…"):
            data = loaders_report.report(selected.dataset, settings["run_ids"], settings["text"], settings["title"], kind)
    except loaders.Unreadable as error:
        st.error(f"The report could not be built: {error}.", icon=":material/error:")
        return
    name = f"rnnlens-{re.sub(r'[^A-Za-z0-9-]+', '-', selected.dataset)}-{time.strftime('%Y%m%d')}.{kind}"
    st.session_state[BUILT] = (settings, name, data, "text/html" if kind == "html" else "application/pdf",
                               time.perf_counter() - started)  # fmt: skip


settings = settings_ui()
if not settings["run_ids"]:
    st.info("Pick at least one run above.", icon=":material/arrow_upward:")
    st.stop()
left, right = st.columns(2)
if left.button("Build the HTML report", icon=":material/description:", type="primary", key="report_html"):
    build(settings, "html")
if right.button("Build the PDF", icon=":material/picture_as_pdf:", key="report_pdf"):
    build(settings, "pdf")

built = st.session_state.get(BUILT)
if built and built[0] == settings:
    _, name, data, mime, seconds = built
    about = ("The HTML file carries its own plotly.js: it opens without a network, and its charts still zoom and "
             "hover." if name.endswith(".html") else "Printed by headless Chromium from the HTML report: A4, "
             "a new page per section, page numbers at the foot.")  # fmt: skip
    st.success(f"{name}: {len(data) / 1e6:.1f} MB, built in {seconds:.0f} s. {about}", icon=":material/task_alt:")
    st.download_button(f"Download {name}", data, file_name=name, mime=mime, icon=":material/download:",
                       key="report_download")  # fmt: skip
elif built:
    st.caption("The settings changed since the last report was built; build it again to download.")
ui.teach("The same report from a terminal: `python -m pipelines report --dataset "
         f"{selected.dataset} --out report.html` (or `report.pdf`).")
