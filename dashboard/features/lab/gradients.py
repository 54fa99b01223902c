"""Gradients through time: why does a plain RNN's gradient vanish, and a gated cell's not?"""

import numpy as np
import pandas as pd
import streamlit as st

from dashboard import figures, loaders, ui
from dashboard.examples import examples_for
from dashboard.features.lab import figures_lab, lessons
from dashboard.pages import page_path
from dashboard.state import TEXT, kept, on_offer
from pipelines.explain.simulation import simulate
from pipelines.models.cells import CELL_NAMES
from pipelines.tasks import Capability

VALUES = figures_lab.GRADIENT_VALUES

st.title("Gradients through time")
ui.teach(f"{ui.with_maths(lessons.BACKPROPAGATION)} Everything below is measured on real weights, except the "
         "simulation, which is a random network.")


def lab_view() -> None:
    points = [point for point in loaders.lab_points() if point.fair]
    if not points:
        ui.from_a_terminal("Train the memory lab to see real RNN, LSTM and GRU gradients side by side:",
                           "python -m pipelines lab")
        st.page_link(page_path("memory_lab"), label="Open the Memory lab", icon=":material/memory:")
        return
    distances = sorted({point.distance for point in points})
    left, right = st.columns([1, 2])
    on_offer("distance", distances)  # the Memory lab's distance, when it has runs here
    distance = left.select_slider("Distance", distances, value=min(distances, key=lambda d: abs(d - 100)),
                                  **kept("distance"))  # fmt: skip
    value = right.segmented_control("How much of step t reaches", list(VALUES),
                                    format_func=lambda name: VALUES[name][1],
                                    help="  \n".join(f"{ui.maths(symbol)}: {meaning}"
                                                      for symbol, _, meaning in VALUES.values()),
                                    default="jacobian", required=True, key="gradients_value")  # fmt: skip
    flows, facts = {}, []
    with st.spinner("Following the gradients through the test sequences…"):
        at = sorted((p for p in points if p.distance == distance), key=lambda p: list(CELL_NAMES).index(p.cell))
        for point in at:
            try:
                summary = loaders.lab_summary(point.record, compute=True)
            except loaders.Unreadable as error:
                ui.left_out(str(error))
                continue
            trained, initial = summary.trained[0], summary.initial[0]
            if getattr(trained, value) is None:
                continue  # no memory cell outside an LSTM
            name = f"{CELL_NAMES[point.cell]} ({point.init}), accuracy {point.accuracy:.0%}"
            flows[name] = {"cell": point.cell, "trained": trained.steps_back(getattr(trained, value)),
                           "initial": initial.steps_back(getattr(initial, value))}  # fmt: skip
            facts.append((name, flows[name]["trained"][distance], flows[name]["initial"][distance], summary.meaning()))
    if not flows:
        return
    symbol, _, meaning = VALUES[value]
    ui.show_chart(f"gradients-{value}-{distance}", figures_lab.gradient_panels, flows, symbol, f"{symbol}: {meaning}",
                  height=420)  # fmt: skip
    st.markdown("\n".join(f"- **{name}**: {trained:.1e} of it left {distance} steps back after training "
                          f"({initial:.1e} at initialisation)" for name, trained, initial, _ in facts))  # fmt: skip
    with st.expander("What the recurrent weights imply", expanded=not ui.selection().presentation):
        for name, *_, meaning in facts:
            st.markdown(f"**{name}.** {ui.with_maths(meaning)}")


def simulation_view() -> None:
    left, right = st.columns(2)
    radius = left.slider(f"Spectral radius of {ui.maths('W_(hh)')}", 0.5, 1.5, 0.9, 0.05, key="simulation_radius",
                         help="Seed 001 multiplies by w = 0.9, 1.0 and 1.1; here W is a random matrix of that size.")
    steps = right.slider("Steps", 10, 200, 50, 10, key="simulation_steps")
    curves = simulate(radius, steps)
    ui.show_chart("simulation", figures_lab.simulation_lines, np.arange(steps + 1),
                  {"linear: h = W h + x": curves.linear, "tanh: h = tanh(W h + x)": curves.tanh}, radius, height=380)
    ui.teach(f"Linear: exactly {radius:.2f}^k, vanishing below 1 and exploding above. tanh: every step also "
             f"multiplies by tanh′ ≤ 1 (here {curves.saturation:.2f} on average), so even a radius above 1 fades "
             "once the units saturate. This is why a plain RNN cannot learn from far-back words.")


def any_run_view() -> None:
    selected = ui.require_dataset()
    runs = ui.require_runs(selected, Capability.EXPLAIN)
    ids = list(runs.frame["run_id"])
    left, right = st.columns([1, 2])
    run_id = ui.pick_run(ids, runs.labels, column=left)
    examples = examples_for(ui.require_summary(selected.dataset))
    st.session_state.setdefault(TEXT, examples[0] if examples else "")
    text = right.text_input("Text", **kept(TEXT))  # the text typed in the Playground or Inside the model
    try:
        flow = loaders.gradient_flow(runs.by_id[run_id], text)
    except ValueError as error:
        st.info(f"{str(error).capitalize()}.", icon=":material/keyboard:")
        return
    except loaders.Unreadable as error:
        st.warning(f"{error}.", icon=":material/warning:")
        return
    colour = figures.CELL_COLOURS.get(flow.cell, figures.OTHER_COLOUR)
    for now, before in zip(flow.trained, flow.initial):
        ui.show_chart(f"token-gradients-{run_id}-{now.layer}-{now.direction}", figures_lab.token_gradients,
                      flow.tokens, now.loss_gradient, before.loss_gradient, now.jacobian, colour,
                      f"{runs.labels[run_id]}, layer {now.layer + 1} {now.direction}", height=340)  # fmt: skip
    ui.teach(f"L is the cross-entropy of “{flow.target_class}” (the model's answer). "
             f"{ui.with_maths(flow.meaning())}")
    spectral = pd.DataFrame([{"weights": name, "layer": m.layer + 1, "direction": m.direction, "block": m.block,
                              "spectral radius": m.spectral_radius, "largest singular value": m.largest_singular_value}
                             for name, matrices in flow.matrices.items() for m in matrices])  # fmt: skip
    ui.show_table(spectral, f"spectral-{run_id}", column_config={
        column: st.column_config.NumberColumn(column, format="%.3f")
        for column in ("spectral radius", "largest singular value")})  # fmt: skip


views = {"The memory lab's runs": lab_view, "Simulation": simulation_view, "Any model, any text": any_run_view}
ui.open_tab(views)
