"""The report to take home: a self-contained HTML file that draws offline in Chromium, a PDF printed from it,
reports of no runs and of a hundred, and bad input answered in one line.

The reports are made in this process by the report's own entry point (`python -m pipelines report` runs it in a
child: tests/test_end_to_end.py and the megabyte test below go that way), each once per module (`made`)."""

from __future__ import annotations

import re
import shutil
import subprocess
import unicodedata
from html import unescape
from pathlib import Path

import pytest

from conftest import in_this_process, reseal_checksums
from dashboard import chromium
from dashboard_stores import copy_store, done_runs, trained_store
from test_dashboard_browser import needs_chromium
from pipelines.files import read_json, write_json
from pipelines.store import Store

HOSTILE = '<img src=x onerror="window.pwned=1">A <b>wonderful</b>, moving film'


@pytest.fixture(scope="module")
def trained(tmp_path_factory):
    return trained_store(tmp_path_factory)


def report(root: Path, out: Path, *options: str, check: bool = True) -> subprocess.CompletedProcess:
    """The report the child of `python -m pipelines report` writes, made in this process (conftest.in_this_process)."""
    from dashboard.report.__main__ import main

    result = in_this_process(main, "--artifacts", str(root), "--out", str(out), *options)
    if check:
        assert result.returncode == 0, result.stdout + result.stderr
    return result


@pytest.fixture(scope="module")
def made(trained, tmp_path_factory):
    """made(name, *options) -> (the report's path, what the command said): each report of the session's store made
    once for every test that reads it (`name` is the file's name: .html or .pdf)."""
    reports: dict[tuple, tuple[Path, str]] = {}

    def make(name: str, *options: str) -> tuple[Path, str]:
        if (name, options) not in reports:
            out = tmp_path_factory.mktemp("report") / name
            reports[name, options] = out, report(trained, out, *options).stdout
        return reports[name, options]

    return make


def sections(html: str) -> list[str]:
    return re.findall(r"<h2[^>]*>(.*?)</h2>", html)


def described(html: str) -> list[str]:
    """Every chart's description, after checking the page's accessibility (issue 26): the document's language and
    title, headings in order without a skipped level, and each chart an image named by its words, which its caption
    shows on screen too."""
    assert re.search(r'<html lang="en">', html) and re.search(r"<title>[^<]+</title>", html)
    levels = [int(level) for level in re.findall(r"<h([1-6])\b", html)]
    assert levels[0] == 1 and levels.count(1) == 1 and all(b <= a + 1 for a, b in zip(levels, levels[1:]))
    figures = re.findall(r'<figure class="figure"><div role="img" aria-label="([^"]+)">.*?'
                         r"<figcaption>(.*?)</figcaption></figure>", html, flags=re.DOTALL)  # fmt: skip
    assert len(figures) == plotly_data(html).count('class="plotly-graph-div"') > 0
    for words, caption in figures:
        assert caption.endswith(f'<span class="words">{words}</span>') and len(unescape(words)) > 20
    return [unescape(words) for words, _ in figures]


def test_the_html_report_holds_every_part_the_issue_lists(trained, made):
    out, said = made("report.html", "--dataset", "rt-polarity", "--text", HOSTILE)
    assert "wrote" in said
    html = out.read_text()
    assert sections(html) == ["Summary", "The data", "Leaderboard", "Training", "Evaluation", "Architectures",
                              "Which differences are real?", "Why a model decided", "The runs"]  # fmt: skip
    for run_id in done_runs(trained) + done_runs(trained, task="baseline"):
        assert run_id in html  # the exact ids
    assert str(trained.resolve()) in html and re.search(r"made \d{4}-\d{2}-\d{2} \d{2}:\d{2}", html)
    assert "TF-IDF + logistic regression reaches" in html and "95% interval" in html
    assert "points of accuracy" in html and "McNemar" in html  # the significance sentences
    assert "<img src=x" not in html and "&lt;img src=x" in html  # the typed text, escaped everywhere
    assert not re.search(r"<(script|link|img)[^>]+(src|href)=", html)  # plotly.js inline, nothing fetched


@pytest.mark.browser
def test_the_html_report_draws_every_chart_in_chromium_with_the_network_blocked(made):
    needs_chromium()
    from playwright.sync_api import sync_playwright

    out, _ = made("report.html", "--dataset", "rt-polarity", "--text", HOSTILE)
    outside, errors = [], []
    with sync_playwright() as playwright:
        browser = chromium.launch(playwright)
        page = browser.new_page()
        page.on("pageerror", lambda error: errors.append(str(error)))

        def only_the_file(route):
            if route.request.url.startswith("file:"):
                route.continue_()
            else:
                outside.append(route.request.url)
                route.abort()

        page.route("**/*", only_the_file)
        page.goto(out.as_uri())
        page.wait_for_function("() => Array.from(document.querySelectorAll('.plotly-graph-div'))"
                               ".every(div => div.querySelector('.main-svg'))", timeout=60_000)  # fmt: skip
        charts = page.locator(".plotly-graph-div").count()
        drawn = page.locator(".plotly-graph-div .main-svg").count()
        traces = page.evaluate("() => Array.from(document.querySelectorAll('.plotly-graph-div'))"
                               ".map(div => div.data.length)")  # fmt: skip
        pwned = page.evaluate("() => window.pwned")
        images = page.locator("img").count()
        visible = page.inner_text("#explanation")
        browser.close()
    assert not outside and not errors
    assert charts >= 15 and drawn >= charts and all(count > 0 for count in traces)
    assert pwned is None and images == 0 and '<img src=x onerror="window.pwned=1">' in visible


@pytest.mark.browser
def test_the_pdf_has_a_page_per_section_but_a_full_first_page_and_the_run_ids(trained, made):
    """Each section opens a page, but the short summary and data, which the leaderboard follows on (issue 22,
    defect 8: the first page was the title and three sentences)."""
    needs_chromium()
    from pypdf import PdfReader

    (html_out, _), (pdf_out, _) = made("report.html", "--dataset", "nusax"), made("report.pdf", "--dataset", "nusax")
    titles = sections(html_out.read_text())
    pages = [unicodedata.normalize("NFKC", page.extract_text()) for page in PdfReader(pdf_out).pages]  # "ﬁ": fi
    starts = [next(index for index, text in enumerate(pages) if text.lstrip().splitlines()[0].startswith(title)
                   or (index == 0 and title in text)) for title in titles]  # fmt: skip
    assert titles[:3] == ["Summary", "The data", "Leaderboard"] and starts[:2] == [0, 0]  # a full first page
    assert starts == sorted(starts) and len(set(starts[2:])) == len(titles) - 2  # the others each open a page
    assert len(titles) - 2 <= len(pages) <= 3 * len(titles)
    assert pages[0].count("NusaX") and f"1 / {len(pages)}" in pages[0]
    text = "".join(pages).replace("\n", "")
    for run_id in done_runs(trained, "nusax") + done_runs(trained, "nusax", task="baseline"):
        assert run_id in text


def test_a_store_without_finished_runs_still_gets_a_report(trained, tmp_path):
    root = tmp_path / "bare"
    (root / "rt-polarity").mkdir(parents=True)
    for name in ("dataset.json", "vocab.json", "test.parquet"):
        shutil.copy(trained / "rt-polarity" / name, root / "rt-polarity" / name)
    out = tmp_path / "empty.html"
    report(root, out, "--dataset", "rt-polarity")
    html = out.read_text()
    assert sections(html) == ["Summary", "The data", "The runs"]
    assert "No finished classifier run of rt-polarity" in html and "0 finished runs" in html


def test_a_hundred_runs_fill_the_tables_and_each_is_tested_against_the_best(trained, tmp_path):
    """Seeds and widths cloned from one real run (the same predictions), a failed run and a run without
    predictions: every run is in the tables, the left-out ones are named, the charts draw a handful."""
    root = copy_store(trained, tmp_path / "many", datasets=("rt-polarity",))
    store = Store(root)
    source = done_runs(root)[0]
    clones = 100 - len(store.runs("rt-polarity"))
    for index in range(clones):
        clone = root / "rt-polarity" / f"{source}-clone{index:03d}"
        shutil.copytree(root / "rt-polarity" / source, clone)
        spec = read_json(clone / "spec.json")
        spec["training"]["seed"] = 1000 + index
        if index % 4 == 0:  # every fourth a model of its own width: 20 more models, each with its seed
            spec["model"]["hidden_size"] = 100 + index
        write_json(clone / "spec.json", spec)
        reseal_checksums(clone)  # a seed of its own, on purpose
    (root / "rt-polarity" / f"{source}-clone001" / "predictions.csv").write_text("\x00 not a table")
    reseal_checksums(root / "rt-polarity" / f"{source}-clone001")  # its table must be read to be found damaged
    write_json(root / "rt-polarity" / f"{source}-clone002" / "status.json",
               {"state": "failed", "error": "<script>alert(1)</script> OOM"})  # an error is data, never markup
    out = tmp_path / "many.html"
    result = report(root, out, "--dataset", "rt-polarity", "--explain-run", source, "--resamples", "300")
    assert "left out 2" in result.stdout
    html = out.read_text()
    runs_table = html[html.index('id="runs"'):]
    assert all(f"{source}-clone{index:03d}" in runs_table for index in range(clones))  # kept, or named as left out
    assert "the test predictions of" in runs_table and "failed: &lt;script&gt;alert(1)&lt;/script&gt; OOM" in runs_table
    assert "<script>alert(1)" not in html
    assert "each is compared with the best" in html
    assert html.count('class="plotly-graph-div"') < 60  # curves and matrices for the best models only


@pytest.mark.parametrize("options,message", [
    (["--out", "report.docx"], "--out must end in .html or .pdf"),
    (["--dataset", "mnist"], "no data set 'mnist'"),
    (["--runs", "torch-nothing-00000000"], "no run 'torch-nothing-00000000'"),
    (["--text", "   "], "--text is empty"),
    (["--explain-run", "sklearn-majority-00000000"], "is not a finished recurrent run"),
])  # fmt: skip
def test_bad_input_is_one_line_and_exit_status_2(options, message, trained, tmp_path, capsys):
    """In this process (the command runs the same `main` in a child): one line, status 2, no file written."""
    from pipelines.cli import main as pipelines_main
    from dashboard.report.__main__ import main

    out = ["--out", str(tmp_path / "r.html")] if "--out" not in options else []
    arguments = ["--artifacts", str(trained), *out, *options]
    status = pipelines_main([arguments[0], arguments[1], "report", *arguments[2:]]) if "--out" in options else \
        main(arguments)  # fmt: skip
    error = capsys.readouterr().err
    assert status == 2 and message in error, error
    assert "Traceback" not in error and len(error.strip().splitlines()) == 1 and not (tmp_path / "r.html").exists()


def unwritable_outputs(tmp_path: Path) -> list[Path]:
    """Places a report cannot be written to: /proc, a folder that is there, a file's "folder", no folder."""
    (tmp_path / "folder.html").mkdir()
    (tmp_path / "a-file").write_text("x")
    return [Path("/proc/report.html"), tmp_path / "folder.html", tmp_path / "a-file" / "r.html",
            tmp_path / "missing" / "r.html"]  # fmt: skip


def test_an_unwritable_output_is_refused_by_name_before_any_work(tmp_path, monkeypatch, capsys):
    """Both entry points: one line naming the path as given (never a .tmp name), before the child starts or the
    report is gathered (seconds of work)."""
    import dashboard.report as report_package
    from dashboard.report.__main__ import main
    from pipelines.cli import main as pipelines_main
    from pipelines.commands import compare

    def no_work(*args, **kwargs):
        raise AssertionError("the report was built before its output was checked")

    monkeypatch.setattr(compare.subprocess, "run", no_work)
    monkeypatch.setattr(report_package, "gather", no_work)
    for out in unwritable_outputs(tmp_path):
        for entry in (lambda: pipelines_main(["--artifacts", str(tmp_path), "report", "--out", str(out)]),
                      lambda: main(["--artifacts", str(tmp_path), "--out", str(out)])):  # fmt: skip
            assert entry() == 2
            error = capsys.readouterr().err
            assert error.startswith("error: ") and str(out) in error and ".tmp" not in error, error
            assert len(error.strip().splitlines()) == 1


def test_a_failed_write_names_the_output_not_its_temporary_file(tmp_path, monkeypatch):
    import dashboard.report as report_package

    def write_fails(path, text):
        raise IsADirectoryError(21, "Is a directory", str(path.with_name(".r.0123abcd.tmp.html")))

    monkeypatch.setattr(report_package, "gather", lambda *args: None)
    monkeypatch.setattr(report_package, "render_html", lambda content: "<html></html>")
    monkeypatch.setattr(report_package, "write_text", write_fails)
    out = tmp_path / "r.html"
    with pytest.raises(OSError, match=re.escape(str(out))) as raised:
        report_package.build_report(Store(tmp_path), "ds", out)
    assert ".tmp" not in str(raised.value)


def test_a_megabyte_of_text_reaches_the_report_process(tmp_path, capfd):
    """--text travels on stdin: on a command line, over ~128 KB, the child never starts ("Argument list too long").
    The store is empty, so the child's own one-line answer proves it started and read its options."""
    from pipelines.cli import main as pipelines_main

    text = "a wonderful film " * 70_000  # ~1.2 MB
    status = pipelines_main(["--artifacts", str(tmp_path / "empty"), "report", "--out", str(tmp_path / "r.html"),
                             "--dataset", "nothing", "--text", text])  # fmt: skip
    error = capfd.readouterr().err
    assert status == 2 and "no data set 'nothing'" in error and "Argument list too long" not in error, error


def test_the_significance_section_names_the_resamples_asked_for(monkeypatch):
    from types import SimpleNamespace

    from dashboard.report import render

    made = []

    class Stop(Exception):
        pass

    def section(*args):  # the section's sentence is all this test reads
        made.append(args)
        raise Stop

    monkeypatch.setattr(render, "Section", section)
    content = SimpleNamespace(significance=SimpleNamespace(pairs={("a", "b"): None}), resamples=300)
    with pytest.raises(Stop):
        render.significance_section(content)
    assert "300 resamples" in made[0][2] and "2,000" not in made[0][2]


# -- the whole course: the memory lab, gradients through time, forecasting, generation (issue 22, defect 9) ------

COURSE = {  # data set -> the sections its report holds
    "co2": ["Summary", "The data", "Forecasting: the recurrent models against the baselines", "The runs"],
    "memory-d6": ["Summary", "The data", "The memory lab: remembering one word across D steps",
                  "Gradients through time", "Leaderboard", "Training", "Evaluation", "Architectures",
                  "Which differences are real?", "The runs"],
    "rt-polarity-chars": ["Summary", "The data", "Generation: language models against n-grams", "The runs"],
}  # fmt: skip


def plotly_data(html: str) -> str:
    """The page's body: every chart's JSON (the traces' names, labels and numbers), without plotly.js itself."""
    return html.split("</head>", 1)[1]


@pytest.mark.parametrize("dataset", list(COURSE))
def test_a_report_holds_the_sections_its_data_sets_runs_have(dataset, trained, made):
    """co2 used to say "No finished classifier run"; memory-dN and the corpus had no lab, gradients or writing."""
    out, said = made("report.html", "--dataset", dataset)
    html = out.read_text()
    store = Store(trained)
    finished = [record for record in store.runs(dataset) if record.state == "done"]
    assert sections(html) == COURSE[dataset]
    assert "No finished classifier run" not in html and "not a classifier" not in html  # nothing left out
    assert f"wrote {out}: {len(finished)} runs of {dataset}" in said
    for record in finished:
        assert record.run_id in html  # every run named by its exact id
    described(html)
    charts = plotly_data(html)
    if dataset == "co2":
        assert "Holt-Winters" in charts and "1 step ahead" in charts and "RMSE by horizon step" in charts
        assert "Each model reads the last 26 values and forecasts the next 8" in html  # the lesson, in words
        assert "The best recurrent forecaster" in html and "The best baseline, " in html  # the summary says who won
        assert "RMSE @8" in html and "MASE" in html and "1958-03-29" in html  # the scores and the cut in time
    elif dataset == "memory-d6":
        assert "Remembering one word across D steps" in charts and "chrono start" in charts
        assert "D = 3" in html and "D = 6" in html  # the sweep: both distances of the store
        assert "chrono initialisation" in html and "Tallec &amp; Ollivier" in html  # the lesson
        assert "steps back from the end" in charts and "at initialisation" in charts  # the kept gradients
        assert "Memory lab at D = 6 (test accuracy, chance 50%)" in html
        for cell in ("RNN (identity)", "LSTM (chrono)", "GRU (chrono)"):
            assert cell in charts
    else:
        board = store.runs(dataset)
        sample = next(s.text for r in board if r.state == "done" for s in r.metrics.samples if len(s.text) > 3)
        assert "Bits per character on the test passages" in charts and "bits per character" in html
        assert "perplexity" in html and "The best n-gram baseline" in html
        assert " ".join(sample.split()[:4]) in " ".join(unescape(html).split())  # what a model wrote
    assert not re.search(r"<(script|link|img)[^>]+(src|href)=", html)  # still nothing fetched


def test_the_course_sections_are_left_out_of_a_data_set_without_such_runs(made):
    out, _ = made("report.html", "--dataset", "nusax")
    html = out.read_text()
    assert not {"Forecasting", "Generation", "Gradients through time"} & {t.split(":")[0] for t in sections(html)}
    assert not [title for title in sections(html) if title.startswith("The memory lab")]


def test_a_lab_run_without_kept_gradients_is_named_not_dropped(trained, tmp_path):
    from dashboard.report import gather, render_html
    from pipelines.explain.memory_lab import FILE_NAME

    root = copy_store(trained, tmp_path / "store", ("memory-d3", "memory-d6"))
    store = Store(root)
    rnn = next(r for r in store.runs("memory-d6") if r.state == "done" and r.model_spec.cell == "rnn"
               and r.model_spec.init == "identity")  # fmt: skip
    (store.run_dir("memory-d6", rnn.run_id) / FILE_NAME).unlink()
    content = gather(store, "memory-d6")
    assert content.lab.missing == [rnn.run_id] and len(content.lab.gradients) == 2  # the LSTM and the GRU
    html = render_html(content)
    assert f"{rnn.run_id} has no gradients kept in its folder yet" in html


@pytest.mark.browser
@pytest.mark.parametrize("dataset", list(COURSE))
def test_the_course_reports_draw_in_chromium_with_the_network_blocked(dataset, made):
    needs_chromium()
    from playwright.sync_api import sync_playwright

    out, _ = made("report.html", "--dataset", dataset)
    outside, errors = [], []
    with sync_playwright() as playwright:
        browser = chromium.launch(playwright)
        page = browser.new_page()
        page.on("pageerror", lambda error: errors.append(str(error)))
        page.route("**/*", lambda route: route.continue_() if route.request.url.startswith("file:")
                   else (outside.append(route.request.url), route.abort()))  # fmt: skip
        page.goto(out.as_uri())
        page.wait_for_function("() => Array.from(document.querySelectorAll('.plotly-graph-div'))"
                               ".every(div => div.querySelector('.main-svg'))", timeout=60_000)  # fmt: skip
        traces = page.evaluate("() => Array.from(document.querySelectorAll('.plotly-graph-div'))"
                               ".map(div => div.data.length)")  # fmt: skip
        browser.close()
    assert not outside and not errors
    assert len(traces) >= 2 and all(count > 0 for count in traces)


@pytest.fixture(scope="module")
def memory_pdf(made) -> tuple[Path, Path]:
    """The memory-d6 report, as HTML and as the PDF printed from it (one Chromium print for the tests below)."""
    needs_chromium()
    return made("report.html", "--dataset", "memory-d6")[0], made("report.pdf", "--dataset", "memory-d6")[0]


@pytest.mark.browser
def test_the_pdf_carries_the_memory_lab_and_the_gradients(memory_pdf):
    from pypdf import PdfReader

    pages = [unicodedata.normalize("NFKC", page.extract_text()) for page in PdfReader(memory_pdf[1]).pages]
    for title in ("The memory lab: remembering one word across D steps", "Gradients through time"):
        opening = [text for text in pages if text.lstrip().startswith(title)]
        assert opening, f"no page opens with {title!r}"  # each on a page of its own
    text = "".join(pages)
    assert "chrono initialisation" in text and "steps back from the end" in text


def structure(node, found: list[tuple[str, object]]) -> list[tuple[str, object]]:
    """The structure elements under `node` in reading order, as (type, alt text)."""
    node = node.get_object()
    if "/S" in node:
        found.append((str(node["/S"]), node.get("/Alt")))
    kids = node.get("/K")
    for kid in kids if isinstance(kids, list) else [kids] if kids is not None else []:
        kid = kid.get_object()
        if hasattr(kid, "keys") and kid.get("/Type") not in ("/MCR", "/OBJR"):
            structure(kid, found)
    return found


@pytest.mark.browser
def test_the_pdf_is_tagged_with_its_title_language_headings_and_every_chart_described(memory_pdf):
    """What a screen reader and a PDF/UA checker read: the structure tree, the document's language and title (shown
    in the window's title bar), bookmarks, headings H1 then H2 in order, and one Figure per chart whose /Alt is the
    chart's description (the same words the HTML report and the dashboard give it)."""
    from pypdf import PdfReader

    html, pdf = memory_pdf
    words = described(html.read_text())
    reader = PdfReader(pdf)
    catalogue = reader.trailer["/Root"]
    assert catalogue["/MarkInfo"]["/Marked"] and "/StructTreeRoot" in catalogue and "/Outlines" in catalogue
    assert catalogue["/Lang"] == "en" and catalogue["/ViewerPreferences"]["/DisplayDocTitle"]
    assert reader.metadata.title == unescape(re.search(r"<title>([^<]+)</title>", html.read_text()).group(1))
    elements = structure(catalogue["/StructTreeRoot"], [])
    headings = [int(kind[2]) for kind, _ in elements if re.fullmatch(r"/H[1-6]", kind)]
    assert headings[0] == 1 and headings.count(1) == 1 and headings.count(2) >= 5
    assert all(b <= a + 1 for a, b in zip(headings, headings[1:]))  # no level skipped
    figures = [alt for kind, alt in elements if kind == "/Figure"]
    assert [str(alt) for alt in figures] == words  # every chart, in order, and no Figure without its words


def test_the_summary_says_who_won_in_words_and_skips_what_was_not_trained():
    from types import SimpleNamespace

    import pandas as pd

    from dashboard.report.course import LabContent, summary_sentences

    lab = LabContent(5, False, pd.DataFrame(), pd.DataFrame({"model": ["GRU (chrono start)", "RNN (identity start)"],
                                                             "D = 5": [1.0, float("nan")]}), None)  # fmt: skip
    frame = pd.DataFrame({"label": ["Holt-Winters", "GRU 1×32"], "baseline": [True, False], "rmse": [1.004, 1.025],
                          "horizon": [8, 8]})  # fmt: skip
    board = pd.DataFrame({"model": ["5-gram", "LSTM 1×256"], "kind": ["n-gram", "recurrent"],
                          "bits per character": [2.1, 1.9], "perplexity": [4.29, 3.73]})  # fmt: skip
    sentences = summary_sentences(lab, SimpleNamespace(frame=frame), SimpleNamespace(board=board))
    assert sentences[0] == "Memory lab at D = 5 (test accuracy, chance 50%): GRU (chrono start) 100%."  # no "nan%"
    assert "GRU 1×32, reaches a test RMSE of 1.025 over 8 steps ahead" in sentences[1]
    assert sentences[2] == "The best baseline, Holt-Winters, reaches 1.004 (a baseline is still ahead)."
    assert "LSTM 1×256, needs 1.900 bits per character" in sentences[3] and "5-gram, needs 2.100" in sentences[4]


def test_dataset_all_is_the_whole_course_in_one_report(trained, tmp_path):
    """`report --dataset all`: every data set with a finished run, in a lecture's order, the sweep once per variant."""
    out = tmp_path / "course.html"
    result = report(trained, out, "--dataset", "all")
    keys = ["nusax", "rt-polarity", "rt-polarity-limit40", "memory-d3", "memory-d6", "memory-d3-distractors", "co2",
            "rt-polarity-chars", "reverse-6-limit60"]  # fmt: skip
    assert f"runs of {len(keys)} data sets ({', '.join(keys)})" in result.stdout
    titles = sections(out.read_text())
    assert [key for key in dict.fromkeys(title.split(": ")[0] for title in titles)] == keys  # each in turn
    assert [t for t in titles if "The memory lab" in t] == [
        "memory-d3: The memory lab: remembering one word across D steps",  # the plain sweep, once
        "memory-d3-distractors: The memory lab: remembering one word across D steps"]  # fmt: skip
    assert sum("Gradients through time" in title for title in titles) == 3  # at each distance of each variant
    assert "co2: Forecasting: the recurrent models against the baselines" in titles
    assert "rt-polarity-chars: Generation: language models against n-grams" in titles
    assert "reverse-6-limit60: Encoder-decoders: the context vector and attention" in titles
    refused = report(trained, tmp_path / "x.html", "--dataset", "all", "--runs", "anything", check=False)
    assert refused.returncode == 2 and "--dataset all takes no --runs" in refused.stderr
