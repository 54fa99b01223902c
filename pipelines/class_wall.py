"""The class wall: reviews students send from their phones during a lecture, kept in SQLite inside the store.

    wall = ClassWall(store_root)                      # <store>/class/wall.sqlite, made on the first submission
    wall.submit(session, "Not bad at all.")           # one review; TooSoon if this session sent one a moment ago
    wall.submissions()                                # what the lecturer's page shows (hidden ones left out)
    wall.record_votes("rt-polarity", {run_id: marker}, {submission_id: {run_id: probabilities}})
    wall.hide(submission_id); wall.clear(up_to=newest_seen)

Many students write at once, each from their own server thread (and a second server may share the store), so
every write is one short SQLite transaction: the database is in WAL mode (readers never block the writer) and each
connection waits up to BUSY_TIMEOUT_MS for a lock instead of failing. The rules are enforced here, in the
transaction that writes, not only by the page: a review is at most MAX_CHARACTERS characters and not empty, a
browser session sends at most one review every SECONDS_BETWEEN seconds (checked and written in one `BEGIN
IMMEDIATE` transaction, so two tabs of one session racing cannot both pass), and the wall holds at most
MAX_REVIEWS. Nothing names a student: a review keeps its text, its time and a hash of the browser session that sent
it (for the rate limit); no name, address or account is asked for or kept.

Votes: every model's class probabilities for a review, written by the lecturer's page when it first reads the
review with those models (students' submissions stay one insert each, however many models the store holds), keyed by
data set, run and the run's marker (a run redone votes again). Hiding is reversible (`hide(id, hidden=False)`);
clearing deletes the reviews and their votes for good (`secure_delete` overwrites their bytes), up to the newest
review the lecturer saw, so a review that arrives while the lecturer confirms is kept. Nothing else in the store is
touched.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import sqlite3
import time
import uuid
from collections import Counter
from collections.abc import Callable, Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path

WALL_FILE = Path("class") / "wall.sqlite"  # in the store's root
MAX_CHARACTERS = 280  # a review the length of a tweet: enough for an opinion, short enough for the wall
SECONDS_BETWEEN = 10.0  # per browser session
MAX_REVIEWS = 5_000  # on the wall at once: a lecture of 300 students sends a few hundred
BUSY_TIMEOUT_MS = 10_000  # how long a writer waits for another's transaction (each takes about a millisecond)
# WAL's recommended setting: a commit is not synced to disk on its own (the log is, at each checkpoint), so a review
# survives the server's crash but the last ones may not survive a power cut; FULL syncs every commit: with 60 writers
# at once, ten times slower at the median and its slowest write past the busy timeout (BENCHMARKS section 19).
SYNCHRONOUS = "NORMAL"

SCHEMA = """
CREATE TABLE IF NOT EXISTS submissions (
    id INTEGER PRIMARY KEY AUTOINCREMENT,  -- never reused, also after a clear: a page's "newest seen" stays right
    text TEXT NOT NULL,
    submitted_at REAL NOT NULL,
    session TEXT NOT NULL,                 -- a hash of the browser session, for the rate limit
    hidden INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX IF NOT EXISTS submissions_by_session ON submissions (session, submitted_at);
CREATE TABLE IF NOT EXISTS sessions (     -- the last submission of each session: outlives a clear
    session TEXT PRIMARY KEY,
    last_at REAL NOT NULL
);
CREATE TABLE IF NOT EXISTS votes (
    submission_id INTEGER NOT NULL,
    dataset TEXT NOT NULL,
    run_id TEXT NOT NULL,
    marker TEXT NOT NULL,                  -- the run's updated_at: a run trained again votes again
    probabilities TEXT NOT NULL,           -- JSON list, one per class
    PRIMARY KEY (submission_id, dataset, run_id, marker)
);
"""


class WallError(ValueError):
    """A review the wall refuses, or a wall that cannot be written; the message says why, for the student."""


class TooSoon(WallError):
    def __init__(self, wait_seconds: float):
        self.wait_seconds = wait_seconds
        super().__init__(f"one review every {SECONDS_BETWEEN:g} seconds: send this one in {math.ceil(wait_seconds)} s")


@dataclass(frozen=True)
class Submission:
    id: int
    text: str
    submitted_at: float  # seconds since the epoch
    hidden: bool = False
    votes: dict[str, tuple[float, ...]] = field(default_factory=dict)  # run id -> class probabilities


def session_key(session: str) -> str:
    """What the wall keeps of a browser session: a hash, enough to tell two sessions apart and no more."""
    return hashlib.sha256(f"rnnlens-wall:{session}".encode()).hexdigest()[:20]


def clean(text: str) -> str:
    """The review as the wall keeps it: stripped; WallError when empty or over MAX_CHARACTERS."""
    if not isinstance(text, str):
        raise WallError("a review is text")
    text = text.strip()
    if not text:
        raise WallError("the review is empty: type a few words first")
    if len(text) > MAX_CHARACTERS:
        raise WallError(f"the review has {len(text):,} characters; the wall takes at most {MAX_CHARACTERS}")
    return text


class ClassWall:
    """The wall of one store. Cheap to make: each call opens its own short connection (thread- and process-safe)."""

    def __init__(self, root: str | Path, clock: Callable[[], float] = time.time):
        self.path = Path(root) / WALL_FILE
        self.clock = clock

    # -- connections -------------------------------------------------------------------------------------------

    @contextmanager
    def _connection(self, create: bool) -> Iterator[sqlite3.Connection | None]:
        """A connection in autocommit mode (transactions are explicit); None when the wall does not exist and
        `create` is False (a reader of a store nobody has submitted to yet writes nothing)."""
        if not create and not self.path.is_file():
            yield None
            return
        try:
            if create and not self.path.is_file():
                self._create()
            connection = sqlite3.connect(self.path, timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None)
        except (OSError, sqlite3.Error) as error:
            raise WallError(f"the class wall cannot be opened ({error}): is the store writable?") from error
        try:
            connection.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
            connection.execute("PRAGMA secure_delete = ON")  # a cleared review's bytes are overwritten
            connection.execute(f"PRAGMA synchronous = {SYNCHRONOUS}")
            yield connection
        except sqlite3.OperationalError as error:  # read-only store, a full disk, a lock held past the timeout
            if "locked" in str(error):
                raise WallError("the wall is busy this moment (many reviews at once): send it again") from error
            raise WallError(f"the class wall cannot be written ({error})") from error
        finally:
            connection.close()

    def _create(self) -> None:
        """Make the database whole under a temporary name, then link it into place: a reader never meets a wall
        without its tables, and of two first submissions at once one makes the wall and the other uses it."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        temporary = self.path.with_name(f".{self.path.name}.{uuid.uuid4().hex[:12]}")
        try:
            connection = sqlite3.connect(temporary, isolation_level=None)
            try:
                connection.execute("PRAGMA journal_mode = WAL")  # kept in the file: every later connection has it
                connection.executescript(SCHEMA)
            finally:
                connection.close()  # the last connection: its log is folded into the file
            try:
                os.link(temporary, self.path)  # fails if another process made the wall first: then that one is used
            except FileExistsError:
                pass
        finally:
            for leftover in temporary.parent.glob(f"{temporary.name}*"):
                leftover.unlink(missing_ok=True)

    @contextmanager
    def _transaction(self, connection: sqlite3.Connection) -> Iterator[None]:
        connection.execute("BEGIN IMMEDIATE")  # the write lock now: the checks below see what the insert will
        try:
            yield
        except BaseException:
            connection.execute("ROLLBACK")
            raise
        connection.execute("COMMIT")

    # -- students ----------------------------------------------------------------------------------------------

    def submit(self, session: str, text: str) -> Submission:
        """Put one review on the wall; raises WallError (TooSoon: wait `wait_seconds`) when it cannot."""
        text = clean(text)
        key = session_key(session)
        with self._connection(create=True) as connection, self._transaction(connection):
            now = self.clock()
            row = connection.execute("SELECT last_at FROM sessions WHERE session = ?", (key,)).fetchone()
            if row is not None and now - row[0] < SECONDS_BETWEEN:
                raise TooSoon(SECONDS_BETWEEN - (now - row[0]))
            (count,) = connection.execute("SELECT COUNT(*) FROM submissions").fetchone()
            if count >= MAX_REVIEWS:
                raise WallError(f"the wall is full ({MAX_REVIEWS:,} reviews): the lecturer can clear it")
            cursor = connection.execute("INSERT INTO submissions (text, submitted_at, session) VALUES (?, ?, ?)",
                                        (text, now, key))  # fmt: skip
            connection.execute("INSERT INTO sessions (session, last_at) VALUES (?, ?) ON CONFLICT (session) "
                               "DO UPDATE SET last_at = excluded.last_at", (key, now))  # fmt: skip
        return Submission(cursor.lastrowid, text, now)

    # -- the lecturer ------------------------------------------------------------------------------------------

    def submissions(self, include_hidden: bool = False, dataset: str | None = None,
                    runs: Mapping[str, str] | None = None) -> list[Submission]:  # fmt: skip
        """The reviews on the wall, oldest first, each with the votes recorded for `runs` (run id -> marker) of
        `dataset`."""
        with self._connection(create=False) as connection:
            if connection is None:
                return []
            connection.execute("BEGIN")  # one snapshot: reviews and votes as of the same moment
            which = "" if include_hidden else "WHERE hidden = 0 "
            rows = connection.execute(f"SELECT id, text, submitted_at, hidden FROM submissions {which}ORDER BY id")
            rows = rows.fetchall()
            votes: dict[int, dict[str, tuple[float, ...]]] = {}
            if dataset is not None and runs:
                kept = connection.execute("SELECT submission_id, run_id, marker, probabilities FROM votes "
                                          "WHERE dataset = ?", (dataset,))  # fmt: skip
                for submission_id, run_id, marker, probabilities in kept:
                    if runs.get(run_id) == marker:
                        votes.setdefault(submission_id, {})[run_id] = tuple(json.loads(probabilities))
            connection.execute("COMMIT")
        return [Submission(id, text, at, bool(hidden), votes.get(id, {})) for id, text, at, hidden in rows]

    def counts(self) -> tuple[int, int]:
        """(shown, hidden) reviews on the wall."""
        with self._connection(create=False) as connection:
            if connection is None:
                return 0, 0
            shown, hidden = connection.execute(
                "SELECT COALESCE(SUM(hidden = 0), 0), COALESCE(SUM(hidden = 1), 0) FROM submissions").fetchone()
        return int(shown), int(hidden)

    def record_votes(self, dataset: str, markers: Mapping[str, str],
                     votes: Mapping[int, Mapping[str, tuple[float, ...]]]) -> int:  # fmt: skip
        """Keep each model's probabilities for each review (`votes`: submission id -> run id -> probabilities;
        `markers`: run id -> its marker). A review cleared meanwhile gets none. Returns the votes written."""
        rows = [(submission_id, dataset, run_id, markers[run_id], json.dumps([float(p) for p in probabilities]))
                for submission_id, by_run in votes.items() for run_id, probabilities in by_run.items()]  # fmt: skip
        if not rows:
            return 0
        with self._connection(create=True) as connection, self._transaction(connection):
            before = connection.total_changes
            connection.executemany(
                "INSERT OR REPLACE INTO votes (submission_id, dataset, run_id, marker, probabilities) "
                "SELECT ?1, ?2, ?3, ?4, ?5 WHERE EXISTS (SELECT 1 FROM submissions WHERE id = ?1)", rows)  # fmt: skip
            return connection.total_changes - before

    def hide(self, submission_id: int, hidden: bool = True) -> bool:
        """Hide a review from the wall (or show it again); False if there is no such review."""
        with self._connection(create=False) as connection:
            if connection is None:
                return False
            cursor = connection.execute("UPDATE submissions SET hidden = ? WHERE id = ?", (int(hidden), submission_id))
            return cursor.rowcount == 1

    def clear(self, up_to: int | None = None) -> int:
        """Delete every review (hidden ones too) up to id `up_to` (all when None), and their votes, for good.
        Returns how many were deleted; later reviews, the rate limit and the rest of the store are untouched."""
        with self._connection(create=False) as connection:
            if connection is None:
                return 0
            limit = math.inf if up_to is None else up_to
            with self._transaction(connection):
                ids = "SELECT id FROM submissions WHERE id <= ?"
                connection.execute(f"DELETE FROM votes WHERE submission_id IN ({ids})", (limit,))
                deleted = connection.execute("DELETE FROM submissions WHERE id <= ?", (limit,)).rowcount
            connection.execute("PRAGMA wal_checkpoint(TRUNCATE)")  # the deleted texts leave the log file too
            return deleted

    def journal_mode(self) -> str:
        with self._connection(create=False) as connection:
            return "" if connection is None else connection.execute("PRAGMA journal_mode").fetchone()[0]


# -- where the models disagree -----------------------------------------------------------------------------------


@dataclass(frozen=True)
class Verdict:
    """What the models say about one review: each one's class, the commonest class and how split they are."""

    predicted: dict[str, int]  # run id -> class index
    majority: int | None  # the commonest class (the lower index on a tie); None without votes
    agreeing: int  # models that give the majority class
    disagreement: float  # 1 - agreeing / voters: 0 when unanimous, the sort key of the lecturer's page
    spread: float  # the standard deviation of P(majority class) over the models: breaks ties in the sort


def verdict(votes: Mapping[str, tuple[float, ...]]) -> Verdict:
    if not votes:
        return Verdict({}, None, 0, 0.0, 0.0)
    predicted = {run_id: max(range(len(p)), key=p.__getitem__) for run_id, p in votes.items()}
    tally = Counter(predicted.values())
    majority = min(tally, key=lambda index: (-tally[index], index))
    shares = [p[majority] for p in votes.values()]
    mean = sum(shares) / len(shares)
    spread = math.sqrt(sum((share - mean) ** 2 for share in shares) / len(shares))
    return Verdict(predicted, majority, tally[majority], 1 - tally[majority] / len(votes), spread)


def most_disputed(submissions: list[Submission]) -> list[Submission]:
    """Reviews where the models disagree most first (then by spread of their probabilities), newest first on ties."""
    keyed = [(verdict(submission.votes), submission) for submission in submissions]
    keyed.sort(key=lambda pair: (-pair[0].disagreement, -pair[0].spread, -pair[1].id))
    return [submission for _, submission in keyed]
