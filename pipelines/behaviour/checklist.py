"""Running the behavioural tests on loaded models: each model's answer to every case, pass or fail.

    models = [load(store, dataset, record.run_id) for record in store.runs(dataset) if testable(record)]
    report = check(models, suite_for(summary.language), dataset=dataset, language=summary.language)
    report.rates()["Negation"]            # model label -> share of the negation cases it fails
    report.models[0].failures("Negation") # the failing cases, text and answer

Any run that predicts classes from text is tested through its own `predict_proba` (pipelines.loaded): the recurrent
classifiers of every framework and the TF-IDF baseline alike. The majority-class baseline reads no word; it is left
out (`testable`). An MFT case passes when the predicted class is one the template expects (of those the data set
has); an INV case passes when the perturbed text gets the class its original got (CheckList counts a flip, not a
change of confidence, as a failure).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Callable

import numpy as np

from ..data.text import tokenize
from ..models.bag_of_words_spec import BaselineSpec
from ..records import RunRecord
from ..tasks import TASKS, Capability
from .templates import CAPABILITIES, INV, NEGATIVE, POSITIVE, Test

# The CheckList paper's sentiment tests (Ribeiro, Wu, Guestrin & Singh, "Beyond Accuracy: Behavioral Testing of NLP
# Models with CheckList", ACL 2020, Table 1: Microsoft's, Google's and Amazon's sentiment APIs, BERT-base and
# RoBERTa-base) that ours mirror, by our capability or test. `figures` holds a row's failure rates only where a copy
# could be checked: Zhu & Rudzicz's lecture slides on interpretable NLP (University of Toronto, 2021) quote four rows
# for Microsoft, Google, Amazon and BERT-base; three of them are mirrored here (the fourth, "Negated neutral should
# still be neutral", needs a neutral class that rt-polarity and IMDb do not have). A row without figures is in the
# paper, not quoted: a figure this project could not check is not printed as the paper's.
CHECKLIST_TABLE_1 = {
    "source": "Ribeiro et al., ACL 2020, Table 1 (sentiment: Microsoft, Google, Amazon, BERT-base, RoBERTa-base)",
    "figures_source": "Ribeiro et al.'s Table 1 as quoted by Zhu & Rudzicz, \"Introduction to Interpretable NLP\" "
                      "(University of Toronto, 2021; github.com/ZiningZhu/Interpretable-NLP, slides/0_intro.md)",
    "rows": {  # our capability or test -> the paper's row it mirrors
        "Vocabulary": "Short sentences with sentiment-laden adjectives",
        "not + negative": "Negated negative should be positive or neutral",
        "not … positive": "Negated positive with neutral content in the middle",
        "negative, then “it wasn't”": "Negation of negative at the end, should be positive or neutral",
        "Author's opinion": "Author sentiment is more important than of others",
        "Questions (… No.)": "Parsing sentiment in (question, no) form",
    },
    "figure_models": ("Microsoft", "Google", "Amazon", "BERT-base"),  # RoBERTa-base's are not in that copy
    "figures": {  # our capability or test -> {the paper's model: failure %}
        "negative, then “it wasn't”": {"Microsoft": 100.0, "Google": 90.4, "Amazon": 100.0, "BERT-base": 84.8},
        "Author's opinion": {"Microsoft": 45.4, "Google": 62.4, "Amazon": 68.0, "BERT-base": 38.8},
        "Questions (… No.)": {"Microsoft": 96.8, "Google": 90.8, "Amazon": 81.6, "BERT-base": 55.4},
    },
}


def testable(record: RunRecord) -> bool:
    """A finished run that reads words and answers with a class: a recurrent classifier or a TF-IDF baseline."""
    task = TASKS.get(record.task)
    if record.state != "done" or task is None or not task.classifier or not task.can(Capability.PREDICT):
        return False
    return not (isinstance(record.model_spec, BaselineSpec) and record.model_spec.method == "majority")


def is_sentiment(classes) -> bool:
    """Whether a data set's classes are the ones the templates expect (negative and positive; neutral may be there)."""
    return {NEGATIVE, POSITIVE} <= set(classes)


def known_words(model) -> Callable[[str], bool] | None:
    """Whether a (lower-cased) word is in the model's vocabulary: a recurrent run's, or the unigrams a baseline's
    TF-IDF kept; None for a model that reads no words."""
    vocabulary = getattr(model, "vocabulary", None)
    if vocabulary is not None:
        return vocabulary.__contains__
    vectorizer = getattr(getattr(model, "model", None), "vectorizer", None)
    if vectorizer is not None:
        features = vectorizer.vocabulary_
        return features.__contains__
    return None


@dataclass(frozen=True)
class CaseResult:
    test: str
    capability: str
    kind: str  # MFT or INV
    text: str
    predicted: str
    confidence: float  # the probability of the predicted class
    passed: bool
    expected: tuple[str, ...] = ()  # MFT: the classes that pass (of the model's)
    original: str | None = None  # INV: the text before the change
    original_predicted: str | None = None  # INV: its class
    unknown: tuple[str, ...] = ()  # the text's words the model does not know

    def to_json(self) -> dict:
        return {key: list(value) if isinstance(value, tuple) else value for key, value in self.__dict__.items()}


@dataclass
class ModelReport:
    run_id: str
    label: str
    results: list[CaseResult]
    texts: int = 0  # texts the templates wrote (typos left out): what `texts_with_unknown` counts among
    texts_with_unknown: int = 0
    unknown_words: dict[str, int] = field(default_factory=dict)  # word -> texts it is in, most frequent first

    def _of(self, capability: str) -> list[CaseResult]:
        return [result for result in self.results if result.capability == capability]

    def failure_rate(self, capability: str) -> float | None:
        """The share of the capability's cases this model fails; None if the suite has none."""
        results = self._of(capability)
        return sum(not result.passed for result in results) / len(results) if results else None

    def rate_of(self, name: str) -> float | None:
        """The failure rate of a capability, or of one test by its name ("not + negative")."""
        if name in CAPABILITIES:
            return self.failure_rate(name)
        results = [result for result in self.results if result.test == name]
        return sum(not result.passed for result in results) / len(results) if results else None

    def failures(self, capability: str) -> list[CaseResult]:
        return [result for result in self._of(capability) if not result.passed]

    def cases(self, capability: str) -> int:
        return len(self._of(capability))

    def to_json(self) -> dict:
        return {
            "run_id": self.run_id, "label": self.label, "texts": self.texts,
            "texts_with_unknown_words": self.texts_with_unknown, "unknown_words": self.unknown_words,
            "failure_rates": {name: self.failure_rate(name) for name in CAPABILITIES if self.cases(name)},
            "test_failure_rates": {name: self.rate_of(name) for name in dict.fromkeys(r.test for r in self.results)},
            "cases": [result.to_json() for result in self.results],
        }  # fmt: skip


@dataclass(frozen=True)
class MirroredRow:
    ours: str  # our capability or test
    row: str  # CheckList's row
    low: float  # the lowest and highest failure rate over the models, 0 to 1
    high: float
    figures: dict[str, float]  # the paper's model -> failure %, where quoted

    @property
    def span(self) -> str:
        """"14-50%", or "100%" when every model fails as often."""
        low, high = (f"{100 * rate:.0f}" for rate in (self.low, self.high))
        return f"{low}%" if low == high else f"{low}-{high}%"


@dataclass
class Report:
    dataset: str
    language: str
    tests: tuple[Test, ...]
    models: list[ModelReport]

    @property
    def capabilities(self) -> list[str]:
        present = {test.capability for test in self.tests}
        return [name for name in CAPABILITIES if name in present]

    def rates(self) -> dict[str, dict[str, float]]:
        """capability -> model label -> failure rate (0 to 1)."""
        return {name: {model.label: model.failure_rate(name) for model in self.models} for name in self.capabilities}

    def beside_checklist(self) -> list[MirroredRow]:
        """The rows of CheckList's Table 1 these tests mirror: the range of these models' failure rates beside the
        paper's figures (where a copy was checked). Rows this report has no case of are left out."""
        rows = []
        for name, row in CHECKLIST_TABLE_1["rows"].items():
            rates = [rate for rate in (model.rate_of(name) for model in self.models) if rate is not None]
            if rates:
                rows.append(MirroredRow(name, row, min(rates), max(rates), CHECKLIST_TABLE_1["figures"].get(name, {})))
        return rows

    def to_json(self) -> dict:
        return {
            "dataset": self.dataset, "language": self.language,
            "tests": [{"name": test.name, "capability": test.capability, "kind": test.kind,
                       "description": test.description, "cases": len(test.cases)} for test in self.tests],
            "models": [model.to_json() for model in self.models],
            "checklist_table_1": CHECKLIST_TABLE_1,
        }  # fmt: skip


def check(models: list, tests: tuple[Test, ...], dataset: str = "", language: str = "") -> Report:
    """Every model's answer to every case of `tests`; each model reads each distinct text once."""
    texts = list(dict.fromkeys(text for test in tests for case in test.cases
                               for text in (case.text, case.original) if text is not None))  # fmt: skip
    return Report(dataset, language, tests, [_check_model(model, tests, texts) for model in models])


def _check_model(model, tests: tuple[Test, ...], texts: list[str]) -> ModelReport:
    classes = list(model.classes)
    probabilities = np.asarray(model.predict_proba(texts)) if texts else np.zeros((0, len(classes)))
    answer = {text: (classes[int(row.argmax())], float(row.max())) for text, row in zip(texts, probabilities)}
    knows = known_words(model)
    unknown_of = {text: tuple(word for word in dict.fromkeys(tokenize(text))
                              if knows is not None and _is_word(word) and not knows(word))
                  for text in texts}  # fmt: skip
    results, written = [], set()
    for test in tests:
        for case in test.cases:
            predicted, confidence = answer[case.text]
            if test.kind == INV:
                before = answer[case.original][0]
                result = CaseResult(test.name, test.capability, test.kind, case.text, predicted, confidence,
                                    passed=predicted == before, original=case.original, original_predicted=before,
                                    unknown=unknown_of[case.text])  # fmt: skip
                written.add(case.original)
                if not test.unknown_by_design:
                    written.add(case.text)
            else:
                expected = tuple(name for name in case.expected if name in classes)
                if not expected:
                    raise ValueError(f"the test {test.name!r} expects {', '.join(case.expected)}, which "
                                     f"{model.label} cannot answer (its classes: {', '.join(classes)})")  # fmt: skip
                result = CaseResult(test.name, test.capability, test.kind, case.text, predicted, confidence,
                                    passed=predicted in expected, expected=expected,
                                    unknown=unknown_of[case.text])  # fmt: skip
                written.add(case.text)
            results.append(result)
    with_unknown = [text for text in written if unknown_of[text]]
    counts = Counter(word for text in with_unknown for word in unknown_of[text])
    return ModelReport(model.run_id, model.label, results, texts=len(written), texts_with_unknown=len(with_unknown),
                       unknown_words=dict(counts.most_common()))  # fmt: skip


def _is_word(token: str) -> bool:
    return any(character.isalnum() for character in token)


def check_store(store, dataset: str, run_ids: list[str] | None = None, device: str = "cpu",
                cases_per_test: int | None = None) -> Report:  # fmt: skip
    """The suite of `dataset`'s language on its testable runs (or on `run_ids`, which must all be testable).

    ValueError, in words, for a data set the store does not hold, a language without a suite, a run that is not
    there or cannot be tested, or no run to test.
    """
    from ..loaded import load  # a run's framework loads with its run
    from .templates import CASES_PER_TEST, suite_for

    if dataset not in store.datasets():
        raise ValueError(f"the store at {store.root} holds no data set {dataset!r}; "
                         f"it holds {', '.join(store.datasets()) or 'none'}")  # fmt: skip
    summary = store.read_dataset(dataset)
    if not is_sentiment(summary.classes):
        classes = ", ".join(summary.classes) or "none"
        raise ValueError(f"{dataset} is not a sentiment data set (its classes: {classes}); "
                         "the behavioural tests expect negative and positive")  # fmt: skip
    tests = suite_for(summary.language, cases_per_test or CASES_PER_TEST)
    if run_ids:
        records = [store.find_run(run_id, dataset) for run_id in run_ids]
        untestable = [record.run_id for record in records if not testable(record)]
        if untestable:
            raise ValueError(f"{', '.join(untestable)}: not a finished classifier that reads words "
                             "(a recurrent classifier or a TF-IDF baseline)")  # fmt: skip
    else:
        records = [record for record in store.runs(dataset) if testable(record)]
        if not records:
            raise ValueError(f"{dataset} has no finished classifier to test; train one first "
                             f"(python -m pipelines train --dataset {dataset})")  # fmt: skip
    models = [load(store, dataset, record.run_id, device=device) for record in records]
    return check(models, tests, dataset=dataset, language=summary.language)
