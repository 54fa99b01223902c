"""Stores for the dashboard tests, made by the real pipeline on generated data.

`trained_store` trains with the pipeline (`train_zoo`, in a subprocess) on tiny generated copies of
rt-polarity (2 classes; the quick zoo with a second seed of its GRUs, and the sweep zoo on a 40-example
cut) and NusaX (3 classes; the quick zoo, and its GRU in Keras too), every data set with its two baselines
(majority class, TF-IDF + logistic regression), the memory lab at two distances, the quick forecast zoo on
the real CO2 series (short windows, two epochs), and the language models of the small zoo on rt-polarity's
texts read character by character (`rt-polarity-chars`), and the small seq2seq zoo on `reverse-6` (60 pairs per
split), once per test run for every module and every worker
(`conftest.built_once`).
`damage` adds what a store meets in real life: a run still training, a failed
run, a run with no metrics, and done runs whose history, predictions or weights
are garbage.
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from contextlib import ExitStack
from pathlib import Path

from streamlit.testing.v1 import AppTest

import dashboard.pages
from conftest import built_once, reseal_checksums, write_nusax, write_rt_corpus
from pipelines.store import Store

PROJECT = Path(__file__).resolve().parent.parent
APP = PROJECT / "dashboard" / "app.py"
PAGES = {page.key: page.path for page in dashboard.pages.PAGES}  # every page of the app, by key
FORECAST_PAGES = ("forecasts", "forecaster_inside")  # forecasting data sets only: tests/test_forecast_dashboard.py
CLASSIFIER_PAGES = [page for page in PAGES if page not in FORECAST_PAGES]
FORECAST_DATASET = "co2"
RUNNING_RUN = "torch-lstm-bi-2x64-max-5ca1ab1e"
FAILED_RUN = "torch-rnn-uni-1x32-max-0badf00d"
FAILED_ERROR = "RuntimeError: <script>alert('x')</script> out of memory"
NO_METRICS_RUN = "torch-gru-uni-1x64-max-deadbeef"
SWEEP_LIMIT = 40
SWEEP_DATASET = f"rt-polarity-limit{SWEEP_LIMIT}"


TRAIN_SCRIPT = """
from pipelines.training.train import train_zoo
from pipelines.store import Store
store = Store({root!r})
for dataset, zoo, epochs, limit in (("rt-polarity", "quick", 2, None), ("nusax", "quick", 1, None),
                                    ("rt-polarity", "sweep", 1, {limit})):
    outcomes = train_zoo(store, dataset, zoo, ["torch"], device="cpu", overrides={{"epochs": epochs}},
                         data_dir={data!r}, limit=limit, show_progress=False)
    assert all(outcome.result == "trained" for outcome in outcomes), outcomes
    assert sum(store.run(dataset if limit is None else f"{{dataset}}-limit{{limit}}", o.run_id).task == "baseline"
               for o in outcomes) == 2
# A second seed of the rt-polarity GRUs: models trained more than once, for the seed spreads and intervals.
outcomes = train_zoo(store, "rt-polarity", "quick", ["torch"], device="cpu", overrides={{"epochs": 2}},
                     data_dir={data!r}, only=["gru-*"], seeds=2, show_progress=False)
assert sorted(outcome.result for outcome in outcomes) == ["skipped"] * 4 + ["trained"] * 2, outcomes
# One architecture in Keras too, for the Glass box's PyTorch vs Keras comparison.
outcomes = train_zoo(store, "nusax", "quick", ["keras"], device="cpu", overrides={{"epochs": 1}}, data_dir={data!r},
                     only=["gru-uni-*"], show_progress=False, baselines=False)  # trained with the PyTorch zoo
assert [outcome.result for outcome in outcomes] == ["trained"], outcomes
# The memory lab at two short distances (its gradients kept in each run's folder).
from pipelines.training.lab import train_lab
from pipelines.training.request import LabRequest
outcomes = train_lab(store, LabRequest(distances=tuple({lab_distances}), device="cpu", overrides={{"epochs": 2}},
                                       show_progress=False))
outcomes += train_lab(store, LabRequest(distances=(3,), distractors=True, device="cpu", overrides={{"epochs": 2}},
                                        show_progress=False))
assert all(outcome.result == "trained" for outcome in outcomes), outcomes
# Forecasters and their baselines on the real CO2 series (it ships inside statsmodels), cut small.
from pipelines.training.forecast import train_forecast_zoo
outcomes = train_forecast_zoo(store, "co2", "forecast-quick", device="cpu", overrides={{"epochs": 2}},
                              settings={{"lookback": 26, "horizon": 8}}, show_progress=False)
assert all(outcome.result == "trained" for outcome in outcomes), outcomes
# The same reviews read character by character: the language models and their n-gram baselines (the Write page).
from pipelines.training.language_models import train_language_models
outcomes = train_language_models(store, {corpus!r}, "charlm-small", device="cpu", overrides={{"epochs": 2}},
                                 data_dir={data!r}, show_progress=False)
assert all(outcome.result == "trained" for outcome in outcomes), outcomes
# Encoder-decoders without and with attention on a tiny generated task (Translate, The bottleneck).
from pipelines.training.seq2seq import train_seq2seq_zoo
outcomes = train_seq2seq_zoo(store, {pairs!r}, "seq2seq-small", device="cpu", overrides={{"epochs": 2}}, limit=60,
                             show_progress=False)
assert all(outcome.result == "trained" for outcome in outcomes), outcomes
"""
LAB_DISTANCES = (3, 6)  # the trained store's memory-lab sweep
KERAS_TWIN = "gru-uni-1x64-mean"  # its nusax runs: torch-... and keras-...
CORPUS = "rt-polarity-chars"
PAIRS = "reverse-6"  # its encoder-decoders' task (store key reverse-6-limit60)


def trained_store(tmp_path_factory) -> Path:
    """The session's store (see the module's docstring), trained once per test run for every worker."""
    return built_once(tmp_path_factory, "trained", train_store)


def data_of(root: Path) -> Path:
    """The generated data the session's store was trained on (beside it), for tests that train on it again."""
    return root.with_name(f"{root.name}-data")


def train_store(root: Path) -> None:
    """Train the session's store into `root`, its generated data beside it."""
    data = data_of(root)
    write_rt_corpus(data)
    write_nusax(data)
    # One process (PyTorch imported once) on one thread (no oversubscription on a shared machine).
    script = TRAIN_SCRIPT.format(root=str(root), data=str(data), limit=SWEEP_LIMIT, lab_distances=list(LAB_DISTANCES),
                                 corpus=CORPUS, pairs=PAIRS)  # fmt: skip
    environment = {**os.environ, "OMP_NUM_THREADS": "1"}
    result = subprocess.run([sys.executable, "-c", script], env=environment, cwd=PROJECT, capture_output=True,
                            text=True, timeout=600)  # fmt: skip
    assert result.returncode == 0, result.stdout + result.stderr


def copy_store(source: Path, target: Path, datasets=("rt-polarity", "nusax")) -> Path:
    for dataset in datasets:
        shutil.copytree(source / dataset, target / dataset)
    return target


def done_runs(root: Path, dataset: str = "rt-polarity", task: str = "classification") -> list[str]:
    """The finished runs of one kind (the recurrent classifiers by default), by run id."""
    return [record.run_id for record in Store(root).runs(dataset) if record.state == "done" and record.task == task]


def damage(root: Path, stack: ExitStack) -> dict[str, str]:
    """Add the runs a real store meets; the running one stays locked until `stack` closes."""
    store = Store(root)
    victims = done_runs(root)
    broken = {"history": victims[0], "predictions": victims[1], "weights": victims[2]}
    (store.run_dir("rt-polarity", broken["history"]) / "history.csv").write_text("garbage\n")
    (store.run_dir("rt-polarity", broken["predictions"]) / "predictions.csv").write_text("\x00\x01 not a table")
    (store.run_dir("rt-polarity", broken["weights"]) / "weights.safetensors").write_bytes(b"not safetensors")
    for run_id in broken.values():  # as if training had written the garbage: its damage shows only when read
        reseal_checksums(store.run_dir("rt-polarity", run_id))

    shutil.copytree(store.run_dir("rt-polarity", victims[3]), store.run_dir("rt-polarity", NO_METRICS_RUN))
    (store.run_dir("rt-polarity", NO_METRICS_RUN) / "metrics.json").unlink()

    with store.claim("rt-polarity", FAILED_RUN) as claim:
        claim.set_status("failed", error=FAILED_ERROR, traceback="Traceback (most recent call last): ...")

    claim = stack.enter_context(store.claim("rt-polarity", RUNNING_RUN))
    claim.set_status("running", progress=0.4, epoch=1, epochs=2, step=3, steps=4, elapsed=12.0)
    return broken


def open_page(page: str, timeout: float = 90, **query: str) -> AppTest:
    """The app opened at `page`'s address with `query` as its parameters, as a shared link opens it: one run, of
    that page (not the overview first)."""
    app = AppTest.from_file(str(APP), default_timeout=timeout)
    app.query_params.update(query)
    if page != "overview":
        app.switch_page(PAGES[page])
    return app.run()


# Before its first run AppTest knows a page by its file's name, and st.navigation by its url_path: the two must
# agree, or open_page would silently open the overview instead.
assert all(Path(entry.path).stem == entry.url_path for entry in dashboard.pages.PAGES if entry.key != "overview")


def problems(app: AppTest) -> list[str]:
    """Exceptions and error boxes on the page: an audience should see none of either."""
    return [f"exception: {e.value}" for e in app.exception] + [f"error: {e.value}" for e in app.error]


def assert_every_chart_described(app: AppTest, page: str) -> None:
    """Every chart on the page has a text alternative, its description in words as its accessible name, and its data
    one click away in a folded "The data" under it (issue 26, item 2; tests/test_chart_descriptions.py has the rest)."""
    import json

    from dashboard.describe import plain

    charts = app.get("plotly_chart")
    data = [expander for expander in app.expander if expander.label == "The data"]
    assert len(data) == len(charts), page  # one folded table under each chart
    assert not any(expander.proto.expanded for expander in data), page
    for chart in charts:
        words, title = chart.proto.alt, plain(json.loads(chart.proto.spec)["layout"].get("title", {}).get("text"))
        assert words.startswith(title) and len(words) > len(title) + 20, f"{page}: {words!r}"  # more than a title
        assert words.endswith(".") and "nan" not in words.split(), f"{page}: {words!r}"
