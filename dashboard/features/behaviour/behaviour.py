"""Behaviour: what can the models not do? Behavioural tests in the manner of CheckList, capability by capability."""

import pandas as pd
import streamlit as st

from dashboard import loaders, ui
from dashboard.features.behaviour import checks
from dashboard.features.behaviour.figures_behaviour import failure_heatmap
from dashboard.pages import page_path
from dashboard.state import RUN, RUNS, TEXT, kept, on_offer
from pipelines.behaviour import CHECKLIST_TABLE_1, SUITES
from pipelines.behaviour.checklist import is_sentiment, testable
from pipelines.tasks import TASKS, Capability

CAPABILITY = "capability"
MODEL = "model"  # whose failing sentences are listed (RUN is Inside the model's: it is set when one is opened)
OPENED = "behaviour_opened"  # texts opened so far: a new table key each time, so no old selection reopens one

st.title("Behaviour")
ui.teach("Short sentences built from templates, in the manner of CheckList (Ribeiro et al., ACL 2020): does a model "
         "get “not bad” right, follow “but”, shrug off a typo or another name? The share of each kind it gets "
         "wrong.")

selected = ui.require_dataset()
runs = ui.require_runs(selected, Capability.PREDICT)
frame, labels, by_id = runs.frame, runs.labels, runs.by_id
summary = ui.require_summary(selected.dataset)
if not is_sentiment(summary.classes):
    st.info(f"The behavioural tests ask about sentiment: they expect negative and positive classes, and "
            f"{selected.dataset} has {', '.join(summary.classes) or 'none'}. Pick a sentiment data set in the sidebar.",
            icon=":material/info:")  # fmt: skip
    st.stop()
if summary.language not in SUITES:
    st.info(f"No behavioural tests are written in {summary.language or 'this data set’s language'} yet: there are "
            "tests in English (rt-polarity, IMDb) and Indonesian (NusaX).", icon=":material/translate:")  # fmt: skip
    st.stop()
offered = [run_id for run_id in frame["run_id"] if testable(by_id[run_id])]
if not offered:
    st.info("None of these runs reads words: the majority-class baseline answers the same whatever the text.",
            icon=":material/info:")  # fmt: skip
    st.stop()


def results_ui():
    chosen = ui.pick_runs(RUNS, offered, offered, labels, help="Every finished classifier that reads words.")
    if not chosen:
        st.info("Pick at least one model above.", icon=":material/arrow_upward:")
        st.stop()
    with st.spinner("Every model reads every test sentence…"):
        try:
            return checks.report([by_id[run_id] for run_id in chosen], selected.dataset, summary.language)
        except loaders.Unreadable as error:
            st.warning(f"{error}.", icon=":material/warning:")
            st.stop()


def anchor_caption() -> None:
    ui.teach(f"MFT: the template says which class is right (“This film is not good.” is negative). INV: a typo, "
             f"another name or another neutral word must not change the answer. CheckList tested commercial "
             f"sentiment APIs and BERT the same way: {CHECKLIST_TABLE_1['source']}. Below, its failure rates on the "
             f"rows ours mirror, where a copy could be checked (– : in the paper, not copied here).")  # fmt: skip


def anchor_table(report) -> None:
    """Ours beside the paper's: the range over these models, and the paper's figures where a copy was checked."""
    paper = CHECKLIST_TABLE_1["figure_models"]
    rows = [{"ours": mirrored.ours, "these models fail": mirrored.span, "CheckList's row": mirrored.row,
             **{model: f"{mirrored.figures[model]:.1f}%" if model in mirrored.figures else "–" for model in paper}}
            for mirrored in report.beside_checklist()]  # fmt: skip
    st.markdown(f"**Beside CheckList's Table 1** (failure rates; the paper's: {CHECKLIST_TABLE_1['figures_source']})")
    ui.show_table(pd.DataFrame(rows), "behaviour-checklist-table-1")


def unknown_words_ui(report) -> None:
    counts = [(model.label, model.texts_with_unknown, model.texts, ", ".join(list(model.unknown_words)[:6]))
              for model in report.models]  # fmt: skip
    if not any(count for _, count, _, _ in counts):
        ui.teach("Every word of these sentences is in every model's vocabulary (a typo test's misspelling aside: it is "
                 "unknown on purpose, which is what that test asks about).")  # fmt: skip
        return
    table = pd.DataFrame([row for row in counts if row[1]],
                         columns=["model", "texts with unknown words", "texts", "unknown words"])  # fmt: skip
    st.markdown("**Words a model does not know** (it reads them all as the same <unk> token; the models not listed "
                "know every word of these sentences)")  # fmt: skip
    ui.show_table(table, "behaviour-unknown-words")


def failures_ui(report) -> None:
    st.subheader("Where they fail")
    left, right = st.columns([2, 3])
    on_offer(CAPABILITY, report.capabilities)
    capability = left.selectbox("Capability", report.capabilities, **kept(CAPABILITY))
    ids = [model.run_id for model in report.models]
    on_offer(MODEL, ids)
    run_id = right.selectbox("Model", ids, format_func=labels.get, **kept(MODEL, labels.get))
    model = next(model for model in report.models if model.run_id == run_id)
    for test in (test for test in report.tests if test.capability == capability):
        failed = sum(1 for result in model.failures(capability) if result.test == test.name)
        ui.teach(f"**{test.name}** ({test.kind}): {test.description}. {model.label} fails {failed} of "
                 f"{len(test.cases)}.")  # fmt: skip
    failures = sorted(model.failures(capability), key=lambda result: -result.confidence)
    if not failures:
        st.success(f"{model.label} passes every {capability.lower()} test.", icon=":material/check_circle:")
        return
    table = pd.DataFrame({
        "text": [result.text for result in failures],
        "expected": [" or ".join(result.expected) if result.kind == "MFT"
                     else f"{result.original_predicted}, as for “{result.original}”" for result in failures],
        "answer": [result.predicted for result in failures],
        "confidence": [result.confidence for result in failures],
    })  # fmt: skip
    opened = st.session_state.get(OPENED, 0)
    event = st.dataframe(table, hide_index=True, on_select="rerun", selection_mode="single-row",
                         key=f"behaviour_failures:{opened}", column_config={
                             "confidence": st.column_config.ProgressColumn("confidence", format="percent",
                                                                           min_value=0, max_value=1)})  # fmt: skip
    explains = TASKS[by_id[run_id].task].can(Capability.EXPLAIN)
    ui.teach("Click a row to read that sentence in Inside the model, word by word"
             + ("." if explains else " (with a recurrent model: this one is a bag of words, which it cannot open)."))
    rows = event.selection.rows if event and event.selection else []
    if rows:
        open_inside(failures[rows[0]].text, run_id if explains else None)


def open_inside(text: str, run_id: str | None) -> None:
    """Inside the model, reading `text` (with this model, if it can be opened there): its address names both, as
    a shared link would, and the session holds them too, as the Playground's "Why?" leaves them."""
    st.session_state[OPENED] = st.session_state.get(OPENED, 0) + 1
    st.session_state[TEXT] = text
    address = {TEXT: text}
    if run_id is not None:
        st.session_state[RUN] = run_id
        address[RUN] = labels[run_id]
    st.switch_page(page_path("inside"), query_params=address)


report = results_ui()
st.markdown("**Failure rate per capability**: the share of its sentences a model gets wrong (darker = fails more)")
ui.show_chart("behaviour-failure-rates", failure_heatmap, [model.label for model in report.models],
              report.capabilities, [[model.failure_rate(name) for name in report.capabilities]
                                    for model in report.models], height=150 + 44 * len(report.models))  # fmt: skip
anchor_caption()
anchor_table(report)
unknown_words_ui(report)
failures_ui(report)
