"""Streamlit pieces shared by Translate and The bottleneck: finding a sequence-to-sequence task and its runs.

A task (`dates`, `reverse-60`, ...) is a data set of its own in the store, holding encoder-decoders and nothing
else: `require_task` finds one for pages that need it, whatever the sidebar's data set is.
"""

from __future__ import annotations

from dataclasses import replace

import streamlit as st

from dashboard import loaders, ui
from dashboard.state import Selection
from pipelines.records import RunRecord
from pipelines.tasks import Capability

TRAIN_TASKS = ("python -m pipelines train --dataset dates --zoo seq2seq --only 'gru-*'\n"
               "python -m pipelines train --dataset reverse-60 --zoo seq2seq --only 'gru-*'")  # fmt: skip


def tasks() -> list[str]:
    """The store's data sets that are sequence-to-sequence tasks (their dataset.json says `task: seq2seq`)."""
    keys = []
    for key in loaders.datasets():
        try:
            if loaders.dataset_summary(key).task == "seq2seq":
                keys.append(key)
        except loaders.Unreadable:
            continue  # the Overview names it
    return keys


def require_task(selected: Selection, page: str) -> Selection:
    """The selection, on a sequence-to-sequence task: the sidebar's data set if it is one, else one of the store's."""
    keys = tasks()
    if not keys:
        st.info("**No encoder-decoders yet.** Train the GRUs of the seq2seq zoo on dates (a few minutes on a 2-core "
                "CPU) and on reversing sequences of 5 to 60 letters (the bottleneck lesson, longer):\n\n"
                f"```\n{TRAIN_TASKS}\n```\n\n`--zoo seq2seq-small` takes seconds.", icon=":material/school:")
        st.stop()
    if selected.dataset in keys:
        return selected
    key = st.selectbox("Task", keys, key=ui.remembered(f"{page}_task", keys, keys[0])) if len(keys) > 1 else keys[0]
    return replace(selected, dataset=key)


def finished(selected: Selection) -> list[RunRecord]:
    """The task's finished encoder-decoders, best exact match first; stops with a message when there are none."""
    records = loaders.runs(selected.dataset)
    done = ui.drawn([record for record in records if record.state == "done"], Capability.TRANSLATE)
    if not done:
        ui.describe_unfinished(records)
        st.info(f"No encoder-decoder of {selected.dataset} has finished yet.", icon=":material/hourglass_top:")
        st.stop()
    return sorted(done, key=lambda record: -record.metrics.exact_match)


def baselines(dataset: str) -> dict[str, dict[str, float]]:
    """A text task's baselines on its test split ({} when its card has none or cannot be read)."""
    try:
        return loaders.dataset_summary(dataset).baselines
    except loaders.Unreadable:
        return {}


def label(record: RunRecord) -> str:
    return record.model_spec.label()
