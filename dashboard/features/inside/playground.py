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
TOKENS_SHOWN_BEYOND = 12  # tokens past maxlen shown (greyed) before "and N more"

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


def _short(text: str, length: int = 110) -> str:
    text = " ".join(str(text).split())
    return text if len(text) <= length else text[: length - 1] + "…"


st.session_state.setdefault(TEXT, examples[0] if examples else "")  # something to look at on the first visit
with st.container(border=True):
    sources = ["Write your own"] + (["Example"] if examples else []) + ["Test review"]
    source = st.segmented_control("Start from", sources, default=sources[0], key="playground_source", required=True)
    if source == "Example":
        example_ui()
    elif source == "Test review":
        test_review_ui()
    text = st.text_area("Review", height=120, **kept(TEXT),
                        placeholder="Type or paste a review, e.g. “A moving film, beautifully shot.”")  # fmt: skip

if not text or not text.strip():
    st.info("Type a review above (or start from an example or a test review) and press Ctrl+Enter.",
            icon=":material/keyboard:")  # fmt: skip
    st.stop()

view = tables.token_view(text, vocabulary)
read = view[: vocabulary.maxlen]
known_words = sum(status == "known" and any(character.isalnum() for character in token) for token, status in read)
st.markdown("**What the models read**")
shown = view[: vocabulary.maxlen + TOKENS_SHOWN_BEYOND]
st.html(highlight.token_chips(shown, highlight.READ_LOOKS, hidden=len(view) - len(shown)))
ui.teach("Blue tokens are in the vocabulary; struck-out ones are unknown and all read as the same <unk> token; "
         "grey ones come after maxlen and are never read.")  # fmt: skip
if len(view) > vocabulary.maxlen:
    st.info(f"This text has {len(view):,} tokens ({len(text):,} characters). The models read only the first "
            f"{vocabulary.maxlen} and ignore the rest.", icon=":material/content_cut:")  # fmt: skip
if not known_words:  # punctuation alone carries (almost) no sentiment
    st.warning("None of these words is in the vocabulary, so the models see only unknown tokens and punctuation: "
               "what follows is each model's guess for text it cannot understand, not a judgement of your words.",
               icon=":material/translate:")  # fmt: skip

probabilities, failures = {}, []
with st.spinner("Loading the models…"):
    for run_id in frame["run_id"]:
        try:
            probabilities[labels[run_id]] = loaders.predict(by_id[run_id], text)
        except loaders.Unreadable as error:
            failures.append(str(error))
for failure in failures:
    ui.left_out(str(failure))
if not probabilities:
    st.stop()

scores = pd.DataFrame.from_dict(probabilities, orient="index", columns=classes)
predicted = scores.idxmax(axis=1)
votes = predicted.value_counts()
truth = st.session_state.get(TRUTH)
truth = truth[1] if truth and truth[0] == text else None

columns = st.columns(3 if truth else 2)
if len(votes) == 1:
    columns[0].metric("agreement", f"all {len(scores)} agree", help="Models that give the same class.")
else:
    columns[0].metric("agreement", f"{votes.iloc[0]} of {len(scores)}", help="Models that give the most common class.")
columns[1].metric("most say", str(votes.index[0]))
if truth:
    columns[2].metric("true class", truth, f"{(predicted == truth).sum()} of {len(scores)} right", delta_color="off")

ui.show_chart("predictions", figures.prediction_bars, scores, classes, height=110 + 38 * len(scores))
table = pd.DataFrame({"model": scores.index, "prediction": predicted.values, "confidence": scores.max(axis=1).values})
ui.show_table(table, "predictions", column_config={
    "confidence": st.column_config.ProgressColumn("confidence", format="percent", min_value=0, max_value=1),
})  # fmt: skip
ui.teach("Confidence is the probability a model gives its own answer. A confident wrong answer is worth a closer "
         "look: which words pushed it there?")  # fmt: skip
for record in finished:  # the bag-of-words model's explanation is exact: its words' weights
    if getattr(tables.baseline_of(record), "method", None) == "tfidf-lr":
        st.markdown(f"**Why {labels[record.run_id]} says so**")
        show_word_weights(record, text, labels[record.run_id])
if st.button("Why? Look inside the models", icon=":material/neurology:", key="playground_inside"):
    # Inside the model reads the same text (state.TEXT). query_params={}: Streamlit's default clears the address's
    # parameters, which it refuses to do while widgets are bound to them; the next page writes its view back.
    st.switch_page(page_path("inside"), query_params={})
