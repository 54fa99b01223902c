"""Glass box: do the frameworks compute exactly the textbook equations?"""

import pandas as pd
import streamlit as st

from dashboard import figures, loaders, tables, ui
from dashboard.examples import examples_for
from dashboard.features.glass_box import equations, figures_glassbox
from pipelines.models.spec import FRAMEWORK_NAMES, parameter_breakdown
from pipelines.records import framework_twins
from pipelines.tasks import Capability
from pipelines.verify import TOLERANCE

FULL_CHECK_UP_TO = 3000  # test texts checked in the page at once; a larger split is sampled
SAMPLE = 1000
PLAIN_DELTA = dict(delta_color="off", delta_arrow="off")  # a second value under a metric, not a change

st.title("Glass box")
ui.teach("Each model exists three times: in its framework, in the other framework, and as a from-scratch NumPy "
         "forward pass of the equations below. Here they are held side by side, token by token.")  # fmt: skip

selected = ui.require_dataset()
runs = ui.require_runs(selected, Capability.EXPLAIN)
finished, frame, labels, by_id = runs.records, runs.frame, runs.labels, runs.by_id
try:
    examples = examples_for(loaders.dataset_summary(selected.dataset))
except loaders.Unreadable:
    examples = []

ids = list(frame["run_id"])
record = by_id[ui.pick_run(ids, labels)]
spec = tables.spec_of(record)


def equations_view() -> None:
    st.latex(equations.EQUATIONS[spec.cell])
    ui.teach(f"{equations.PAPERS[spec.cell]}. {spec.directions} direction(s) × {spec.layers} layer(s) of this cell.")
    st.latex(equations.SIGMOID)
    st.latex(equations.shapes(spec.cell, spec.embedding_size, spec.hidden_size))
    st.latex(equations.AROUND_THE_CELL)
    st.markdown("**Where each framework keeps these weights**")
    st.table(pd.DataFrame(equations.STORAGE[spec.cell], columns=["framework", "layout"]))
    st.markdown("**Parameters, counted three ways**")
    breakdown = pd.DataFrame(parameter_breakdown(spec, record.framework), columns=["part", "formula", "parameters"])
    ui.show_table(breakdown, f"parameters-{record.run_id}",
                  column_config={"parameters": st.column_config.NumberColumn("parameters", format="localized")})
    columns = st.columns(3)
    columns[0].metric(f"{FRAMEWORK_NAMES[record.framework]} counts", f"{record.metrics.parameters or 0:,}")
    columns[1].metric("the formula gives", f"{int(breakdown['parameters'].sum()):,}")
    try:
        columns[2].metric("the NumPy reference holds", f"{loaders.reference_parameters(record):,}",
                          help="Every array of the from-scratch forward pass, read from the trained weights.")
    except loaders.Unreadable as error:
        st.warning(f"{error}.", icon=":material/warning:")


def text_view() -> None:
    st.session_state.setdefault("glass_box_text", examples[0] if examples else "")
    text = st.text_input("Text", key="glass_box_text", max_chars=5000)
    try:
        comparison = loaders.text_comparison(record, text)
    except loaders.Unreadable as error:
        st.warning(f"{error}.", icon=":material/warning:")
        return
    columns = st.columns(len(comparison.classes) + 1)
    for column, name, framework, reference in zip(columns, comparison.classes, comparison.framework_probabilities,
                                                  comparison.reference_probabilities):  # fmt: skip
        column.metric(f"P({name})", f"{framework:.6f}", f"reference {reference:.6f}", **PLAIN_DELTA)
    verdict = "agree" if comparison.max_difference <= TOLERANCE else "DISAGREE"
    columns[-1].metric("largest difference anywhere", f"{comparison.max_difference:.1e}", verdict, **PLAIN_DELTA)
    left, middle, right = st.columns(3)
    layer = left.selectbox("Layer", range(spec.layers), format_func=lambda i: f"layer {i + 1}", key="glass_box_layer")
    directions = ["forward", "backward"] if spec.bidirectional else ["forward"]
    direction = middle.selectbox("Direction", directions, key="glass_box_direction")
    unit = right.number_input("Unit", 0, spec.hidden_size - 1, 0, key="glass_box_unit")
    chosen = next(d for d in comparison.directions if d.layer == layer and d.direction == direction)
    differences = {name: chosen.difference(name) for name in chosen.reference}
    differences = {name: values for name, values in differences.items() if values is not None}
    ui.show_chart(f"differences-{record.run_id}", figures_glassbox.difference_lines, differences, comparison.tokens,
                  TOLERANCE, f"Framework against reference, layer {layer + 1} {direction}", height=340)  # fmt: skip
    if chosen.framework_hidden is None:
        st.info("Keras returns only this layer's last state (pooling “last”), so its hidden states are compared "
                "through the probabilities above.", icon=":material/info:")  # fmt: skip
    table = tables.token_table(comparison, layer, direction, int(unit))
    ui.show_table(table, f"token-by-token-{record.run_id}", column_config={
        column: st.column_config.NumberColumn(column, format="%.7f") for column in table.columns if column != "token"
    })  # fmt: skip
    ui.teach("“Framework” is the framework's own forward pass for h; it keeps its gates to itself, so gate columns "
             "come from its trained weights stepped through in float32 (what Inside the model draws). The reference "
             "computes everything in float64 with NumPy.")  # fmt: skip


def verify_view() -> None:
    stored = loaders.verify_report(record)
    total = stored.examples_total if stored else len(loaders.test_examples(selected.dataset))
    limit = None if total <= FULL_CHECK_UP_TO else SAMPLE
    what = f"all {total:,} test texts" if limit is None else f"a sample of {SAMPLE:,} of {total:,} test texts"
    if st.button(f"Check {what} now", icon=":material/fact_check:", key=f"verify:{record.run_id}"):
        with st.spinner("The reference reads the test split…"):
            try:
                st.session_state[f"verify_report:{record.run_id}"] = loaders.run_verify(record, limit)
            except loaders.Unreadable as error:
                st.warning(f"{error}.", icon=":material/warning:")
    report = st.session_state.get(f"verify_report:{record.run_id}") or stored  # this session's check, or the kept one
    if report is None:
        ui.from_a_terminal("Not verified yet. Press the button, or in a terminal:",
                           f"python -m pipelines verify --run {record.run_id}", icon=":material/fact_check:")
        return
    columns = st.columns(4)
    columns[0].metric("verdict", "agree" if report.agree else "DISAGREE",
                      help=f"Every probability within {report.tolerance:.0e}, the same labels, equal counts.")
    columns[1].metric("largest |p − p_ref|", f"{report.max_abs_difference:.1e}")
    columns[2].metric("labels that differ", f"{report.differing_labels:,} of {report.examples:,}")
    f1 = report.f1_macro
    columns[3].metric("macro F1", f"{f1.framework:.4f}", f"reference {f1.reference:.4f}", **PLAIN_DELTA)
    seconds, parameters = report.seconds, report.parameters
    ui.teach(f"{report.examples:,} of {report.examples_total:,} test texts; parameters "
             f"{parameters.framework:,} (framework), {parameters.reference:,} (reference), {parameters.formula:,} "
             f"(formula); {seconds.framework:.2f} s in the framework, {seconds.reference:.2f} s in NumPy.")  # fmt: skip


def frameworks_view() -> None:
    pairs = framework_twins(finished)
    if not pairs:
        ui.from_a_terminal("No architecture here was trained in both frameworks. Train one in both, e.g.:",
                           f"{ui.train_command(selected.dataset)} --framework both --only 'gru-bi-*'")
        return
    names = {pair[0].run_id: labels[pair[0].run_id].split(" · ")[0] for pair in pairs}
    chosen = st.selectbox("Architecture", list(names), format_func=names.get, key="glass_box_pair")
    pair = next(pair for pair in pairs if pair[0].run_id == chosen)
    histories, styles, best = {}, {}, {}
    colour = figures.CELL_COLOURS.get(tables.spec_of(pair[0]).cell, figures.OTHER_COLOUR)
    for record_, shade in zip(pair, (0.0, 0.45)):
        name = FRAMEWORK_NAMES[record_.framework]
        try:
            histories[name] = loaders.history(record_)
        except loaders.Unreadable as error:
            st.warning(f"{error}.", icon=":material/warning:")
            return
        styles[name] = figures.Style(figures.shade(colour, shade) if shade else colour, "solid", "circle")
        best[name] = record_.metrics.best_epoch
    ui.show_chart(f"frameworks-{chosen}", figures.training_curves, histories, styles, best, height=400)
    ui.show_table(tables.framework_comparison(pair), f"frameworks-{chosen}")
    ui.teach("The same spec, data, batches and settings; the frameworks start from different random weights, so "
             "their curves differ a little. Keras keeps one bias vector per LSTM and SimpleRNN gate where PyTorch "
             "keeps two, hence the different counts.")  # fmt: skip


views = {"Equations & parameters": equations_view, "One text, token by token": text_view,
         "Whole test split": verify_view, "PyTorch vs Keras": frameworks_view}  # fmt: skip
ui.open_tab(views)
