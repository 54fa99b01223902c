"""How every kind of run is claimed, trained and reported, whichever executor trains it.

    outcomes = train_each(store, "co2", run_ids, "forecast zoo on co2", train_one)  # claim, train, report each
    progress = ZooProgress(store, "rt-polarity", "sweep zoo on rt-polarity", total=18)
    on_step = progress.started(run_id)           # a steps bar for the run; call it with each step's progress
    progress.trained(run_id, run_detail(metrics))  # one line, and the run's derived views cached
    progress.outcomes                            # what the CLI counts for its summary

The local executor (and `train_each`, for the kinds that have no other) calls
`on_step` from its own loop; the Ray executor from the status updates its
workers send back. Either way the user sees one bar over the runs, a bar per
run in training, and one line per finished run; `derive_views` then keeps what
the pages need of each finished run.
"""

from __future__ import annotations

import time
import traceback
from dataclasses import dataclass
from typing import Callable

from tqdm import tqdm

from ..store import RunClaim, Store


@dataclass
class Outcome:
    run_id: str
    result: str  # trained | skipped (done) | busy (another process) | failed
    detail: str = ""


class ZooProgress:
    """`derive(run_id)`, when given, is called for every run done at the end (trained now or before), after its
    claim is released: `derive_views` keeps what the pages need of it."""

    def __init__(self, store: Store, dataset: str, title: str, total: int, show: bool = True,
                 derive: Callable[[str], None] | None = None):  # fmt: skip
        self.store, self.dataset, self.show, self.derive = store, dataset, show, derive
        self.outcomes: list[Outcome] = []
        self.runs_bar = tqdm(total=total, desc=title, unit="run", disable=not show)
        self.steps_bars: dict[str, tqdm] = {}

    def started(self, run_id: str) -> Callable[[dict], None]:
        """A steps bar for a run now training; returns the callback that moves it."""
        bar = tqdm(desc=run_id, unit="batch", leave=False, disable=not self.show, mininterval=1.0)
        self.steps_bars[run_id] = bar

        def on_step(progress: dict) -> None:
            bar.total = progress["epochs"] * progress["steps"]
            if "train_loss" in progress:
                bar.set_postfix(epoch=progress["epoch"], loss=f"{progress['train_loss']:.3f}", refresh=False)
            bar.update((progress["epoch"] - 1) * progress["steps"] + progress["step"] - bar.n)

        return on_step

    def not_claimed(self, run_id: str) -> None:
        """The store would not hand the run out: it is finished, or another process is training it."""
        state = self.store.run(self.dataset, run_id).state
        self._record(Outcome(run_id, "skipped" if state == "done" else "busy", state),
                     "already trained" if state == "done" else "being trained elsewhere")  # fmt: skip
        if state == "done" and self.derive:
            self.derive(run_id)  # a run trained before its views were cached

    def trained(self, run_id: str, detail: str) -> None:
        self._record(Outcome(run_id, "trained", detail), detail)
        if self.derive:
            self.derive(run_id)

    def failed(self, run_id: str, claim: RunClaim, error: str, traceback: str | None = None) -> None:
        """One broken run must not stop the zoo: its status says why, and the next `train` redoes it."""
        try:
            claim.set_status("failed", error=error, traceback=traceback)
        except Exception as status_error:  # recording the failure must not stop the zoo either
            error += f" (and its status.json was not written: {type(status_error).__name__}: {status_error})"
        self._record(Outcome(run_id, "failed", error), f"FAILED: {error}")

    def close(self) -> None:
        for bar in self.steps_bars.values():
            bar.close()
        self.runs_bar.close()

    def _record(self, outcome: Outcome, line: str) -> None:
        bar = self.steps_bars.pop(outcome.run_id, None)
        if bar is not None:
            bar.close()
        self.outcomes.append(outcome)
        self.runs_bar.update(1)
        tqdm.write(f"{outcome.run_id}: {line}")



def run_detail(metrics: dict) -> str:
    """A trained classifier's line: its scores, time and how much of its vocabulary started pretrained."""
    detail = f"accuracy {metrics['accuracy']:.3f}, macro F1 {metrics['f1_macro']:.3f}, {metrics['train_seconds']:.0f}s"
    if "pretrained_coverage" in metrics:
        detail += f", {metrics['pretrained_coverage']:.0%} of the vocabulary pretrained"
    return detail


def train_claimed(store: Store, dataset: str, run_ids: list[str], progress: ZooProgress,
                  train_one: Callable[[str, RunClaim, Callable[[dict], None]], str]) -> None:  # fmt: skip
    """Claim and train each run in turn in this process: a run that is done is skipped, one another process holds
    is left to it, one that fails is recorded (its error in status.json) without stopping the rest.
    `train_one(run_id, claim, on_step)` trains a claimed run and returns a line about it."""
    for run_id in run_ids:
        with store.claim(dataset, run_id) as claim:
            if claim is None:
                progress.not_claimed(run_id)
                continue
            on_step = progress.started(run_id)
            try:
                detail = train_one(run_id, claim, on_step)
            except Exception as error:  # one broken run must not stop the zoo
                progress.failed(run_id, claim, f"{type(error).__name__}: {error}", traceback.format_exc())
                continue
        progress.trained(run_id, detail)  # after the lock is released: derived views read the finished run


def train_each(store: Store, dataset: str, run_ids: list[str], title: str,
               train_one: Callable[[str, RunClaim, Callable[[dict], None]], str], show_progress: bool = True,
               finished: Callable[[str], None] | None = None) -> list[Outcome]:  # fmt: skip
    """Claim and train each run in turn in this process, with a bar over the runs and one per run; the kinds
    without an executor (baselines, forecasters, language models) train through here. `finished(run_id)` is
    called for every run done at the end (trained now or before), after its claim is released."""
    progress = ZooProgress(store, dataset, title, len(run_ids), show_progress, finished)
    try:
        train_claimed(store, dataset, run_ids, progress, train_one)
    finally:
        progress.close()
    return progress.outcomes


def derive_views(store: Store, dataset: str, run_id: str, task: str, explanations: bool = True) -> None:
    """What the pages and tools need of a finished run, kept in its folder: its TensorBoard events, and with
    `explanations` its top words (a classifier) or gradients through time (a memory run). A failure here is
    reported and never undoes the run."""
    from ..tasks import CLASSIFICATION, MEMORY
    from ..tensorboard_events import export_run

    record = store.run(dataset, run_id)
    if record.state != "done":
        return
    try:
        export_run(store, record)
    except (OSError, ValueError) as error:
        tqdm.write(f"{run_id}: TensorBoard events not written ({type(error).__name__}: {error})")
    if not explanations or task not in (CLASSIFICATION.name, MEMORY.name):
        return
    from ..explain.aggregate import cached_top_words, top_words  # imports Captum: only once a run has finished
    from ..explain.memory_lab import cached_lab_summary, lab_summary
    from ..runs import load_run

    if task == MEMORY.name:
        cached, compute, what = cached_lab_summary, lab_summary, "gradients through time and lookback"
    else:
        cached, compute, what = cached_top_words, top_words, "top words"
    # Checked before the model is loaded: a view made with today's settings needs nothing more.
    if cached(store, dataset, run_id) is not None:
        return
    try:
        started = time.perf_counter()
        result = compute(store, load_run(store, dataset, run_id))
        source = f" from {result.texts_read:,} test texts" if hasattr(result, "texts_read") else ""
        tqdm.write(f"{run_id}: {what}{source}, {time.perf_counter() - started:.1f}s")
    except Exception as error:  # e.g. a test split with no word seen often enough
        tqdm.write(f"{run_id}: {what} not computed ({type(error).__name__}: {error})")
