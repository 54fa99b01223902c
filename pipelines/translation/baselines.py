"""BLEU and chrF of a text task's translations, and the two baselines an encoder-decoder must beat.

    scores = text_scores(targets, written)               # {"bleu": 12.3, "chrf": 34.5}: sacrebleu, 0 to 100
    dictionary = WordDictionary.learn(train_pairs)       # IBM Model 1 on the training pairs
    baseline_scores(train_pairs, test_pairs)             # {"copy": {...}, "dictionary": {...}}

Both sides are scored as the models read and write them: lower-cased words and
punctuation apart, joined by spaces (`data.text.tokenize`), so BLEU counts the
same words for every system (sacrebleu with `tokenize="none"` on the already
tokenized text; chrF reads characters and ignores the spaces). The figures
compare systems on this task; they are not comparable with published,
detokenized, cased BLEU.

- **copy**: the source itself. Names, numbers and loan words ("wifi", "bni")
  are the same in both languages, so copying scores above zero;
- **dictionary**: word for word, in the source's order, each source word
  replaced by its likeliest translation under IBM Model 1 (Brown et al. 1993:
  expectation-maximisation of t(english word | indonesian word) over the
  training pairs, a few iterations, no word order, no fertility); a source
  word never seen in training is copied (the copy baseline's strength, kept).
"""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass

from sacrebleu.metrics import BLEU, CHRF

from ..data.seq2seq import Pair

EM_ITERATIONS = 5
BASELINE_NAMES = {"copy": "copy the source", "dictionary": "word for word (IBM Model 1)"}  # how pages name them


def text_scores(targets: list[str], written: list[str]) -> dict[str, float]:
    """Corpus BLEU and chrF (0 to 100) of outputs against one reference each."""
    if not targets or len(targets) != len(written):
        raise ValueError(f"scores need one output per target: {len(written)} outputs for {len(targets)} targets")
    bleu = BLEU(tokenize="none", force=True).corpus_score(written, [targets]).score
    return {"bleu": float(bleu), "chrf": float(CHRF().corpus_score(written, [targets]).score)}


@dataclass
class WordDictionary:
    """The likeliest target word of each source word seen in training (IBM Model 1)."""

    best: dict[str, str]

    @classmethod
    def learn(cls, pairs: list[Pair], iterations: int = EM_ITERATIONS) -> "WordDictionary":
        sentences = [(pair.source.split(), pair.target.split()) for pair in pairs]
        # t(target | source), uniform to start over the target words each source word meets
        translation: dict[str, dict[str, float]] = defaultdict(dict)
        for source, target in sentences:
            for word in source:
                for english in target:
                    translation[word][english] = 1.0
        for _ in range(iterations):
            counts: dict[str, dict[str, float]] = defaultdict(lambda: defaultdict(float))
            for source, target in sentences:
                for english in target:  # E step: share each target word among the source words that may make it
                    total = sum(translation[word][english] for word in source)
                    for word in source:
                        counts[word][english] += translation[word][english] / total
            translation = defaultdict(dict)  # M step: normalise per source word
            for word, row in counts.items():
                norm = sum(row.values())
                translation[word] = {english: count / norm for english, count in row.items()}
        return cls({word: max(row, key=lambda english: (row[english], english))
                    for word, row in translation.items()})  # fmt: skip

    def translate(self, source: str) -> str:
        return " ".join(self.best.get(word, word) for word in source.split())


def baseline_scores(train: list[Pair], test: list[Pair]) -> dict[str, dict[str, float]]:
    """BLEU and chrF of copying the source and of the word-for-word dictionary on the test pairs."""
    targets = [pair.target for pair in test]
    dictionary = WordDictionary.learn(train)
    return {"copy": text_scores(targets, [pair.source for pair in test]),
            "dictionary": text_scores(targets, [dictionary.translate(pair.source) for pair in test])}  # fmt: skip
