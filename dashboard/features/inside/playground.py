"""Playground: what does every model say about this review?"""

import pandas as pd
import streamlit as st

from dashboard import figures, highlight, loaders, tables, ui
from dashboard.examples import examples_for
from dashboard.features.inside.baseline_view import show_word_weights
from dashboard.pages import page_path
from dashboard.state import TEXT, kept
from pipelines.tasks import Capability

# TEXT: the text area's key, kept in the page address (?text=...) and shared with Inside the model; examples and test
# reviews are copied into it.
TRUTH = "playground_truth"  # (text, true class) of the test review last copied in
WHY = "playground_why"  # the "Why?" button was pressed: open Inside the model on the same text
TOKENS_SHOWN_BEYOND = 12  # tokens past maxlen shown (greyed) before "and N more"

if st.session_state.pop(WHY, False):
    # Inside the model reads the same text (state.TEXT). query_params={}: Streamlit's default clears the address's
    # parameters, which it refuses to do while widgets are bound to them; the next page writes its view back.
    st.switch_page(page_path("inside"), query_params={})

st.title("Playground")
ui.teach("Type or paste a review and see what every model makes of it, side by side.")

selected = ui.require_dataset()
runs = ui.require_runs(selected, Capability.PREDICT)
finished, frame, labels, by_id = runs.records, runs.frame, runs.labels, runs.by_id
summary = ui.require_summary(selected.dataset)
try:
    vocabulary = loaders.vocabulary(selected.dataset)
except loaders.Unreadable as error:
    st.error(f"{error}. Train any zoo on this data set again to rewrite it.", icon=":material/error:")
    st.stop()
classes = summary.classes
examples = examples_for(summary)


def use_text(text: str, truth: str | None = None) -> None:
    st.session_state[TEXT] = text
    st.session_state[TRUTH] = (text, truth) if truth else None


def example_ui() -> None:
    choice = st.selectbox("Example", examples, index=None, placeholder="Pick an example review",
                          key="playground_example")  # fmt: skip
    if choice is not None and st.button("Use this example", icon=":material/input:"):
        use_text(choice)


def test_review_ui() -> None:
    try:
        pool = loaders.test_examples(selected.dataset)
    except loaders.Unreadable as error:
        st.warning(f"{error}.", icon=":material/warning:")
        return
    left, right = st.columns([1, 2])
    shown = {None: "any test review", **{run_id: f"misclassified by {label}" for run_id, label in labels.items()}}
    wrong_by = left.selectbox("Show", list(shown), format_func=shown.get, key="playground_wrong_by")
    if wrong_by is not None:
        try:
            predictions = loaders.predictions(by_id[wrong_by])
        except loaders.Unreadable as error:
            st.warning(f"{error}.", icon=":material/warning:")
            return
        wrong = predictions.loc[predictions["predicted"] != predictions["label"], "id"]
        pool = pool[pool["id"].isin(set(wrong))]
    if pool.empty:
        right.info("No test review fits: this model got every one right.", icon=":material/celebration:")
        return
    pool = pool.head(500)
    row = right.selectbox(f"Test review ({len(pool):,} shown)", range(len(pool)), key="playground_test_review",
                          format_func=lambda i: _short(pool["text"].iloc[i]))  # fmt: skip
    if st.button("Use this review", icon=":material/input:"):
        label = int(pool["label"].iloc[row])
        use_text(str(pool["text"].iloc[row]), classes[label] if 0 <= label < len(classes) else None)


def coverage_words(coverage) -> str:
    """ "3 of 5 words", for a coverage (`pipelines.data.WordCoverage`)."""
    return f"{len(coverage.unknown)} of {coverage.words} word{'s' if coverage.words != 1 else ''}"


def unknown_cell(coverage) -> str:
    if coverage is None:
        return "reads no words"
    return f"{'⚠ ' if coverage.mostly_unknown else ''}{len(coverage.unknown)} of {coverage.words}"


def _short(text: str, length: int = 110) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= length else text[: length - 1] + "…"


def review_and_verdicts() -> None:
    """The review and what every model says of it: a fragment, so typing a review reruns this alone."""
    st.session_state.setdefault(TEXT, examples[0] if examples else "")  # something to look at on the first visit
    controls, result = ui.controls_and_result("The review, or an example or a test review", expanded=True)
    with controls:
        sources = ["Write your own"] + (["Example"] if examples else []) + ["Test review"]
        source = st.segmented_control("Start from", sources, default=sources[0], key="playground_source", required=True)
        if source == "Example":
            example_ui()
        elif source == "Test review":
            test_review_ui()
        # A one-line input: Enter (a phone's Go key) reads the review; a pasted review's line breaks become spaces,
        # which the tokenizer treats alike.
        text = st.text_input(
            "Review",
            **kept(TEXT),
            placeholder="Type or paste a review, e.g. “A moving film, beautifully shot.”, then Enter",
        )

    with result:  # below the controls on a laptop, above them on a projector
        if not text or not text.strip():
            st.info("Type a review (or start from an example or a test review) and press Enter.",
                    icon=":material/keyboard:")  # fmt: skip
            st.stop()

        view = tables.token_view(text, vocabulary)
        read = vocabulary.coverage(text)  # what every recurrent model reads: they share the data set's vocabulary
        st.markdown(f"**What the models read** · {coverage_words(read)} unknown")
        shown = view[: vocabulary.maxlen + TOKENS_SHOWN_BEYOND]
        st.html(highlight.token_chips(shown, highlight.READ_LOOKS, hidden=len(view) - len(shown)))
        tfidf = any(getattr(tables.baseline_of(record), "method", None) == "tfidf-lr" for record in finished)
        dropped = " The TF-IDF baseline drops them." if tfidf else ""
        ui.teach("Blue tokens are in the vocabulary; struck-out ones are unknown, and the recurrent models read each of "
                 f"them as the same <unk> token: they see that a word was there, not which.{dropped} Grey tokens come "
                 "after maxlen and are never read.")  # fmt: skip
        if len(view) > vocabulary.maxlen:
            st.info(f"This text has {len(view):,} tokens ({len(text):,} characters). The models read only the first "
                    f"{vocabulary.maxlen} and ignore the rest.", icon=":material/content_cut:")  # fmt: skip

        coverages, failures = {}, []  # label -> how many of the words that model knows; None: it reads no words
        with st.spinner("Loading the models…"):
            for run_id in frame["run_id"]:
                try:
                    coverages[labels[run_id]] = loaders.word_coverage(by_id[run_id], text)
                except loaders.Unreadable as error:
                    failures.append(str(error))
        reading = {label: coverage for label, coverage in coverages.items() if coverage is not None}
        unreadable = [label for label, coverage in reading.items() if coverage.nothing_known]
        if reading and len(unreadable) == len(reading):  # a guess about text no model can read: no answer at all
            for failure in failures:
                ui.left_out(str(failure))
            found = (
                f"({coverage_words(read)} unknown)" if read.words else "(it has no words, only symbols or punctuation)"
            )
            ui.stop_at_no_known_word(f"No model knows a single word of this review {found}, so none can judge it: "
                                     "each would only be guessing from <unk> tokens and punctuation.", summary)

        probabilities = {}
        with st.spinner("Reading the review…"):
            for run_id in frame["run_id"]:
                if labels[run_id] in coverages and labels[run_id] not in unreadable:
                    try:
                        probabilities[labels[run_id]] = loaders.predict(by_id[run_id], text)
                    except loaders.Unreadable as error:
                        failures.append(str(error))
        for failure in failures:
            ui.left_out(str(failure))
        if unreadable:
            st.warning(f"No prediction from {', '.join(unreadable)}: {'it knows' if len(unreadable) == 1 else 'they know'} "
                       "none of these words.", icon=":material/translate:")  # fmt: skip
        if not probabilities:
            st.stop()
        doubtful = [label for label, coverage in coverages.items() if coverage is not None and coverage.mostly_unknown]
        if doubtful:
            worst = max((coverages[label] for label in doubtful), key=lambda coverage: coverage.unknown_share)
            st.warning(f"Mostly unknown words: {coverage_words(worst)} are unknown to "
                       f"{'every model' if len(doubtful) == len(reading) - len(unreadable) else ', '.join(doubtful)}, so "
                       f"{'these predictions rest' if len(doubtful) > 1 else 'its prediction rests'} on a few known words "
                       "(⚠ in the table). Check the spelling, or try a review in the models' language.",
                       icon=":material/warning:")  # fmt: skip

        scores = pd.DataFrame.from_dict(probabilities, orient="index", columns=classes)
        predicted = scores.idxmax(axis=1)
        votes = predicted.value_counts()
        truth = st.session_state.get(TRUTH)
        truth = truth[1] if truth and truth[0] == text else None

        columns = st.columns(3 if truth else 2)
        if len(votes) == 1:
            columns[0].metric("agreement", f"all {len(scores)} agree", help="Models that give the same class.")
        else:
            columns[0].metric(
                "agreement", f"{votes.iloc[0]} of {len(scores)}", help="Models that give the most common class."
            )
        columns[1].metric("most say", str(votes.index[0]))
        if truth:
            columns[2].metric(
                "true class", truth, f"{(predicted == truth).sum()} of {len(scores)} right", delta_color="off"
            )

        ui.show_chart("predictions", figures.prediction_bars, scores, classes, height=110 + 38 * len(scores))
        # On a phone the first three columns show.
        table = pd.DataFrame(
            {
                "model": scores.index,
                "prediction": predicted.values,
                "unknown words": [unknown_cell(coverages[label]) for label in scores.index],
                "confidence": scores.max(axis=1).values,
            }
        )
        ui.show_table(table, "predictions", column_config={
            "confidence": st.column_config.ProgressColumn("confidence", format="percent", min_value=0, max_value=1),
        })  # fmt: skip
        ui.teach("Confidence is the probability a model gives its own answer. A confident wrong answer is worth a closer "
                 "look: which words pushed it there? Unknown words: of the words each model reads, those it never saw in "
                 "training (⚠ more than half).")  # fmt: skip
        for record in finished if tfidf else []:  # the bag-of-words model's explanation is exact: its words' weights
            if getattr(tables.baseline_of(record), "method", None) == "tfidf-lr":
                st.markdown(f"**Why {labels[record.run_id]} says so**")
                show_word_weights(record, text, labels[record.run_id])
        if st.button("Why? Look inside the models", icon=":material/neurology:", key="playground_inside"):
            st.session_state[WHY] = True  # the switch, in a whole rerun: from this fragment's rerun the frame's
            st.rerun(scope="app")  # widgets (presentation mode) would not write themselves back into the address


ui.rerun_alone(review_and_verdicts)
