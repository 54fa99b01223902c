"""Faults and bad input through the command line: every damaged file is named, nothing else in the store is lost.

The store is the dashboard tests' (the quick zoo trained by the pipeline on generated rt-polarity and
NusaX, a Keras twin on NusaX), copied per test. Each finished run's files are damaged one at a time,
in the four ways files get damaged (cut short, emptied, overwritten with JSON of the wrong shape,
deleted); `list`, `explain`, `verify` and `top-words` must name the run and go on.
"""

from __future__ import annotations

import csv
import json
import shutil

import pytest

from dashboard.pages import PAGES as PAGE_ENTRIES
from dashboard_stores import PAGES, copy_store, data_of, done_runs, open_page, problems, trained_store
from pipelines.cli import main
from pipelines.store import Store
from read_only import make_read_only

RUN_FILES = ("spec.json", "status.json", "metrics.json", "history.csv", "predictions.csv", "weights.safetensors")
DAMAGES = ("truncated", "emptied", "wrong shape", "deleted")


def damage_file(path, how: str) -> None:
    if how == "truncated":
        path.write_bytes(path.read_bytes()[: max(path.stat().st_size // 2, 1)])
    elif how == "emptied":
        path.write_bytes(b"")
    elif how == "wrong shape":
        path.write_text("[1, 2]\n")
    else:
        path.unlink()


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    return trained_store(tmp_path_factory)


@pytest.fixture
def store(trained, tmp_path) -> Store:
    return Store(copy_store(trained, tmp_path / "store"))


def cli(store: Store, *args: str, capsys) -> tuple[int, str, str]:
    code = main(["--artifacts", str(store.root), *args])
    captured = capsys.readouterr()
    return code, captured.out, captured.err


def one_line_error(error: str, *needles: str) -> None:
    assert "Traceback" not in error and len(error.strip().splitlines()) == 1, error
    for needle in needles:
        assert needle in error, error


def listed(store: Store, capsys) -> dict[str, dict]:
    code, out, _ = cli(store, "list", "--json", capsys=capsys)
    assert code == 0
    return {row["run_id"]: row for row in json.loads(out)}


# -- every file of a finished run, damaged one at a time -------------------------------------------


@pytest.mark.parametrize("how", DAMAGES)
@pytest.mark.parametrize("name", [*RUN_FILES, "model.keras"])
def test_a_damaged_run_file_is_named_by_every_command_and_the_rest_goes_on(name, how, store, capsys):
    dataset = "nusax" if name == "model.keras" else "rt-polarity"
    runs = done_runs(store.root, dataset)
    victim = next(run for run in runs if run.startswith("keras-")) if name == "model.keras" else runs[0]
    healthy = next(run for run in runs if run != victim and run.startswith("torch-"))
    damage_file(store.run_dir(dataset, victim) / name, how)

    rows = listed(store, capsys)
    assert rows[victim]["state"] in ("corrupt", "interrupted") and rows[victim]["problem"], rows[victim]
    assert sum(row["state"] == "done" for row in rows.values()) == len(rows) - 1  # only the victim is out
    code, table, _ = cli(store, "list", capsys=capsys)
    assert code == 0 and victim in table and rows[victim]["problem"][:40] in table

    for command in (["explain", "--text", "A fine film."], ["verify", "--limit", "4"], ["top-words"]):
        code, _, error = cli(store, command[0], "--run", victim, *command[1:], capsys=capsys)
        assert code == 2, (command, error)
        one_line_error(error, victim)
    code, out, _ = cli(store, "explain", "--run", healthy, "--text", "A fine film.", "--methods", "saliency",
                       capsys=capsys)  # fmt: skip
    assert code == 0 and "prediction:" in out


@pytest.mark.parametrize("how", DAMAGES)
@pytest.mark.parametrize("name", ["top_words.json", "verify.json"])
def test_a_damaged_derived_file_is_made_again(name, how, store, capsys):
    run = done_runs(store.root)[0]
    assert cli(store, "verify", "--run", run, capsys=capsys)[0] == 0  # writes verify.json; top words exist
    damage_file(store.run_dir("rt-polarity", run) / name, how)
    assert listed(store, capsys)[run]["state"] == "done"  # derived files are caches, not the run
    code, out, _ = cli(store, "top-words" if name == "top_words.json" else "verify", "--run", run, capsys=capsys)
    assert code == 0 and out
    assert json.loads((store.run_dir("rt-polarity", run) / name).read_text())["run_id"] == run  # rewritten whole


@pytest.mark.parametrize("how", DAMAGES)
def test_a_damaged_vocabulary_is_named_and_train_rewrites_it(how, store, trained, capsys):
    run = done_runs(store.root)[0]
    damage_file(store.dataset_dir("rt-polarity") / "vocab.json", how)
    assert listed(store, capsys)[run]["state"] == "done"
    code, _, error = cli(store, "explain", "--run", run, "--text", "A fine film.", capsys=capsys)
    assert code == 2
    one_line_error(error, "rt-polarity/vocab.json")
    # Defect 4: training again (same data, nothing to train) rewrites the vocabulary the runs were trained with.
    code, out, _ = cli(store, "train", "--zoo", "quick", "--epochs", "2", "--data-dir", str(data_of(trained)),
                       "--quiet", "--no-top-words", capsys=capsys)  # fmt: skip
    assert code == 0 and "0 trained, 9 skipped" in out  # the seven models and the two baselines
    assert cli(store, "explain", "--run", run, "--text", "A fine film.", capsys=capsys)[0] == 0


@pytest.mark.parametrize("name", ["dataset.json", "test.parquet"])
def test_a_damaged_data_set_file_is_named(name, store, capsys):
    run = done_runs(store.root)[0]
    damage_file(store.dataset_dir("rt-polarity") / name, "truncated")
    code, _, error = cli(store, "verify", "--run", run, "--limit", "3", capsys=capsys)
    if name == "test.parquet":
        assert code == 2
        one_line_error(error, "test texts of rt-polarity")
    else:
        assert code == 0  # verify reads the run's own spec and the test texts, not the card
    assert listed(store, capsys)[run]["state"] == "done" or name == "dataset.json"


# -- defect 6: truncated weights are corrupt everywhere, and train redoes the run --------------------------------


def test_truncated_weights_make_the_run_corrupt_and_train_redoes_it(store, trained, capsys):
    victim = next(run for run in done_runs(store.root) if run.startswith("torch-gru-uni-"))
    weights = store.run_dir("rt-polarity", victim) / "weights.safetensors"
    size = weights.stat().st_size
    with open(weights, "r+b") as handle:
        handle.truncate(size - 1000)
    row = listed(store, capsys)[victim]
    assert row["state"] == "corrupt" and "weights.safetensors has" in row["problem"]
    for command in (["explain", "--text", "fine"], ["verify"]):
        code, _, error = cli(store, command[0], "--run", victim, *command[1:], capsys=capsys)
        assert code == 2
        one_line_error(error, victim, "corrupt", "weights.safetensors")
    code, out, _ = cli(store, "train", "--zoo", "quick", "--epochs", "2", "--data-dir", str(data_of(trained)),
                       "--only", "gru-uni-*", "--seeds", "2", "--quiet", "--no-top-words", capsys=capsys)  # fmt: skip
    assert code == 0 and "1 trained, 3 skipped" in out  # the two baselines and the other seed were there already
    assert listed(store, capsys)[victim]["state"] == "done" and weights.stat().st_size == size


def test_a_flipped_byte_in_the_weights_is_caught_by_the_checksum(store, capsys):
    victim = done_runs(store.root)[0]
    weights = store.run_dir("rt-polarity", victim) / "weights.safetensors"
    data = bytearray(weights.read_bytes())
    data[-1] ^= 0xFF  # same size, one weight changed
    weights.write_bytes(bytes(data))
    row = listed(store, capsys)[victim]
    assert row["state"] == "corrupt" and "checksum" in row["problem"]


# -- defect 5: a changed data copy never replaces the vocabulary the runs depend on --------------------------


def cut_nusax_copy(source, target) -> None:
    """A NusaX copy whose training CSV is cut at a line boundary (a truncated download, say)."""
    shutil.copytree(source, target)
    train = target / "nusax-sentiment" / "indonesian" / "train.csv"
    with open(train, newline="", encoding="utf-8") as handle:
        rows = list(csv.reader(handle))
    with open(train, "w", newline="", encoding="utf-8") as handle:
        csv.writer(handle).writerows(rows[: len(rows) // 2])


@pytest.mark.parametrize("epochs", ["0", "1"])
def test_a_truncated_data_copy_changes_nothing_in_the_store(epochs, store, trained, tmp_path, capsys):
    cut_nusax_copy(data_of(trained), tmp_path / "cut")
    folder = store.dataset_dir("nusax")
    before = {name: (folder / name).read_bytes() for name in ("vocab.json", "dataset.json", "test.parquet")}
    folders = {path.name for path in folder.iterdir() if path.is_dir()}
    code, _, error = cli(store, "train", "--dataset", "nusax", "--zoo", "quick", "--epochs", epochs,
                         "--data-dir", str(tmp_path / "cut"), "--quiet", capsys=capsys)  # fmt: skip
    assert code == 2
    one_line_error(error, "epochs" if epochs == "0" else "differs from the copy")
    assert {name: (folder / name).read_bytes() for name in before} == before
    assert {path.name for path in folder.iterdir() if path.is_dir()} == folders  # no new run folder either
    run = done_runs(store.root, "nusax")[0]
    assert cli(store, "explain", "--run", run, "--text", "bagus sekali", capsys=capsys)[0] == 0


# -- defect 7: messages, not tracebacks -------------------------------------------------------------------------


def test_bad_paths_and_settings_are_one_clear_line(store, tmp_path, capsys):
    a_file = tmp_path / "a-file"
    a_file.write_text("not a store")
    assert main(["--artifacts", str(a_file), "list"]) == 2
    one_line_error(capsys.readouterr().err, "is a file, not a store folder")
    assert main(["--artifacts", str(a_file), "train", "--epochs", "1"]) == 2
    one_line_error(capsys.readouterr().err, "is a file")
    code, _, error = cli(store, "train", "--data-dir", str(tmp_path / "no-such-folder"), "--epochs", "1",
                         capsys=capsys)  # fmt: skip
    assert code == 2
    one_line_error(error, "--data-dir", "is not a folder")
    code, _, error = cli(store, "list", "--dataset", "../../etc", capsys=capsys)
    assert code == 2
    one_line_error(error, "not a data set key")
    code, _, error = cli(store, "train", "--epochs", "0", capsys=capsys)
    assert code == 2 and not (store.root / "rt-polarity-limit5").exists()
    one_line_error(error, "epochs")


# -- a read-only store: every read path works, writers say why they cannot ------------------------------------


def test_a_read_only_store_serves_every_read_command(store, trained, monkeypatch, capsys):
    run = done_runs(store.root)[0]
    with store.claim("rt-polarity", "torch-rnn-uni-1x8-max-00000000") as claim:
        claim.set_status("running", progress=0.5)  # interrupted once the claim ends: lock file, no live holder
    make_read_only(monkeypatch, store.root)
    rows = listed(store, capsys)
    assert rows["torch-rnn-uni-1x8-max-00000000"]["state"] == "interrupted" and rows[run]["state"] == "done"
    for command in (["explain", "--text", "A fine film."], ["verify", "--limit", "5"], ["top-words"]):
        code, out, error = cli(store, command[0], "--run", run, *command[1:], capsys=capsys)
        assert code == 0 and out and not error, (command, error)
    # Work whose cache cannot be kept still answers, and says so.
    for command in (["verify"], ["top-words", "--refresh"]):
        code, out, error = cli(store, command[0], "--run", run, *command[1:], capsys=capsys)
        assert code == 0 and out and "not kept in the store" in out + error, (command, out, error)
    code, _, error = cli(store, "train", "--zoo", "quick", "--epochs", "2", "--data-dir", str(data_of(trained)),
                         "--quiet", capsys=capsys)  # fmt: skip
    assert code == 2
    one_line_error(error, "Read-only file system")


# -- the dashboard: every page, on a store with every kind of damage at once, and on a read-only store ----------


def damage_copies(store: Store) -> list[str]:
    """One copy of a finished run per (file, damage), each damaged in its one way."""
    source = done_runs(store.root)[0]
    victims = []
    for name in RUN_FILES:
        for how in DAMAGES:
            run_id = f"{source}-{name.split('.')[0].replace('_', '')}-{how.replace(' ', '')}"
            shutil.copytree(store.run_dir("rt-polarity", source), store.run_dir("rt-polarity", run_id))
            damage_file(store.run_dir("rt-polarity", run_id) / name, how)
            victims.append(run_id)
    return victims


@pytest.fixture
def app_store(store, monkeypatch) -> Store:
    monkeypatch.setenv("RNNLENS_ARTIFACTS", str(store.root))
    return store


CLASSIFIER_PAGES = [page.key for page in PAGE_ENTRIES if page.section in ("Results", "Models")]
OTHER_KINDS_PAGES = [page.key for page in PAGE_ENTRIES if page.key not in CLASSIFIER_PAGES and page.key != "train"]


@pytest.mark.parametrize("page", OTHER_KINDS_PAGES)
def test_pages_of_other_kinds_draw_beside_damaged_classifiers(page, app_store):
    """The lab's and the forecasters' pages read runs of their own kind: damaged classifiers are not theirs to
    name (their own damage tests are in test_dashboard.py and test_forecast_dashboard.py), but must not break them."""
    damage_copies(app_store)
    app = open_page(page)
    assert not app.exception, [e.value for e in app.exception]


@pytest.mark.parametrize("page", CLASSIFIER_PAGES)
def test_every_page_names_each_damaged_run_and_draws_the_rest(page, app_store):
    victims = damage_copies(app_store)
    app = open_page(page)
    assert not app.exception, [e.value for e in app.exception]
    notes = "\n".join(str(element.value) for element in (*app.warning, *app.error, *app.info))
    assert sum(victim in notes for victim in victims) == 4 and f"and {len(victims) - 4} more" in notes
    if page == "overview":
        tables = {tuple(frame.value.columns)[0]: frame.value for frame in app.dataframe}
        assert len(tables["model"]) == 9  # the leaderboard: the seven good models (seeds as one) and two baselines
        left_out = tables["run id"]  # every run not on it, with its reason
        assert set(victims) <= set(left_out["run id"]) and left_out["problem"].str.len().min() > 0
    elif page in ("training", "evaluation", "compare", "top_words"):
        assert app.get("plotly_chart")
    elif page == "playground":
        assert len(app.dataframe[0].value) == 11  # every good run answers: 9 models (2 seeds of the GRUs), 2 baselines


@pytest.mark.parametrize("page", PAGES)
def test_every_page_reads_a_read_only_store(page, app_store, monkeypatch):
    make_read_only(monkeypatch, app_store.root)
    app = open_page(page)
    assert not problems(app) and app.title[0].value
    drawn = app.get("plotly_chart") or app.get("html") or app.get("latex")
    # The form, a page with nothing measured or built yet, and the pages of other kinds show a note, not a chart.
    assert drawn or page in ("train", "deploy", "report", *OTHER_KINDS_PAGES)
