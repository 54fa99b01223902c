"""Evaluation: how well does each model separate the classes on the test split?"""

import streamlit as st

from dashboard import comparisons, figures, tables, ui
from dashboard.state import RUNS

DEFAULT_RUNS = 8  # the quick zoo's seven fit; a sweep's eighteen would crowd the curves

st.title("Evaluation")
ui.teach("Test-set curves, confusion matrices and metrics for the models you pick.")

selected = ui.require_dataset()
runs = ui.require_runs(selected)
finished, frame, labels, by_id = runs.records, runs.frame, runs.labels, runs.by_id
classes = finished[0].classes


def runs_ui() -> list[str]:
    default = comparisons.one_run_per_model(list(frame["run_id"]), finished, DEFAULT_RUNS)
    return ui.pick_runs(RUNS, list(frame["run_id"]), default, labels,
                        help="Sorted by macro F1, best first. At first: one seed of each model, and the baselines.")


def class_ui(curve_classes: list[str]) -> str:
    """Which class's one-vs-rest curves to draw (only asked when there are several)."""
    if len(curve_classes) == 1:
        return curve_classes[0]
    return st.segmented_control("Class against the rest", curve_classes, default=curve_classes[0],
                                key="evaluation_class", required=True)  # fmt: skip


controls, result = ui.controls_and_result("Models")
with controls:
    chosen = runs_ui()
if not chosen:
    result.info("Pick at least one model.", icon=":material/arrow_upward:")
    st.stop()
chosen_records = [by_id[run_id] for run_id in chosen]
chosen_frame = frame[frame["run_id"].isin(chosen)]
styles = figures.run_styles(chosen_frame)


def curves_view() -> None:
    curve_classes = [name for name in classes if any(name in r.metrics.curves for r in chosen_records)]
    if not curve_classes:
        st.info("These runs have no curves: their test split holds a single class.", icon=":material/info:")
        return
    class_name = class_ui(curve_classes)
    curves = {labels[r.run_id]: r.metrics.curves[class_name] for r in chosen_records if class_name in r.metrics.curves}
    curves = ui.fewer_on_a_projector(curves, lambda curve: curve.roc.auc, key="evaluation_all_curves")
    base_rate = chosen_records[0].metrics.share_of(class_name)
    # In presentation mode the two charts go one under the other, as large as the page allows.
    left, right = (st.container(), st.container()) if selected.presentation else st.columns(2)
    with left:
        roc = {label: curve.roc.to_json() for label, curve in curves.items()}
        ui.show_chart("roc", figures.roc_curves, roc, styles, class_name, height=460)
    with right:
        pr = {label: curve.pr.to_json() for label, curve in curves.items()}
        ui.show_chart("precision-recall", figures.pr_curves, pr, styles, class_name, base_rate, height=460)
    ui.teach(
        "ROC: how many true positives a model catches (up) for each false alarm it accepts (right), over all "
        "thresholds; AUC 1.0 is perfect, 0.5 is guessing. Precision-recall tells the same story for the class "
        "in focus and is harsher when that class is rare."
    )


def confusion_view() -> None:
    ui.teach("Rows are the true class, columns the prediction. The diagonal is right; the right-hand matrix shows "
             "each true class's recall on its diagonal.")  # fmt: skip
    columns = st.columns(1 if selected.presentation else 2)
    for index, record in enumerate(chosen_records):
        with columns[index % len(columns)]:
            matrix = record.metrics.confusion_matrix
            ui.show_chart(f"confusion-{record.run_id}", figures.confusion_pair, matrix, classes, labels[record.run_id],
                          height=340)  # fmt: skip


def metrics_view() -> None:
    metrics = tables.metrics_table(chosen_frame)
    ui.show_chart("metrics-heatmap", figures.metrics_heatmap, metrics, height=140 + 44 * len(metrics))
    ui.show_table(metrics.reset_index().rename(columns={"label": "model"}), f"{selected.dataset}-metrics",
                  column_config={name: st.column_config.NumberColumn(name, format="%.3f") for name in metrics.columns})


def classes_view() -> None:
    report = tables.per_class_table(chosen_records, labels)
    ui.show_chart("per-class-f1", figures.per_class_bars, report, styles, height=380)
    ui.teach("Precision: of the reviews a model put in a class, the share that belong there. Recall: of the "
             "reviews in a class, the share it found. F1 balances the two.")  # fmt: skip
    ui.show_table(report, f"{selected.dataset}-per-class", column_config={
        column: st.column_config.NumberColumn(column, format="%.3f") for column in ("precision", "recall", "f1")
    })  # fmt: skip


# Only the open tab is drawn: a rerun on switching costs less than drawing every chart up front.
views = {"Curves": curves_view, "Confusion matrices": confusion_view, "Metrics": metrics_view,
         "Per class": classes_view}  # fmt: skip
with result:  # below the models on a laptop; above them, which fold away, on a projector
    ui.open_tab(views)
