"""Looking inside a run: explain one text, or find the words that drive each class.

    from pipelines.explain import explain, top_words
    explanation = explain(run, "A gorgeous, moving film.")  # also run.explain(text)
    words = top_words(store, run)                          # cached in the run's folder

- explanation.py: the `Explanation` of one text and `explain`, which builds it.
- internals.py: each layer's hidden states, gates and cell state, step by step
  from the trained weights; the prediction after each prefix.
- attributions.py: one class per attribution method (Captum does the maths).
- aggregate.py: attributions aggregated over a run's test set (`top_words`).
- unit_words.py: the words that move each hidden unit most over the test set (`unit_words`), to name the units.

A run is explained through `run.torch_model()` (a Keras run's PyTorch twin), so
nothing here asks which framework made it, and nothing here imports `pipelines.runs`.
"""

from .aggregate import TopWords, WordScore, aggregate_word_attributions, cached_top_words, top_words
from .attributions import METHODS, AttributionResult, TokenAttribution, check_ig_steps
from .explanation import DEFAULT_METHODS, Attribution, ExplainableRun, Explanation, TokenInfo, explain
from .internals import CELL_VALUES, GATES, UNIT_ORDERS, LayerStates, units_by_similarity
from .unit_words import UnitResponse, UnitWords, cached_unit_words, unit_words

__all__ = [
    "CELL_VALUES", "GATES", "METHODS", "DEFAULT_METHODS", "UNIT_ORDERS", "Attribution", "AttributionResult",
    "ExplainableRun", "Explanation", "LayerStates", "TokenAttribution", "TokenInfo", "TopWords", "WordScore",
    "aggregate_word_attributions", "cached_top_words", "check_ig_steps", "explain", "top_words",
    "units_by_similarity", "UnitResponse", "UnitWords", "cached_unit_words", "unit_words",
]  # fmt: skip
