"""The baselines as scikit-learn models, stored without pickle.

    model = fit_baseline(BaselineSpec("tfidf-lr"), train_texts, train_labels, val_texts, val_labels, classes)
    model.predict_proba(["A gorgeous, moving film."])   # (1, classes)
    model.word_weights("A gorgeous, moving film.")      # each word's push, in log-odds
    model.save(folder); BaselineModel.load(folder, spec)

Majority class: scikit-learn's `DummyClassifier(strategy="prior")`, the class
shares of the training split, the same answer for every text. TF-IDF + LR: a
`TfidfVectorizer` over word n-grams (the project's tokenizer) and a
`LogisticRegression` whose C is chosen by macro F1 on the validation split.

Nothing is pickled: the numbers go to `weights.safetensors` (class shares, idf,
coefficients, intercepts) and the n-grams to `features.json`; loading rebuilds
the scikit-learn objects from them, and they predict exactly as the fitted ones.
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from pathlib import Path

import numpy as np
from safetensors.numpy import load_file, save_file
from sklearn.dummy import DummyClassifier
from sklearn.feature_extraction.text import TfidfVectorizer
from sklearn.linear_model import LogisticRegression
from sklearn.metrics import f1_score

from ..data.text import Token, WordCoverage, tokenize, tokenize_with_spans, word_coverage
from ..files import read_json
from ..models.bag_of_words_spec import BaselineSpec

WEIGHTS_FILE = "weights.safetensors"
DROPPED = "unknown words are dropped: the model weighs only the n-grams it learned, as if the rest were not there"
FEATURES_FILE = "features.json"


@dataclass(frozen=True)
class FeatureWeight:
    """One n-gram of a text: its TF-IDF value, the model's weight for it, and their product."""

    ngram: str
    value: float  # TF-IDF of the n-gram in this text
    weight: float  # the model's weight towards the explained class
    contribution: float  # value * weight, in the explanation's unit
    tokens: tuple[int, ...]  # positions (into WordWeights.tokens) of every word of every occurrence


@dataclass(frozen=True)
class WordWeights:
    """Why a linear bag-of-words model decided what it did: its logit, n-gram by n-gram and word by word.

    The explanation is exact: `intercept + sum(feature contributions) == logit`,
    and each word's score is its share of the n-grams it is part of (a bigram's
    weight is split between its two words), so the word scores add up to the
    same sum. `unit` says what the logit is: the log-odds of the explained class
    for two classes, its logit minus the mean logit for more.
    """

    text: str
    tokens: list[Token]
    classes: list[str]
    probabilities: np.ndarray  # (classes,)
    target: int
    scores: np.ndarray  # (tokens,) each word's share of the logit
    features: list[FeatureWeight]  # strongest first
    intercept: float
    logit: float
    unit: str
    known: list[bool] = field(default_factory=list)  # per token: part of at least one known n-gram

    @property
    def target_class(self) -> str:
        return self.classes[self.target]

    @property
    def predicted_class(self) -> str:
        return self.classes[int(self.probabilities.argmax())]

    @property
    def max_abs(self) -> float:
        return float(np.abs(self.scores).max()) if len(self.scores) else 0.0

    def to_json(self) -> dict:
        return {
            "text": self.text, "classes": self.classes, "probabilities": self.probabilities.tolist(),
            "target": self.target, "target_class": self.target_class, "unit": self.unit,
            "intercept": self.intercept, "logit": self.logit,
            "tokens": [{"text": token.text, "start": token.start, "end": token.end, "score": float(score),
                        "known": known} for token, score, known in zip(self.tokens, self.scores, self.known)],
            "features": [{"ngram": f.ngram, "value": f.value, "weight": f.weight, "contribution": f.contribution}
                         for f in self.features],
        }  # fmt: skip


def _vectorizer(spec: BaselineSpec, vocabulary: dict[str, int] | None = None) -> TfidfVectorizer:
    """TF-IDF over word n-grams of our tokens (lower-cased by the tokenizer; punctuation and emoji are tokens)."""
    return TfidfVectorizer(
        tokenizer=tokenize, token_pattern=None, lowercase=False, ngram_range=(spec.ngram_min, spec.ngram_max),
        min_df=spec.min_df, max_features=spec.max_features, sublinear_tf=spec.sublinear_tf, dtype=np.float64,
        vocabulary=vocabulary,
    )  # fmt: skip


@dataclass
class BaselineModel:
    spec: BaselineSpec
    classes: list[str]
    class_prior: np.ndarray  # (classes,) shares of the training split
    vectorizer: TfidfVectorizer | None = None
    classifier: LogisticRegression | None = None
    regularisation: float | None = None  # the chosen C
    validation_scores: dict[str, float] = field(default_factory=dict)  # C -> validation macro F1
    _known_words: frozenset[str] | None = field(default=None, repr=False)

    @property
    def parameters(self) -> int:
        """Numbers the model learned: class shares, or weights, intercepts and idf values."""
        if self.classifier is None:
            return int(self.class_prior.size)
        return int(self.classifier.coef_.size + self.classifier.intercept_.size + len(self.vectorizer.idf_))

    @property
    def feature_count(self) -> int:
        return len(self.vectorizer.vocabulary_) if self.vectorizer is not None else 0

    def predict_proba(self, texts: list[str]) -> np.ndarray:
        """Class probabilities (texts, classes); every text, however long, is read whole."""
        if isinstance(texts, str):
            raise ValueError("predict_proba takes a list of texts, not one string")
        if self.classifier is None:
            return np.tile(self.class_prior, (len(texts), 1))
        probabilities = np.zeros((len(texts), len(self.classes)))
        if texts:  # a class missing from training keeps probability 0
            probabilities[:, self.classifier.classes_] = self.classifier.predict_proba(self.vectorizer.transform(texts))
        return probabilities

    def word_coverage(self, text: str) -> WordCoverage | None:
        """How many of the text's words are part of one of the model's n-grams (the rest are dropped); None for
        the majority class, which reads no words at all. Every word is read: TF-IDF has no maxlen."""
        if self.vectorizer is None:
            return None
        if self._known_words is None:  # every word of every n-gram feature, worked out once per model
            self._known_words = frozenset(word for ngram in self.vectorizer.vocabulary_ for word in ngram.split(" "))
        return word_coverage(text, self._known_words, handling=DROPPED)

    # -- explanation ------------------------------------------------------------------

    def word_weights(self, text: str, target: int | str | None = None) -> WordWeights:
        """Each n-gram's and each word's push towards `target` (default: the predicted class)."""
        probabilities = self.predict_proba([text])[0]
        target = _target_index(target, self.classes, int(probabilities.argmax()))
        tokens = tokenize_with_spans(text)
        if self.classifier is None:  # the same answer whatever the words: nothing to attribute
            zeros = np.zeros(len(tokens))
            share = float(np.clip(self.class_prior[target], 1e-12, 1 - 1e-12))
            log_odds = float(np.log(share / (1 - share)))
            return WordWeights(text, tokens, self.classes, probabilities, target, zeros, [], log_odds, log_odds,
                               "log-odds", [False] * len(tokens))  # fmt: skip
        direction, intercept, unit = self._direction(target)
        values = self.vectorizer.transform([text]).tocsr()
        names = self.vectorizer.get_feature_names_out()
        positions = _ngram_positions([token.text for token in tokens], self.spec.ngram_min, self.spec.ngram_max)
        features, scores, known = [], np.zeros(len(tokens)), [False] * len(tokens)
        for column, value in zip(values.indices, values.data):
            ngram = str(names[column])
            contribution = float(value * direction[column])
            occurrences = positions.get(ngram, [])
            words = [index for occurrence in occurrences for index in occurrence]
            for index in words:
                scores[index] += contribution / len(words)
                known[index] = True
            features.append(FeatureWeight(ngram, float(value), float(direction[column]), contribution, tuple(words)))
        features.sort(key=lambda feature: -abs(feature.contribution))
        logit = intercept + sum(feature.contribution for feature in features)
        return WordWeights(text, tokens, self.classes, probabilities, target, scores, features, intercept, logit, unit,
                           known)  # fmt: skip

    def _direction(self, target: int) -> tuple[np.ndarray, float, str]:
        """Weights and intercept towards class `target`, and the unit their sum is in."""
        coef, intercept = self.classifier.coef_, self.classifier.intercept_
        learned = list(self.classifier.classes_)
        if coef.shape[0] == 1:  # two classes: one weight vector, the log-odds of classes_[1]
            sign = 1.0 if target == learned[1] else -1.0
            return sign * coef[0], float(sign * intercept[0]), "log-odds"
        row = learned.index(target) if target in learned else None
        if row is None:
            raise ValueError(f"class {self.classes[target]!r} never occurred in training; the model cannot explain it")
        return coef[row] - coef.mean(axis=0), float(intercept[row] - intercept.mean()), "logit minus the mean logit"

    # -- storage ---------------------------------------------------------------------

    def tensors(self) -> dict[str, np.ndarray]:
        tensors = {"class_prior": self.class_prior.astype(np.float64)}
        if self.classifier is not None:
            tensors.update(
                idf=np.asarray(self.vectorizer.idf_, dtype=np.float64),
                coef=np.ascontiguousarray(self.classifier.coef_, dtype=np.float64),
                intercept=np.asarray(self.classifier.intercept_, dtype=np.float64),
                label_ids=np.asarray(self.classifier.classes_, dtype=np.int64),
            )  # fmt: skip
        return tensors

    def features_document(self) -> dict:
        features = self.vectorizer.get_feature_names_out().tolist() if self.vectorizer is not None else []
        return {"classes": self.classes, "features": features, "regularisation": self.regularisation,
                "validation_scores": self.validation_scores}  # fmt: skip

    def save_weights(self, path: Path) -> None:
        save_file(self.tensors(), str(path))

    @classmethod
    def load(cls, folder: Path, spec: BaselineSpec) -> "BaselineModel":
        """Rebuild the fitted model from `weights.safetensors` and `features.json` in `folder`."""
        tensors = load_file(str(Path(folder) / WEIGHTS_FILE))
        document = read_json(Path(folder) / FEATURES_FILE)
        model = cls(spec, list(document["classes"]), tensors["class_prior"],
                    regularisation=document.get("regularisation"),
                    validation_scores=dict(document.get("validation_scores") or {}))  # fmt: skip
        if spec.method == "majority":
            return model
        features = list(document["features"])
        if len(features) != len(tensors["idf"]) or tensors["coef"].shape[1] != len(features):
            raise ValueError(f"{FEATURES_FILE} lists {len(features)} n-grams but the weights hold "
                             f"{tensors['coef'].shape[1]}")  # fmt: skip
        model.vectorizer = _vectorizer(spec, {feature: index for index, feature in enumerate(features)})
        model.vectorizer.idf_ = tensors["idf"]  # scikit-learn's documented way to set a fitted idf
        classifier = LogisticRegression(C=model.regularisation or 1.0)
        classifier.coef_, classifier.intercept_ = tensors["coef"], tensors["intercept"]
        classifier.classes_ = tensors["label_ids"]
        classifier.n_features_in_ = len(features)
        model.classifier = classifier
        return model


def fit_baseline(spec: BaselineSpec, train_texts: list[str], train_labels: np.ndarray, validation_texts: list[str],
                 validation_labels: np.ndarray, classes: list[str]) -> BaselineModel:  # fmt: skip
    """Fit on the training split; for TF-IDF + LR, pick C by macro F1 on the validation split."""
    train_labels, validation_labels = np.asarray(train_labels), np.asarray(validation_labels)
    if len(train_texts) != len(train_labels) or len(validation_texts) != len(validation_labels):
        raise ValueError("every text needs a label")
    if len(np.unique(train_labels)) < 2:
        raise ValueError("the training split holds a single class; a baseline needs two or more")
    dummy = DummyClassifier(strategy="prior").fit(np.zeros((len(train_labels), 1)), train_labels)
    prior = np.zeros(len(classes))
    prior[dummy.classes_] = dummy.class_prior_
    if spec.method == "majority":
        return BaselineModel(spec, list(classes), prior)
    vectorizer = _vectorizer(spec)
    train_features = vectorizer.fit_transform(train_texts)
    validation_features = vectorizer.transform(validation_texts)
    fitted, scores = {}, {}
    for regularisation in spec.regularisation_grid:
        classifier = LogisticRegression(C=regularisation, max_iter=spec.max_iter)
        fitted[regularisation] = classifier.fit(train_features, train_labels)
        predicted = classifier.predict(validation_features)
        scores[regularisation] = float(f1_score(validation_labels, predicted, average="macro", zero_division=0))
    best = max(spec.regularisation_grid, key=lambda value: scores[value])  # the smallest C among equals
    return BaselineModel(spec, list(classes), prior, vectorizer, fitted[best], best,
                         {f"{value:g}": score for value, score in scores.items()})  # fmt: skip


def _target_index(target: int | str | None, classes: list[str], default: int) -> int:
    if target is None:
        return default
    if isinstance(target, str):
        if target not in classes:
            raise ValueError(f"unknown class {target!r}; the classes are {', '.join(classes)}")
        return classes.index(target)
    if not 0 <= int(target) < len(classes):
        raise ValueError(f"class index {target} is out of range for {len(classes)} classes")
    return int(target)


def _ngram_positions(words: list[str], low: int, high: int) -> dict[str, list[tuple[int, ...]]]:
    """Every n-gram of the words (joined by a space, as scikit-learn joins them) and where each occurs."""
    positions: dict[str, list[tuple[int, ...]]] = defaultdict(list)
    for size in range(low, high + 1):
        for start in range(len(words) - size + 1):
            positions[" ".join(words[start : start + size])].append(tuple(range(start, start + size)))
    return positions
