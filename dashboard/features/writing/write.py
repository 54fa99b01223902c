"""Write: how does each language model continue a text, one character at a time?"""

import streamlit as st

from dashboard import figures, figures_inside, loaders, ui
from dashboard.features.writing import figures_writing, language_models, tables_language
from dashboard.state import RUNS, kept
from pipelines.data.characters import readable
from pipelines.explain import units_by_similarity
from pipelines.generation import MAX_PROMPT, SamplingSettings
from pipelines.tasks import Capability

SIDE_BY_SIDE = 4  # models written at once
STATES_SHOWN = 300  # characters of the hidden-state heatmap (the last ones)
CHARACTER = "write_character"
CLICKED = "write_clicked"

st.title("Write")
ui.teach("Give the language models the start of a review and watch each continue it, one character at a time: "
         "what it wrote, what else it considered at every step, and what its units held.")  # fmt: skip

selected = language_models.require_corpus(ui.require_dataset())
runs = ui.require_runs(selected, Capability.GENERATE)
frame, labels, by_id = runs.frame, runs.labels, runs.by_id


def models_ui() -> list[str]:
    return ui.pick_runs(RUNS, list(frame["run_id"]), tables_language.one_per_cell(frame), labels,
                        help=f"Up to {SIDE_BY_SIDE} write side by side from the same prompt, settings and seed; "
                             "the list is sorted by bits per character.", dataset=selected.dataset)[:SIDE_BY_SIDE]


def settings_ui() -> tuple[str, SamplingSettings, bool]:
    prompt = st.text_input("Prompt", "The film ", max_chars=MAX_PROMPT, **kept("prompt"),
                           help="Empty: the model starts a review from its first character.")
    columns = st.columns([3, 2, 3, 2, 3])
    temperature = columns[0].slider("Temperature", 0.1, 2.0, 0.8, 0.05, key="write_temperature",
                                    help="Below 1: safer, more repetitive. Above 1: bolder, more misspelt.")
    top_k = columns[1].number_input("Top-k (0 = all)", 0, 100, 0, key="write_top_k",
                                    help="Draw only from the k likeliest characters; 1 always takes the likeliest.")
    length = columns[2].slider("Characters", 20, 1000, 200, 10, key="write_length")
    seed = columns[3].number_input("Seed", 0, 2**31 - 1, 0, key="write_seed", help="Same seed, same text.")
    with columns[4]:
        stop = st.toggle("Stop at the review's end", True, key="write_stop")
        watch = st.toggle("Watch it write", True, key="write_watch", help="Slows the first drawing down to be seen.")
    return prompt, SamplingSettings(length, temperature, int(top_k), int(seed), stop), watch


controls, result = ui.controls_and_result("Models, prompt and sampling")
with controls:
    chosen = models_ui()
    prompt, settings, watch = settings_ui()
if not chosen:
    result.info("Pick at least one model.", icon=":material/arrow_upward:")
    st.stop()

generations = {}
for column, run_id in zip(result.columns(len(chosen)), chosen):
    record = by_id[run_id]
    with column:
        framework = "PyTorch" if record.framework == "torch" else "counted n-grams"
        st.markdown(f"**{labels[run_id]}** · {record.metrics.bits_per_character:.3f} bits per character on the test "
                    f"passages · {framework}")  # fmt: skip
        try:
            generations[run_id] = language_models.written(record, prompt, settings, watch)
        except ValueError as error:  # the prompt: too long, or characters the model never saw
            st.info(f"{ui.sentence(str(error))}.", icon=":material/keyboard:")
            st.stop()
        except loaders.Unreadable as error:
            ui.left_out(str(error))
            continue
        st.markdown(f"Its surprise at its own text: **{generations[run_id].bits_per_character:.2f}** bits per "
                    "character.")  # fmt: skip
if not generations:
    st.stop()
with result:
    ui.teach("Amber characters were unlikely even to the model that drew them: temperature above 1 makes more of "
             "them. Hover over a character to see what else the model considered.")  # fmt: skip

st.subheader("Look closer")
written_by = list(generations)
looked = st.selectbox("Model", written_by, format_func=labels.get,
                      key=ui.remembered("write_look", written_by, written_by[0]))
generation = generations[looked]
colour = figures.CELL_COLOURS.get(frame.set_index("run_id").at[looked, "cell"], figures.OTHER_COLOUR)


def characters_view() -> None:
    steps, characters = generation.steps, [step.character for step in generation.steps]
    clicked = ui.clicked_point(f"write_grid:{looked}", f"{looked}-characters", figures_writing.character_grid,
                               generation.prompt, characters, [step.probability for step in steps],
                               [tables_language.step_hover(step) for step in steps],
                               height=figures_writing.grid_height(generation.prompt, characters))  # fmt: skip
    if clicked and "customdata" in clicked and clicked != st.session_state.get(CLICKED):  # a new click, not the last
        st.session_state[CLICKED], st.session_state[CHARACTER] = clicked, int(clicked["customdata"]) + 1
    if st.session_state.get(CHARACTER, 1) > len(steps):
        st.session_state[CHARACTER] = 1
    index = st.number_input("Character (or click one above)", 1, len(steps), key=CHARACTER) - 1
    context = generation.prompt + generation.text[:index]
    st.markdown(tables_language.step_sentence(labels[looked], index, steps[index], context))
    step = steps[index]
    ui.show_chart(f"{looked}-candidates", figures_writing.candidate_bars, step.candidates,
                  (step.character, step.probability), context, colour, height=320)  # fmt: skip


def states_view() -> None:
    layers = loaders.load(by_id[looked]).reader.layers
    if not layers:
        st.info("An n-gram model keeps no hidden state: all it remembers is the last few characters.",
                icon=":material/info:")  # fmt: skip
        return
    layer = st.segmented_control("Layer", list(range(layers)), format_func=lambda i: f"layer {i + 1}",
                                 default=layers - 1, key="write_layer", required=True) if layers > 1 else 0
    read = [readable(c) for c in generation.prompt + generation.text][-STATES_SHOWN:]
    hidden = generation.hidden(layer)[-STATES_SHOWN:]
    if len(generation.prompt) + len(generation.steps) > STATES_SHOWN:
        st.caption(f"The last {STATES_SHOWN} characters.")
    title = f"Layer {layer + 1}'s hidden state after each character (units clustered by similarity)"
    ui.show_chart(f"{looked}-hidden-states", figures_inside.state_heatmap, hidden, read, units_by_similarity(hidden),
                  "hidden", title, height=560)  # fmt: skip
    ui.teach("Each column is the state after reading one character, prompt first. Units that switch at spaces or "
             "inside words show what the model keeps track of.")  # fmt: skip


# Only the open tab is drawn, as on Inside the model.
views = {"Character by character": characters_view, "Hidden states": states_view}
ui.open_tab(views)
