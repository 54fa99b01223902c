"""What a baseline is: the spec a `baseline` run's spec.json keeps under "model".

    BaselineSpec("majority")                       # always the class most common in training
    BaselineSpec("tfidf-lr", ngram_max=2)          # TF-IDF of word 1-2 grams + logistic regression

Both read the text with the project's one tokenizer (`pipelines.data.tokenize`),
so "what a word is" is the same for the baselines and the recurrent models; the
TF-IDF model reads the whole text (no maxlen cut).
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, fields

METHODS = ("majority", "tfidf-lr")
METHOD_TITLES = {"majority": "Majority class", "tfidf-lr": "TF-IDF + LR"}
# Inverse regularisation strengths tried on the validation split (macro F1); the best is refitted on train.
REGULARISATION_GRID = (0.25, 1.0, 4.0, 16.0)


@dataclass(frozen=True)
class BaselineSpec:
    method: str = "tfidf-lr"  # majority | tfidf-lr
    ngram_min: int = 1
    ngram_max: int = 2  # word n-grams, e.g. "not good"
    min_df: int = 2  # an n-gram must occur in this many training texts
    max_features: int = 200_000  # the most frequent n-grams kept
    sublinear_tf: bool = True  # 1 + log(count): a word said five times is not five times the evidence
    regularisation_grid: tuple[float, ...] = REGULARISATION_GRID  # logistic regression's C, chosen on validation
    max_iter: int = 2000
    num_classes: int = 0  # filled in from the data

    def __post_init__(self):
        object.__setattr__(self, "regularisation_grid", tuple(float(c) for c in self.regularisation_grid))
        if self.method not in METHODS:
            raise ValueError(f"baseline method must be one of {METHODS}, got {self.method!r}")
        if not 1 <= self.ngram_min <= self.ngram_max <= 3:
            raise ValueError(f"word n-grams must satisfy 1 <= ngram_min <= ngram_max <= 3, got "
                             f"{self.ngram_min}-{self.ngram_max}")  # fmt: skip
        if self.min_df < 1 or self.max_features < 1 or self.max_iter < 1:
            raise ValueError("min_df, max_features and max_iter must be positive")
        if not self.regularisation_grid or any(c <= 0 for c in self.regularisation_grid):
            raise ValueError("the regularisation grid needs at least one positive C")

    def short_name(self) -> str:
        """Readable part of a run id, e.g. 'tfidf-lr-1-2gram'."""
        if self.method == "majority":
            return "majority"
        return f"tfidf-lr-{self.ngram_min}-{self.ngram_max}gram"

    def label(self) -> str:
        """Chart label, e.g. 'TF-IDF + LR (1-2 grams)'."""
        if self.method == "majority":
            return METHOD_TITLES["majority"]
        grams = f"{self.ngram_min}-{self.ngram_max} grams" if self.ngram_max > self.ngram_min else \
            f"{self.ngram_min}-grams"  # fmt: skip
        return f"{METHOD_TITLES['tfidf-lr']} ({grams})"

    def resolved(self, num_classes: int) -> "BaselineSpec":
        if num_classes < 2:
            raise ValueError(f"a classifier needs 2+ classes, got {num_classes}")
        return BaselineSpec(**{**asdict(self), "num_classes": num_classes})

    def to_json(self) -> dict:
        data = asdict(self)
        data["regularisation_grid"] = list(self.regularisation_grid)
        return data

    @classmethod
    def from_json(cls, data: dict) -> "BaselineSpec":
        unknown = set(data) - {f.name for f in fields(cls)}
        if unknown:
            raise ValueError(f"unknown baseline spec keys: {', '.join(sorted(unknown))}")
        return cls(**data)


def baseline_specs() -> list[BaselineSpec]:
    """The baselines every classification data set gets."""
    return [BaselineSpec("majority"), BaselineSpec("tfidf-lr")]
