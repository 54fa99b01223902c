"""Lectures: the default one, lectures saved in the store (validated, never served when damaged), the bar that walks
through the steps, and `prepare-lecture`, which trains what the default lecture shows."""

from __future__ import annotations

import json
import subprocess
import sys

import pytest
from pydantic import ValidationError

from dashboard import lecture
from dashboard.lecture import DEFAULT, Lecture, Step
from pipelines.cli import build_parser, main
from pipelines.commands import lecture as prepare
from pipelines.exit_codes import EXIT_FINISHED, EXIT_INTERRUPTED, EXIT_SOME_FAILED


def test_the_default_lecture_tells_the_course_story_on_what_prepare_lecture_trains():
    assert [step.page for step in DEFAULT.steps] == [
        "overview", "playground", "inside", "memory_lab", "gradients", "forecasts", "write"]  # fmt: skip
    assert {step.query["dataset"] for step in DEFAULT.steps} == set(prepare.DATASETS)
    trained = {argv[argv.index("--dataset") + 1] for *_, argv in prepare.PLAN if "--dataset" in argv}
    assert trained | {"memory-d100"} == set(prepare.DATASETS)  # `lab` trains every memory-dN, D = 100 among them
    assert any(argv == ["lab"] for *_, argv in prepare.PLAN)


@pytest.mark.parametrize("document, problem", [
    ({"name": "x", "title": "T", "steps": [{"page": "nowhere", "takeaway": "t"}]}, "no page is called"),
    ({"name": "Bad Name", "title": "T", "steps": [{"page": "overview", "takeaway": "t"}]}, "lowercase"),
    ({"name": "x", "title": "T", "steps": []}, "at least 1"),
    ({"name": "x", "title": "T", "steps": [{"page": "overview", "takeaway": ""}]}, "at least 1"),
    ({"name": "x", "title": "T", "steps": [{"page": "overview", "takeaway": "t", "script": "x"}]}, "Extra inputs"),
    ({"name": "x", "title": "T", "steps": [{"page": "overview", "takeaway": "t", "query": {"A-B": "1"}}]},
     "not one a page keeps"),
])  # fmt: skip
def test_a_lecture_that_is_not_valid_is_refused_with_the_reason(document, problem):
    with pytest.raises(ValidationError, match=problem):
        Lecture.model_validate(document)


def test_lectures_saved_in_the_store_are_read_back_and_damaged_ones_are_named_not_served(tmp_path):
    mine = Lecture(name="gates-only", title="Gates only", steps=(
        Step(page="inside", takeaway="The gates at work", query={"dataset": "rt-polarity", "tab": "Gates"}),))
    lecture.save(tmp_path, mine)
    folder = lecture.folder(tmp_path)
    (folder / "broken.json").write_text("{not json")
    (folder / "impostor.json").write_text(json.dumps({**mine.model_dump(mode="json"), "name": "gates-only"}))
    (folder / "evil.json").write_text(json.dumps({"name": "evil", "title": "E", "steps": [
        {"page": "../../etc/passwd", "takeaway": "t"}]}))  # fmt: skip

    lectures, problems = lecture.saved(tmp_path)
    assert lectures == {"gates-only": mine}
    assert sorted(problem.split(":")[0] for problem in problems) == ["broken.json", "evil.json", "impostor.json"]
    assert set(lecture.every(tmp_path)) == {DEFAULT.name, "gates-only"}
    assert lecture.every(tmp_path / "no-store") == {DEFAULT.name: DEFAULT}


def test_the_lectures_address_parameters_are_no_pages_own():
    """The lecture's step was once `step`, which the Forecasts page keeps its steps ahead under: the slider read the
    step number, and Next could not write the address."""
    from dashboard.state import ADDRESS, FRAME

    kept = {key for keys in ADDRESS.values() for key in keys} | set(FRAME)
    assert not {lecture.LECTURE, lecture.STEP} & kept


def test_the_current_view_becomes_a_steps_address_without_the_lectures_own_parameters():
    query = {"lecture": "why-gates-matter", "lecture_step": "3", "presentation": "true", "text": "It was not bad."}
    assert lecture.view_of_address("playground", query, "rt-polarity") == {"text": "It was not bad.",
                                                                           "dataset": "rt-polarity"}
    assert lecture.slug("Why gates matter — week 3!") == "why-gates-matter-week-3"


def test_prepare_lecture_plan_trains_nothing_and_every_part_is_a_command_the_parser_takes(tmp_path, capsys):
    assert main(["--artifacts", str(tmp_path / "store"), "prepare-lecture", "--plan"]) == EXIT_FINISHED
    assert not (tmp_path / "store").exists()
    printed = capsys.readouterr().out
    for what, pages, _, arguments in prepare.PLAN:
        assert what in printed and pages in printed and " ".join(arguments) in printed
        build_parser().parse_args(arguments)  # each part parses as a user would type it


@pytest.mark.parametrize("statuses, expected, parts_run", [
    ([0, 0, 0, 0], EXIT_FINISHED, 4),
    ([0, 1, 0, 0], EXIT_SOME_FAILED, 4),  # a failed part does not stop the others
    ([0, EXIT_INTERRUPTED, 0, 0], EXIT_INTERRUPTED, 2),  # Ctrl+C stops at once
])  # fmt: skip
def test_prepare_lecture_runs_each_part_through_the_command_line(statuses, expected, parts_run, tmp_path, capsys,
                                                                  monkeypatch):
    calls = []

    def run(argv):
        calls.append(argv)
        return subprocess.CompletedProcess(argv, statuses[len(calls) - 1])

    monkeypatch.setattr(prepare.subprocess, "run", run)
    args = build_parser().parse_args(["--artifacts", str(tmp_path), "prepare-lecture", "--device", "cpu", "--quiet"])
    assert args.handler(args) == expected
    assert len(calls) == parts_run
    for argv, (*_, arguments) in zip(calls, prepare.PLAN):
        assert argv == [sys.executable, "-m", "pipelines", "--artifacts", str(tmp_path), *arguments, "--device", "cpu",
                        "--quiet"]  # fmt: skip
    printed = capsys.readouterr().out
    assert printed.count(" min") >= parts_run  # each part says how long it took


def test_outside_a_lecture_each_page_of_the_story_links_to_the_next_even_when_it_stops_early(store_at, tmp_path):
    """An empty store: every page stops at its "how to train" guard, and still points at the next page."""
    from dashboard.pages import BY_KEY

    from dashboard_stores import open_page

    store_at(tmp_path / "empty")
    for step, following in zip(DEFAULT.steps, DEFAULT.steps[1:]):
        app = open_page(step.page)
        links = [link.proto.label for link in app.get("page_link")]
        assert f"Next in the story: {BY_KEY[following.page].title}" in links, (step.page, links)
    assert not any(link.proto.label.startswith("Next in the story") for link in open_page("write").get("page_link"))


def test_a_saved_lectures_title_and_takeaway_are_shown_as_text_never_as_markup(store_at, tmp_path):
    """A lecture file is anyone's text: the bar escapes it (it is drawn as HTML for its large type)."""
    from dashboard_stores import open_page

    root = store_at(tmp_path / "store")
    lecture.save(root, Lecture(name="hostile", title="<script>alert('t')</script>", steps=(
        Step(page="overview", takeaway="<img src=x onerror=alert(1)>"),)))  # fmt: skip
    app = open_page("overview", lecture="hostile", lecture_step="1")
    bar = next(block.value for block in app.markdown if "lecture-step" in block.value)
    assert "&lt;script&gt;" in bar and "&lt;img" in bar and "<script>" not in bar and "<img" not in bar


@pytest.mark.parametrize("address", [{"lecture": DEFAULT.name, "lecture_step": "2"}, {}], ids=["lecture", "page"])
def test_presentation_mode_puts_the_share_button_on_the_page_where_the_folded_sidebar_hides_it(address, store_at,
                                                                                                 tmp_path):
    from dashboard_stores import open_page

    store_at(tmp_path / "empty")
    app = open_page("overview", **address)
    assert [button.label for button in app.main.button if button.key == "share_on_the_page"] == []  # a laptop
    app.sidebar.toggle(key="presentation").set_value(True).run()
    assert [button.label for button in app.main.button if button.key == "share_on_the_page"] == ["Share"]
    assert not app.exception


def test_prepare_lecture_refuses_a_store_that_is_a_file_before_it_starts_a_part(tmp_path, capsys, monkeypatch):
    monkeypatch.setattr(prepare.subprocess, "run", lambda argv: pytest.fail(f"started a part: {argv}"))
    (tmp_path / "file").write_text("not a store")
    assert main(["--artifacts", str(tmp_path / "file"), "prepare-lecture"]) == 2
    assert "is a file, not a store folder" in capsys.readouterr().err


def test_the_lecture_box_is_drawn_only_when_opened_and_then_starts_pins_and_saves(store_at, tmp_path):
    """Every rerun of every page draws the sidebar: its lecture editor (a row of buttons per step) is built only while
    the box is open. Opened, a lecturer pins the view on screen and saves the draft into the store."""
    from dashboard_stores import open_page

    root = store_at(tmp_path / "empty")
    app = open_page("overview")
    assert [button.key for button in app.sidebar.button if button.key.startswith("lecture_")] == []  # folded
    app.session_state["lecture_box"] = True  # what opening the box in the browser sets
    app.run()
    keys = {button.key for button in app.sidebar.button}
    assert {"lecture_start", "lecture_pin", "lecture_save"} <= keys
    app.sidebar.text_input(key="lecture_takeaway").input("The overview first").run()
    app.sidebar.button(key="lecture_pin").click().run()
    app.sidebar.text_input(key="lecture_title").input("My first lecture").run()
    app.sidebar.button(key="lecture_save").click().run()
    assert not app.exception
    saved = lecture.every(root)["my-first-lecture"]
    assert saved.steps[-1] == Step(page="overview", takeaway="The overview first")
