"""The `train` command: data set -> vocabulary -> every (framework, spec) of a zoo not yet in the store.

    outcomes = train(Store(), TrainRequest(dataset="rt-polarity", zoo="quick"))
    outcomes = train(Store(), TrainRequest(dataset="rt-polarity", zoo="sweep", executor="ray"))   # each a Ray task

The local executor (`LocalExecutor`, here) trains one run after another in this
process; `ray_executor.py` sends them to a Ray cluster. Both claim runs in the
store, call `train_run` for each, and report to the same `ZooProgress`.

A run id is readable and content-addressed: the framework, the architecture,
the data set and its vocabulary, and the training settings all go into its
hash, so the same request always maps to the same folder and a finished run is
never trained twice.
"""

from __future__ import annotations

import time
from contextlib import nullcontext
from dataclasses import dataclass, replace
from typing import Callable

import pandas as pd

from ..backends import Backend, backend_for
from ..data import Dataset, Vocabulary, build_vocabulary, dataset_summary, load_dataset, resolve_info
from ..embeddings import Embeddings, choose_embeddings
from ..encoding import EncodedSplit
from ..evaluate import classification_metrics
from ..models.spec import ModelSpec, parameter_count
from ..models.zoos import zoo
from ..store import RunClaim, Store
from ..tasks import CLASSIFICATION, task_named
from ..threads import limited_threads
from .baselines import train_baselines
from .cluster import ClusterOptions
from .config import TrainConfig
from .loop import FitResult, ProgressCallback
from .progress import Outcome, ZooProgress, derive_views, run_detail, train_claimed, train_each  # noqa: F401
from .run_files import (STATUS_INTERVAL, dataset_reference, finish, predictions_frame, run_id_for,  # noqa: F401
                        spec_document, status_reporter)  # (Outcome ... run_id_for, STATUS_INTERVAL: train's API)
from .request import CLASSIFIERS, TrainRequest

@dataclass
class PreparedData:
    dataset: Dataset
    vocabulary: Vocabulary
    train: EncodedSplit
    validation: EncodedSplit
    test: EncodedSplit
    fingerprint: str = ""  # the data's content (`pipelines.data.data_fingerprint`)

    @property
    def key(self) -> str:
        return self.dataset.info.key

    @property
    def classes(self) -> list[str]:
        return list(self.dataset.info.classes)

    @property
    def task(self) -> str:
        return self.dataset.info.task


@dataclass(frozen=True)
class PlannedRun:
    run_id: str
    framework: str
    spec: ModelSpec  # resolved: vocabulary size and class count filled in
    config: TrainConfig
    embeddings: Embeddings | None = None  # the pretrained vectors spec.embeddings names (`--pretrained`)


def prepare_data(store: Store, key: str, data_dir=None, language=None, limit=None) -> PreparedData:
    """Load and encode a data set; (re)write its dataset.json, vocab.json and test texts when they differ or are
    missing. Data that differs from what the store's runs were trained on is refused (`Store.write_dataset`)."""
    dataset = load_dataset(key, data_dir=data_dir, language=language, limit=limit)
    vocabulary = build_vocabulary(dataset)
    summary = dataset_summary(dataset, vocabulary)
    if _stored_fingerprints(store, dataset.info.key) != (vocabulary.fingerprint(), summary["data_fingerprint"]):
        test = pd.DataFrame([{"id": e.id, "text": e.text, "label": e.label} for e in dataset.test])
        store.write_dataset(summary, vocabulary, test)
    encode = lambda examples: EncodedSplit.encode(examples, vocabulary)  # noqa: E731
    return PreparedData(dataset, vocabulary, encode(dataset.train), encode(dataset.validation), encode(dataset.test),
                        summary["data_fingerprint"])  # fmt: skip


def _stored_fingerprints(store: Store, key: str) -> tuple[str, str] | None:
    """(vocabulary, data) fingerprints the store holds for a data set, if its card, vocabulary and test texts are
    all there and the card and vocabulary agree."""
    try:
        summary, vocabulary = store.read_dataset(key), store.read_vocabulary(key)
    except ValueError:
        return None  # missing or damaged: write them again
    if not (store.dataset_dir(key) / "test.parquet").is_file():
        return None
    stored = summary.vocabulary.fingerprint if summary.vocabulary else None
    return (stored, summary.data_fingerprint) if stored == vocabulary.fingerprint() else None


def stored_fingerprint(store: Store, key: str) -> str | None:
    """The vocabulary (or alphabet) fingerprint the store holds for a data set, if its card and vocabulary agree."""
    try:
        summary, vocabulary = store.read_dataset(key), store.read_vocabulary(key)
    except ValueError:
        return None  # missing or damaged: write them again
    stored = summary.vocabulary.fingerprint if summary.vocabulary else None
    return stored if stored == vocabulary.fingerprint() else None


def plan_runs(data: PreparedData, specs: list[ModelSpec], frameworks: list[str],
              config: TrainConfig, seeds: int = 1, embeddings: Embeddings | None = None) -> list[PlannedRun]:  # fmt: skip
    """Every (seed, framework, spec), the whole zoo once per seed: seeds config.seed, config.seed + 1, ...

    The seed is part of the run id, so the first seed's runs are the ones a one-seed zoo trains.
    """
    planned = []
    for offset in range(seeds):
        seeded = replace(config, seed=config.seed + offset)
        for framework in frameworks:
            for spec in specs:
                resolved = spec.resolved(len(data.vocabulary), len(data.classes), data.vocabulary.maxlen)
                run_id = run_id_for(framework, resolved, data.key, data.vocabulary.fingerprint(), seeded, data.task)
                planned.append(PlannedRun(run_id, framework, resolved, seeded, embeddings if spec.embeddings else None))
    return planned


def _spec_document(run: PlannedRun, data: PreparedData, backend: Backend, zoo_name: str | None) -> dict:
    return spec_document(run.run_id, run.framework, data.task, run.spec, zoo_name, dataset_reference(data),
                         run.config.to_json(), backend.device_name, backend.versions())  # fmt: skip


def train_run(run: PlannedRun, data: PreparedData, backend: Backend, claim: RunClaim,
              zoo_name: str | None = None, on_step: Callable[[dict], None] | None = None) -> dict:  # fmt: skip
    """Train, evaluate and store one claimed run; returns its metrics."""
    started = time.time()
    # Status first: a process killed between the two writes leaves a run that reads as interrupted, not corrupt.
    report = status_reporter(claim, started, on_step)
    claim.write_json("spec.json", _spec_document(run, data, backend, zoo_name))
    model = backend.build(run.spec, seed=run.config.seed)
    parameters = backend.parameter_count(model)
    pretrained = {}
    if run.embeddings is not None:
        from .pretrained import start_embedding_table

        coverage = start_embedding_table(model, run.embeddings, data.vocabulary, run.spec.frozen_embeddings,
                                         run.config.seed)  # fmt: skip
        pretrained = dict(pretrained_coverage=coverage, trainable_parameters=backend.parameter_count(model))
    fitted = fit(backend, model, data.train, data.validation, run.config, report)
    claim.write_frame("history.csv", pd.DataFrame(fitted.history))

    predict_start = time.perf_counter()
    probabilities = backend.predict(model, data.test)
    predict_seconds = time.perf_counter() - predict_start
    claim.write_frame("predictions.csv", predictions_frame(data.test, probabilities, data.classes))

    metrics = classification_metrics(probabilities, data.test.labels, data.classes)
    metrics.update(
        parameters=parameters,
        **pretrained,
        parameters_formula=parameter_count(run.spec, run.framework),
        **fitted.facts(),
        predict_seconds=predict_seconds,
        device=backend.device_name,
    )
    task_named(data.task).metrics.model_validate(metrics)  # what every reader will expect of the file
    claim.write_file(backend.weights_file, lambda path: backend.save(model, path))
    finish(claim, metrics, started)
    return metrics


def fit(backend: Backend, model, train: EncodedSplit, validation: EncodedSplit, config: TrainConfig,
        on_progress: ProgressCallback | None = None) -> FitResult:  # fmt: skip
    """Train `model` with its framework's loop, on the backend's device."""
    if backend.name == "keras":
        from .keras_loop import fit as keras_fit  # imports TensorFlow: only for Keras runs

        return keras_fit(model, train, validation, config, backend.device, on_progress)
    from .torch_loop import fit as torch_fit

    return torch_fit(model, train, validation, config, backend.device, on_progress)


def train(store: Store, request: TrainRequest) -> list[Outcome]:
    """Train every classifier of the request's zoo (or its models matching `only`) that the store lacks.

    The zoo is trained `seeds` times, with seeds config.seed, config.seed + 1, ...
    With `baselines`, a classification data set's bag-of-words baselines are
    trained first (`pipelines.training.baselines`), in this process whatever the
    executor: they take seconds. With `top_words`, each run's top words per class
    (`pipelines.explain.top_words`) are computed right after it finishes, so the
    dashboard finds them cached. Every finished run's history is written as
    TensorBoard events (`pipelines.tensorboard_events`).
    With `pretrained` ("tuned" or "frozen"), every model's embedding table starts
    from the named `embeddings` in the store (or the newest there): `pipelines.training.pretrained`.
    `executor="ray"` sends the runs to a Ray cluster (`request.cluster` says which and
    what each run asks of it) and writes what comes back into this store.
    """
    assert request.kind == CLASSIFIERS, request.kind  # pipelines.training.dispatch sends the others elsewhere
    frameworks = list(request.frameworks)
    specs = zoo(request.zoo, list(request.only) if request.only else None)
    vectors = None
    if request.pretrained:
        from .pretrained import pretrained_specs

        vectors = choose_embeddings(store.root, request.embeddings)
        specs = pretrained_specs(specs, vectors, request.pretrained)
    # The data set's own defaults, then the request's: checked, and the cluster reached, before anything is written.
    info = resolve_info(request.dataset, request.language, request.limit)
    config = TrainConfig.layered(info.training, request.overrides)
    if request.executor == "local":
        session = nullcontext(LocalExecutor(frameworks, request.device))
    else:
        try:
            from .ray_executor import connect  # imports Ray: only when a run goes to a cluster
        except ImportError as error:
            raise ValueError(f"--executor ray needs Ray ({error}); pip install -r requirements.txt") from None
        session = connect(request.cluster, frameworks, request.device, train_run)
    with session as trainer:
        data = prepare_data(store, request.dataset, data_dir=request.data_dir, language=request.language,
                            limit=request.limit)  # fmt: skip
        planned = plan_runs(data, specs, frameworks, config, request.seeds, embeddings=vectors)
        outcomes = []
        if request.baselines and data.task == CLASSIFICATION.name:  # seconds: a yardstick before the first RNN
            outcomes = train_baselines(store, data, show_progress=request.show_progress)
        return outcomes + train_planned(store, data, planned, trainer, request.zoo,
                                        show_progress=request.show_progress, words=request.top_words)  # fmt: skip


def train_zoo(store: Store, dataset: str, zoo_name: str = "quick", frameworks=("torch",), *, words: bool = True,
              cluster: ClusterOptions | None = None, **options) -> list[Outcome]:  # fmt: skip
    """`train(store, TrainRequest(...))` for scripts and tests: the request's fields as keywords (`words` is
    `top_words`; `cluster`'s options become the Ray fields)."""
    if cluster is not None:
        options.update(address=cluster.address, cpus_per_run=cluster.cpus_per_run, gpus_per_run=cluster.gpus_per_run,
                       ray_cpus=cluster.local_cpus)  # fmt: skip
    return train(store, TrainRequest(dataset=dataset, zoo=zoo_name, frameworks=tuple(frameworks), top_words=words,
                                     **options))  # fmt: skip


def train_planned(store: Store, data: PreparedData, planned: list[PlannedRun], trainer, zoo_name: str | None = None,
                  show_progress: bool = True, words: bool = True) -> list[Outcome]:  # fmt: skip
    """Mark the runs queued, then let `trainer` (LocalExecutor, or ray_executor's RayExecutor) train them; every
    done run's derived views (TensorBoard events; with `words`, top words or a memory run's gradients) are kept
    as it finishes."""
    job = {"dataset": data.key, "zoo": zoo_name, "frameworks": sorted({run.framework for run in planned})}
    for run in planned:
        store.mark_queued(data.key, run.run_id, job)
    derive = lambda run_id: derive_views(store, data.key, run_id, data.task, explanations=words)  # noqa: E731
    progress = ZooProgress(store, data.key, f"{zoo_name} zoo on {data.key}", len(planned), show_progress, derive)
    try:
        trainer.train(store, data, planned, zoo_name, progress)
    finally:
        progress.close()
    return progress.outcomes


class LocalExecutor:
    """Train the runs one after another in this process: today's `train`, no Ray needed."""

    def __init__(self, frameworks: list[str], device: str):
        self.backends = {framework: backend_for(framework, device) for framework in frameworks}

    def train(self, store: Store, data: PreparedData, planned: list[PlannedRun], zoo_name: str | None,
              progress: ZooProgress) -> None:  # fmt: skip
        by_id = {run.run_id: run for run in planned}

        def train_one(run_id: str, claim: RunClaim, on_step) -> str:
            run = by_id[run_id]
            return run_detail(train_run(run, data, self.backends[run.framework], claim, zoo_name, on_step))

        with limited_threads(data.dataset.info.threads):
            train_claimed(store, data.key, list(by_id), progress, train_one)
