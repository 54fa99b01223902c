"""Cached reading of the store, keyed by plain strings.

Tables come through `st.cache_data`, models through `st.cache_resource`. Each
cached function takes the store's root and a change token (`Store.last_changed`
for a data set, a run's `updated_at` for a run), so a run that finishes while
the app is open shows up on the next rerun without a restart; the short ttl on
the run list also catches a training process that died without writing.

Everything here reads through the pipelines (`Store`, `load_run`); nothing
parses or checks an artifact file itself (the store validates what it reads).
Reads that can fail on a damaged run raise `Unreadable` with a sentence a page
can show.
"""

from __future__ import annotations

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
    return _runs(store_root(), dataset, store().last_changed(dataset))


@st.cache_data(ttl=RUN_LIST_TTL, max_entries=64, show_spinner=False)
def _runs(root: str, dataset: str, marker: str) -> list[RunRecord]:
    return Store(root).runs(dataset)


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


# -- models ----------------------------------------------------------------------


@st.cache_resource(max_entries=48, show_spinner=False)
def _model(root: str, dataset: str, run_id: str, marker: str):
    from pipelines.runs import load_run  # imports the frameworks: only pages that predict pay for it
    from pipelines.threads import prefer_low_latency

    prefer_low_latency()  # one text at a time: one thread is many times faster
    try:
        return load_run(Store(root), dataset, run_id)
    except Exception as error:  # a missing or mismatched weights file, an unknown framework, ...
        raise Unreadable(f"the model of {run_id} cannot be loaded ({type(error).__name__}: {error})") from error


def predict(record: RunRecord, text: str) -> np.ndarray:
    """Class probabilities of one text under one run's model."""
    return _predict(store_root(), record.dataset, record.run_id, run_marker(record), text)


@st.cache_data(max_entries=512, show_spinner=False)
def _predict(root: str, dataset: str, run_id: str, marker: str, text: str) -> np.ndarray:
    model = _model(root, dataset, run_id, marker)
    try:
        return model.predict_proba([text])[0]
    except Exception as error:
        raise Unreadable(f"{run_id} could not score this text ({type(error).__name__}: {error})") from error


# -- looking inside ------------------------------------------------------------------


def explanation(record: RunRecord, text: str, method: str, target: int | None = None):
    """`pipelines.explain.explain` of one text with one attribution method (states, gates, trajectory too)."""
    return _explanation(store_root(), record.dataset, record.run_id, run_marker(record), text, method, target)


@st.cache_data(max_entries=128, show_spinner=False)
def _explanation(root: str, dataset: str, run_id: str, marker: str, text: str, method: str, target: int | None):
    model = _model(root, dataset, run_id, marker)
    try:
        return model.explain(text, methods=[method], target=target)
    except ValueError:
        raise  # a text the models cannot read: the page says so in its own words
    except Exception as error:
        raise Unreadable(f"{run_id} could not explain this text ({type(error).__name__}: {error})") from error


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

    model = _model(store_root(), record.dataset, record.run_id, run_marker(record))
    try:
        aggregate(store(), model, refresh=True)
    except Exception as error:
        raise Unreadable(f"the top words of {record.run_id} could not be computed ({error})") from error
    _top_words.clear()


# -- the glass box -------------------------------------------------------------------


def text_comparison(record: RunRecord, text: str):
    """`pipelines.verify.compare_text`: one text through the framework and the NumPy reference."""
    return _text_comparison(store_root(), record.dataset, record.run_id, run_marker(record), text)


@st.cache_data(max_entries=64, show_spinner=False)
def _text_comparison(root: str, dataset: str, run_id: str, marker: str, text: str):
    from pipelines.verify import compare_text

    model = _model(root, dataset, run_id, marker)
    try:
        return compare_text(model, text)
    except Exception as error:
        raise Unreadable(f"{run_id} could not be compared on this text ({type(error).__name__}: {error})") from error


def verify_report(record: RunRecord) -> dict | None:
    """The run's last whole-test-split verify report, or None if it was never verified."""
    from pipelines.verify import stored_report

    return stored_report(store(), record.dataset, record.run_id)


def run_verify(record: RunRecord, limit: int | None) -> dict:
    """Verify now (on `limit` test texts, or all); a whole-split report is kept in the store."""
    from pipelines.verify import verify_run

    model = _model(store_root(), record.dataset, record.run_id, run_marker(record))
    try:
        return verify_run(store(), record.run_id, record.dataset, limit=limit, run=model)
    except Exception as error:
        raise Unreadable(f"{record.run_id} could not be verified ({type(error).__name__}: {error})") from error


def reference_parameters(record: RunRecord) -> int:
    """How many numbers the NumPy reference holds once the run's weights are read into it."""
    return _reference_parameters(store_root(), record.dataset, record.run_id, run_marker(record))


@st.cache_data(max_entries=64, show_spinner=False)
def _reference_parameters(root: str, dataset: str, run_id: str, marker: str) -> int:
    from pipelines.verify import reference_for

    try:
        return int(reference_for(_model(root, dataset, run_id, marker)).parameter_count())
    except Exception as error:
        raise Unreadable(f"the reference of {run_id} cannot be built ({type(error).__name__}: {error})") from error


# -- language models ---------------------------------------------------------------------


def language_model(record: RunRecord):
    """A finished language model (`pipelines.generation.LoadedLanguageModel`), recurrent or n-gram, loaded once."""
    return _language_model(store_root(), record.dataset, record.run_id, run_marker(record))


@st.cache_resource(max_entries=24, show_spinner=False)
def _language_model(root: str, dataset: str, run_id: str, marker: str):
    from pipelines.generation import load_language_model  # imports torch: only the Write page pays for it
    from pipelines.threads import prefer_low_latency

    prefer_low_latency()  # one character at a time: one thread is many times faster
    try:
        return load_language_model(Store(root), dataset, run_id)
    except Exception as error:  # missing or mismatched weights, a changed alphabet, ...
        raise Unreadable(f"the model of {run_id} cannot be loaded ({type(error).__name__}: {error})") from error
