"""The `train` command: data set -> vocabulary -> every (framework, spec) of a zoo not yet in the store.

    outcomes = train_zoo(Store(), "rt-polarity", "quick", ["torch"])

A run id is readable and content-addressed: the framework, the architecture,
the data set and its vocabulary, and the training settings all go into its
hash, so the same request always maps to the same folder and a finished run is
never trained twice.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, replace
from typing import Callable

import numpy as np
import pandas as pd
from tqdm import tqdm

from ..backends import Backend, backend_for, common_versions
from ..data import Dataset, Vocabulary, build_vocabulary, dataset_summary, load_dataset, resolve_info
from ..encoding import EncodedSplit
from ..evaluate import classification_metrics
from ..models.spec import ModelSpec, parameter_count
from ..models.zoos import zoo
from ..store import RunClaim, Store
from ..tasks import CLASSIFICATION
from ..tensorboard_events import export_run
from .baselines import train_baselines
from .config import TrainConfig
from .loop import FitResult, ProgressCallback
from .run_files import Outcome, dataset_reference, predictions_frame, run_id_for, train_claimed

STATUS_INTERVAL = 1.0  # seconds between status.json progress updates


@dataclass
class PreparedData:
    dataset: Dataset
    vocabulary: Vocabulary
    train: EncodedSplit
    validation: EncodedSplit
    test: EncodedSplit

    @property
    def key(self) -> str:
        return self.dataset.info.key

    @property
    def classes(self) -> list[str]:
        return list(self.dataset.info.classes)


@dataclass(frozen=True)
class PlannedRun:
    run_id: str
    framework: str
    spec: ModelSpec  # resolved: vocabulary size and class count filled in
    config: TrainConfig


def prepare_data(store: Store, key: str, data_dir=None, language=None, limit=None) -> PreparedData:
    """Load and encode a data set; (re)write its dataset.json, vocab.json and test texts when they differ."""
    dataset = load_dataset(key, data_dir=data_dir, language=language, limit=limit)
    vocabulary = build_vocabulary(dataset)
    if _stored_fingerprint(store, dataset.info.key) != vocabulary.fingerprint():
        test = pd.DataFrame([{"id": e.id, "text": e.text, "label": e.label} for e in dataset.test])
        store.write_dataset(dataset_summary(dataset, vocabulary), vocabulary, test)
    encode = lambda examples: EncodedSplit.encode(examples, vocabulary)  # noqa: E731
    return PreparedData(dataset, vocabulary, encode(dataset.train), encode(dataset.validation), encode(dataset.test))


def _stored_fingerprint(store: Store, key: str) -> str | None:
    """The vocabulary fingerprint the store holds for a data set, if its card and vocabulary agree on one."""
    try:
        summary, vocabulary = store.read_dataset(key), store.read_vocabulary(key)
    except ValueError:
        return None  # missing or damaged: write them again
    stored = summary.vocabulary.fingerprint if summary.vocabulary else None
    return stored if stored == vocabulary.fingerprint() else None


def plan_runs(data: PreparedData, specs: list[ModelSpec], frameworks: list[str],
              config: TrainConfig, seeds: int = 1) -> list[PlannedRun]:  # fmt: skip
    """Every (seed, framework, spec), the whole zoo once per seed: seeds config.seed, config.seed + 1, ...

    The seed is part of the run id, so the first seed's runs are the ones a one-seed zoo trains.
    """
    if seeds < 1:
        raise ValueError(f"--seeds must be at least 1, got {seeds}")
    planned = []
    for offset in range(seeds):
        seeded = replace(config, seed=config.seed + offset)
        for framework in frameworks:
            for spec in specs:
                resolved = spec.resolved(len(data.vocabulary), len(data.classes))
                run_id = run_id_for(framework, resolved, data.key, data.vocabulary.fingerprint(), seeded)
                planned.append(PlannedRun(run_id, framework, resolved, seeded))
    return planned


def _spec_document(run: PlannedRun, data: PreparedData, backend: Backend, zoo_name: str | None) -> dict:
    return {
        "run_id": run.run_id,
        "framework": run.framework,
        "task": CLASSIFICATION.name,
        "label": run.spec.label(),
        "zoo": zoo_name,
        "dataset": dataset_reference(data),
        "model": run.spec.to_json(),
        "training": run.config.to_json(),
        "device": backend.device_name,
        "versions": {**common_versions(), **backend.versions()},
        "created_at": time.time(),
    }


def train_run(run: PlannedRun, data: PreparedData, backend: Backend, claim: RunClaim,
              zoo_name: str | None = None, on_step: Callable[[dict], None] | None = None) -> dict:  # fmt: skip
    """Train, evaluate and store one claimed run; returns its metrics."""
    started = time.time()
    claim.write_json("spec.json", _spec_document(run, data, backend, zoo_name))
    claim.set_status("running", progress=0.0, started_at=started)
    last_write = 0.0

    def report(progress: dict) -> None:
        nonlocal last_write
        if on_step:
            on_step(progress)
        finished_steps = (progress["epoch"] - 1) * progress["steps"] + progress["step"]
        fraction = finished_steps / (progress["epochs"] * progress["steps"])
        if time.monotonic() - last_write >= STATUS_INTERVAL or progress["step"] == progress["steps"]:
            last_write = time.monotonic()
            claim.set_status("running", progress=round(fraction, 4), elapsed=time.time() - started, **progress)

    model = backend.build(run.spec, seed=run.config.seed)
    fitted = fit(backend, model, data.train, data.validation, run.config, report)
    claim.write_frame("history.csv", pd.DataFrame(fitted.history))

    predict_start = time.perf_counter()
    probabilities = backend.predict(model, data.test)
    predict_seconds = time.perf_counter() - predict_start
    claim.write_frame("predictions.csv", predictions_frame(data.test, probabilities, data.classes))

    best = fitted.history[fitted.best_epoch - 1] if fitted.best_epoch else {}
    metrics = classification_metrics(probabilities, data.test.labels, data.classes)
    metrics.update(
        parameters=backend.parameter_count(model),
        parameters_formula=parameter_count(run.spec, run.framework),
        train_seconds=fitted.seconds,
        epochs_trained=len(fitted.history),
        best_epoch=fitted.best_epoch,
        stopped_early=fitted.stopped_early,
        validation_loss=best.get("val_loss"),
        validation_accuracy=best.get("val_accuracy"),
        examples_per_second=float(np.mean([row["examples_per_second"] for row in fitted.history])),
        predict_seconds=predict_seconds,
        device=backend.device_name,
    )
    CLASSIFICATION.metrics.model_validate(metrics)  # what every reader will expect of the file
    claim.write_file(backend.weights_file, lambda path: backend.save(model, path))
    claim.write_json("metrics.json", metrics)
    claim.set_status("done", progress=1.0, started_at=started, finished_at=time.time(), elapsed=time.time() - started)
    return metrics


def fit(backend: Backend, model, train: EncodedSplit, validation: EncodedSplit, config: TrainConfig,
        on_progress: ProgressCallback | None = None) -> FitResult:  # fmt: skip
    """Train `model` with its framework's loop, on the backend's device."""
    if backend.name == "keras":
        from .keras_loop import fit as keras_fit  # imports TensorFlow: only for Keras runs

        return keras_fit(model, train, validation, config, backend.device, on_progress)
    from .torch_loop import fit as torch_fit

    return torch_fit(model, train, validation, config, backend.device, on_progress)


def train_zoo(
    store: Store,
    dataset: str,
    zoo_name: str,
    frameworks: list[str],
    device: str = "auto",
    overrides: dict | None = None,
    data_dir=None,
    language: str | None = None,
    limit: int | None = None,
    only: list[str] | None = None,
    show_progress: bool = True,
    words: bool = True,
    seeds: int = 1,
    baselines: bool = True,
) -> list[Outcome]:
    """Train every run of a zoo (or its models matching `only`) that the store does not have yet.

    `seeds` trains the zoo that many times, with seeds config.seed, config.seed + 1, ...
    With `baselines`, the data set's bag-of-words baselines are trained first
    (`pipelines.training.baselines`). With `words`, each run's top words per class
    (`pipelines.explain.top_words`) are computed right after it finishes, so the
    dashboard finds them cached. Every finished run's history is written as
    TensorBoard events (`pipelines.tensorboard_events`).
    """
    specs = zoo(zoo_name, only)
    if seeds < 1:
        raise ValueError(f"--seeds must be at least 1, got {seeds}")
    backends = {framework: backend_for(framework, device) for framework in frameworks}
    # Every setting is checked before anything is read or written.
    config = TrainConfig.layered(resolve_info(dataset, language, limit).training, overrides or {})
    data = prepare_data(store, dataset, data_dir=data_dir, language=language, limit=limit)
    planned = plan_runs(data, specs, frameworks, config, seeds)
    job = {"dataset": data.key, "zoo": zoo_name, "frameworks": frameworks}
    for run in planned:
        store.mark_queued(data.key, run.run_id, job)

    outcomes = train_baselines(store, data) if baselines else []  # seconds: a yardstick before the first RNN
    for outcome in outcomes:
        if outcome.result in ("trained", "skipped"):
            derive_tensorboard(store, data.key, outcome.run_id)
    runs_bar = tqdm(planned, desc=f"{zoo_name} zoo on {data.key}", unit="run", disable=not show_progress)
    for run in runs_bar:
        steps_bar = tqdm(desc=run.run_id, unit="batch", leave=False, disable=not show_progress, mininterval=1.0)

        def on_step(progress: dict, bar=steps_bar) -> None:
            bar.total = progress["epochs"] * progress["steps"]
            bar.set_postfix(epoch=progress["epoch"], loss=f"{progress['train_loss']:.3f}", refresh=False)
            bar.update((progress["epoch"] - 1) * progress["steps"] + progress["step"] - bar.n)

        def train(claim: RunClaim, run=run, on_step=on_step) -> dict:
            return train_run(run, data, backends[run.framework], claim, zoo_name, on_step)

        try:
            outcome = train_claimed(store, data.key, run.run_id, train)
        finally:
            steps_bar.close()
        outcomes.append(outcome)
        if outcome.result in ("trained", "skipped"):  # skipped: done before, perhaps before these files existed
            derive_tensorboard(store, data.key, run.run_id)
            if words:
                derive_top_words(store, data.key, run.run_id)
    return outcomes


def derive_tensorboard(store: Store, dataset: str, run_id: str) -> None:
    """Write a finished run's TensorBoard events; a failure here is reported and never undoes the run."""
    try:
        export_run(store, store.run(dataset, run_id))
    except (OSError, ValueError) as error:
        tqdm.write(f"{run_id}: TensorBoard events not written ({type(error).__name__}: {error})")


def derive_top_words(store: Store, dataset: str, run_id: str) -> None:
    """Cache a finished run's top words; a failure here is reported and never undoes the run."""
    from ..explain.aggregate import cached_top_words, top_words  # imports Captum: only once a run has finished
    from ..runs import load_run

    # Checked here, before the model is loaded: a cache made with today's settings needs nothing more.
    if store.run(dataset, run_id).state != "done" or cached_top_words(store, dataset, run_id) is not None:
        return
    try:
        started = time.perf_counter()
        result = top_words(store, load_run(store, dataset, run_id))
        tqdm.write(f"{run_id}: top words from {result.texts_read:,} test texts, {time.perf_counter() - started:.1f}s")
    except Exception as error:  # e.g. a test split with no word seen often enough
        tqdm.write(f"{run_id}: top words not computed ({type(error).__name__}: {error})")
