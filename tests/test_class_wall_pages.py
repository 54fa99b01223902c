"""The class wall's pages through Streamlit's AppTest: Submit a review (a student's phone) and Class (the lecturer's).

An empty store for the student's side and the wall without models; the session's trained store (a copy of its
rt-polarity) for the votes, hide, clear and "Inside the model".
"""

from __future__ import annotations

import pytest

from dashboard_stores import copy_store, open_page, problems
from pipelines.class_wall import MAX_CHARACTERS, ClassWall, most_disputed, verdict
from pipelines.store import Store


def texts(elements) -> str:
    return "\n".join(str(element.value) for element in elements)


def send(app, text: str):
    app.text_input(key="wall_draft").set_value(text)
    return app.button[0].click().run()  # the form's "Send to the wall" (what Enter presses)


def test_a_student_opts_in_sends_and_is_held_to_the_rate_limit(store_at, tmp_path):
    root = store_at(tmp_path / "empty")
    app = open_page("submit")
    assert not problems(app) and f"At most {MAX_CHARACTERS} characters" in texts(app.caption)
    send(app, "It was not bad.")
    assert "nothing is sent without it" in texts(app.warning) and ClassWall(root).submissions() == []
    app.checkbox(key="wall_opt_in").check().run()
    send(app, "It was not <b>bad</b>.")
    assert "Arrived: review #1 is on the wall." in texts(app.success)
    assert "It was not <b>bad</b>." in texts(app.text) and app.text_input(key="wall_draft").value == ""
    assert [s.text for s in ClassWall(root).submissions()] == ["It was not <b>bad</b>."]
    send(app, "A second review at once.")
    assert "One review every 10 seconds" in texts(app.warning) and len(ClassWall(root).submissions()) == 1
    assert not problems(app)


def test_the_wall_without_models_shows_the_reviews_and_how_to_train(store_at, tmp_path):
    root = store_at(tmp_path / "no-models")
    ClassWall(root).submit("a", "Not good at all.")
    app = open_page("class_wall")
    assert not problems(app)
    assert "python -m pipelines train --dataset rt-polarity --zoo quick" in texts(app.info)
    assert {metric.label: metric.value for metric in app.metric}["reviews"] == "1"
    page = "".join(html.proto.body for html in app.get("html"))
    assert "Not good at all." in page and "waiting for the models" in page and "rnnlens-qr" in page


@pytest.fixture
def wall_store(trained, store_at, tmp_path):
    return store_at(copy_store(trained, tmp_path / "wall", datasets=("rt-polarity",)))


def test_the_lecturer_sees_every_model_vote_and_the_split_reviews_first(wall_store):
    wall = ClassWall(wall_store)
    reviews = ["A gorgeous, moving film.", "It was not bad.", "<script>alert(1)</script> dull", "meh"]
    for seat, text in enumerate(reviews):
        wall.submit(f"seat-{seat}", text)
    app = open_page("class_wall")
    assert not problems(app)
    voters = [r for r in Store(wall_store).runs("rt-polarity")
              if r.state == "done" and getattr(r.model_spec, "method", None) != "majority"]  # fmt: skip
    assert {metric.label: metric.value for metric in app.metric}["models voting"] == str(len(voters))
    markers = {record.run_id: str(record.updated_at or "") for record in voters}
    kept = wall.submissions(dataset="rt-polarity", runs=markers)
    assert all(set(submission.votes) == set(markers) for submission in kept)  # every model's vote, recorded
    cards = [html.proto.body for html in app.get("html") if "font-size:1.2em" in html.proto.body]
    expected = [submission.text for submission in most_disputed(kept)]
    assert [next(text for text in expected if _escaped(text) in card) for card in cards] == expected
    assert "<script>" not in "".join(cards) and "&lt;script&gt;" in "".join(cards)
    split = sum(verdict(submission.votes).disagreement > 0 for submission in kept)
    assert {metric.label: metric.value for metric in app.metric}["models split"] == str(split)


def _escaped(text: str) -> str:
    import html

    return html.escape(text)


def test_hide_clear_and_inside_the_model_from_the_wall(wall_store):
    wall = ClassWall(wall_store)
    first, second = wall.submit("a", "It was not bad."), wall.submit("b", "I didn't hate it")
    app = open_page("class_wall")
    app.button(key=f"wall_hide_{first.id}").click().run()
    assert not problems(app) and [s.id for s in wall.submissions()] == [second.id]
    assert {metric.label: metric.value for metric in app.metric}["hidden"] == "1"
    app.button(key="wall_clear").click().run()  # inside the "Clear" popover: the confirmation
    assert not problems(app) and wall.submissions(include_hidden=True) == []
    third = wall.submit("c", "Not good at all.")
    app.run()
    app.button(key=f"wall_inside_{third.id}").click().run()
    assert not problems(app)
    assert app.title[0].value == "Inside the model" and app.text_input(key="text").value == "Not good at all."
