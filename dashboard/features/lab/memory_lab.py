"""Memory lab: can a plain RNN carry one word across many steps, and can a gated cell?"""

import streamlit as st

from dashboard import loaders, tables, ui
from dashboard.features.lab import figures_lab, lessons
from dashboard.pages import page_path
from dashboard.state import DATASET, kept, on_offer
from pipelines.data.memory import DEFAULT_DISTANCES, MARKERS, distance_of, is_memory_key
from pipelines.models.cells import CELL_NAMES
from pipelines.models.zoos import memory_zoo
from pipelines.training import jobs
from pipelines.training.request import LabRequest

st.title("Memory lab")
ui.teach(lessons.TASK)

COMMAND = "python -m pipelines lab"
EXAMPLE_WORDS = 16  # of an example sequence shown whole; a longer one loses its middle


def start_sweep_ui() -> None:
    """The command, and a button that starts the sweep as a background job (the Train page's machinery)."""
    ui.from_a_terminal(f"Train the sweep (RNN, LSTM and GRU at distances {', '.join(map(str, DEFAULT_DISTANCES))}; "
                       "about a quarter of an hour on a 2-core laptop CPU):", COMMAND, then="or press the button.")
    if st.button("Train the lab sweep now", icon=":material/play_arrow:", key="lab_start"):
        try:
            job = jobs.start_lab_job(loaders.store(), LabRequest(distances=DEFAULT_DISTANCES))
        except (ValueError, OSError) as error:
            st.error(f"Could not start: {error}", icon=":material/error:")
            return
        st.success(f"The sweep is training in the background (job {job.job_id}); runs appear here as they finish.",
                   icon=":material/rocket_launch:")  # fmt: skip
    st.page_link(page_path("train"), label="Watch it on the Train page", icon=":material/model_training:")


def example_ui(dataset: str, distance: int) -> None:
    """The task at this distance, as the models meet it: the first test sequence and the answer it asks for."""
    try:
        example = loaders.test_examples(dataset).iloc[0]
    except (loaders.Unreadable, IndexError):
        return  # the runs' data set lost its test texts: the charts still stand without an example
    words = example["text"].split()
    if len(words) > EXAMPLE_WORDS:  # the marker, the first and the last few filler words
        words = [*words[: EXAMPLE_WORDS // 2], f"… {len(words) - EXAMPLE_WORDS + 1} more …",
                 *words[-(EXAMPLE_WORDS // 2 - 1) :]]  # fmt: skip
    shown = " ".join(f"`{word}`" for word in words)
    st.markdown(f"**The task at D = {distance}**, the first test sequence of {dataset}:\n\n"
                f"input: {shown} → target: **{MARKERS[int(example['label'])]}**")  # fmt: skip


points = loaders.lab_points()
if loaders.lab_points(distractors=True):  # the variant was trained too: offer it
    variant = st.segmented_control("Task", ["plain", "with distractors"], default="plain", required=True,
                                   key="lab_variant", help="With distractors, a tenth of the filler words are "
                                   "marker words too: only the first marker counts.")  # fmt: skip
    points = loaders.lab_points(distractors=variant == "with distractors")
ui.note_unfinished([record for key in loaders.datasets() if is_memory_key(key) for record in loaders.runs(key)])
if not points:
    st.info("**The memory lab has not been trained yet.** Its runs are ordinary runs of the data sets "
            "memory-d5 … memory-d200, generated on the fly (no download).", icon=":material/school:")  # fmt: skip
    start_sweep_ui()
    st.stop()

frame = tables.lab_frame(points)
planned = len(DEFAULT_DISTANCES) * len(memory_zoo())
trained = len(frame[["distance", "cell", "init"]].drop_duplicates())  # a run with several seeds counts once
if trained < planned:
    with st.expander(f"{trained} of the sweep's {planned} runs are trained: train the rest", expanded=False):
        start_sweep_ui()

st.subheader("Accuracy against distance")
ui.show_chart("memory-accuracy", figures_lab.accuracy_by_distance, frame, height=440)
ui.teach(lessons.STARTS)
seeded = bool(frame.groupby(["distance", "cell", "init"]).size().gt(1).any())  # `lab --seeds N`
table = tables.lab_table(points)
ui.show_table(table, "memory-accuracy", column_config={
    column: st.column_config.NumberColumn(column, format="%.3f") for column in table.columns[1:]})
if seeded:
    ui.teach("With several seeds, the table and the lines show the mean test accuracy and the dots each seed's run. "
             "A mean of 0.67 is two runs of three that learned the task (1.0) and one at chance (0.5): how often a "
             "cell learns it is the honest measure, below.")  # fmt: skip
    ui.show_table(tables.lab_table(points, solved=True), "memory-solved")

def at_a_distance() -> None:
    """The distance to look at and what the models look at there: a fragment, so the slider reruns this alone."""
    distances = sorted(frame["distance"].unique())
    asked = st.query_params.get(DATASET)  # ?dataset=memory-d100 in the page address opens the page at D = 100
    default = distance_of(asked) if asked and is_memory_key(asked) else min(distances, key=lambda d: abs(d - 100))
    on_offer("distance", distances)
    value = default if default in distances else distances[-1]
    distance = st.select_slider("Distance to look at", distances, value=value,
                                help="Kept in the page address (?distance=100); ?dataset=memory-d100 also opens it at "
                                     "D = 100.", **kept("distance"))  # fmt: skip
    at = frame[frame["distance"] == distance]
    if seeded:  # one seed's runs at a time: the lines below are per run
        seeds = sorted(int(seed) for seed in at["seed"].dropna().unique())
        seed = st.segmented_control("Seed", seeds, default=seeds[0], key="lab_seed", required=True)
        at = at[at["seed"] == seed]

    example_ui(next(point.record.dataset for point in points if point.distance == distance), distance)

    st.subheader(f"Where the models look at D = {distance}")
    with st.spinner("Attributing the test sequences…"):
        shares = {}
        records = {point.record.run_id: point.record for point in points}
        for row in at.itertuples():
            try:
                summary = loaders.lab_summary(records[row.run_id], compute=True)
            except loaders.Unreadable as error:
                ui.left_out(str(error))
                continue
            shares[f"{CELL_NAMES[row.cell]} ({row.init}), accuracy {row.accuracy:.0%}"] = {
                "cell": row.cell, "fair": row.fair, "shares": summary.lookback}
    if shares:
        ui.show_chart(f"lookback-{distance}", figures_lab.lookback_lines, shares, distance, height=420)
    ui.teach(f"Integrated Gradients scores every word's push towards the answer (from an empty text to this one); "
             f"this is the share of it at each distance from the end, averaged over test sequences. A gated cell that "
             f"carries the marker credits it, {distance} words back (“{MARKERS[0]}” or “{MARKERS[1]}”); a model that "
             "cannot remember looks at the last few filler words, which say nothing. A plain RNN that does remember "
             "over a short distance may still credit the last word most: it moves the RNN's final state the most. Why "
             "the readout is the final state of a one-way model: mean or max pooling, or a backward direction, would "
             "read the marker directly and make the task trivial.")  # fmt: skip
    st.page_link(page_path("gradients"), label=f"Why: gradients through time for these runs, at D = {distance}",
                 icon=":material/trending_down:", query_params={"distance": distance})  # the address's data set
    # and presentation mode (widgets bound to it) come along by themselves


ui.rerun_alone(at_a_distance)
