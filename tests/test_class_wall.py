"""The class wall's database (pipelines/class_wall.py): its rules hold in the database, under concurrent writers."""

from __future__ import annotations

import multiprocessing
import sqlite3
import threading
import time

import pytest

from pipelines import class_wall
from pipelines.class_wall import MAX_CHARACTERS, SECONDS_BETWEEN, ClassWall, Submission, TooSoon, WallError


class Clock:
    def __init__(self, now: float = 1_000.0):
        self.now = now

    def __call__(self) -> float:
        return self.now


def test_a_store_nobody_submitted_to_reads_empty_and_gets_no_file(tmp_path):
    wall = ClassWall(tmp_path)
    assert wall.submissions() == [] and wall.counts() == (0, 0) and wall.clear() == 0 and not wall.hide(1)
    assert not any(tmp_path.iterdir())


def test_the_wall_is_in_wal_mode_in_the_store_and_waits_for_a_busy_writer(tmp_path):
    wall = ClassWall(tmp_path)
    wall.submit("a", "first")
    assert wall.path == tmp_path / "class" / "wall.sqlite" and wall.journal_mode() == "wal"
    blocker = sqlite3.connect(wall.path, isolation_level=None, check_same_thread=False)
    blocker.execute("BEGIN IMMEDIATE")  # another writer holds the lock for a moment
    threading.Timer(0.3, lambda: blocker.execute("COMMIT")).start()
    assert wall.submit("b", "second").id == 2  # waited (busy timeout) instead of "database is locked"
    blocker.close()


def test_a_review_is_capped_stripped_and_never_empty(tmp_path):
    wall = ClassWall(tmp_path)
    assert wall.submit("a", "  " + "x" * MAX_CHARACTERS + "\n").text == "x" * MAX_CHARACTERS
    for text in ("x" * (MAX_CHARACTERS + 1), "", "  \n "):
        with pytest.raises(WallError):
            wall.submit(f"other-{len(text)}", text)
    assert [s.text for s in wall.submissions()] == ["x" * MAX_CHARACTERS]


def test_one_review_per_session_every_few_seconds(tmp_path):
    clock = Clock()
    wall = ClassWall(tmp_path, clock=clock)
    wall.submit("phone-1", "first")
    clock.now += SECONDS_BETWEEN - 4
    with pytest.raises(TooSoon) as refused:
        wall.submit("phone-1", "too soon")
    assert refused.value.wait_seconds == pytest.approx(4)
    wall.submit("phone-2", "another phone is not held back")
    clock.now += 4
    wall.submit("phone-1", "now it may")
    assert [s.text for s in wall.submissions()] == ["first", "another phone is not held back", "now it may"]
    assert "phone-1" not in wall.path.read_bytes().decode("latin-1")  # a hash of the session, not the session


def test_two_tabs_of_one_session_racing_send_one_review(tmp_path):
    wall = ClassWall(tmp_path)
    outcomes = []

    def send(number: int) -> None:
        try:
            outcomes.append(wall.submit("one-session", f"tab {number}").id)
        except TooSoon:
            outcomes.append("refused")

    threads = [threading.Thread(target=send, args=(number,)) for number in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes, key=str) == [1] + ["refused"] * 7


def _submit_many(root: str, writer: int, count: int) -> None:
    wall = ClassWall(root)
    for number in range(count):
        wall.submit(f"writer-{writer}-{number}", f"review {writer}-{number}")


def test_concurrent_writers_lose_nothing_and_duplicate_nothing(tmp_path):
    threads = [threading.Thread(target=_submit_many, args=(str(tmp_path), writer, 20)) for writer in range(6)]
    # forkserver, not fork: the lecturer's thread is reading when they start, and a fork of a process with threads can
    # copy a lock another thread holds (CI saw a writer process fail this way once, under load)
    processes = [multiprocessing.get_context("forkserver").Process(target=_submit_many,
                                                                   args=(str(tmp_path), writer, 20))
                 for writer in range(6, 9)]  # fmt: skip
    problems, done = [], threading.Event()

    def lecturer() -> None:  # reads from the first moment: never a wall without its tables
        while not done.is_set():
            try:
                ClassWall(tmp_path).submissions(dataset="rt-polarity", runs={"m": "1"})
            except Exception as error:
                problems.append(error)

    reader = threading.Thread(target=lecturer)
    reader.start()
    for worker in (*processes, *threads):  # processes first, each from the fork server's clean process
        worker.start()
    for worker in (*threads, *processes):
        worker.join(timeout=60)
    done.set()
    reader.join()
    assert not problems, problems[:3]
    assert all(process.exitcode == 0 for process in processes)
    texts = [submission.text for submission in ClassWall(tmp_path).submissions()]
    assert sorted(texts) == sorted(f"review {writer}-{number}" for writer in range(9) for number in range(20))


def test_hide_is_reversible_and_clear_deletes_only_what_the_lecturer_saw(tmp_path):
    (tmp_path / "rt-polarity").mkdir()
    (tmp_path / "rt-polarity" / "dataset.json").write_text("{}")  # the rest of the store
    clock = Clock()
    wall = ClassWall(tmp_path, clock=clock)
    first, second = wall.submit("a", "secret first"), wall.submit("b", "second")
    wall.record_votes("rt-polarity", {"m": "1"}, {first.id: {"m": (0.1, 0.9)}})
    assert wall.hide(first.id) and [s.id for s in wall.submissions()] == [second.id] and wall.counts() == (1, 1)
    assert wall.hide(first.id, hidden=False) and wall.counts() == (2, 0)
    seen = second.id
    late = wall.submit("c", "arrived while the lecturer confirmed")
    assert wall.clear(up_to=seen) == 2
    assert b"secret first" not in b"".join(path.read_bytes() for path in wall.path.parent.iterdir())  # overwritten
    assert [s.id for s in wall.submissions(include_hidden=True)] == [late.id]
    assert wall.record_votes("rt-polarity", {"m": "1"}, {first.id: {"m": (0.1, 0.9)}}) == 0  # cleared: no votes
    with pytest.raises(TooSoon):  # the rate limit outlives a clear
        wall.submit("a", "again at once")
    assert wall.submit("d", "new").id == late.id + 1  # ids are never reused
    assert (tmp_path / "rt-polarity" / "dataset.json").read_text() == "{}"


def test_votes_are_kept_per_run_and_marker(tmp_path):
    wall = ClassWall(tmp_path)
    review = wall.submit("a", "It was not bad.")
    wall.record_votes("rt-polarity", {"lstm": "v1", "gru": "v1"},
                      {review.id: {"lstm": (0.9, 0.1), "gru": (0.2, 0.8)}})  # fmt: skip
    (read,) = wall.submissions(dataset="rt-polarity", runs={"lstm": "v1", "gru": "v2"})  # the GRU was trained again
    assert read.votes == {"lstm": (pytest.approx(0.9), pytest.approx(0.1))}
    assert wall.submissions(dataset="nusax", runs={"lstm": "v1"})[0].votes == {}


def test_the_most_disputed_reviews_come_first():
    unanimous = Submission(1, "great", 0, votes={"a": (0.1, 0.9), "b": (0.2, 0.8), "c": (0.3, 0.7)})
    split = Submission(2, "not bad", 0, votes={"a": (0.9, 0.1), "b": (0.2, 0.8), "c": (0.6, 0.4)})
    close_call = Submission(3, "fine", 0, votes={"a": (0.45, 0.55), "b": (0.1, 0.9), "c": (0.4, 0.6)})
    unheard = Submission(4, "new", 0)
    assert [s.id for s in class_wall.most_disputed([unanimous, split, close_call, unheard])] == [2, 3, 1, 4]
    outcome = class_wall.verdict(split.votes)
    assert outcome.majority == 0 and outcome.agreeing == 2 and outcome.disagreement == pytest.approx(1 / 3)


def test_a_full_wall_refuses_politely(tmp_path, monkeypatch):
    monkeypatch.setattr(class_wall, "MAX_REVIEWS", 2)
    wall = ClassWall(tmp_path)
    wall.submit("a", "one"), wall.submit("b", "two")
    with pytest.raises(WallError, match="the wall is full"):
        wall.submit("c", "three")
    assert wall.clear() == 2 and wall.submit("c", "three").id == 3


def test_an_unwritable_store_says_so(tmp_path):
    (tmp_path / "class").write_text("a file where the folder should be")
    with pytest.raises(WallError, match="cannot be opened"):
        ClassWall(tmp_path).submit("a", "hello")
    started = time.perf_counter()
    assert ClassWall(tmp_path).submissions() == [] and time.perf_counter() - started < 1


def test_a_lock_held_past_the_timeout_asks_to_send_again(tmp_path, monkeypatch):
    wall = ClassWall(tmp_path)
    wall.submit("a", "first")
    monkeypatch.setattr(class_wall, "BUSY_TIMEOUT_MS", 50)
    blocker = sqlite3.connect(wall.path, isolation_level=None)
    blocker.execute("BEGIN IMMEDIATE")
    with pytest.raises(WallError, match="busy this moment"):
        wall.submit("b", "second")
    blocker.execute("ROLLBACK")
    blocker.close()
    assert [s.text for s in wall.submissions()] == ["first"]
