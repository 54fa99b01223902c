"""Cached reading of the store, keyed by plain strings.

Tables come through `st.cache_data`, models of every kind through one `st.cache_resource` (`load`). Each
cached function takes the store's root and a change token (`Store.last_changed`
for a data set, a run's `updated_at` for a run), so a run that finishes while
the app is open shows up on the next rerun without a restart; the short ttl on
the run list also catches a training process that died without writing.

Everything here reads through the pipelines (`Store`, `pipelines.loaded.load`); nothing
parses or checks an artifact file itself (the store validates what it reads).
Reads that can fail on a damaged run raise `Unreadable` with a sentence a page
can show.
"""

from __future__ import annotations

from contextlib import contextmanager

import numpy as np
import pandas as pd
import streamlit as st

from pipelines.records import DatasetSummary
from pipelines.store import DamagedFile, RunRecord, Store, default_root

RUN_LIST_TTL = 5  # seconds: how stale "running" may look after its process has died


class Unreadable(Exception):
    """A file of the store could not be read; the message says which and why."""


def store_root() -> str:
    return str(default_root().resolve())


def store() -> Store:
    return Store(store_root())


def run_marker(record: RunRecord) -> str:
    """Changes when a run is rewritten (redone after a failure, say)."""
    return str(record.updated_at or "")


# -- data sets and runs --------------------------------------------------------


def datasets() -> list[str]:
    return store().datasets()


def runs(dataset: str) -> list[RunRecord]:
    """Every run of a data set, in any state, read afresh whenever one changes."""
    return list(_runs(store_root(), dataset, store().last_changed(dataset)))  # a list of its own: callers may sort it


# cache_resource, not cache_data: every page asks for the run list, several times a rerun, and cache_data would
# unpickle a copy each time (RunRecords are frozen: sharing them is safe). One read per data set for all sessions.
@st.cache_resource(ttl=RUN_LIST_TTL, max_entries=64, show_spinner=False)
def _runs(root: str, dataset: str, marker: str) -> tuple[RunRecord, ...]:
    return tuple(Store(root).runs(dataset))


def dataset_summary(dataset: str) -> DatasetSummary:
    return _dataset_summary(store_root(), dataset, store().last_changed(dataset))


@st.cache_data(max_entries=16, show_spinner=False)
def _dataset_summary(root: str, dataset: str, marker: str) -> DatasetSummary:
    try:
        return Store(root).read_dataset(dataset)
    except DamagedFile as error:
        raise Unreadable(f"the summary of data set {dataset} cannot be read ({error})") from error


def _fingerprint(dataset: str) -> str:
    """The data set's vocabulary fingerprint: what its test texts and vocabulary are cached under."""
    vocabulary = dataset_summary(dataset).vocabulary
    return vocabulary.fingerprint if vocabulary else ""


def test_examples(dataset: str) -> pd.DataFrame:
    return _test_examples(store_root(), dataset, _fingerprint(dataset))


@st.cache_data(max_entries=8, show_spinner=False)
def _test_examples(root: str, dataset: str, fingerprint: str) -> pd.DataFrame:
    try:
        return Store(root).read_test_examples(dataset)
    except DamagedFile as error:
        raise Unreadable(str(error)) from error


@st.cache_resource(max_entries=8, show_spinner=False)
def _vocabulary(root: str, dataset: str, fingerprint: str):
    try:
        return Store(root).read_vocabulary(dataset)
    except DamagedFile as error:
        raise Unreadable(f"the vocabulary of {dataset} cannot be read ({error})") from error


def vocabulary(dataset: str):
    return _vocabulary(store_root(), dataset, _fingerprint(dataset))


# -- per run tables -------------------------------------------------------------


def history(record: RunRecord) -> pd.DataFrame:
    return _history(store_root(), record.dataset, record.run_id, run_marker(record))


@st.cache_data(max_entries=256, show_spinner=False)
def _history(root: str, dataset: str, run_id: str, marker: str) -> pd.DataFrame:
    try:
        return Store(root).read_history(dataset, run_id)
    except DamagedFile as error:
        raise Unreadable(str(error)) from error


def predictions(record: RunRecord) -> pd.DataFrame:
    return _predictions(store_root(), record.dataset, record.run_id, run_marker(record))


@st.cache_data(max_entries=64, show_spinner=False)
def _predictions(root: str, dataset: str, run_id: str, marker: str) -> pd.DataFrame:
    try:
        return Store(root).read_predictions(dataset, run_id)
    except DamagedFile as error:
        raise Unreadable(str(error)) from error


def significance(records: list[RunRecord], labels: dict[str, str]):
    """`pipelines.comparison.compare_runs` of these runs (every pair, Holm-adjusted), cached on their ids."""
    markers = tuple(run_marker(record) for record in records)
    return _significance(store_root(), records[0].dataset, tuple(record.run_id for record in records), markers,
                         tuple(sorted(labels.items())))  # fmt: skip


@st.cache_data(max_entries=32, show_spinner="Testing every pair (McNemar, paired bootstrap)…")
def _significance(root: str, dataset: str, run_ids: tuple[str, ...], markers: tuple, labels: tuple):
    from pipelines.comparison import compare_runs

    store = Store(root)
    return compare_runs(store, [store.run(dataset, run_id) for run_id in run_ids], dict(labels))


def cell_uncertainty(records: list[RunRecord]):
    """`comparisons.cell_uncertainty` of these recurrent runs: each one's bootstrap interval of its test scores,
    and the paired test of every run against the most accurate; cached on their ids."""
    markers = tuple(run_marker(record) for record in records)
    return _cell_uncertainty(store_root(), records[0].dataset, tuple(record.run_id for record in records), markers)


@st.cache_data(max_entries=32, show_spinner="Bootstrapping each run's test score…")
def _cell_uncertainty(root: str, dataset: str, run_ids: tuple[str, ...], markers: tuple):
    from dashboard.comparisons import cell_uncertainty
    from pipelines.comparison import compare_runs, score_intervals

    store = Store(root)
    records = [store.run(dataset, run_id) for run_id in run_ids]
    against_best = compare_runs(store, records, matrix_limit=1) if len(records) > 1 else None
    return cell_uncertainty(score_intervals(store, records), against_best)


# -- models ----------------------------------------------------------------------


@contextmanager
def _unreadable_as(what: str, passing: tuple[type[Exception], ...] = ()):
    """Any failure inside becomes Unreadable: "`what` (TheError: its message)", which a page shows in one line.
    `passing` errors go through as they are (e.g. ValueError: a text the model cannot read, worded by the page)."""
    try:
        yield
    except passing:
        raise
    except Exception as error:
        raise Unreadable(f"{what} ({type(error).__name__}: {error})") from error


def load(record: RunRecord):
    """A finished run's model, whatever its kind (`pipelines.loaded.LoadedModel`: its record, spec, label and
    capabilities), loaded once and shared by every session until the run changes."""
    return _model(store_root(), record.dataset, record.run_id, run_marker(record))


@st.cache_resource(max_entries=48, show_spinner=False)
def _model(root: str, dataset: str, run_id: str, marker: str):
    """The one model cache: every kind (classifier, baseline, forecaster, language model), keyed by run id."""
    from pipelines.loaded import load as load_model  # imports a kind's framework: only pages that ask pay for it
    from pipelines.threads import prefer_low_latency

    prefer_low_latency()  # one text, window or character at a time: one thread is many times faster
    with _unreadable_as(f"the model of {run_id} cannot be loaded"):  # missing or mismatched weights, changed data
        return load_model(Store(root), dataset, run_id)


def predict(record: RunRecord, text: str) -> np.ndarray:
    """Class probabilities of one text under one run's model."""
    return _predict(store_root(), record.dataset, record.run_id, run_marker(record), text)


@st.cache_data(max_entries=512, show_spinner=False)
def _predict(root: str, dataset: str, run_id: str, marker: str, text: str) -> np.ndarray:
    model = _model(root, dataset, run_id, marker)
    with _unreadable_as(f"{run_id} could not score this text"):
        return model.predict_proba([text])[0]


def word_coverage(record: RunRecord, text: str):
    """How many of the text's words the run's model knows (`pipelines.data.WordCoverage`), None if it reads none."""
    return _word_coverage(store_root(), record.dataset, record.run_id, run_marker(record), text)


@st.cache_data(max_entries=512, show_spinner=False)
def _word_coverage(root: str, dataset: str, run_id: str, marker: str, text: str):
    model = _model(root, dataset, run_id, marker)
    with _unreadable_as(f"{run_id} could not count this text's words"):
        return model.word_coverage(text)


def predict_texts(record: RunRecord, texts: list[str]) -> np.ndarray:
    """Class probabilities (texts, classes) of many texts at once under one run's model, not cached: the caller
    keeps them (the class wall records each review's votes in its database)."""
    model = load(record)
    with _unreadable_as(f"{record.run_id} could not score these texts"):
        return model.predict_proba(list(texts))


def word_weights(record: RunRecord, text: str):
    """A baseline's explanation of one text (`pipelines.baselines.WordWeights`): each word's weight."""
    return _word_weights(store_root(), record.dataset, record.run_id, run_marker(record), text)


@st.cache_data(max_entries=256, show_spinner=False)
def _word_weights(root: str, dataset: str, run_id: str, marker: str, text: str):
    model = _model(root, dataset, run_id, marker)
    with _unreadable_as(f"{run_id} could not weigh this text's words", passing=(ValueError,)):  # unreadable text
        return model.word_weights(text)


# -- looking inside ------------------------------------------------------------------


def explanation(record: RunRecord, text: str, method: str, target: int | None = None):
    """`pipelines.explain.explain` of one text with one attribution method (states, gates, trajectory too)."""
    return _explanation(store_root(), record.dataset, record.run_id, run_marker(record), text, method, target)


@st.cache_data(max_entries=128, show_spinner=False)
def _explanation(root: str, dataset: str, run_id: str, marker: str, text: str, method: str, target: int | None):
    model = _model(root, dataset, run_id, marker)
    with _unreadable_as(f"{run_id} could not explain this text", passing=(ValueError,)):  # unreadable text
        return model.explain(text, methods=[method], target=target)


def top_words(record: RunRecord):
    """The run's cached top words per class (`pipelines.explain.TopWords`), or None if not computed yet."""
    return _top_words(store_root(), record.dataset, record.run_id, run_marker(record))


@st.cache_data(max_entries=64, show_spinner=False)
def _top_words(root: str, dataset: str, run_id: str, marker: str):
    from pipelines.explain import cached_top_words

    return cached_top_words(Store(root), dataset, run_id)  # None when missing, stale or damaged


def compute_top_words(record: RunRecord) -> None:
    """Aggregate the run's attributions over its test split now and cache them in the store (seconds)."""
    from pipelines.explain import top_words as aggregate

    model = load(record)
    try:
        words = aggregate(store(), model, refresh=True)
    except Exception as error:
        raise Unreadable(f"the top words of {record.run_id} could not be computed ({error})") from error
    if words.not_kept:  # a read-only store: the page only draws what the store keeps
        raise Unreadable(f"the top words of {record.run_id} were computed, but {words.not_kept}; compute them "
                         "where the store can be written")  # fmt: skip
    _top_words.clear()


def unit_words(record: RunRecord):
    """The words that move each hidden unit most over the test split (`pipelines.explain.UnitWords`): read from
    the store, or computed once (seconds) and kept there for every later session."""
    return _unit_words(store_root(), record.dataset, record.run_id, run_marker(record))


@st.cache_data(max_entries=64, show_spinner=False)
def _unit_words(root: str, dataset: str, run_id: str, marker: str):
    from pipelines.explain import cached_unit_words, unit_words as aggregate

    cached = cached_unit_words(Store(root), dataset, run_id)  # checked before the model is loaded
    if cached is not None:
        return cached
    model = _model(root, dataset, run_id, marker)
    with _unreadable_as(f"the unit words of {run_id} could not be computed"):
        return aggregate(Store(root), model)  # a read-only store: computed, not kept; this cache still holds it


# -- the glass box -------------------------------------------------------------------


def text_comparison(record: RunRecord, text: str):
    """`pipelines.verify.compare_text`: one text through the framework and the NumPy reference."""
    return _text_comparison(store_root(), record.dataset, record.run_id, run_marker(record), text)


@st.cache_data(max_entries=64, show_spinner=False)
def _text_comparison(root: str, dataset: str, run_id: str, marker: str, text: str):
    from pipelines.verify import compare_text

    model = _model(root, dataset, run_id, marker)
    with _unreadable_as(f"{run_id} could not be compared on this text"):
        return compare_text(model, text)


def verify_report(record: RunRecord) -> dict | None:
    """The run's last whole-test-split verify report, or None if it was never verified."""
    from pipelines.verify import stored_report

    return stored_report(store(), record.dataset, record.run_id)


def run_verify(record: RunRecord, limit: int | None) -> dict:
    """Verify now (on `limit` test texts, or all); a whole-split report is kept in the store."""
    from pipelines.verify import verify_run

    model = load(record)
    with _unreadable_as(f"{record.run_id} could not be verified"):
        return verify_run(store(), record.run_id, record.dataset, limit=limit, run=model)


def reference_parameters(record: RunRecord) -> int:
    """How many numbers the NumPy reference holds once the run's weights are read into it."""
    return _reference_parameters(store_root(), record.dataset, record.run_id, run_marker(record))


@st.cache_data(max_entries=64, show_spinner=False)
def _reference_parameters(root: str, dataset: str, run_id: str, marker: str) -> int:
    from pipelines.verify import reference_for

    with _unreadable_as(f"the reference of {run_id} cannot be built"):
        return int(reference_for(_model(root, dataset, run_id, marker)).parameter_count())


# -- the memory lab and gradients through time ------------------------------------------------


def lab_points(distractors: bool = False) -> list:
    """Every finished memory-lab run (`pipelines.explain.memory_lab.LabPoint`), read afresh when one changes."""
    s = store()
    marker = "|".join(f"{key}:{s.last_changed(key)}" for key in s.datasets() if key.startswith("memory-"))
    return _lab_points(store_root(), distractors, marker)


@st.cache_data(ttl=RUN_LIST_TTL, max_entries=8, show_spinner=False)
def _lab_points(root: str, distractors: bool, marker: str) -> list:
    from pipelines.explain.memory_lab import lab_points as points

    return points(Store(root), distractors)


def lab_summary(record: RunRecord, compute: bool = False):
    """A run's gradients through time and lookback (`LabSummary`): kept in its folder, or None; `compute` makes it."""
    return _lab_summary(store_root(), record.dataset, record.run_id, run_marker(record), compute)


@st.cache_data(max_entries=128, show_spinner=False)
def _lab_summary(root: str, dataset: str, run_id: str, marker: str, compute: bool):
    from pipelines.explain.memory_lab import cached_lab_summary, lab_summary

    kept = cached_lab_summary(Store(root), dataset, run_id)
    if kept is not None or not compute:
        return kept
    with _unreadable_as(f"the gradients of {run_id} could not be computed"):
        return lab_summary(Store(root), _model(root, dataset, run_id, marker))


def gradient_flow(record: RunRecord, text: str, target: int | None = None):
    """`pipelines.explain.gradients.gradient_flow` of one text: trained and at initialisation."""
    return _gradient_flow(store_root(), record.dataset, record.run_id, run_marker(record), text, target)


@st.cache_data(max_entries=64, show_spinner=False)
def _gradient_flow(root: str, dataset: str, run_id: str, marker: str, text: str, target: int | None):
    model = _model(root, dataset, run_id, marker)
    with _unreadable_as(f"{run_id} could not follow the gradients", passing=(ValueError,)):  # unreadable text
        return model.gradients(text, target=target)


# -- forecasting ---------------------------------------------------------------------


def series(dataset: str) -> pd.DataFrame:
    """A forecasting data set's series: date, value, observed, part."""
    return _series(store_root(), dataset, store().last_changed(dataset))


@st.cache_data(max_entries=16, show_spinner=False)
def _series(root: str, dataset: str, marker: str) -> pd.DataFrame:
    try:
        return Store(root).read_series(dataset)
    except DamagedFile as error:
        raise Unreadable(str(error)) from error


def forecast_from(record: RunRecord, origin: int) -> pd.DataFrame:
    """One run's forecast after value `origin`, with its fan (`LoadedForecaster.forecast_from`)."""
    return _forecast_from(store_root(), record.dataset, record.run_id, run_marker(record), origin)


@st.cache_data(max_entries=256, show_spinner=False)
def _forecast_from(root: str, dataset: str, run_id: str, marker: str, origin: int) -> pd.DataFrame:
    run = _model(root, dataset, run_id, marker)
    with _unreadable_as(f"{run_id} could not forecast", passing=(ValueError,)):  # an origin it cannot start from
        return run.forecast_from(origin)


def forecaster_states(record: RunRecord, origin: int) -> list[np.ndarray]:
    """Each layer's hidden states (lookback, hidden) while the run reads the window ending at `origin`."""
    return _forecaster_states(store_root(), record.dataset, record.run_id, run_marker(record), origin)


@st.cache_data(max_entries=128, show_spinner=False)
def _forecaster_states(root: str, dataset: str, run_id: str, marker: str, origin: int) -> list[np.ndarray]:
    return _model(root, dataset, run_id, marker).hidden_states(origin)
