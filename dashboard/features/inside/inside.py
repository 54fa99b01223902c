"""Inside the model: how does a model read this text, word by word?"""

import streamlit as st

from dashboard import figures, figures_inside, highlight, loaders, ui
from dashboard.examples import examples_for
from dashboard.state import TEXT, kept, on_offer
from pipelines.explain import CELL_VALUES, GATES, METHODS, UNIT_ORDERS
from pipelines.tasks import Capability

NOTHING = "nothing (one model)"
PREDICTED = "each model's prediction"
TOP = "top"  # the layer choice that means each model's last layer
EDIT_POSITION = "inside_edit_position"

st.title("Inside the model")
ui.teach("Type a text and watch a model read it: which words pushed its decision, what its units hold after each "
         "word, and how its gates open and close. Pick a second model to see the same text side by side.")  # fmt: skip

selected = ui.require_dataset()
runs = ui.require_runs(selected, Capability.EXPLAIN)
finished, frame, labels, by_id = runs.records, runs.frame, runs.labels, runs.by_id
summary = ui.require_summary(selected.dataset)
classes = summary.classes
examples = examples_for(summary)


def models_ui() -> list[str]:
    ids = list(frame["run_id"])
    left, right = st.columns(2)
    first = ui.pick_run(ids, labels, column=left)
    others = [NOTHING] + [run_id for run_id in ids if run_id != first]
    on_offer("vs", others)
    second = right.selectbox("Side by side with", others, format_func=lambda i: labels.get(i, i),
                             **kept("vs", lambda i: labels.get(i, i)))  # fmt: skip
    return [first] + ([second] if second != NOTHING else [])


def text_ui() -> str:
    st.session_state.setdefault(TEXT, examples[0] if examples else "")
    if examples:

        def use_example() -> None:
            st.session_state[TEXT] = st.session_state["inside_example"] or st.session_state[TEXT]

        st.selectbox("Example", examples, index=None, placeholder="Start from an example review",
                     key="inside_example", on_change=use_example)  # fmt: skip
    # One line: Enter (a phone's Go key) reads the text, as on the Playground.
    return st.text_input("Text", placeholder="Type a review, e.g. “Not bad at all.”, then Enter", **kept(TEXT))


def controls_ui() -> tuple[str, int | None]:
    left, right = st.columns([3, 1])
    title = lambda name: METHODS[name].title  # noqa: E731
    on_offer("method", METHODS)
    method = left.segmented_control("Word attribution", list(METHODS), format_func=title,
                                    default="integrated_gradients", required=True, **kept("method", title),
                                    help="How much each word moved the model towards the class. Occlusion reads the "
                                         "text again once per word: seconds on a long review.")  # fmt: skip
    target = right.selectbox(
        "Explain the class",
        [PREDICTED, *classes],
        key="inside_target",
        help="Attributions and unit order explain this class's log-odds.",
    )
    return method, None if target == PREDICTED else classes.index(target)


def side_by_side():
    """One column per model (one under the other in presentation mode, where charts need the width)."""
    if selected.presentation or len(explanations) == 1:
        return [st.container() for _ in explanations]
    return st.columns(len(explanations))


def words_view() -> None:
    for column, (run_id, explanation) in zip(side_by_side(), explanations.items()):
        with column:
            probability = explanation.probabilities[explanation.predicted]
            st.metric(labels[run_id], f"{explanation.predicted_class} · {probability:.0%}",
                      help="The model's prediction and the probability it gives it.")  # fmt: skip
            unknown_note(coverages.get(run_id))
            st.html(attribution_html(explanation))
            ui.teach(attribution_caption(explanation))
            if explanation.trajectory is not None:
                tokens = [token.text for token in explanation.read_tokens]
                ui.show_chart(f"trajectory-{run_id}", figures_inside.trajectory, explanation.trajectory, tokens,
                              explanation.classes, height=300)  # fmt: skip
            else:
                ui.teach(f"No prediction after each word: {explanation.trajectory_note}.")


def unknown_note(coverage) -> None:
    """Beside the prediction: how many words the model did not know, and a warning when they are most of them."""
    if coverage is None or not coverage.unknown:
        return
    counted = f"{len(coverage.unknown)} of {coverage.words} words unknown"
    if coverage.mostly_unknown:
        st.warning(f"{counted}: this prediction rests on the few words the model knows. "
                   f"{coverage.handling.capitalize()}.", icon=":material/warning:")  # fmt: skip
    else:
        ui.teach(f"{counted} (underlined with dots): {coverage.handling}.")


def attribution_html(explanation) -> str:
    return highlight.explanation_chips(explanation, explanation.attributions[method])


def attribution_caption(explanation) -> str:
    attribution = explanation.attributions[method]
    change = explanation.log_odds[explanation.target] - explanation.baseline_log_odds[explanation.target]
    text = f"{attribution.title} ({attribution.paper}), in log-odds of {explanation.target_class}. "
    if attribution.delta is not None:
        text += (f"The scores add up to {attribution.scores.sum():+.2f}; the model's log-odds moved {change:+.2f} from "
                 f"an empty text (convergence delta {attribution.delta:+.1e}"
                 f"{f', {attribution.steps} path steps' if attribution.steps else ''}).")  # fmt: skip
    return text + " Hover a word for its score; unknown words are underlined with dots."


def layer_ui() -> tuple[int | str, str, str]:
    deepest = max(explanation.depth for explanation in explanations.values())
    any_bi = any("backward" in explanation.directions for explanation in explanations.values())
    columns = iter(st.columns(3))
    layer, direction = TOP, "forward"
    if deepest > 1:
        layer = next(columns).selectbox(
            "Layer",
            [TOP, *range(deepest)],
            key="inside_layer",
            format_func=lambda i: "each model's top" if i == TOP else f"layer {i + 1}",
        )
    if any_bi:
        direction = next(columns).segmented_control("Direction", ["forward", "backward"], default="forward",
                                                    required=True, key="inside_direction")  # fmt: skip
    order = next(columns).selectbox("Order the units", list(UNIT_ORDERS), key="inside_order", help=" · ".join(
        f"{name}: {meaning}" for name, meaning in UNIT_ORDERS.items()))  # fmt: skip
    return layer, direction, order


def layer_of(explanation, layer: int | str, direction: str):
    """The layer's states, or None (and a note) when this model has no such layer or direction."""
    layer = explanation.depth - 1 if layer == TOP else layer
    try:
        return explanation.layer(layer, direction)
    except ValueError:
        st.info(f"{explanation.label} has no layer {layer + 1} reading {direction}.", icon=":material/info:")
        return None


def states_view(gates: bool = False) -> None:
    """Hidden states (and their norm) or, with `gates`, every gate per unit (and the gates' means), or one other value
    (the candidate, the cell state); rows named by the words that move each unit on the test set."""
    layer, direction, order = layer_ui()
    for column, (run_id, explanation) in zip(side_by_side(), explanations.items()):
        states = layer_of(explanation, layer, direction)
        with column:
            if states is None:
                continue
            if gates and explanation.cell == "rnn":
                st.info(f"{labels[run_id]}: a plain RNN has no gates; h_t = tanh(W x_t + U h_(t-1) + b) is all it "
                        "computes. Pick an LSTM or a GRU to see gates.", icon=":material/info:")  # fmt: skip
                continue
            tokens = [token.text for token in explanation.read_tokens]
            words = unit_words_of(run_id)
            names = words.labels(states.layer, direction) if words else None
            units = states.ordered_units(order, words.order(states.layer, direction) if words else None)
            where = f"layer {states.layer + 1} {direction}"
            height = min(220 + (12 if names else 5) * len(units), 900)
            if not gates:
                title = f"{labels[run_id]}: {figures_inside.VALUE_TITLES['hidden']}, {where}"
                ui.show_chart(f"hidden-{run_id}", figures_inside.state_heatmap, states.hidden, tokens, units, "hidden",
                              title, names, height=height)  # fmt: skip
                norms = {s.direction: s.norm for s in explanation.layers if s.layer == states.layer}
                colour = figures.CELL_COLOURS.get(explanation.cell, figures.OTHER_COLOUR)
                ui.show_chart(f"norm-{run_id}", figures_inside.norm_lines, norms, tokens, colour, height=260)
                continue
            # one choice per cell, so an LSTM and a GRU side by side each show their own
            cell_gates = GATES[explanation.cell]
            offered = [GATES_SHOWN] + [value for value in CELL_VALUES[explanation.cell] if value not in cell_gates]
            value = st.segmented_control(
                "Show",
                offered,
                format_func=lambda v: VALUE_NAMES.get(v, v),
                default=offered[0],
                key=f"inside_value:{explanation.cell}",
                required=True,
            )
            if value == GATES_SHOWN:
                title = f"{labels[run_id]}: gates, {where}"
                shown = {gate: states.values[gate] for gate in cell_gates}
                ui.show_chart(f"gates-{run_id}", figures_inside.gate_heatmaps, shown, states.means, tokens, units,
                              title, names, height=len(shown) * max(150, 6 * len(units) + 40) + 280)  # fmt: skip
            else:
                title = f"{labels[run_id]}: {figures_inside.VALUE_TITLES[value]}, {where}"
                ui.show_chart(f"{value}-{run_id}", figures_inside.state_heatmap, states.values[value], tokens, units,
                              value, title, names, height=height)  # fmt: skip
    ui.teach(TEACH_GATES if gates else TEACH_STATES)


GATES_SHOWN = "gates"  # the Gates tab's first view: every gate at once
VALUE_NAMES = {GATES_SHOWN: "every gate", **figures_inside.VALUE_TITLES}


def unit_words_of(run_id: str):
    """The words that move each unit of the run (computed once per run, kept in the store), or None, said why."""
    try:
        with st.spinner(f"Finding the words that move each unit of {labels[run_id]} on the test set (once per model)…"):
            return loaders.unit_words(by_id[run_id])
    except loaders.Unreadable as error:
        ui.teach(f"Units unnamed: {error}.")
        return None


TEACH_STATES = ("Each row is one unit of the layer, named by the word that raises it most (↑) and the one that lowers "
                "it most (↓) on average over the test set; each column is the state after reading that word (a "
                "backward direction has read from the end of the text back to it). Magenta is positive, grey "
                "negative: a state's sign, not a class. Ordered by words, units that answer the same words sit "
                "together and keep their rows whatever you type.")  # fmt: skip
TEACH_GATES = ("Gates are sigmoids between 0 (closed, white) and 1 (open, dark): one row per unit, one heatmap per "
               "gate, their means under them. An LSTM's forget gate near 1 keeps its cell state, its input gate lets "
               "the candidate in; a GRU's update gate near 1 keeps the old state, its reset gate decides how much of it "
               "the candidate sees. Look at the columns of “not”, “but” and the sentiment words: a mean near 50% can "
               "hide units that shut while others open.")  # fmt: skip


def edit_view() -> None:
    run_id, explanation = next(iter(explanations.items()))
    tokens = explanation.read_tokens
    if st.session_state.get(EDIT_POSITION, 0) >= len(tokens):  # the text got shorter
        del st.session_state[EDIT_POSITION]
    left, right = st.columns(2)
    position = left.selectbox(
        "Word to change",
        range(len(tokens)),
        key=EDIT_POSITION,
        format_func=lambda i: f"{i + 1}: {explanation.text[tokens[i].start : tokens[i].end]}",
    )
    replacement = right.text_input("Replace it with", key="inside_edit_word", max_chars=100,
                                   placeholder="e.g. brilliant; or delete it below")  # fmt: skip
    delete = st.toggle("Delete the word instead", key="inside_edit_delete")
    if not replacement.strip() and not delete:
        st.info(
            f"Type a word to put in place of “{explanation.text[tokens[position].start : tokens[position].end]}”, "
            "or delete it, and see how the prediction and the attributions move.",
            icon=":material/edit:",
        )
        return
    token = tokens[position]
    edited = (explanation.text[: token.start] + ("" if delete else replacement) + explanation.text[token.end :]).strip()
    if not edited:
        st.info("Deleting the only word leaves nothing to read.", icon=":material/info:")
        return
    try:
        after = loaders.explanation(by_id[run_id], edited, method, explanation.target)
    except (ValueError, loaders.Unreadable) as error:
        st.warning(f"{error}.", icon=":material/warning:")
        return
    before_p, after_p = explanation.probabilities[explanation.target], after.probabilities[explanation.target]
    columns = st.columns(2)
    columns[0].metric(f"P({explanation.target_class}) before", f"{before_p:.1%}")
    columns[1].metric(f"P({explanation.target_class}) after", f"{after_p:.1%}", f"{(after_p - before_p) * 100:+.1f} "
                      "points")  # fmt: skip
    st.html(attribution_html(after))
    names = {"before": explanation, "after": after}
    scores = {name: e.attributions[method].scores for name, e in names.items()}
    words = {name: [t.text for t in e.read_tokens] for name, e in names.items()}
    ui.show_chart(f"edit-{run_id}", figures_inside.attribution_bars, scores, words,
                  f"{labels[run_id]}: {METHODS[method].title} before and after the edit", height=340)  # fmt: skip


def reading() -> None:
    """The controls, the text read and the open tab: a fragment, so typing a text or switching a tab reruns this
    alone. What it reads is kept as the page's globals, which the views above draw from."""
    global chosen, text, method, target, coverages, explanations
    controls, result = ui.controls_and_result("Models, text and word attribution")
    with controls:
        chosen = models_ui()
        text = text_ui()
        method, target = controls_ui()

    with result:  # below the controls on a laptop; on a projector above them, which fold away
        if not text.strip():
            st.info("Type a text (or pick an example) and press Enter.", icon=":material/keyboard:")
            st.stop()

        coverages = {}  # run id -> how many of the text's words the model knows (pipelines.data.WordCoverage)
        for run_id in chosen:
            try:
                coverages[run_id] = loaders.word_coverage(by_id[run_id], text)
            except loaders.Unreadable:
                pass  # explaining it says why, below
        if coverages and all(coverage.nothing_known for coverage in coverages.values()):
            coverage = next(iter(coverages.values()))
            if coverage.words:  # each word in backticks: the user's words, never markdown (no backtick is in a word)
                shown = ", ".join(f"`{word}`" for word in coverage.unknown[:8]) + ("…" * (len(coverage.unknown) > 8))
                found = (
                    f"knows none of the words of this text ({len(coverage.unknown)} of {coverage.words} unknown: "
                    f"{shown})"
                )
            else:
                found = "finds no word in this text, only symbols or punctuation"
            ui.stop_at_no_known_word(f"The model {found}, so there is nothing to explain, only a guess: "
                                     f"{coverage.handling}.", summary)  # fmt: skip

        explanations = {}
        with st.spinner("Reading the text…"):
            for run_id in chosen:
                try:
                    explanations[run_id] = loaders.explanation(by_id[run_id], text, method, target)
                except ValueError as error:
                    st.info(f"{str(error).capitalize()}.", icon=":material/keyboard:")
                    st.stop()
                except loaders.Unreadable as error:
                    ui.left_out(str(error))
        if not explanations:
            st.stop()
        if any(explanation.truncated for explanation in explanations.values()):
            first = next(iter(explanations.values()))
            st.info(f"The models read only the first {first.maxlen} of this text's {len(first.tokens):,} tokens.",
                    icon=":material/content_cut:")  # fmt: skip

    # Only the open tab is drawn, as on the Evaluation page.
    with result:
        views = {"Words": words_view, "Hidden states": states_view, "Gates": lambda: states_view(gates=True),
                 "Edit a word": edit_view}  # fmt: skip
        ui.open_tab(views)


ui.rerun_alone(reading)
