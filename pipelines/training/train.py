"""The `train` command: data set -> vocabulary -> every (framework, spec) of a zoo not yet in the store.

    outcomes = train_zoo(Store(), "rt-polarity", "quick", ["torch"])

A run id is readable and content-addressed: the framework, the architecture,
the data set and its vocabulary, and the training settings all go into its
hash, so the same request always maps to the same folder and a finished run is
never trained twice.
"""

from __future__ import annotations

import hashlib
import json
import time
import traceback
from dataclasses import dataclass
from functools import partial
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
from .config import TrainConfig
from .loop import FitResult, ProgressCallback

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
    if stored_fingerprint(store, dataset.info.key) != vocabulary.fingerprint():
        test = pd.DataFrame([{"id": e.id, "text": e.text, "label": e.label} for e in dataset.test])
        store.write_dataset(dataset_summary(dataset, vocabulary), vocabulary, test)
    encode = lambda examples: EncodedSplit.encode(examples, vocabulary)  # noqa: E731
    return PreparedData(dataset, vocabulary, encode(dataset.train), encode(dataset.validation), encode(dataset.test))


def stored_fingerprint(store: Store, key: str) -> str | None:
    """The vocabulary fingerprint the store holds for a data set, if its card and vocabulary agree on one."""
    try:
        summary, vocabulary = store.read_dataset(key), store.read_vocabulary(key)
    except ValueError:
        return None  # missing or damaged: write them again
    stored = summary.vocabulary.fingerprint if summary.vocabulary else None
    return stored if stored == vocabulary.fingerprint() else None


def run_id_for(framework: str, spec: ModelSpec, dataset_key: str, vocabulary_fingerprint: str,
               config: TrainConfig, task: str = CLASSIFICATION.name) -> str:  # fmt: skip
    identity = {
        "framework": framework,
        "model": spec.to_json(),
        "dataset": dataset_key,
        "vocabulary": vocabulary_fingerprint,
        "training": config.to_json(),
    }
    if task != CLASSIFICATION.name:  # classifiers keep the ids they had before runs had kinds
        identity["task"] = task
    digest = hashlib.sha256(json.dumps(identity, sort_keys=True).encode()).hexdigest()[:8]
    return f"{framework}-{spec.short_name()}-{digest}"


def plan_runs(data: PreparedData, specs: list[ModelSpec], frameworks: list[str],
              config: TrainConfig) -> list[PlannedRun]:  # fmt: skip
    planned = []
    for framework in frameworks:
        for spec in specs:
            resolved = spec.resolved(len(data.vocabulary), len(data.classes))
            run_id = run_id_for(framework, resolved, data.key, data.vocabulary.fingerprint(), config)
            planned.append(PlannedRun(run_id, framework, resolved, config))
    return planned


def _spec_document(run: PlannedRun, data: PreparedData, backend: Backend, zoo_name: str | None) -> dict:
    dataset = {
        "key": data.key,
        "title": data.dataset.info.title,
        "classes": data.classes,
        "vocabulary_fingerprint": data.vocabulary.fingerprint(),
        "vocabulary_size": len(data.vocabulary),
        "maxlen": data.vocabulary.maxlen,
    }
    return spec_document(run.run_id, run.framework, CLASSIFICATION.name, run.spec, zoo_name, dataset,
                         run.config.to_json(), backend.device_name, backend.versions())  # fmt: skip


def spec_document(run_id: str, framework: str, task: str, spec, zoo_name: str | None, dataset: dict,
                  training: dict, device: str, versions: dict) -> dict:  # fmt: skip
    """A run's spec.json (`pipelines.records.RunSpec`): what it is, what it read, how it trained, and with what."""
    return {
        "run_id": run_id,
        "framework": framework,
        "task": task,
        "label": spec.label(),
        "zoo": zoo_name,
        "dataset": dataset,
        "model": spec.to_json(),
        "training": training,
        "device": device,
        "versions": {**common_versions(), **versions},
        "created_at": time.time(),
    }


def _predictions_frame(split: EncodedSplit, probabilities: np.ndarray, classes: list[str]) -> pd.DataFrame:
    frame = pd.DataFrame({"id": split.example_ids, "label": split.labels, "predicted": probabilities.argmax(1)})
    for index, name in enumerate(classes):
        frame[f"prob_{name}"] = probabilities[:, index]
    return frame


def train_run(run: PlannedRun, data: PreparedData, backend: Backend, claim: RunClaim,
              zoo_name: str | None = None, on_step: Callable[[dict], None] | None = None) -> dict:  # fmt: skip
    """Train, evaluate and store one claimed run; returns its metrics."""
    started = time.time()
    claim.write_json("spec.json", _spec_document(run, data, backend, zoo_name))
    report = status_reporter(claim, started, on_step)
    model = backend.build(run.spec, seed=run.config.seed)
    fitted = fit(backend, model, data.train, data.validation, run.config, report)
    claim.write_frame("history.csv", pd.DataFrame(fitted.history))

    predict_start = time.perf_counter()
    probabilities = backend.predict(model, data.test)
    predict_seconds = time.perf_counter() - predict_start
    claim.write_frame("predictions.csv", _predictions_frame(data.test, probabilities, data.classes))

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
    finish(claim, metrics, started)
    return metrics


def status_reporter(claim: RunClaim, started: float, on_step: Callable[[dict], None] | None = None) -> ProgressCallback:
    """Mark a claimed run running; the callback a training loop reports its steps to (the progress bar's
    `on_step`, and the run's status.json at most once a second and at the end of every epoch)."""
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

    return report


def finish(claim: RunClaim, metrics: dict, started: float) -> None:
    """Write a run's metrics.json, then mark it done: the last two writes of every run, in that order."""
    claim.write_json("metrics.json", metrics)
    claim.set_status("done", progress=1.0, started_at=started, finished_at=time.time(), elapsed=time.time() - started)


def fit(backend: Backend, model, train: EncodedSplit, validation: EncodedSplit, config: TrainConfig,
        on_progress: ProgressCallback | None = None) -> FitResult:  # fmt: skip
    """Train `model` with its framework's loop, on the backend's device."""
    if backend.name == "keras":
        from .keras_loop import fit as keras_fit  # imports TensorFlow: only for Keras runs

        return keras_fit(model, train, validation, config, backend.device, on_progress)
    from .torch_loop import fit as torch_fit

    return torch_fit(model, train, validation, config, backend.device, on_progress)


@dataclass
class Outcome:
    run_id: str
    result: str  # trained | skipped (done) | busy (another process) | failed
    detail: str = ""


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
) -> list[Outcome]:
    """Train every run of a zoo (or its models matching `only`) that the store does not have yet.

    With `words`, each run's top words per class (`pipelines.explain.top_words`)
    are computed right after it finishes, so the dashboard finds them cached.
    """
    specs = zoo(zoo_name, only)
    backends = {framework: backend_for(framework, device) for framework in frameworks}
    # Every setting is checked before anything is read or written.
    config = TrainConfig.layered(resolve_info(dataset, language, limit).training, overrides or {})
    data = prepare_data(store, dataset, data_dir=data_dir, language=language, limit=limit)
    planned = plan_runs(data, specs, frameworks, config)
    job = {"dataset": data.key, "zoo": zoo_name, "frameworks": frameworks}
    trainers = [(run.run_id, partial(train_run, run, data, backends[run.framework], zoo_name=zoo_name))
                for run in planned]  # fmt: skip
    return train_each(store, data.key, trainers, job, f"{zoo_name} zoo on {data.key}", _classifier_detail,
                      show_progress, after=derive_top_words if words else None)  # fmt: skip


def _classifier_detail(metrics: dict) -> str:
    return f"accuracy {metrics['accuracy']:.3f}, macro F1 {metrics['f1_macro']:.3f}, {metrics['train_seconds']:.0f}s"


# Trains one claimed run, reporting its steps to a callback: `trainer(claim=..., on_step=...)` -> the run's metrics.
RunTrainer = Callable[..., dict]


def train_each(
    store: Store,
    dataset: str,
    trainers: list[tuple[str, RunTrainer]],
    job: dict,
    title: str,
    detail: Callable[[dict], str],
    show_progress: bool = True,
    after: Callable[[Store, str, str], None] | None = None,
) -> list[Outcome]:
    """Queue every run, then train each one the store does not have yet, one progress bar per run.

    A run that is done is skipped, one another process holds is left alone ("busy"), and one that fails
    is marked failed without stopping the others. `detail(metrics)` is the line printed when a run ends;
    `after(store, dataset, run_id)` runs for every finished run (e.g. caching its top words).
    """
    for run_id, _ in trainers:
        store.mark_queued(dataset, run_id, job)
    outcomes = []
    runs_bar = tqdm(trainers, desc=title, unit="run", disable=not show_progress)
    for run_id, trainer in runs_bar:
        with store.claim(dataset, run_id) as claim:
            if claim is None:
                state = store.run(dataset, run_id).state
                outcomes.append(Outcome(run_id, "skipped" if state == "done" else "busy", state))
                tqdm.write(f"{run_id}: {'already trained' if state == 'done' else 'being trained elsewhere'}")
                if after and state == "done":
                    after(store, dataset, run_id)  # e.g. a run trained before top words were cached
                continue
            steps_bar = tqdm(desc=run_id, unit="batch", leave=False, disable=not show_progress, mininterval=1.0)

            def on_step(progress: dict, bar=steps_bar) -> None:
                bar.total = progress["epochs"] * progress["steps"]
                bar.set_postfix(epoch=progress["epoch"], loss=f"{progress['train_loss']:.3f}", refresh=False)
                bar.update((progress["epoch"] - 1) * progress["steps"] + progress["step"] - bar.n)

            try:
                metrics = trainer(claim=claim, on_step=on_step)
            except Exception as error:  # one broken run must not stop the zoo
                claim.set_status("failed", error=f"{type(error).__name__}: {error}", traceback=traceback.format_exc())
                outcomes.append(Outcome(run_id, "failed", f"{type(error).__name__}: {error}"))
                tqdm.write(f"{run_id}: FAILED: {type(error).__name__}: {error}")
                continue
            finally:
                steps_bar.close()
            outcomes.append(Outcome(run_id, "trained", detail(metrics)))
            tqdm.write(f"{run_id}: {detail(metrics)}")
        if after:
            after(store, dataset, run_id)
    return outcomes


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
