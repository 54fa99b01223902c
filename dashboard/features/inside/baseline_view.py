"""How a bag-of-words baseline reads a text: its words tinted by their weight, and the n-grams that decided.

    show_word_weights(record, text, label)   # in a page, under the models' predictions

A logistic regression's explanation needs no approximation: the logit is the
intercept plus, for every n-gram of the text, its TF-IDF value times its weight
(`pipelines.baselines.WordWeights`). Streamlit rendering only; the numbers come
from the pipelines and the figure from `figures_comparisons.ngram_bars`.
"""

from __future__ import annotations

import streamlit as st

from dashboard import figures_comparisons, highlight, loaders, ui
from pipelines.store import RunRecord

NGRAMS_SHOWN = 12


def show_word_weights(record: RunRecord, text: str, label: str) -> None:
    try:
        weights = loaders.word_weights(record, text)
    except (ValueError, loaders.Unreadable) as error:
        st.warning(f"{label}: {error}.", icon=":material/warning:")
        return
    if not weights.features:
        st.caption(f"{label} knows none of these words (or is the majority class): it answers "
                   f"{weights.predicted_class} whatever the text says.")  # fmt: skip
        return
    st.html(highlight.word_weight_chips(weights))
    known = sum(weights.known)
    ui.teach(f"{label} reads the whole text as a bag of words and word pairs, in any order. Its {weights.unit} for "
             f"{weights.target_class} is the intercept ({weights.intercept:+.2f}) plus each n-gram's TF-IDF value × "
             f"weight: {weights.logit:+.2f} in all. {known} of {len(weights.tokens)} tokens are part of an n-gram it "
             "learned; a pair's weight is shared by its two words.")  # fmt: skip
    top = weights.features[:NGRAMS_SHOWN]
    ui.show_chart(f"ngrams-{record.run_id}", figures_comparisons.ngram_bars, [f.ngram for f in top],
                  [f.contribution for f in top], weights.classes, weights.target, height=120 + 26 * len(top))
