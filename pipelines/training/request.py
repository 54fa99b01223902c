"""A training request: what to train, as one checked value, from the command line, the Train page or a job.

    request = TrainRequest(dataset="rt-polarity", zoo="quick", overrides={"epochs": 2}, limit=600)
    outcomes = train(Store(), request)      # pipelines.training.dispatch: the trainer of its kind of data
    request.to_argv()                       # ["train", "--dataset", "rt-polarity", ...]: a background job's command
    TrainRequest.from_args(args)            # `python -m pipelines train ...` (from_args(parse(to_argv(r))) == r)

A request is checked once, when it is made: a value out of range, or a flag that
does not apply to its kind of data (a text data set, a series, a character
corpus, the memory lab), is a ValueError that names the flag. What needs the
data itself (a CSV's columns, a zoo's `--only` patterns, the data set's own
training defaults) is checked by the trainer before it writes anything.

Nothing here imports a framework: a job waiting in line and the Train page make requests too.
"""

from __future__ import annotations

import os
from dataclasses import dataclass, field

from ..data import resolve_info
from ..data.characters import CORPUS_KEYS, is_corpus, resolve_corpus
from ..data.memory import DEFAULT_DISTANCES, MAX_DISTANCE, is_memory_key
from ..data.seq2seq import is_pair_key, resolve_pairs
from ..data.series import SERIES_KEYS, is_series_key, series_key
from ..device_names import DEVICE_CHOICES
from ..forecasting.windows import ForecastSettings
from ..forecasting.zoos import FORECAST_ZOOS, check_keras_selection
from ..models.language_model_spec import LANGUAGE_MODEL_ZOOS
from ..models.seq2seq_spec import SEQ2SEQ_ZOOS
from ..models.spec import FRAMEWORKS
from ..models.zoos import ZOOS
from .cluster import EXECUTORS, ClusterOptions
from .config import FIELDS, TrainConfig

# The kinds of data a request trains on, each with its own trainer (pipelines.training.dispatch).
CLASSIFIERS = "classifiers"  # a text data set, or a memory task (memory-dN)
FORECASTERS = "forecasters"  # a series: built in, or a CSV file
LANGUAGE_MODELS = "language models"  # a character corpus
SEQ2SEQ_MODELS = "encoder-decoders"  # a sequence-to-sequence task: dates, reverse-N, copy-N
FORECAST_SETTINGS = tuple(ForecastSettings().to_json())  # lookback, horizon, validation_fraction, test_fraction
FRAMEWORK_CHOICES = (*FRAMEWORKS, "both")  # --framework
PRETRAINED_MODES = ("tuned", "frozen")
LAB_ZOO = "memory"  # the memory lab's zoo, trained on memory-dN for every distance


def frameworks_of(flag: str) -> tuple[str, ...]:
    """The frameworks a --framework flag names (torch, keras or both); `TrainRequest.framework` is the way back."""
    return tuple(FRAMEWORKS) if flag == "both" else (flag,)


def flag(name: str) -> str:
    """A setting's flag: learning_rate -> --learning-rate."""
    return f"--{name.replace('_', '-')}"


@dataclass(frozen=True)
class TrainRequest:
    """Train every run of `zoo` on `dataset` that the store does not have yet.

    dataset: a text data set (rt-polarity, imdb, nusax, memory-dN), a series (co2, ..., PATH.csv) or a
        character corpus (rt-polarity-chars, ...). zoo: None means quick, or charlm for a character corpus.
    frameworks: torch and/or keras (language models and encoder-decoders: torch only; forecasters: keras trains
        the one forecaster with a Keras twin, the encoder-decoder, `forecasting.zoos.trained_in`).
    overrides: TrainConfig fields given by the user (--epochs, --learning-rate, ...); the rest keep the
        data set's defaults. forecast_settings: the same for ForecastSettings (--lookback, --horizon, ...).
    limit, language: a cut-down text data set, NusaX's language. only: glob patterns of the zoo's models.
    seeds: the zoo N times, seeds --seed, --seed + 1, ... executor: local or ray; address, cpus_per_run,
        gpus_per_run, ray_cpus: the Ray flags (None: not given), as `cluster`.
    pretrained, embeddings: start the embedding tables from word2vec vectors (`embed`), tuned or frozen.
    baselines: train the text data set's bag-of-words baselines first. top_words: keep each finished run's
        top words (a memory run's gradients) right after it. show_progress: progress bars.
    """

    dataset: str = "rt-polarity"
    zoo: str | None = None
    frameworks: tuple[str, ...] = ("torch",)
    device: str = "auto"
    overrides: dict = field(default_factory=dict)
    limit: int | None = None
    language: str | None = None
    only: tuple[str, ...] | None = None
    seeds: int = 1
    executor: str = "local"
    address: str | None = None
    cpus_per_run: float | None = None
    gpus_per_run: float | None = None
    ray_cpus: int | None = None
    pretrained: str | None = None
    embeddings: str | None = None
    baselines: bool = True
    forecast_settings: dict = field(default_factory=dict)
    date_column: str | None = None
    value_column: str | None = None
    data_dir: str | None = None
    show_progress: bool = True
    top_words: bool = True

    def __post_init__(self):
        set_ = lambda name, value: object.__setattr__(self, name, value)  # noqa: E731 (frozen: normalise once)
        set_("frameworks", tuple(self.frameworks))
        set_("only", tuple(self.only) if self.only else None)
        set_("data_dir", os.fspath(self.data_dir) if self.data_dir is not None else None)
        set_("dataset", os.fspath(self.dataset))
        if self.zoo is None:
            set_("zoo", "charlm" if is_corpus(self.dataset) else "seq2seq" if is_pair_key(self.dataset) else "quick")
        set_("overrides", _checked_overrides(self.overrides))
        set_("forecast_settings", _checked_forecast_settings(self.forecast_settings))
        self._check_common()
        {CLASSIFIERS: self._check_text, FORECASTERS: self._check_series,
         LANGUAGE_MODELS: self._check_corpus, SEQ2SEQ_MODELS: self._check_pairs}[self.kind]()  # fmt: skip

    # ------------------------------------------------------------------
    # What it is

    @property
    def kind(self) -> str:
        """Which trainer takes it: CLASSIFIERS, FORECASTERS, LANGUAGE_MODELS or SEQ2SEQ_MODELS."""
        if is_corpus(self.dataset):
            return LANGUAGE_MODELS
        if is_pair_key(self.dataset) or self.zoo in SEQ2SEQ_ZOOS:
            return SEQ2SEQ_MODELS
        if is_series_key(self.dataset) or self.zoo in FORECAST_ZOOS:
            return FORECASTERS
        return CLASSIFIERS

    @property
    def framework(self) -> str:
        """The --framework flag: torch, keras or both."""
        return "both" if set(self.frameworks) == set(FRAMEWORKS) else self.frameworks[0]

    @property
    def cluster(self) -> ClusterOptions | None:
        """Where and how `--executor ray` trains the runs; None for the local executor."""
        if self.executor != "ray":
            return None
        cpus = 1.0 if self.cpus_per_run is None else self.cpus_per_run
        return ClusterOptions(address=self.address, cpus_per_run=cpus, gpus_per_run=self.gpus_per_run,
                              local_cpus=self.ray_cpus)  # fmt: skip

    def store_key(self) -> str:
        """The store folder its runs land in, e.g. rt-polarity-limit600 (a CSV's: read from its content)."""
        if self.kind == LANGUAGE_MODELS:
            return resolve_corpus(self.dataset, self.limit).key
        if self.kind == SEQ2SEQ_MODELS:
            return resolve_pairs(self.dataset, self.limit).key
        if self.kind == FORECASTERS:
            return series_key(self.dataset, self.data_dir, self.date_column, self.value_column)
        return resolve_info(self.dataset, self.language, self.limit).key

    # ------------------------------------------------------------------
    # The checks: every flag, once

    def _check_common(self) -> None:
        wrong = [name for name in self.frameworks if name not in FRAMEWORKS]
        if wrong or not self.frameworks:
            raise ValueError(f"unknown framework {(wrong or [''])[0]!r}; choose one of: {', '.join(FRAMEWORK_CHOICES)}")
        if self.device not in DEVICE_CHOICES:
            raise ValueError(f"unknown --device {self.device!r}; choose one of: {', '.join(DEVICE_CHOICES)}")
        known = {*ZOOS, *FORECAST_ZOOS, *LANGUAGE_MODEL_ZOOS, *SEQ2SEQ_ZOOS}
        if self.zoo not in known:
            zoos = LANGUAGE_MODEL_ZOOS if is_corpus(self.dataset) else FORECAST_ZOOS if is_series_key(
                self.dataset) else SEQ2SEQ_ZOOS if is_pair_key(self.dataset) else ZOOS  # fmt: skip
            raise ValueError(f"unknown zoo {self.zoo!r} for {self.dataset}; choose one of: {', '.join(zoos)}")
        if self.seeds < 1:
            raise ValueError(f"--seeds must be at least 1, got {self.seeds}")
        if self.executor not in EXECUTORS:
            raise ValueError(f"unknown executor {self.executor!r}; choose one of: {', '.join(EXECUTORS)}")
        ray_flags = [flag(name) for name in ("address", "cpus_per_run", "gpus_per_run", "ray_cpus")
                     if getattr(self, name) is not None]  # fmt: skip
        if ray_flags and self.executor != "ray":  # they would be ignored
            raise ValueError(f"{', '.join(ray_flags)} only apply to --executor ray")
        self.cluster  # noqa: B018 (ClusterOptions checks the address's form and the resources)
        if self.pretrained is not None and self.pretrained not in PRETRAINED_MODES:
            raise ValueError(f"--pretrained is tuned or frozen, not {self.pretrained!r}")
        if self.limit is not None and self.limit < 2:
            raise ValueError(f"--limit must be at least 2, got {self.limit}")

    def _check_text(self) -> None:
        if self.zoo in LANGUAGE_MODEL_ZOOS:
            raise ValueError(f"the {self.zoo} zoo holds language models: train it on a character corpus "
                             f"(--dataset {' or '.join(CORPUS_KEYS)})")  # fmt: skip
        series_flags = [flag(name) for name in (*self.forecast_settings, "date_column", "value_column")
                        if name in self.forecast_settings or getattr(self, name, None) is not None]  # fmt: skip
        if series_flags:
            raise ValueError(f"{', '.join(series_flags)} apply to a series (forecasting), not to the text data set "
                             f"{self.dataset}")  # fmt: skip
        resolve_info(self.dataset, self.language, self.limit)  # DataError (a ValueError): unknown data set, ...
        if is_memory_key(self.dataset):
            given = [name for name, value in (("--pretrained", self.pretrained), ("--embeddings", self.embeddings))
                     if value is not None]  # fmt: skip
            if given:
                raise ValueError(f"{', '.join(given)} apply to review data sets, not to the memory lab's "
                                 f"{self.dataset} (its examples are generated)")  # fmt: skip
        if self.pretrained and self.frameworks != ("torch",):
            raise ValueError("pretrained embeddings start PyTorch runs only; train them with --framework torch")
        if self.embeddings and not self.pretrained:
            raise ValueError("--embeddings names the vectors for --pretrained tuned|frozen; give --pretrained too")

    def _check_series(self) -> None:
        if not is_series_key(self.dataset):
            raise ValueError(f"the {self.zoo} zoo trains forecasters; {self.dataset} is not a series. Series: "
                             f"{', '.join(SERIES_KEYS)}, or a CSV file (PATH.csv)")  # fmt: skip
        if self.zoo not in FORECAST_ZOOS:
            raise ValueError(f"{self.dataset} is a series: train a forecast zoo on it ({', '.join(FORECAST_ZOOS)}), "
                             f"not {self.zoo}")  # fmt: skip
        check_keras_selection(self.zoo, list(self.only) if self.only else None, self.frameworks)
        if self.limit is not None or self.language is not None:
            raise ValueError("--limit and --language apply to text data sets; cut a series with --test-fraction")
        if self.seeds != 1:
            raise ValueError("--seeds repeats classifiers; a forecast zoo trains each model once (its seed: --seed)")
        if self.executor != "local":
            raise ValueError("forecasters train in this process (--executor local); a Ray cluster trains text zoos")
        if self.pretrained or self.embeddings:
            raise ValueError("--pretrained and --embeddings apply to text classifiers, not to a series")

    def _check_corpus(self) -> None:
        if self.zoo not in LANGUAGE_MODEL_ZOOS:
            raise ValueError(f"the {self.zoo!r} zoo holds no language models; character corpora train one of: "
                             f"{', '.join(LANGUAGE_MODEL_ZOOS)}")  # fmt: skip
        if self.frameworks != ("torch",):
            raise ValueError(f"character language models train in PyTorch only, not --framework {self.framework}")
        if self.language is not None:
            raise ValueError(f"--language applies to nusax only, not {self.dataset}")
        given = [name for name, value in (("--seeds", self.seeds != 1), ("--executor", self.executor != "local"),
                                          ("--pretrained", self.pretrained), ("--embeddings", self.embeddings))
                 if value]  # fmt: skip
        given += [flag(name) for name in (*self.forecast_settings, "date_column", "value_column")
                  if name in self.forecast_settings or getattr(self, name, None) is not None]
        if given:
            raise ValueError(f"{', '.join(given)} apply to classifier zoos or series, not to language models "
                             f"({self.dataset})")  # fmt: skip
        resolve_corpus(self.dataset, self.limit)  # DataError: an unknown corpus or a bad --limit

    def _check_pairs(self) -> None:
        if not is_pair_key(self.dataset):
            raise ValueError(f"the {self.zoo} zoo trains encoder-decoders; {self.dataset} is not a sequence-to-"
                             "sequence task. Tasks: dates, nusax-id-en, reverse-N, copy-N (e.g. reverse-60)")  # fmt: skip
        if self.zoo not in SEQ2SEQ_ZOOS:
            raise ValueError(f"{self.dataset} is a sequence-to-sequence task: train a seq2seq zoo on it "
                             f"({', '.join(SEQ2SEQ_ZOOS)}), not {self.zoo}")  # fmt: skip
        if self.frameworks != ("torch",):
            raise ValueError(f"encoder-decoders train in PyTorch only, not --framework {self.framework}")
        given = [name for name, value in (("--language", self.language), ("--seeds", self.seeds != 1),
                                          ("--executor", self.executor != "local"), ("--pretrained", self.pretrained),
                                          ("--embeddings", self.embeddings)) if value]  # fmt: skip
        given += [flag(name) for name in (*self.forecast_settings, "date_column", "value_column")
                  if name in self.forecast_settings or getattr(self, name, None) is not None]
        if given:
            raise ValueError(f"{', '.join(given)} do not apply to encoder-decoders ({self.dataset})")
        resolve_pairs(self.dataset, self.limit)  # DataError: reverse-0, copy-999, a bad --limit

    # ------------------------------------------------------------------
    # From and to the command line

    @classmethod
    def from_args(cls, args) -> "TrainRequest":
        """The request of a parsed `train` command line."""
        return cls(
            dataset=args.dataset, zoo=args.zoo,
            frameworks=frameworks_of(args.framework), device=args.device,
            overrides={name: getattr(args, name) for name in FIELDS}, limit=args.limit, language=args.language,
            only=args.only, seeds=args.seeds, executor=args.executor, address=args.address,
            cpus_per_run=args.cpus_per_run, gpus_per_run=args.gpus_per_run, ray_cpus=args.ray_cpus,
            pretrained=args.pretrained, embeddings=args.embeddings, baselines=args.baselines,
            forecast_settings={name: getattr(args, name) for name in FORECAST_SETTINGS},
            date_column=args.date_column, value_column=args.value_column, data_dir=args.data_dir,
            show_progress=not args.quiet, top_words=args.top_words,
        )  # fmt: skip

    def to_argv(self) -> list[str]:
        """The `train` command line that makes this request (without the store's --artifacts)."""
        argv = ["train", "--dataset", self.dataset, "--zoo", self.zoo, "--framework", self.framework]
        options = {
            "--device": None if self.device == "auto" else self.device,
            **{flag(name): value for name, value in self.overrides.items()},
            "--limit": self.limit, "--language": self.language, "--seeds": None if self.seeds == 1 else self.seeds,
            "--executor": None if self.executor == "local" else self.executor, "--address": self.address,
            "--cpus-per-run": self.cpus_per_run, "--gpus-per-run": self.gpus_per_run, "--ray-cpus": self.ray_cpus,
            "--pretrained": self.pretrained, "--embeddings": self.embeddings,
            **{flag(name): value for name, value in self.forecast_settings.items()},
            "--date-column": self.date_column, "--value-column": self.value_column, "--data-dir": self.data_dir,
        }  # fmt: skip
        argv += [part for name, value in options.items() if value is not None for part in (name, str(value))]
        argv += [part for pattern in self.only or () for part in ("--only", pattern)]
        switches = {"--quiet": not self.show_progress, "--no-top-words": not self.top_words,
                    "--no-baselines": not self.baselines}  # fmt: skip
        return argv + [name for name, on in switches.items() if on]


@dataclass(frozen=True)
class LabRequest:
    """The memory lab's sweep (`python -m pipelines lab`): the memory zoo on memory-dN for every distance."""

    distances: tuple[int, ...] = DEFAULT_DISTANCES
    distractors: bool = False
    seeds: int = 1
    device: str = "auto"
    overrides: dict = field(default_factory=dict)
    show_progress: bool = True
    views: bool = True  # each run's gradients through time, right after it trains

    def __post_init__(self):
        distances = tuple(sorted(set(self.distances)))
        if not distances:
            raise ValueError("give at least one distance")
        wrong = [distance for distance in distances if not 1 <= distance <= MAX_DISTANCE]
        if wrong:
            raise ValueError(f"distances must be 1 to {MAX_DISTANCE} steps, got {', '.join(map(str, wrong))}")
        object.__setattr__(self, "distances", distances)
        object.__setattr__(self, "overrides", _checked_overrides(self.overrides))
        self.requests()  # every memory-dN's request is checked (--seeds, the settings) before any trains

    @property
    def keys(self) -> list[str]:
        suffix = "-distractors" if self.distractors else ""
        return [f"memory-d{distance}{suffix}" for distance in self.distances]

    def requests(self) -> list[TrainRequest]:
        """One training request per distance."""
        return [TrainRequest(dataset=key, zoo=LAB_ZOO, device=self.device, overrides=self.overrides, seeds=self.seeds,
                             show_progress=self.show_progress, top_words=self.views)
                for key in self.keys]  # fmt: skip

    @classmethod
    def from_args(cls, args) -> "LabRequest":
        return cls(distances=tuple(args.distances), distractors=args.distractors, seeds=args.seeds, device=args.device,
                   overrides={name: getattr(args, name) for name in FIELDS}, show_progress=not args.quiet,
                   views=args.views)  # fmt: skip

    def to_argv(self) -> list[str]:
        argv = ["lab", "--distances", *map(str, self.distances)]
        options = {"--seeds": None if self.seeds == 1 else self.seeds,
                   "--device": None if self.device == "auto" else self.device,
                   **{flag(name): value for name, value in self.overrides.items()}}  # fmt: skip
        argv += [part for name, value in options.items() if value is not None for part in (name, str(value))]
        switches = {"--distractors": self.distractors, "--quiet": not self.show_progress, "--no-gradients": not self.views}
        return argv + [name for name, on in switches.items() if on]


def _checked_overrides(overrides: dict) -> dict:
    """The training settings given (None: not given), each checked and of its field's type."""
    given = {name: value for name, value in (overrides or {}).items() if value is not None}
    config = TrainConfig.layered(given)  # unknown names, wrong types, values out of range: ValueError
    return {name: getattr(config, name) for name in given}


def _checked_forecast_settings(settings: dict) -> dict:
    given = {name: value for name, value in (settings or {}).items() if value is not None}
    unknown = [name for name in given if name not in FORECAST_SETTINGS]
    if unknown:
        raise ValueError(f"unknown forecasting setting {unknown[0]!r}; known: {', '.join(FORECAST_SETTINGS)}")
    return given  # their ranges depend on the series' own settings: ForecastSettings.layered checks them

