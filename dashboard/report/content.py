"""What goes into a report: everything read and computed from the store, before anything is drawn.

    content = gather(Store(), "rt-polarity", run_ids=None, text="A gorgeous, moving film.")

The report includes the data set's finished classifiers (or the runs asked
for), names every run it leaves out and why (still training, failed, another
kind, no readable predictions), and computes the significance of every pair.
A data set whose runs are of other kinds gets their sections instead or as
well (course.py): a memory-lab task its sweep and gradients through time, a
series its forecasters, a character corpus its language models.
A store with no finished run still gives a report (the data card and the
reason); a store of a hundred runs gives one whose tables hold every run and
whose charts draw the best ones (`CHARTED`).
"""

from __future__ import annotations

import platform
import time
from dataclasses import dataclass, field

import pandas as pd

from dashboard import comparisons, tables
from dashboard.examples import examples_for
from dashboard.report.course import (
    ForecastContent, GenerationContent, LabContent, Seq2SeqContent, gather_forecasting, gather_generation, gather_lab,
    gather_seq2seq,
)  # fmt: skip
from pipelines.comparison import PairwiseTable, SeedGroup, compare_runs, score_intervals, seed_groups
from pipelines.comparison.overview import test_texts
from pipelines.records import DatasetSummary, RunRecord
from pipelines.store import DamagedFile, Store
from pipelines.tasks import TASKS

COURSE = "all"  # `report --dataset all`: every data set of the store in one report
CHARTED = 8  # curves and confusion matrices drawn for at most this many models (the tables list all)


@dataclass
class ReportContent:
    title: str
    dataset: str
    store_root: str
    created: str  # local date and time
    summary: DatasetSummary
    records: list[RunRecord]  # finished classifiers in the report, best macro F1 first
    labels: dict[str, str]
    left_out: list[tuple[str, str]]  # (run id, why)
    models: pd.DataFrame  # comparisons.model_frame: one row per model over its seeds
    groups: list[SeedGroup]
    histories: dict[str, pd.DataFrame] = field(default_factory=dict)  # label -> history, charted runs
    significance: PairwiseTable | None = None
    text: str | None = None
    explanation: object | None = None  # pipelines.explain.Explanation of `text`
    word_weights: object | None = None  # the TF-IDF baseline's WordWeights of `text`
    notes: list[str] = field(default_factory=list)  # what could not be drawn, in words
    versions: dict[str, str] = field(default_factory=dict)
    resamples: int = 2000  # the bootstrap's, as the significance section says
    cells: comparisons.CellUncertainty | None = None  # the cell chart's intervals and paired tests
    lab: LabContent | None = None  # a memory-lab task: the sweep, and gradients through time at its distance
    forecasting: ForecastContent | None = None  # a series: its forecasters against the baselines
    generation: GenerationContent | None = None  # a character corpus: its language models against the n-grams
    seq2seq: Seq2SeqContent | None = None  # a sequence-to-sequence task: its encoder-decoders

    @property
    def course_records(self) -> list[RunRecord]:
        """The runs of this data set in the report's other sections (forecasters, language models)."""
        return [*(self.forecasting.records if self.forecasting else []),
                *(self.generation.records if self.generation else []),
                *(self.seq2seq.records if self.seq2seq else [])]  # fmt: skip

    @property
    def run_count(self) -> int:
        return len(self.records) + len(self.course_records)

    @property
    def texts(self) -> str:
        return test_texts(self.dataset)

    @property
    def frame(self) -> pd.DataFrame:
        """One row per run (tables.run_frame), best macro F1 first."""
        return tables.run_frame(self.records)

    def charted(self) -> list[RunRecord]:
        """The runs the per-run charts draw: the first seed of the best models, and the baselines."""
        chosen = set(comparisons.one_run_per_model([record.run_id for record in self.records], self.records,
                                                   CHARTED))  # fmt: skip
        return [record for record in self.records if record.run_id in chosen]


def _select(store: Store, dataset: str, run_ids: list[str] | None) -> tuple[list[RunRecord], list[tuple[str, str]]]:
    """The finished classifiers to report on, and every other run named with why it is left out."""
    if run_ids:  # RunNotFound (a ValueError) for an id that is not in the data set
        records = [store.find_run(run_id, dataset) for run_id in run_ids]
    else:
        records = store.runs(dataset)
    kept, left_out = [], []
    for record in records:
        task = TASKS.get(record.task)
        if record.state != "done":
            left_out.append((record.run_id, f"{record.state}" + (f": {record.problem}" if record.problem else "")))
        elif task is None or not task.classifier:
            left_out.append((record.run_id, f"a {task.title if task else record.task} run, not a classifier"))
        else:
            kept.append(record)
    readable = []
    for record in kept:  # a run without readable predictions cannot be tested or drawn
        try:
            store.read_predictions(record.dataset, record.run_id)
            readable.append(record)
        except DamagedFile as error:
            left_out.append((record.run_id, str(error)))
    return readable, left_out


def _explain(store: Store, records: list[RunRecord], text: str, explain_run: str | None, notes: list[str]):
    """Integrated Gradients of `text` by the chosen (or best) recurrent run, and the TF-IDF baseline's weights."""
    from pipelines.loaded import load

    recurrent = [record for record in records if tables.spec_of(record)]
    chosen = next((record for record in recurrent if record.run_id == explain_run), None) if explain_run else \
        (recurrent[0] if recurrent else None)  # fmt: skip
    if explain_run and chosen is None:
        raise ValueError(f"--explain-run {explain_run} is not a finished recurrent run of this report")
    explanation = weights = None
    if chosen is not None:
        try:
            run = load(store, chosen.dataset, chosen.run_id)
            explanation = run.explain(text, methods=["integrated_gradients"])
        except Exception as error:  # a model that will not load is named, the report goes on
            notes.append(f"{chosen.run_id} could not explain the text ({type(error).__name__}: {error})")
    tfidf = next((r for r in records if tables.baseline_of(r) and tables.baseline_of(r).method == "tfidf-lr"), None)
    if tfidf is not None:
        try:
            weights = load(store, tfidf.dataset, tfidf.run_id).word_weights(text)
        except Exception as error:
            notes.append(f"{tfidf.run_id} could not weigh the text ({type(error).__name__}: {error})")
    return explanation, weights


def gather(store: Store, dataset: str, run_ids: list[str] | None = None, text: str | None = None,
           explain_run: str | None = None, title: str | None = None, resamples: int = 2000) -> ReportContent:
    """Read and compute everything a report shows; ValueError for a data set or run that is not there."""
    if dataset not in store.datasets():
        known = ", ".join(store.datasets()) or "none"
        raise ValueError(f"no data set {dataset!r} in {store.root} (data sets there: {known})")
    summary = store.read_dataset(dataset)
    if text is not None and not text.strip():
        raise ValueError("--text is empty; give a review to explain, or leave --text out for an example")
    records, left_out = _select(store, dataset, run_ids)
    frame = tables.run_frame(records)
    order = {run_id: index for index, run_id in enumerate(frame["run_id"])}
    records = sorted(records, key=lambda record: order[record.run_id])
    labels = dict(zip(frame["run_id"], frame["label"]))
    groups = seed_groups(records)
    content = ReportContent(
        title=title or f"{summary.title}: recurrent models against the baselines", dataset=dataset,
        store_root=str(store.root.resolve()), created=time.strftime("%Y-%m-%d %H:%M %Z"), summary=summary,
        records=records, labels=labels, left_out=left_out, models=comparisons.model_frame(records), groups=groups,
        versions=_versions(records), resamples=resamples,
    )  # fmt: skip
    for record in content.charted():
        if tables.spec_of(record):
            try:
                content.histories[labels[record.run_id]] = store.read_history(dataset, record.run_id)
            except DamagedFile as error:
                content.notes.append(f"no training curves for {record.run_id}: {error}")
    recurrent = [record for record in records if tables.spec_of(record)]
    if recurrent:  # every recurrent run's interval, and each tested against the most accurate (Compare & sweeps)
        against_best = compare_runs(store, recurrent, resamples=resamples, matrix_limit=1) if len(recurrent) > 1 \
            else None  # fmt: skip
        content.cells = comparisons.cell_uncertainty(score_intervals(store, recurrent, resamples=resamples),
                                                     against_best)  # fmt: skip
    models = [record for record in records if record.run_id in {group.first.run_id for group in groups}]
    if len(models) >= 2:  # one run per model (its first seed): the seeds have their own table
        content.significance = compare_runs(store, models, {r.run_id: labels[r.run_id] for r in models},
                                           resamples=resamples)  # fmt: skip
    content.lab = gather_lab(store, dataset, run_ids)
    content.forecasting = gather_forecasting(store, dataset, run_ids, summary)
    content.generation = gather_generation(store, dataset, run_ids, summary)
    content.seq2seq = gather_seq2seq(store, dataset, run_ids, summary)
    if content.forecasting:
        content.notes += content.forecasting.notes
    reported = {record.run_id for record in content.course_records}  # in their own section: not left out
    content.left_out = [(run_id, why) for run_id, why in content.left_out if run_id not in reported]
    examples = examples_for(summary)
    content.text = text or (examples[0] if examples else None)
    if content.text and records:
        content.explanation, content.word_weights = _explain(store, records, content.text, explain_run,
                                                             content.notes)  # fmt: skip
    return content


def gather_course(store: Store, resamples: int = 2000) -> list[ReportContent]:
    """Every data set of the store that has a finished run: classifiers' first, then the memory lab by distance,
    then series and character corpora (the order of a lecture)."""
    from pipelines.data.memory import KEY

    contents = [gather(store, dataset, resamples=resamples) for dataset in store.datasets()]
    contents = [content for content in contents if content.run_count]
    if not contents:
        raise ValueError(f"no data set in {store.root} has a finished run to report on")

    def lecture_order(content: ReportContent) -> tuple:
        memory = KEY.fullmatch(content.dataset)
        kind = 1 if memory else 2 if content.forecasting else 3 if content.generation else 4 if content.seq2seq else 0
        return kind, bool(memory and memory.group(2)), int(memory.group(1)) if memory else 0, content.dataset

    return sorted(contents, key=lecture_order)


def _versions(records: list[RunRecord]) -> dict[str, str]:
    """The software the runs were trained with (the first run's spec), and what builds the report now."""
    import plotly

    trained = dict(records[0].spec.versions) if records and records[0].spec else {}
    return {**{f"trained with {name}": str(value) for name, value in trained.items() if value},
            "report: python": platform.python_version(), "report: plotly": plotly.__version__}
