"""Typed, validated views of the store's JSON files: what every reader gets instead of plain dicts.

    record = Store().run("rt-polarity", run_id)   # a RunRecord, never an exception
    record.state, record.task, record.classes
    record.metrics.accuracy                        # ClassificationMetrics (frozen)
    record.model_spec.cell                         # the task's own spec type (ModelSpec for classifiers)
    record.metrics.bits_per_character              # GenerationMetrics, for language models
    record.metrics.exact_match                     # Seq2SeqMetrics, for encoder-decoders

A file is validated once, when the store reads the run; a file of the wrong
shape makes the run "corrupt" with the reason (`describe`), so nothing
downstream meets a missing key later. Unknown keys are ignored, so a store
written by a newer version still reads.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Annotated, Any, ClassVar, Literal

from pydantic import BaseModel, ConfigDict, Field, ValidationError

STATES = ("queued", "running", "done", "failed")
# What a reader may see; "interrupted" (running, but nobody holds the lock), "corrupt" (unreadable, changed or
# out-of-range files) and "unverified" (finished, but status.json records no checksums) are derived, never written.
RunState = Literal["queued", "running", "done", "failed", "interrupted", "corrupt", "unverified"]
DEFAULT_TASK = "classification"  # runs written before run kinds existed are classifiers

# The ranges a figure read from the store must lie in: a value outside makes the run "corrupt", so no page, table
# or comparison ever shows an accuracy of 2.0 or a negative latency. NaN and infinities are refused everywhere.
Fraction = Annotated[float, Field(ge=0, le=1, allow_inf_nan=False)]  # accuracies, F1, AUC, shares
NonNegative = Annotated[float, Field(ge=0, allow_inf_nan=False)]  # losses, errors, seconds, rates
Count = Annotated[int, Field(ge=0)]


class Record(BaseModel):
    """A frozen, validated JSON document."""

    model_config = ConfigDict(frozen=True, extra="ignore")

    def to_json(self) -> dict:
        return self.model_dump(mode="json")


def describe(file: str, error: ValidationError) -> str:
    """One readable line for a file of the wrong shape, e.g. "metrics.json ...: accuracy: Input should be a number"."""
    first = error.errors()[0]
    where = ".".join(str(part) for part in first["loc"]) or "the whole file"
    more = f" (and {error.error_count() - 1} more problems)" if error.error_count() > 1 else ""
    if first["type"] in OUT_OF_RANGE:  # the right shape, an impossible value: say so, and which
        return f"{file} has an impossible value: {where} is {first['input']!r}: {first['msg']}{more}"
    return f"{file} has the wrong shape: {where}: {first['msg']}{more}"


OUT_OF_RANGE = {"greater_than_equal", "less_than_equal", "greater_than", "less_than", "finite_number"}


# ----------------------------------------------------------------------------
# status.json


class FileChecksum(Record):
    """A file of a finished run as training wrote it (`pipelines.checksums`)."""

    bytes: int
    sha256: str


class RunStatus(Record):
    state: Literal["queued", "running", "done", "failed"]
    pid: int | None = None
    updated_at: float | None = None
    started_at: float | None = None
    finished_at: float | None = None
    elapsed: float | None = None
    progress: float | None = None  # 0..1
    epoch: int | None = None
    epochs: int | None = None
    step: int | None = None
    steps: int | None = None
    train_loss: float | None = None
    val_loss: float | None = None
    val_accuracy: float | None = None
    error: str | None = None
    traceback: str | None = None
    job: dict[str, Any] | None = None  # a queued run: the job that will train it
    # A done run's files as training wrote them; readers check them (runs finished before checksums have none).
    files: dict[str, FileChecksum] | None = None
    # Files derived later from a done run (top words, verify, deploy): caches, served only while they match.
    derived: dict[str, FileChecksum] | None = None
    node: str | None = None  # `train --executor ray`: the worker's host and Ray node that trains (trained) it


# ----------------------------------------------------------------------------
# spec.json


class DatasetRef(Record):
    """The data set a run was trained on, as its spec.json records it."""

    key: str
    title: str = ""
    classes: list[str] = []
    vocabulary_fingerprint: str | None = None
    data_fingerprint: str | None = None  # the data's content (`pipelines.data.data_fingerprint`); newer runs only
    vocabulary_size: int | None = None
    maxlen: int | None = None
    series_fingerprint: str | None = None  # a forecasting run's series (values, gaps, dates)


class RunSpec(Record):
    """Everything needed to rebuild a run's model, and what made it."""

    run_id: str
    framework: str
    task: str = DEFAULT_TASK
    label: str = ""
    zoo: str | None = None
    dataset: DatasetRef
    model: dict[str, Any]  # the task's own spec (`RunRecord.model_spec`), validated by the task
    training: dict[str, Any] = {}
    device: str | None = None
    versions: dict[str, str | None] = {}
    created_at: float | None = None

    def twin_key(self) -> tuple:
        """The same run in another framework has the same key: task, data, architecture and settings."""
        return (self.task, self.dataset.key, _frozen(self.model), _frozen(self.training))

    @property
    def seed(self) -> int | None:
        """The seed of the initial weights and batch order (None for a run without one, e.g. a baseline)."""
        seed = self.training.get("seed")
        return seed if isinstance(seed, int) else None

    def seed_key(self) -> tuple:
        """Runs that differ only in their seed share this key: one model, trained several times."""
        training = {key: value for key, value in self.training.items() if key != "seed"}
        return (self.task, self.framework, self.dataset.key, self.dataset.vocabulary_fingerprint, _frozen(self.model),
                _frozen(training))  # fmt: skip


def _frozen(value):
    """A hashable copy of plain JSON data."""
    if isinstance(value, dict):
        return tuple(sorted((key, _frozen(item)) for key, item in value.items()))
    if isinstance(value, list):
        return tuple(_frozen(item) for item in value)
    return value


# ----------------------------------------------------------------------------
# metrics.json


class Metrics(Record):
    """What every finished run reports about its training, whatever its task."""

    parameters: Count | None = None
    parameters_formula: Count | None = None
    train_seconds: NonNegative | None = None
    epochs_trained: Count | None = None
    best_epoch: Count | None = None
    stopped_early: bool | None = None
    validation_loss: NonNegative | None = None
    validation_accuracy: Fraction | None = None
    examples_per_second: NonNegative | None = None
    predict_seconds: NonNegative | None = None
    device: str | None = None
    # Runs whose embedding table started from pretrained vectors (`train --pretrained`): the share of the
    # vocabulary the vectors covered, and the parameters trained (fewer than `parameters` when frozen).
    pretrained_coverage: Fraction | None = None
    trainable_parameters: Count | None = None

    # The scores `list` and the leaderboards lead with: field name -> short column title.
    HEADLINE: ClassVar[dict[str, str]] = {}

    def headline(self) -> dict[str, float | None]:
        return {name: getattr(self, name) for name in self.HEADLINE}


class ClassScores(Record):
    precision: Fraction
    recall: Fraction
    f1: Fraction
    support: Count


class RocCurve(Record):
    fpr: list[Fraction]
    tpr: list[Fraction]
    auc: Fraction


class PrCurve(Record):
    recall: list[Fraction]
    precision: list[Fraction]
    average_precision: Fraction


class ClassCurves(Record):
    roc: RocCurve
    pr: PrCurve


class ClassificationMetrics(Metrics):
    """Test-set scores of a classifier (`pipelines.evaluate.classification_metrics`)."""

    examples: Count
    accuracy: Fraction
    balanced_accuracy: Fraction
    precision_macro: Fraction
    recall_macro: Fraction
    f1_macro: Fraction
    f1_weighted: Fraction
    log_loss: NonNegative
    confusion_matrix: list[list[Count]]
    per_class: dict[str, ClassScores]
    curves: dict[str, ClassCurves] = {}  # one class against the rest; the positive class's for two
    roc_auc: Fraction | None = None

    HEADLINE: ClassVar[dict[str, str]] = {"accuracy": "acc", "f1_macro": "F1", "roc_auc": "AUC"}

    def share_of(self, class_name: str) -> float | None:
        """The share of test examples in a class: a precision-recall curve's chance level."""
        total = sum(scores.support for scores in self.per_class.values())
        return self.per_class[class_name].support / total if total and class_name in self.per_class else None


class ForecastScores(Record):
    """One set of forecast scores (`pipelines.forecasting.metrics`); None where a score is undefined."""

    mse: NonNegative
    rmse: NonNegative
    mae: NonNegative
    mape: NonNegative | None = None  # percent; undefined when an actual value is 0
    smape: Annotated[float, Field(ge=0, le=200, allow_inf_nan=False)]  # percent, symmetric: at most 200
    r2: Annotated[float, Field(le=1, allow_inf_nan=False)] | None = None
    direction_accuracy: Fraction | None = None
    mase: NonNegative | None = None


class ForecastMetrics(Metrics):
    """Test-part scores of a forecaster, recurrent or baseline, overall and per horizon step."""

    method: str  # recurrent | naive | seasonal-naive | holt-winters
    lookback: Annotated[int, Field(ge=1)]
    horizon: Annotated[int, Field(ge=1)]
    season: Annotated[int, Field(ge=1)]
    test_origins: Count  # forecasts made: one per origin whose whole horizon lies in the test part
    test_targets: Count  # (origin, step) pairs scored: filled gaps are not
    mase_scale: NonNegative | None = None  # in-sample MAE of seasonal naive on the training part
    overall: ForecastScores
    per_step: list[ForecastScores]
    validation_rmse: list[NonNegative]  # per step, on the validation part: the width of the forecast's fan
    mape_note: str | None = None

    HEADLINE: ClassVar[dict[str, str]] = {"rmse": "RMSE", "mae": "MAE", "mase": "MASE"}

    @property
    def rmse(self) -> float:
        return self.overall.rmse

    @property
    def mae(self) -> float:
        return self.overall.mae

    @property
    def mase(self) -> float | None:
        return self.overall.mase

    def step(self, step: int) -> ForecastScores:
        """Scores of the forecasts `step` values ahead (1-based)."""
        return self.per_step[step - 1]


class BaselineMetrics(ClassificationMetrics):
    """A bag-of-words baseline's test-set scores, and how it was fitted (`pipelines.training.baselines`)."""

    method: str = ""  # majority | tfidf-lr
    features: Count | None = None  # n-grams in the TF-IDF vocabulary
    regularisation: Annotated[float, Field(gt=0, allow_inf_nan=False)] | None = None  # logistic regression's C
    validation_scores: dict[str, Fraction] = {}  # C -> validation macro F1


class WrittenSample(Record):
    """Text a language model wrote when it was trained: what `list`, the Overview and the README show."""

    prompt: str
    text: str  # the characters written after the prompt
    temperature: float
    top_k: int  # 0: every character
    seed: int


class GenerationMetrics(Metrics):
    """Held-out scores of a language model (recurrent or n-gram): `pipelines.generation.scoring`.

    Every symbol of the test passages is predicted from the ones before it: each character, and each
    passage's end. Bits per character are the mean of -log2 P over them; perplexity is 2 ** bits.
    """

    characters: Count  # symbols predicted in the test split
    passages: Count
    bits_per_character: NonNegative
    perplexity: Annotated[float, Field(ge=1, allow_inf_nan=False)]  # 2 ** bits: at least 1
    accuracy: Fraction  # the most likely next symbol was the right one
    validation_bits_per_character: NonNegative | None = None
    unknown_characters: Count = 0  # test characters outside the alphabet, predicted as <unk>
    alphabet_size: Annotated[int, Field(ge=1)]  # symbols to choose from: a model that knows nothing scores log2 of it
    samples: list[WrittenSample] = []

    HEADLINE: ClassVar[dict[str, str]] = {"bits_per_character": "bpc", "perplexity": "ppl", "accuracy": "acc"}


class LengthBucketScores(Record):
    """A sequence-to-sequence model's scores on the test sources of one length bucket (1-10, 11-20, ...)."""

    bucket: str
    low: Annotated[int, Field(ge=1)]
    examples: Annotated[int, Field(ge=1)]
    exact_match: Fraction
    token_accuracy: Fraction


class TranslatedSample(Record):
    """A test pair and what the model wrote for it: what `list --json`, the README and the pages can show."""

    source: str
    target: str
    written: str


class Seq2SeqMetrics(Metrics):
    """Test-split scores of an encoder-decoder (`pipelines.translation.pairs.sequence_metrics`), greedy decoding.

    Exact match: the whole output right (and ended where the target ends). Token accuracy: position by position
    over the longer of output and target, the end counted as one more symbol.
    """

    examples: Count
    exact_match: Fraction
    token_accuracy: Fraction
    by_length: list[LengthBucketScores]
    validation_exact_match: Fraction | None = None
    samples: list[TranslatedSample] = []
    # text tasks (nusax-id-en): corpus BLEU and chrF, 0 to 100 (pipelines.translation.baselines.text_scores)
    bleu: Annotated[float, Field(ge=0, le=100)] | None = None
    chrf: Annotated[float, Field(ge=0, le=100)] | None = None

    HEADLINE: ClassVar[dict[str, str]] = {"exact_match": "exact", "token_accuracy": "token acc"}


# ----------------------------------------------------------------------------
# dataset.json


class SplitSummary(Record):
    size: int
    class_counts: list[int] = []


class LengthStats(Record):
    mean: float
    median: float
    p90: float
    p95: float
    max: int
    truncated_fraction: float


class Histogram(Record):
    edges: list[float]
    counts: list[int]


class VocabularySummary(Record):
    size: int
    num_words: int | None = None
    min_count: int | None = None
    maxlen: int
    fingerprint: str
    pad_id: int = 0
    oov_id: int = 1


class SeriesSummary(Record):
    """A forecasting data set's series: its grid, season, filled gaps and the cut in time."""

    frequency: str
    season: int
    unit: str = ""
    length: int
    start: str
    end: str
    fingerprint: str
    gaps: list[dict[str, Any]] = []  # each filled gap: start, end, length
    filled: int = 0  # values filled by interpolation
    mean: float  # the training part's, for the scaler
    scale: float
    settings: dict[str, Any] = {}  # lookback, horizon, validation and test fractions
    parts: dict[str, dict[str, Any]] = {}  # train / validation / test: size, start, end


class DatasetSummary(Record):
    """A data set's card: sizes, balance, lengths, vocabulary (`pipelines.data.dataset_summary`)."""

    key: str
    title: str
    task: str = DEFAULT_TASK
    classes: list[str] = []
    source: str = ""
    citation: str = ""
    language: str = ""
    training_defaults: dict[str, Any] = {}
    splits: dict[str, SplitSummary] = {}
    lengths: dict[str, LengthStats] = {}
    length_histogram: Histogram | None = None
    test_token_coverage: float | None = None
    vocabulary: VocabularySummary | None = None
    series: SeriesSummary | None = None  # forecasting data sets
    data_fingerprint: str | None = None  # every split's ids, texts and labels, hashed; stores written later only
    # a text translation task's baselines on its test split: {"copy": {"bleu": .., "chrf": ..}, "dictionary": ..}
    baselines: dict[str, dict[str, float]] = {}

    def split_size(self, split: str) -> int:
        return self.splits[split].size if split in self.splits else 0

    @property
    def truncated_fraction(self) -> float:
        """The share of training texts longer than maxlen (cut: the models never read their ends)."""
        return self.lengths["train"].truncated_fraction if "train" in self.lengths else 0.0


# ----------------------------------------------------------------------------
# A run as a reader sees it


@dataclass(frozen=True)
class RunRecord:
    """What a reader knows about one run without loading its model; built once, by `Store.run`."""

    dataset: str
    run_id: str
    path: Path
    state: RunState
    status: RunStatus | None = None
    spec: RunSpec | None = None
    model_spec: Any = None  # the task's typed spec (ModelSpec for recurrent classifiers); None without spec.json
    metrics: Metrics | None = None  # a done run's, of its task's type
    problem: str | None = None  # why a run is failed, interrupted or corrupt

    @property
    def task(self) -> str:
        return self.spec.task if self.spec else DEFAULT_TASK

    @property
    def framework(self) -> str:
        return self.spec.framework if self.spec else self.run_id.split("-", 1)[0]

    @property
    def classes(self) -> list[str]:
        return list(self.spec.dataset.classes) if self.spec else []

    @property
    def updated_at(self) -> float | None:
        """When the run's status was last written: changes whenever the run is rewritten."""
        return self.status.updated_at if self.status else None

    @property
    def progress(self) -> float | None:
        """How far a running run has got (0..1); None when not running."""
        return self.status.progress if self.status and self.state == "running" else None


class LoadedFromRecord:
    """What a loaded model (`runs.LoadedRun`, `baselines.load.LoadedBaseline`) tells of itself from its run."""

    record: RunRecord

    @property
    def run_id(self) -> str:
        return self.record.run_id

    @property
    def dataset(self) -> str:
        return self.record.dataset


def framework_twins(records: list[RunRecord]) -> list[tuple[RunRecord, RunRecord]]:
    """(PyTorch run, Keras run) pairs: one architecture trained with the same settings on the same data."""
    keras_runs = {record.spec.twin_key(): record for record in records if record.spec and record.framework == "keras"}
    return [(record, keras_runs[record.spec.twin_key()]) for record in records
            if record.spec and record.framework == "torch" and record.spec.twin_key() in keras_runs]  # fmt: skip
