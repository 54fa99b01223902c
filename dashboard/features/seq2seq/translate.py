"""Translate: what does each encoder-decoder write for a source, and where does it look while it writes?"""

import pandas as pd
import streamlit as st

from dashboard import loaders, ui
from dashboard.features.seq2seq import encoder_decoders, figures_seq2seq
from dashboard.state import RUNS, kept
from pipelines.data.seq2seq import MAX_SOURCE_CHARACTERS, unit_of, unknown_words_note

SIDE_BY_SIDE = 3

st.title("Translate")
ui.teach("Type a source and watch each encoder-decoder write its output one symbol at a time: the heatmap shows, "
         "for every symbol written, how much attention it paid to each source symbol (character or word).")  # fmt: skip

selected = encoder_decoders.require_task(ui.require_dataset(), "translate")
records = encoder_decoders.finished(selected)
by_id = {record.run_id: record for record in records}
labels = {run_id: encoder_decoders.label(record) for run_id, record in by_id.items()}


def one_per_attention() -> list[str]:
    """The best run of each attention kind: without, additive, dot/general, side by side."""
    best: dict[str, str] = {}
    for record in records:  # best first
        best.setdefault(record.model_spec.attention, record.run_id)
    return list(best.values())[:SIDE_BY_SIDE]


def example() -> str:
    try:
        return str(loaders.test_examples(selected.dataset)["text"].iloc[0])
    except (loaders.Unreadable, KeyError, IndexError):
        return records[0].metrics.samples[0].source if records[0].metrics.samples else ""


controls, result = ui.controls_and_result("Models, source and beam width", expanded=True)
with controls:
    chosen = ui.pick_runs(RUNS, list(by_id), one_per_attention(), labels, dataset=selected.dataset,
                          help=f"Up to {SIDE_BY_SIDE} side by side; sorted by exact match on the test split.")
    chosen = chosen[:SIDE_BY_SIDE]
    columns = st.columns([4, 1])
    source = columns[0].text_input("Source", example(), max_chars=MAX_SOURCE_CHARACTERS, **kept("source"),
                                   help="A date in any form the task was trained on, letters a to t, or an "
                                        "Indonesian sentence (nusax-id-en: unknown words are read as <unk>).")
    beam = columns[1].number_input("Beam width", 1, 10, 1, key="translate_beam",
                                   help="1: greedy decoding. Wider beams keep the likeliest candidates.")
if not chosen:
    result.info("Pick at least one model.", icon=":material/arrow_upward:")
    st.stop()

translations = {}
for column, run_id in zip(result.columns(len(chosen)), chosen):
    record = by_id[run_id]
    with column:
        scores = (f"BLEU {record.metrics.bleu:.1f}, chrF {record.metrics.chrf:.1f}" if record.metrics.bleu is not None
                  else f"exact match {record.metrics.exact_match:.1%}")
        st.markdown(f"**{labels[run_id]}** · {scores} on the test split")
        try:
            translation = loaders.load(record).translate(source, beam=int(beam))
        except ValueError as error:  # empty, too long, or characters the model never saw
            st.info(f"{ui.sentence(str(error))}.", icon=":material/keyboard:")
            st.stop()
        except loaders.Unreadable as error:
            ui.left_out(str(error))
            continue
        translations[run_id] = translation
        if translation.unknown:
            st.warning(f"{ui.sentence(unknown_words_note(translation.unknown))}.", icon=":material/help:")
        st.code(translation.output or " ", language=None, wrap_lines=True)  # a sentence wraps; a date fits
        st.caption(f"Score (log probability) {translation.score:.3f}")
        if translation.attention is not None:
            ui.show_chart(f"{run_id}-attention", figures_seq2seq.attention_map, translation.source_symbols,
                          translation.symbols, translation.attention,
                          "Attention",
                          height=max(320, (20 if unit_of(selected.dataset) == "words" else 32)
                                     * len(translation.symbols) + 180))  # fmt: skip
        else:
            st.info("No attention: every symbol is written from the one context vector, the encoder's last state.",
                    icon=":material/compress:")  # fmt: skip
if not translations:
    st.stop()

st.subheader("Look closer")
looked = st.selectbox("Model", list(translations), format_func=labels.get, key=ui.remembered(
    "translate_look", list(translations), list(translations)[0]))  # fmt: skip
translation = translations[looked]


def steps_view() -> None:
    rows = [{"step": index + 1, "wrote": symbol, "probability": probability}
            for index, (symbol, probability) in enumerate(zip(translation.symbols, translation.probabilities))]
    ui.show_table(pd.DataFrame(rows), f"{looked}-steps", column_config={
        "probability": st.column_config.ProgressColumn("probability", min_value=0.0, max_value=1.0, format="%.3f")})
    ui.teach("Each symbol is the likeliest next one given the source and what was written before it (greedy), or "
             "part of the likeliest whole output the beam found.")  # fmt: skip


def candidates_view() -> None:
    if len(translation.candidates) == 1:
        st.info("Beam width 1 keeps a single candidate: widen the beam above to see the runners-up.",
                icon=":material/info:")  # fmt: skip
    rows = [{"output": candidate.output, "score": candidate.score, "ended": candidate.finished}
            for candidate in translation.candidates]
    ui.show_table(pd.DataFrame(rows), f"{looked}-candidates")


def states_view() -> None:
    ui.show_chart(f"{looked}-decoder-states", figures_seq2seq.decoder_states, translation.symbols,
                  translation.hidden, "The decoder's hidden state after each symbol", height=420)  # fmt: skip


ui.open_tab({"Step by step": steps_view, "Beam candidates": candidates_view, "Decoder states": states_view})
