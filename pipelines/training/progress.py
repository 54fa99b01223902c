"""What `train` shows and returns while a zoo trains, whichever executor trains it.

    progress = ZooProgress(store, "rt-polarity", "sweep zoo on rt-polarity", total=18)
    on_step = progress.started(run_id)           # a steps bar for the run; call it with each step's progress
    progress.trained(run_id, metrics)            # one line, and the run's top words cached
    progress.outcomes                            # what the CLI counts for its summary

The local executor calls `on_step` from its own loop; the Ray executor from the
status updates its workers send back. Either way the user sees one bar over
the runs, a bar per run in training, and one line per finished run.
"""

from __future__ import annotations

import time
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
    def __init__(self, store: Store, dataset: str, title: str, total: int, show: bool = True, words: bool = True):
        self.store, self.dataset, self.show, self.words = store, dataset, show, words
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
        if state == "done":
            self.derive_top_words(run_id)  # a run trained before top words were cached

    def trained(self, run_id: str, metrics: dict) -> None:
        detail = f"accuracy {metrics['accuracy']:.3f}, macro F1 {metrics['f1_macro']:.3f}, {metrics['train_seconds']:.0f}s"
        self._record(Outcome(run_id, "trained", detail), detail)
        self.derive_top_words(run_id)

    def failed(self, run_id: str, claim: RunClaim, error: str, traceback: str | None = None) -> None:
        """One broken run must not stop the zoo: its status says why, and the next `train` redoes it."""
        claim.set_status("failed", error=error, traceback=traceback)
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

    def derive_top_words(self, run_id: str) -> None:
        if self.words:
            derive_top_words(self.store, self.dataset, run_id)


def derive_top_words(store: Store, dataset: str, run_id: str) -> None:
    """Cache a finished run's top words; a failure here is reported and never undoes the run."""
    from ..explain.aggregate import cached_top_words, top_words  # imports Captum: only once a run has finished
    from ..runs import load_run

    # Checked here, before the model is loaded: a cache made with today's settings needs nothing more.
    if store.run(dataset, run_id).state != "done" or cached_top_words(store, dataset, run_id) is not None:
        return
    try:
        started = time.perf_counter()
        result = top_words(store, load_run(store, dataset, run_id))
        tqdm.write(f"{run_id}: top words from {result.texts_read:,} test texts, {time.perf_counter() - started:.1f}s")
    except Exception as error:  # e.g. a test split with no word seen often enough
        tqdm.write(f"{run_id}: top words not computed ({type(error).__name__}: {error})")
