"""Train: start a zoo in the background and watch it learn."""

import time

import streamlit as st

from dashboard import loaders, tables, ui
from dashboard.state import selection
from pipelines.data import DATASET_KEYS, DataError
from pipelines.data.characters import CORPUS_KEYS
from pipelines.data.series import SERIES_KEYS
from pipelines.forecasting.zoos import FORECAST_ZOOS
from pipelines.models.language_model_spec import language_model_zoo
from pipelines.models.spec import FRAMEWORK_NAMES
from pipelines.models.zoos import zoo
from pipelines.training import jobs, slots
from pipelines.training.cluster import EXECUTORS
from pipelines.training.request import FRAMEWORK_CHOICES, TrainRequest, frameworks_of

REFRESH_SECONDS = 2.0
JOBS_SHOWN = 5
ZOO_HELP = {
    "quick": "RNN, LSTM, GRU one way and both ways, plus a 2-layer LSTM: minutes on a CPU",
    "sweep": "depth 1/2/3, width 32/64/128 and direction for each cell: seed 002's studies",
    "full": "large stacked models incl. seed 000's BiLSTM: meant for a GPU",
}
FORECAST_ZOO_HELP = {
    "forecast-quick": "RNN, LSTM, GRU with 32 units, plus naive, seasonal naive and Holt-Winters: a few minutes",
    "forecast": "RNN, LSTM, GRU at 1×32, 1×64 and 2×64, plus the baselines",
}
LANGUAGE_ZOO_HELP = {
    "charlm": "RNN, LSTM, GRU with 256 units (and two layers for the gated cells), plus n-gram baselines: "
              "about 40 minutes on a 2-core CPU",
    "charlm-small": "RNN, LSTM, GRU with 64 units, plus n-gram baselines: a few minutes",
}  # fmt: skip
# What the text form offers per kind of model: data sets, zoos (with their help) and how many models each holds.
KINDS = {
    "Sentiment classifiers": (DATASET_KEYS, ZOO_HELP, lambda name: len(zoo(name))),
    "Language models (Write)": (CORPUS_KEYS, LANGUAGE_ZOO_HELP, lambda name: len(language_model_zoo(name))),
}
FORECASTING = "Forecasting"  # its own form: a series, lookback and horizon
FRAMEWORK_CHOICE_NAMES = {**FRAMEWORK_NAMES, "both": "both"}
LIVE = "train_live"  # whether a job was running at the last draw
EXECUTOR_NAMES = {"local": "this machine", "ray": "Ray (runs in parallel)"}
EXECUTOR_HELP = ("**This machine**: one run after another in the job's process. **Ray**: each run is a task on the Ray "
                 "cluster at the address below (or on a Ray instance started here), several at once; the runs come "
                 "back into this store.")

st.title("Train")
ui.teach("Start a zoo as a background process (the same command as in a terminal) and watch its runs.")


def forecast_start_ui() -> dict | None:
    """The start form for forecasters (PyTorch, and the encoder-decoder in Keras too; the baselines need no
    framework); the request's fields when submitted."""
    with st.form("start_forecast_job", border=True):
        left, right, framework_column = st.columns(3)
        current = selection().dataset
        dataset = left.selectbox("Series", SERIES_KEYS, index=SERIES_KEYS.index(current) if current in SERIES_KEYS
                                 else 0, help="Real series shipped inside statsmodels; a CSV of your own trains from "
                                 "the command line (README).")  # fmt: skip
        zoo_name = right.selectbox("Zoo", list(FORECAST_ZOO_HELP), format_func=lambda name: f"{name}: "
                                   f"{len(FORECAST_ZOOS[name]())} models", help="\n".join(
                                   f"- **{name}**: {text}" for name, text in FORECAST_ZOO_HELP.items()))  # fmt: skip
        framework = framework_column.selectbox("Framework", FRAMEWORK_CHOICES, format_func=FRAMEWORK_CHOICE_NAMES.get,
                                               help="Keras trains the encoder-decoder only (seed 001's "
                                               "build_seq2seq_model, the one forecaster written in Keras) and the "
                                               "baselines; both adds it beside the PyTorch zoo.")  # fmt: skip
        left, middle, right = st.columns(3)
        epochs = left.number_input("Epochs (0 = the series' default)", 0, 500, 0)
        lookback = middle.number_input("Lookback (0 = default)", 0, 1000, 0, help="Values a model reads.")
        horizon = right.number_input("Horizon (0 = default)", 0, 520, 0, help="Values forecast at once.")
        st.caption("Recurrent forecasters train in PyTorch (the encoder-decoder in Keras too); Holt-Winters is fitted "
                   "by statsmodels.")
        if not st.form_submit_button("Start training", type="primary", icon=":material/play_arrow:"):
            return None
    return dict(dataset=dataset, zoo=zoo_name, frameworks=frameworks_of(framework),
                overrides={"epochs": epochs or None},
                forecast_settings={"lookback": lookback or None, "horizon": horizon or None})  # fmt: skip


def start_ui(kind: str) -> dict | None:
    """The start form of a kind of text model (`KINDS`); returns the request's fields when submitted."""
    current = selection().dataset  # start on the sidebar's data set when the form offers it
    datasets, zoo_help, size = KINDS[kind]
    with st.form("start_job", border=True):
        left, middle, right = st.columns(3)
        start = datasets.index(current) if current in datasets else 0
        dataset = left.selectbox("Data set", datasets, index=start, help="nusax trains on Indonesian; the character "
                                 "corpora (…-chars) are the review texts read one character at a time.")  # fmt: skip
        zoo_name = middle.selectbox("Zoo", list(zoo_help), format_func=lambda name: f"{name}: {size(name)} models",
                                    help="\n".join(f"- **{name}**: {text}" for name, text in zoo_help.items()))
        classifiers = zoo_help is ZOO_HELP  # language models: PyTorch only, one seed, this machine
        frameworks = FRAMEWORK_CHOICES if classifiers else ("torch",)
        framework = right.selectbox("Framework", frameworks, format_func=FRAMEWORK_CHOICE_NAMES.get)
        left, middle, right = st.columns(3)
        epochs = left.number_input("Epochs (0 = the data set's default)", 0, 100, 0)
        limit = middle.number_input("Examples per split (0 = all)", 0, 100_000, 0, step=100,
                                    help="A cut-down data set trains in seconds and is stored under its own name.")
        seeds, executor, address = 1, "local", ""
        if classifiers:
            seeds = right.number_input("Seeds", 1, 10, 1, help="Train every model this many times with different "
                                       "seeds: the leaderboard then shows means and 95% intervals.")  # fmt: skip
            executor = right.selectbox("Executor", EXECUTORS, format_func=EXECUTOR_NAMES.get, help=EXECUTOR_HELP)
            address = st.text_input("Ray cluster address (Ray only)",
                                    placeholder="empty: a Ray instance on this machine",
                                    help="`auto` (the cluster `ray start` runs on this machine), `HOST:6379` (its "
                                         "head node) or `ray://HOST:10001`. The runs come back into this store.")
        if not st.form_submit_button("Start training", type="primary", icon=":material/play_arrow:"):
            return None
    return dict(dataset=dataset, zoo=zoo_name, frameworks=frameworks_of(framework),
                overrides={"epochs": epochs or None}, limit=limit or None, executor=executor,
                address=address.strip() or None, seeds=seeds)  # fmt: skip


def start(fields: dict) -> None:
    """Check the form's request (one message for whatever is wrong) and start it as a background job."""
    running_before = {job.job_id for job in jobs.list_jobs(loaders.store()) if job.alive}
    slots_free = len(slots.slot_holders(loaders.store())) < slots.slot_count()
    try:
        job = jobs.start_job(loaders.store(), TrainRequest(**fields))
    except (DataError, ValueError, OSError) as error:
        st.error(f"Could not start: {error}", icon=":material/error:")
        return
    if job.job_id in running_before:
        st.info(f"The {job.zoo} zoo is already training on {job.dataset}: here is that job, not a second one.",
                icon=":material/sync:")  # fmt: skip
    elif not slots_free:
        st.success(f"Queued the {job.zoo} zoo on {job.dataset}: it starts as soon as a training slot is free. "
                   "You can close this tab meanwhile.", icon=":material/schedule:")  # fmt: skip
    else:
        st.success(f"Started the {job.zoo} zoo on {job.dataset} in the background. Finished runs appear on every "
                   "page; you can close this tab meanwhile.", icon=":material/rocket_launch:")  # fmt: skip


def duration(seconds: float) -> str:
    seconds = max(int(seconds), 0)
    return f"{seconds // 60} min {seconds % 60:02d} s" if seconds >= 60 else f"{seconds} s"


def run_progress(record, label: str) -> None:
    status = record.status
    elapsed = duration(status.elapsed or 0) if status else "0 s"
    if status and status.node:  # trained by a Ray worker: which machine
        elapsed += f" on {status.node}"
    if record.state == "running" and status:
        detail = f"epoch {status.epoch} of {status.epochs}, " if status.epoch and status.epochs else ""
        progress = float(status.progress or 0.0)
        st.progress(progress, text=f"{label}: {detail}{progress:.0%}, {elapsed}")
    elif record.state == "done":
        accuracy, rmse = getattr(record.metrics, "accuracy", None), getattr(record.metrics, "rmse", None)
        bits = getattr(record.metrics, "bits_per_character", None)
        score = f", accuracy {accuracy:.3f}" if accuracy is not None else f", RMSE {rmse:.4g}" if rmse else ""
        score = f", {bits:.3f} bits per character" if bits is not None else score
        st.progress(1.0, text=f"{label}: done in {elapsed}{score}")
    elif record.state == "queued":
        st.progress(0.0, text=f"{label}: waiting")
    else:
        st.progress(0.0, text=f"{label}: {record.state}")


def show_job(job: jobs.Job) -> None:
    records = jobs.job_runs(loaders.store(), job)
    phase = jobs.job_phase(job, records)
    if job.alive:
        state = f"{phase} for {duration(job.elapsed)}"
    else:
        state = f"{phase} after {duration(job.ended_at - job.started_at)}"
    if records:
        state += f" · {sum(record.state == 'done' for record in records)} of {len(records)} runs done"
    with st.container(border=True):
        title, button = st.columns([5, 1])
        on_ray = " · on Ray" if job.executor == "ray" else ""
        title.markdown(f"**{job.zoo} zoo · {job.framework} · {job.dataset}{on_ray}**, {state}")
        stop = "Interrupt it as Ctrl+C would; the unfinished run is redone next time."
        if job.alive and button.button("Stop", key=f"stop-{job.job_id}", icon=":material/stop:", help=stop):
            jobs.stop_job(job)
            time.sleep(0.5)
            st.rerun()
        labels = tables.run_labels(records)
        for record in sorted(records, key=lambda r: (r.state != "running", r.state != "queued", r.run_id)):
            run_progress(record, labels[record.run_id])
        if not records:
            waiting = "Waiting in line: it starts as soon as a training slot is free."
            st.caption(waiting if job.waiting else "Preparing the data set…" if job.alive else "No runs were written.")
        with st.expander("Log", expanded=not job.alive and job.exit_code not in (None, 0)):
            st.code(jobs.tail_log(job) or "(nothing yet)", language=None)


def jobs_view() -> None:
    listed = jobs.list_jobs(loaders.store())
    if not listed:
        st.info("No training jobs yet. Start one above; it keeps running if you close the browser.",
                icon=":material/info:")  # fmt: skip
        return
    waiting = sum(job.waiting for job in listed)
    busy = len(slots.slot_holders(loaders.store()))
    st.caption(f"Training slots: {busy} of {slots.slot_count()} in use, {waiting} job(s) waiting "
               f"(at most {slots.queue_limit()} wait; more are refused until one finishes).")  # fmt: skip
    for job in listed[:JOBS_SHOWN]:
        show_job(job)
    if st.session_state.get(LIVE) and not any(job.alive for job in listed):
        st.session_state[LIVE] = False
        st.rerun()  # the last job ended: redraw once without the timer


current = selection().dataset  # start on the sidebar's data set's kind
offered = FORECASTING if current in SERIES_KEYS else next(
    (name for name, (keys, *_) in KINDS.items() if current in keys), next(iter(KINDS)))  # fmt: skip
kind = st.segmented_control("What to train", [*KINDS, FORECASTING], default=offered, key="train_kind", required=True)
fields = forecast_start_ui() if kind == FORECASTING else start_ui(kind)
if fields:
    start(fields)
st.subheader("Jobs")
live = any(job.alive for job in jobs.list_jobs(loaders.store()))
st.session_state[LIVE] = live
st.fragment(jobs_view, run_every=REFRESH_SECONDS if live else None)()
