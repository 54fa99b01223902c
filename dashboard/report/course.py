"""What a report holds beyond classifiers: the memory lab, gradients through time, forecasts and language models.

    lab = gather_lab(store, "memory-d50", run_ids=None)      # None unless the data set is a memory-lab task
    forecasts = gather_forecasting(store, "co2", None)       # None unless it holds finished forecasters
    writing = gather_generation(store, "rt-polarity-chars", None)
    translating = gather_seq2seq(store, "reverse-60", None)  # None unless it holds finished encoder-decoders

A report of data set D holds the sections D's runs have:

- a memory-lab task (memory-dN): the lab's sweep, accuracy against distance over every memory-dN of the same
  variant in the store (the lesson is the curve, so one distance alone cannot tell it), and the gradients
  through time of D's own runs at N, from the summaries the lab kept in each run's folder;
- a series (co2): its forecasters against the baselines;
- a character corpus (rt-polarity-chars): its language models against the n-gram baselines;
- a sequence-to-sequence task (dates, reverse-N, nusax-id-en): its encoder-decoders, exact match and per-token
  accuracy overall and by source length (BLEU and chrF beside the baselines for text).

Everything is read from the store, through the tables the pages use (`dashboard.tables`, the features'
`tables_*`); nothing is trained or computed anew.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import pandas as pd

from dashboard import tables
from dashboard.features.forecasting import tables_forecast
from dashboard.features.seq2seq import tables_seq2seq
from dashboard.features.writing import tables_language
from pipelines.data.memory import KEY
from pipelines.forecasting.runs import with_bands
from pipelines.models.cells import CELL_NAMES
from pipelines.records import DatasetSummary, RunRecord
from pipelines.store import DamagedFile, Store
from pipelines.tasks import TASKS, Capability, Task


def reported(task: Task) -> bool:
    """The kinds of run a report draws: classifiers, forecasters, language models and encoder-decoders (the Report
    page's filter)."""
    return (task.classifier or task.can(Capability.FORECAST) or task.can(Capability.GENERATE)
            or task.can(Capability.TRANSLATE))


def can(record: RunRecord, capability: Capability) -> bool:
    task = TASKS.get(record.task)
    return task is not None and task.can(capability)


def _finished(records: list[RunRecord], capability: Capability) -> list[RunRecord]:
    return [record for record in records if record.state == "done" and can(record, capability)]


def _chosen(store: Store, dataset: str, run_ids: list[str] | None, capability: Capability) -> list[RunRecord]:
    """The finished runs of the data set (or of `run_ids`) that can do `capability`."""
    records = [store.find_run(run_id, dataset) for run_id in run_ids] if run_ids else store.runs(dataset)
    return _finished(records, capability)


# -- the memory lab and gradients through time ---------------------------------------------------------


@dataclass
class LabContent:
    distance: int  # the report's data set's distance
    distractors: bool
    frame: pd.DataFrame  # tables.lab_frame: a row per finished run of the sweep
    table: pd.DataFrame  # tables.lab_table: a row per cell and start, a column per distance
    solved: pd.DataFrame | None  # with several seeds: how many runs of each learned the task
    gradients: dict[str, dict] = field(default_factory=dict)  # figures_lab.gradient_panels' flows, at `distance`
    facts: list[str] = field(default_factory=list)  # a sentence per model: how much gradient is left
    meanings: list[str] = field(default_factory=list)  # what each model's recurrent weights imply
    missing: list[str] = field(default_factory=list)  # runs at `distance` without kept gradients
    value: str = "jacobian"  # the gradient norm drawn (figures_lab.GRADIENT_VALUES)


def gather_lab(store: Store, dataset: str, run_ids: list[str] | None) -> LabContent | None:
    """The sweep of `dataset`'s variant and the kept gradients of its runs; None for a data set outside the lab."""
    from pipelines.explain.memory_lab import cached_lab_summary, lab_points  # imports torch

    match = KEY.fullmatch(dataset)
    if not match:
        return None
    distance, distractors = int(match.group(1)), bool(match.group(2))
    points = lab_points(store, distractors)
    if not points:
        return None
    seeded = len({(p.distance, p.cell, p.init) for p in points}) < len(points)
    lab = LabContent(distance, distractors, tables.lab_frame(points), tables.lab_table(points),
                     tables.lab_table(points, solved=True) if seeded else None)  # fmt: skip
    chosen = set(run_ids) if run_ids else None
    at = [p for p in points if p.distance == distance and p.fair and (chosen is None or p.record.run_id in chosen)]
    seen = set()
    for point in sorted(at, key=lambda p: (list(CELL_NAMES).index(p.cell), p.seed or 0)):
        if point.cell in seen:  # one run per cell, its first seed: the page's panels
            continue
        summary = cached_lab_summary(store, point.record.dataset, point.record.run_id)
        if summary is None:
            lab.missing.append(point.record.run_id)
            continue
        seen.add(point.cell)
        trained, initial = summary.trained[0], summary.initial[0]
        name = f"{CELL_NAMES[point.cell]} ({point.init}), accuracy {point.accuracy:.0%}"
        flow = {"cell": point.cell, "trained": trained.steps_back(trained.jacobian),
                "initial": initial.steps_back(initial.jacobian)}  # fmt: skip
        lab.gradients[name] = flow
        back = min(distance, len(flow["trained"]) - 1)
        lab.facts.append(f"{name}: {flow['trained'][back]:.1e} of the last state's sensitivity reaches {back} "
                         f"steps back after training ({flow['initial'][back]:.1e} at initialisation).")  # fmt: skip
        lab.meanings.append(f"{name}. {summary.meaning()}")
    return lab


# -- forecasting ---------------------------------------------------------------------------------------


@dataclass
class ForecastContent:
    summary: DatasetSummary
    records: list[RunRecord]  # finished forecasters and baselines, best test RMSE first
    frame: pd.DataFrame  # tables_forecast.forecast_frame
    table: pd.DataFrame  # tables_forecast.leaderboard
    series: pd.DataFrame  # date, value, observed, part
    lines: dict[str, pd.DataFrame]  # label -> one-step-ahead test forecasts (the page's default runs)
    fans: dict[str, pd.DataFrame]  # label -> the best recurrent model's forecast from the first test origin
    origin: str | None
    notes: list[str] = field(default_factory=list)


def gather_forecasting(store: Store, dataset: str, run_ids: list[str] | None,
                       summary: DatasetSummary) -> ForecastContent | None:  # fmt: skip
    """The data set's forecasters against the baselines, as the Forecasts page draws them by default."""
    if summary.series is None:
        return None
    records = _chosen(store, dataset, run_ids, Capability.FORECAST)
    notes, predictions = [], {}
    for record in records:
        try:
            predictions[record.run_id] = store.read_predictions(dataset, record.run_id)
        except DamagedFile as error:
            notes.append(f"left out {record.run_id}: {error}")
    records = [record for record in records if record.run_id in predictions]
    if not records:
        return None
    try:
        series = store.read_series(dataset)
    except DamagedFile as error:
        raise ValueError(f"{dataset}'s series cannot be read ({error}); train any forecast zoo on it again") from error
    frame = tables_forecast.forecast_frame(records)
    by_id = {record.run_id: record for record in records}
    horizon = int(frame["horizon"].max())
    table = tables_forecast.leaderboard(frame, by_id, tuple(sorted({1, min(12, horizon), horizon})))
    labels = dict(zip(frame["run_id"], frame["label"]))
    shown = tables_forecast.default_runs(frame)
    lines = {labels[run_id]: tables_forecast.step_forecasts(predictions[run_id], 1) for run_id in shown}
    fans, origin = {}, None
    best = list(frame[~frame["baseline"]]["run_id"][:1])
    if best:
        made = predictions[best[0]]
        origin = sorted(set(made["origin"]))[0]
        fans[labels[best[0]]] = with_bands(tables_forecast.origin_forecast(made, origin),
                                           by_id[best[0]].metrics.validation_rmse)  # fmt: skip
    records = [by_id[run_id] for run_id in frame["run_id"]]
    return ForecastContent(summary, records, frame, table, series, lines, fans, origin, notes)


# -- language models -----------------------------------------------------------------------------------


@dataclass
class GenerationContent:
    summary: DatasetSummary
    records: list[RunRecord]  # finished language models and n-gram baselines, fewest bits per character first
    board: pd.DataFrame  # tables_language.language_model_board
    samples: pd.DataFrame  # tables_language.samples_table: what each wrote right after training

    @property
    def alphabet(self) -> int | None:
        vocabulary = self.summary.vocabulary
        return vocabulary.size - 1 if vocabulary else None


def gather_generation(store: Store, dataset: str, run_ids: list[str] | None,
                      summary: DatasetSummary) -> GenerationContent | None:  # fmt: skip
    """The corpus's language models against the n-grams, and the samples kept in their metrics."""
    records = _chosen(store, dataset, run_ids, Capability.GENERATE)
    if not records:
        return None
    board = tables_language.language_model_board(records)
    order = {run_id: index for index, run_id in enumerate(board["run id"])}
    records = sorted(records, key=lambda record: order[record.run_id])
    return GenerationContent(summary, records, board, tables_language.samples_table(records,
                                                                                   tables.run_labels(records)))


# -- encoder-decoders ---------------------------------------------------------------------------------------


@dataclass
class Seq2SeqContent:
    summary: DatasetSummary
    records: list[RunRecord]  # finished encoder-decoders, best first (BLEU for text, else exact match)
    board: pd.DataFrame  # a row per model: its scores, its context vector, its training
    curves: list[dict]  # figures_seq2seq.accuracy_by_length's input

    @property
    def text(self) -> bool:
        return any(record.metrics.bleu is not None for record in self.records)


def gather_seq2seq(store: Store, dataset: str, run_ids: list[str] | None,
                   summary: DatasetSummary) -> Seq2SeqContent | None:  # fmt: skip
    """The task's encoder-decoders: the scores their metrics keep (greedy decoding of the test split)."""
    records = _chosen(store, dataset, run_ids, Capability.TRANSLATE)
    if not records:
        return None
    records = tables_seq2seq.best_first(records)
    board = tables_seq2seq.model_board(records).drop(columns=["run id"])
    return Seq2SeqContent(summary, records, board, tables_seq2seq.length_curves(records))


# -- the summary -----------------------------------------------------------------------------------------


def summary_sentences(lab: LabContent | None, forecasts: ForecastContent | None,
                      writing: GenerationContent | None, translating: Seq2SeqContent | None = None) -> list[str]:
    # fmt: skip
    """What the report's other sections found, a sentence each, for its summary."""
    sentences = []
    if lab is not None:
        column = f"D = {lab.distance}"
        if column in lab.table:
            scores = ", ".join(f"{row['model']} {row[column]:.0%}" for _, row in lab.table.iterrows()
                               if pd.notna(row[column]))  # a cell not trained at this distance is left out
            sentences.append(f"Memory lab at D = {lab.distance} (test accuracy, chance 50%): {scores}.")
    if forecasts is not None:
        frame = forecasts.frame
        recurrent, baselines = frame[~frame["baseline"]], frame[frame["baseline"]]
        if len(recurrent):
            best = recurrent.iloc[0]
            sentences.append(f"The best recurrent forecaster, {best['label']}, reaches a test RMSE of "
                             f"{best['rmse']:.4g} over {int(best['horizon'])} steps ahead.")  # fmt: skip
        if len(baselines):
            base = baselines.iloc[0]
            verdict = "" if not len(recurrent) else (" (the recurrent model beats every baseline)"
                                                     if recurrent.iloc[0]["rmse"] < base["rmse"] else
                                                     " (a baseline is still ahead)")  # fmt: skip
            sentences.append(f"The best baseline, {base['label']}, reaches {base['rmse']:.4g}{verdict}.")
    if writing is not None:
        board = writing.board
        recurrent, ngrams = board[board["kind"] == "recurrent"], board[board["kind"] == "n-gram"]
        if len(recurrent):
            best = recurrent.iloc[0]
            sentences.append(f"The best language model, {best['model']}, needs {best['bits per character']:.3f} bits "
                             f"per character on the test passages (perplexity {best['perplexity']:.2f}).")
        if len(ngrams):
            best = ngrams.iloc[0]
            sentences.append(f"The best n-gram baseline, {best['model']}, needs {best['bits per character']:.3f}.")
    if translating is not None:
        best = translating.board.iloc[0]
        if translating.text:
            baselines = translating.summary.baselines
            against = ", ".join(f"{name} {scores['bleu']:.1f}" for name, scores in baselines.items())
            sentences.append(f"The best encoder-decoder, {best['model']}, reaches BLEU {best['BLEU']:.1f} and chrF "
                             f"{best['chrF']:.1f} on the test sentences (the baselines' BLEU: {against or 'none'}).")
        else:
            sentences.append(f"The best encoder-decoder, {best['model']}, writes {best['exact match']:.1%} of the "
                             f"test outputs exactly right ({best['per-token accuracy']:.1%} of their symbols).")
    return sentences
