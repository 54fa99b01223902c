"""Nothing forged is served: every file of a finished run of every kind, edited, truncated or deleted.

One tiny run of each kind (classification, baseline, memory, forecasting, generation, n-gram, seq2seq) is trained
once for the module, on generated data, one epoch. Each case restores the run from that pristine copy,
damages one file, and asks `list --json`: the run must read as corrupt or unverified with a reason naming
what is wrong, none of its figures may be listed, and the store must hand it out to be trained again
(`Store.claim`, which is how `train` decides to redo a run); one test trains damaged runs again for real.
"""

from __future__ import annotations

import json
import os
import shutil

import numpy as np
import pandas as pd
import pytest

from conftest import reseal_checksums, write_rt_corpus
from pipelines.cli import main
from pipelines.files import read_json, write_json
from pipelines.store import Store

LIMIT = 40  # examples per split of the generated reviews
TEXT = f"rt-polarity-limit{LIMIT}"
CORPUS = "rt-polarity-chars"
KINDS = ("classification", "baseline", "memory", "forecasting", "generation", "ngram", "seq2seq")
PAIRS = "reverse-6"  # an encoder-decoder's task, 20 pairs per split
DAMAGES = ("wrong values", "same size, mtime restored", "truncated", "deleted")


@pytest.fixture(scope="module")
def pristine(tmp_path_factory):
    """A store with one finished run of every kind (and a derived file), trained once; never changed."""
    from pipelines.training.forecast import train_forecast_zoo
    from pipelines.training.language_models import train_language_models
    from pipelines.training.seq2seq import train_seq2seq_zoo
    from pipelines.training.train import train_zoo

    base = tmp_path_factory.mktemp("tamper")
    data, store = base / "data", Store(base / "store")
    write_rt_corpus(data)
    quiet = dict(device="cpu", overrides={"epochs": 1}, show_progress=False)
    train_zoo(store, "rt-polarity", "quick", ["torch"], data_dir=data, limit=LIMIT, only=["gru-uni-1x64-mean"],
              words=False, **quiet)  # with its two baselines  # fmt: skip
    train_zoo(store, "memory-d3", "memory", ["torch"], only=["gru-uni-1x64"], words=False, **quiet)
    months = pd.date_range("2000-01-01", periods=96, freq="MS")
    values = 10 + np.sin(np.arange(96) * 2 * np.pi / 12) + np.arange(96) * 0.05
    pd.DataFrame({"month": months.strftime("%Y-%m-%d"), "sales": values}).to_csv(data / "sales.csv", index=False)
    train_forecast_zoo(store, str(data / "sales.csv"), "forecast-quick", settings={"lookback": 12, "horizon": 4},
                       only=["naive", "gru*"], **quiet)  # fmt: skip
    train_language_models(store, CORPUS, "charlm-small", data_dir=data, only=["2gram", "gru-1x64"], **quiet)
    train_seq2seq_zoo(store, PAIRS, "seq2seq-small", limit=20, only=["gru-additive-*"], **quiet)
    runs = {}
    for record in store.runs():
        assert record.state == "done", (record.run_id, record.problem)
        kind = record.task if record.framework != "baseline" or record.task != "forecasting" else "forecast baseline"
        if kind == "baseline" and "majority" in record.run_id:
            continue  # the TF-IDF baseline has weights and features worth forging
        runs.setdefault(kind, record)
    assert set(runs) == {*KINDS, "forecast baseline"}, sorted(runs)
    top = runs["classification"]
    store.write_derived_json(top.dataset, top.run_id, "top_words.json", {"positive": ["good"]})  # a derived file
    return base, {kind: (record.dataset, record.run_id) for kind, record in runs.items()}


@pytest.fixture(scope="module")
def working(pristine, tmp_path_factory):
    """One copy of the store for the module's cases; each case puts its victim back from the pristine one."""
    base, runs = pristine
    root = tmp_path_factory.mktemp("working") / "store"
    shutil.copytree(base / "store", root)
    return Store(root), runs


def restore(store: Store, pristine_root, dataset: str, run_id: str):
    target = store.run_dir(dataset, run_id)
    shutil.rmtree(target)
    shutil.copytree(pristine_root / "store" / dataset / run_id, target)
    return target


def listed(store: Store, capsys) -> dict[str, dict]:
    capsys.readouterr()
    assert main(["--artifacts", str(store.root), "list", "--json"]) == 0
    return {row["run_id"]: row for row in json.loads(capsys.readouterr().out)}


def figures(row: dict) -> dict:
    """The scores a row serves (the headline metrics, parameters, time, epochs)."""
    skip = {"dataset", "run_id", "task", "framework", "state", "progress", "problem"}
    return {name: value for name, value in row.items() if name not in skip and value is not None}


def edit_values(path, kind: str) -> None:
    """Valid content of the right shape, with wrong values: what a careless or hostile hand writes."""
    if path.name == "spec.json":  # a changed architecture or scaler: every prediction changes
        spec = read_json(path)
        model = spec["model"]
        numbers = [name for name, value in model.items() if type(value) in (int, float)]
        field = next((name for name in ("scaler_mean", "hidden_size") if name in numbers), numbers[0])
        model[field] = model[field] * 3 + 1
        write_json(path, spec)
    elif path.name == "metrics.json":
        metrics = read_json(path)
        for name in ("accuracy", "bits_per_character", "exact_match"):
            if name in metrics:
                metrics[name] = -1.0 if name == "bits_per_character" else 2.0
        if "overall" in metrics:
            metrics["overall"]["rmse"] = -1.0
        write_json(path, metrics)
    elif path.name == "status.json":
        status = read_json(path)
        status.pop("files")  # checksums switched off
        write_json(path, status)
    elif path.suffix == ".json":
        document = read_json(path)
        forged = {**{key: 7.5 for key in document}, "forged": 7.5} if isinstance(document, dict) else [7.5]
        write_json(path, forged)
    elif path.suffix == ".csv":
        frame = pd.read_csv(path)
        numeric = frame.select_dtypes("number").columns
        frame[numeric] = frame[numeric] * 2 + 1
        frame.to_csv(path, index=False)
    else:  # weights: other numbers of the same length
        data = bytearray(path.read_bytes())
        data[-64:] = bytes(64)
        path.write_bytes(bytes(data))


def same_size_edit(path) -> None:
    """Change a byte in the middle, keep the size, and set the modification time back."""
    facts = os.stat(path)
    data = bytearray(path.read_bytes())
    middle = len(data) // 2
    data[middle] = ord("7") if data[middle] != ord("7") else ord("8")
    path.write_bytes(bytes(data))
    os.utime(path, ns=(facts.st_atime_ns, facts.st_mtime_ns))
    assert os.stat(path).st_size == facts.st_size and os.stat(path).st_mtime_ns == facts.st_mtime_ns


def cases():
    """(kind, file, damage) for every file a finished run of each kind has (checked against the store below)."""
    files = {
        "classification": ["spec.json", "status.json", "metrics.json", "history.csv", "predictions.csv",
                           "weights.safetensors"],
        "memory": ["spec.json", "status.json", "metrics.json", "history.csv", "predictions.csv",
                   "weights.safetensors"],
        "baseline": ["spec.json", "status.json", "metrics.json", "predictions.csv", "features.json",
                     "weights.safetensors"],
        "forecasting": ["spec.json", "status.json", "metrics.json", "history.csv", "predictions.csv",
                        "weights.safetensors"],
        "forecast baseline": ["spec.json", "status.json", "metrics.json", "predictions.csv", "baseline.json"],
        "generation": ["spec.json", "status.json", "metrics.json", "history.csv", "weights.safetensors"],
        "ngram": ["spec.json", "status.json", "metrics.json", "ngram.safetensors"],
        "seq2seq": ["spec.json", "status.json", "metrics.json", "history.csv", "predictions.csv",
                    "weights.safetensors"],
    }  # fmt: skip
    return [(kind, name, damage) for kind, names in files.items() for name in names for damage in DAMAGES]


def test_the_cases_cover_every_file_of_every_kind(working):
    store, runs = working
    covered = {}
    for kind, name, _ in cases():
        covered.setdefault(kind, set()).add(name)
    for kind, (dataset, run_id) in runs.items():
        derived = set(store.run(dataset, run_id).status.derived or {})  # caches: the test below
        on_disk = {path.name for path in store.run_dir(dataset, run_id).iterdir()
                   if path.is_file() and not path.name.startswith(".")}  # fmt: skip
        assert on_disk - derived <= covered[kind], (kind, on_disk - covered[kind])


@pytest.mark.parametrize("kind, name, damage", cases())
def test_a_damaged_file_makes_its_run_corrupt_or_unverified_everywhere(kind, name, damage, working, pristine,
                                                                       capsys):  # fmt: skip
    store, runs = working
    dataset, run_id = runs[kind]
    folder = restore(store, pristine[0], dataset, run_id)
    assert listed(store, capsys)[run_id]["state"] == "done"  # read once: the checksums are remembered
    path = folder / name
    if not path.exists():
        pytest.skip(f"a {kind} run has no {name} here")
    if damage == "wrong values":
        edit_values(path, kind)
    elif damage == "same size, mtime restored":
        same_size_edit(path)
    elif damage == "truncated":
        path.write_bytes(path.read_bytes()[: path.stat().st_size // 2])
    else:
        path.unlink()

    row = listed(store, capsys)[run_id]
    assert row["state"] in ("corrupt", "unverified"), row
    assert row["problem"], row
    if name != "status.json":  # an edited status.json may name the file whose recorded checksum it changed
        assert (name if row["state"] == "corrupt" else "checksums") in row["problem"], row
    assert figures(row) == {}, row  # no score of a damaged run is served
    assert store.run(dataset, run_id).metrics is None
    with store.claim(dataset, run_id) as claim:
        assert claim is not None  # `train` redoes it


@pytest.mark.parametrize("kind", KINDS)
def test_impossible_figures_are_refused_even_with_matching_checksums(kind, working, pristine, capsys):
    """A forger who recomputes the checksums still meets the ranges: accuracy in [0, 1], errors >= 0, ..."""
    store, runs = working
    dataset, run_id = runs[kind]
    folder = restore(store, pristine[0], dataset, run_id)
    metrics = read_json(folder / "metrics.json")
    if "overall" in metrics:
        metrics["overall"]["rmse"] = -1.0
    elif "bits_per_character" in metrics:
        metrics["accuracy"] = 2.0
    elif "exact_match" in metrics:
        metrics["by_length"][0]["token_accuracy"] = 1.5  # deep inside: each length bucket is range-checked too
    else:
        metrics.update(f1_macro=-3.0, roc_auc=float("nan"))
    (folder / "metrics.json").write_text(json.dumps(metrics))  # NaN as JSON writes it
    reseal_checksums(folder)
    row = listed(store, capsys)[run_id]
    assert row["state"] == "corrupt" and "metrics.json has an impossible value" in row["problem"], row
    assert figures(row) == {}
    with store.claim(dataset, run_id) as claim:
        assert claim is not None  # `train` redoes it


def test_a_run_whose_checksums_were_removed_is_unverified_and_not_served(working, pristine, capsys):
    store, runs = working
    dataset, run_id = runs["classification"]
    folder = restore(store, pristine[0], dataset, run_id)
    status = read_json(folder / "status.json")
    write_json(folder / "status.json", {**status, "files": None})
    write_json(folder / "metrics.json", {**read_json(folder / "metrics.json"), "accuracy": 0.999})
    row = listed(store, capsys)[run_id]
    assert row["state"] == "unverified" and "records no checksums" in row["problem"] and figures(row) == {}
    capsys.readouterr()
    assert main(["--artifacts", str(store.root), "list"]) == 0
    text = capsys.readouterr().out
    assert "unverified" in text and "records no checksums" in text and "0.999" not in text


@pytest.mark.parametrize("damage", DAMAGES)
def test_a_damaged_derived_file_is_never_served(damage, working, pristine, capsys):
    """A cache computed from a done run (top words here; verify.json, deploy.json alike) is not the run: the run
    stays done, and the damaged cache is not read (its reader computes it again: tests/test_faults.py)."""
    store, runs = working
    dataset, run_id = runs["classification"]
    path = restore(store, pristine[0], dataset, run_id) / "top_words.json"
    assert store.read_derived_json(dataset, run_id, "top_words.json") == {"positive": ["good"]}
    if damage == "wrong values":
        write_json(path, {"positive": ["awful"]})
    elif damage == "same size, mtime restored":
        same_size_edit(path)
    elif damage == "truncated":
        path.write_bytes(path.read_bytes()[:5])
    else:
        path.unlink()
    assert listed(store, capsys)[run_id]["state"] == "done"
    assert store.read_derived_json(dataset, run_id, "top_words.json") is None


def test_a_derived_file_is_served_only_when_the_run_vouches_for_it(working, pristine):
    """A deploy.json (or any cache) dropped into a run's folder by hand is not read; one the store wrote is."""
    from pipelines.deploy.report import DeployReport, cached_report

    store, runs = working
    dataset, run_id = runs["classification"]
    restore(store, pristine[0], dataset, run_id)
    assert store.read_derived_json(dataset, run_id, "top_words.json") == {"positive": ["good"]}
    report = {"run_id": run_id, "dataset": dataset, "label": "GRU", "cell": "gru", "settings": {}, "examples": 10,
              "variants": [{"name": "float", "title": "float", "accuracy": 7.5, "latency_p50_ms": -1.0}]}
    write_json(store.run_dir(dataset, run_id) / "deploy.json", report)
    assert store.read_derived_json(dataset, run_id, "deploy.json") is None  # not recorded: not served
    assert store.run(dataset, run_id).state == "done"  # a stray file harms nothing
    store.write_derived_json(dataset, run_id, "deploy.json", report)  # recorded, but impossible figures
    assert cached_report(store, store.run(dataset, run_id)) is None  # measured again, never printed
    with pytest.raises(ValueError, match="less than or equal to 1"):
        DeployReport.model_validate(report)


def test_train_redoes_damaged_runs_of_every_kind(pristine, tmp_path, capsys):
    from pipelines.training.forecast import train_forecast_zoo
    from pipelines.training.language_models import train_language_models
    from pipelines.training.seq2seq import train_seq2seq_zoo
    from pipelines.training.train import train_zoo

    base, runs = pristine
    store = Store(tmp_path / "store")
    shutil.copytree(base / "store", store.root)
    data = base / "data"
    for kind, (dataset, run_id) in runs.items():
        metrics = store.run_dir(dataset, run_id) / "metrics.json"
        metrics.write_text(metrics.read_text().replace("0", "1", 1))
        assert store.run(dataset, run_id).state == "corrupt"
    quiet = dict(device="cpu", overrides={"epochs": 1}, show_progress=False)
    train_zoo(store, "rt-polarity", "quick", ["torch"], data_dir=data, limit=LIMIT, only=["gru-uni-1x64-mean"],
              words=False, **quiet)  # fmt: skip
    train_zoo(store, "memory-d3", "memory", ["torch"], only=["gru-uni-1x64"], words=False, **quiet)
    train_forecast_zoo(store, str(data / "sales.csv"), "forecast-quick", settings={"lookback": 12, "horizon": 4},
                       only=["naive", "gru*"], **quiet)  # fmt: skip
    train_language_models(store, CORPUS, "charlm-small", data_dir=data, only=["2gram", "gru-1x64"], **quiet)
    train_seq2seq_zoo(store, PAIRS, "seq2seq-small", limit=20, only=["gru-additive-*"], **quiet)
    for kind, (dataset, run_id) in runs.items():
        assert store.run(dataset, run_id).state == "done", kind
