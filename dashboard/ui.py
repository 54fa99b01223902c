"""Streamlit pieces every page shares: guards that teach, and charts and tables shown one way.

A guard shows what is missing and what to do about it, then stops the page
(`st.info` + `st.stop()`), so a page's own code only ever sees data it can draw.
"""

from __future__ import annotations

import hashlib
import pickle
import re
from collections import Counter, defaultdict
from dataclasses import dataclass
from typing import Callable

import pandas as pd
import plotly.graph_objects as go
import streamlit as st

from dashboard import loaders
from dashboard.describe import chart_data, describe
from dashboard.figures import SUBSCRIPT, styled
from dashboard.pages import page_path
from dashboard.state import DATASET, RUN, RUNS, TAB, Selection, keep_current_view, kept, on_offer, selection
from dashboard.tables import run_frame
from pipelines.records import DatasetSummary
from pipelines.store import RunRecord
from pipelines.tasks import Capability, Task, task_of

TRAIN_PAGE = page_path("train")

# What a page draws: the runs that can do what it asks (a Capability: Inside asks EXPLAIN, the Playground
# PREDICT, Write GENERATE, the forecasting pages FORECAST), or, for the results pages, a test of the run's kind.
Draws = Capability | Callable[[Task], bool]


def classifiers(task: Task) -> bool:
    """Runs scored as classifiers: what the results pages draw."""
    return task.classifier


def trained_by_epochs(task: Task) -> bool:
    """Runs with a training history (one row per epoch) and forecasters: what the Training page draws (it leaves
    out the bag-of-words and n-gram baselines, which have no epochs)."""
    return "history.csv" in task.files_when_done or task.can(Capability.FORECAST)


def _kind_test(draws: Draws) -> Callable[[Task], bool]:
    return draws if callable(draws) else lambda task: task.can(draws)


def require_series(dataset: str) -> DatasetSummary:
    """The summary of a forecasting data set; for any other, say how to make one and stop."""
    summary = require_summary(dataset)
    if summary.series is None:
        trained = series_with_forecasters()
        if trained:  # say where they are, and go there in one click
            st.info(f"**{dataset} is not a time series.** This page draws forecasters: "
                    f"{', '.join(f'**{key}**' for key in trained)} {'has' if len(trained) == 1 else 'have'} them.",
                    icon=":material/timeline:")  # fmt: skip
            for key in trained:
                st.button(f"Switch to {key}", key=f"switch_to_{key}", on_click=_switch_dataset, args=(key,),
                          icon=":material/swap_horiz:")  # fmt: skip
        else:
            from_a_terminal(f"**{dataset} is not a time series**, and no series has forecasters yet. This page draws "
                            "them: train some on the CO₂ series (statsmodels' copy, no download):",
                            train_command("co2", "forecast-quick"), then="then pick **co2** as the data set in the "
                            "sidebar.")  # fmt: skip
        st.stop()
    return summary


def series_with_forecasters() -> list[str]:
    """The store's data sets with at least one finished forecaster (a baseline counts: the page draws it)."""
    return [key for key in loaders.datasets()
            if any(record.state == "done" and task_of(record).can(Capability.FORECAST) for record in loaders.runs(key))]


def _switch_dataset(key: str) -> None:
    st.session_state[DATASET] = key  # a callback runs before the sidebar's widget: the sidebar shows it too


def train_command(dataset: str, zoo: str = "quick") -> str:
    return f"python -m pipelines train --dataset {dataset} --zoo {zoo}"


def from_a_terminal(prose: str, *commands: str, then: str = "", icon: str = ":material/school:") -> None:
    """An info box that says what to run: `prose` (ending in a colon), the commands in a code block, then `then`.

    A projector is no terminal: in presentation mode the room reads the sentence and the commands wait, folded, for
    whoever wants to copy them.
    """
    code = "\n".join(commands)
    if not selection().presentation:
        st.info(f"{prose}\n\n```\n{code}\n```" + (f"\n\n{then}" if then else ""), icon=icon)
        return
    st.info(prose.rstrip(": ") + "." + (f" {then[0].upper()}{then[1:]}" if then else ""), icon=icon)
    with st.expander("The command, for a terminal" if len(commands) == 1 else "The commands, for a terminal"):
        st.code(code, language=None)


def teach(text: str) -> None:
    """A short caption that tells a student what to look at: the page's lesson, so presentation mode keeps it (in
    larger type: app.py's PRESENTATION_CSS)."""
    st.caption(text)


LATEX = {"‖": r"\Vert ", "∂": r"\partial ", "∏": r"\prod ", "·": r"\cdot ", "−": "-"}


def maths(symbol: str) -> str:
    """Maths written as for the charts ("‖∂h_T/∂h_(T−k)‖", see figures.subscripts) as Markdown's LaTeX, for
    captions and widget labels: subscripts render, underscores never show."""
    latex = SUBSCRIPT.sub(lambda match: f"_{{{match.group(1) or match.group(2)}}}", symbol)
    return "$" + "".join(LATEX.get(character, character) for character in latex) + "$"


PROSE_SUBSCRIPT = re.compile(r"(\w)_(?:\(([^)]*)\)|(\w+))")  # c_t, W_hh, c_(t-1): a letter and its subscript


def with_maths(prose: str) -> str:
    """Prose whose symbols are written with underscores ("carried by c_t, not by W_hh"), each symbol as Markdown's
    LaTeX: for the pipelines' explanations, which a terminal prints as they are."""
    return PROSE_SUBSCRIPT.sub(lambda match: f"${match.group(1)}_{{{match.group(2) or match.group(3)}}}$", prose)


def fewer_on_a_projector(items: dict, score: Callable[[object], float], key: str, few: int = 3) -> dict:
    """A busy chart in presentation mode: the `few` best of `items` (by `score`) and the weakest, the lines that make
    the point, with a toggle that brings back all of them."""
    if not selection().presentation or len(items) <= few + 1:
        return items
    if st.toggle(f"All {len(items)} models", key=key, help="In presentation mode a busy chart shows the best few "
                 "and the weakest; this shows every model."):  # fmt: skip
        return items
    ranked = sorted(items, key=lambda name: -score(items[name]))
    st.caption(f"The {few} best of {len(items)} models and the weakest; the toggle above shows them all.")
    return {name: items[name] for name in ranked[:few] + ranked[-1:]}


def controls_and_result(label: str, expanded: bool = False) -> tuple:
    """Where a page's controls go and where its result goes, in that order on a laptop (the controls boxed).

    On a projector the result comes first and the controls go below it in an expander (`label` says what they set),
    folded unless `expanded` (the Playground's review box, which a lecturer types into): the first screen shows the
    lesson, not the form. Widgets in a folded expander keep working.
    """
    if selection().presentation:
        result = st.container()
        return st.expander(label, expanded=expanded, icon=":material/tune:"), result
    return st.container(border=True), st.container()


def rerun_alone(draw: Callable[[], None]) -> None:
    """Draw `draw` as a fragment: its own widgets (a review typed, a tab, a model picked) rerun it alone, not the page
    around it, the sidebar and the frame, which a student's keystroke does not change. A page rerun costs the
    server several times what its model work does (BENCHMARKS.md section 21); a room of students typing pays it
    once per keystroke-and-Enter each. After such a rerun the page's view is remembered, as app.py does after a
    whole one."""

    @st.fragment
    def fragment() -> None:
        try:
            draw()
        finally:  # also when the fragment stops early (a guard's st.stop)
            keep_current_view()

    fragment()


def show_chart(name: str, build: Callable[..., go.Figure], *args, height: int | None = None, **kwargs) -> None:
    """Draw `build(*args, **kwargs)` (a builder from dashboard.figures) in the shared look.

    The styled figure is cached on its inputs: Plotly figures take tens of
    milliseconds to build, so drawing the same chart again is a lookup. `name`
    is the file name of the PNG its toolbar downloads. The chart is described in
    words (`describe.describe`) for screen readers, and its data is one click away.
    """
    presentation = selection().presentation
    figure, words = styled_figure(build, args, kwargs, presentation, height)
    st.plotly_chart(figure, theme=None, config=_chart_config(name, presentation), alt=words)
    _chart_data(name, figure, words)


def clicked_point(key: str, name: str, build: Callable[..., go.Figure], *args, height: int | None = None,
                  **kwargs) -> dict | None:  # fmt: skip
    """`show_chart` for a chart whose points can be clicked: the clicked point (Plotly's point: its
    `customdata`, `point_index`, ...), or None before a click."""
    presentation = selection().presentation
    figure, words = styled_figure(build, args, kwargs, presentation, height)
    event = st.plotly_chart(figure, theme=None, config=_chart_config(name, presentation), key=key,
                            on_select="rerun", selection_mode="points", alt=words)  # fmt: skip
    _chart_data(name, figure, words)
    points = event.selection.points if event and event.selection else []
    return points[0] if points else None


def _chart_data(name: str, figure: go.Figure, words: str) -> None:
    """The chart in words and its data as a table, folded under it. The table is built only while the expander is
    open (opening it reruns the page): a page of ten charts pays for ten folded labels, not ten tables."""
    data = st.expander("The data", key=f"chart-data:{name}", on_change="rerun", icon=":material/table:")
    if data.open:
        with data:
            st.caption(words)
            show_table(chart_data(figure), f"{name}-chart")  # a page's own table may already be called `name`


def _chart_config(name: str, presentation: bool) -> dict:
    return {
        "displaylogo": False,
        "displayModeBar": False if presentation else "hover",
        "modeBarButtonsToRemove": ["select2d", "lasso2d", "autoScale2d"],
        "toImageButtonOptions": {"format": "png", "filename": _file_name(name), "scale": 2},
    }


def styled_figure(build: Callable[..., go.Figure], args: tuple, kwargs: dict, presentation: bool,
                  height: int | None) -> tuple[go.Figure, str]:  # fmt: skip
    """`styled(build(*args, **kwargs))` and its description in words, cached on the inputs' content. The key is a
    digest of their pickle: Streamlit's own hashing walks every frame, list and string of the inputs in Python, which
    cost a page ~50 ms a rerun for a forecast's series. Equal bytes are equal inputs; inputs that pickle differently
    only miss the cache."""
    try:
        digest = hashlib.blake2b(pickle.dumps((args, sorted(kwargs.items())), protocol=5), digest_size=16).hexdigest()
    except (pickle.PicklingError, TypeError, AttributeError):  # a function among them: drawn, not kept
        return _styled_and_described(build(*args, **kwargs), presentation, height)
    return _styled_figure(build.__module__, build.__qualname__, digest, presentation, height, _args=args,
                          _kwargs=kwargs, _build=build)  # fmt: skip


@st.cache_resource(max_entries=256, show_spinner=False)
def _styled_figure(module: str, builder: str, digest: str, presentation: bool, height: int | None, _args: tuple,
                   _kwargs: dict, _build) -> tuple[go.Figure, str]:  # fmt: skip
    # cache_resource hands back the object itself; nothing changes it after this (plotly_chart copies it).
    return _styled_and_described(_build(*_args, **_kwargs), presentation, height)


def _styled_and_described(figure: go.Figure, presentation: bool, height: int | None) -> tuple[go.Figure, str]:
    return styled(figure, presentation, height), describe(figure)


def show_table(frame: pd.DataFrame, name: str, column_config: dict | None = None, height="auto") -> None:
    """A sortable table with a CSV download under it."""
    st.dataframe(frame, hide_index=True, column_config=column_config, height=height,
                 placeholder="–")  # a cell a kind of model has no value for (a baseline's layers), not "None"
    if not selection().presentation:
        st.download_button("Download CSV", frame.to_csv(index=False).encode(), file_name=f"{_file_name(name)}.csv",
                           mime="text/csv", icon=":material/download:", key=f"csv-{name}")  # fmt: skip


def pick_runs(key: str, options: list[str], default: list[str], labels: dict[str, str], help: str,
              dataset: str | None = None) -> list[str]:  # fmt: skip
    """A multiselect of runs whose choice is kept per data set (the sidebar's, or `dataset`) and across pages.

    When none of the remembered runs is on offer any more (other filters), it
    starts again from `default` rather than from an empty choice. The key `RUNS`
    keeps the choice in the page address instead (state.ADDRESS: ?runs=...&runs=...).
    """
    if key == RUNS:
        on_offer(RUNS, options)
        return st.multiselect("Models", options, default=default, format_func=labels.get, help=help,
                              **kept(RUNS, labels.get))  # fmt: skip
    key = f"{key}:{dataset or selection().dataset}"
    remembered = st.session_state.get(key)
    if remembered and not set(remembered) & set(options):
        del st.session_state[key]
    return st.multiselect("Models", options, default=default, format_func=labels.get, key=key,
                          persist_state="session", help=help)  # fmt: skip


def pick_run(options: list[str], labels: dict[str, str], column=st, label: str = "Model") -> str:
    """One run, kept in the page address (?run=<its label>); the first on offer by default."""
    on_offer(RUN, options)
    return column.selectbox(label, options, format_func=labels.get, **kept(RUN, labels.get))


def open_tab(views: dict[str, Callable[[], None]]) -> None:
    """Tabs kept in the page address (?tab=Gates); only the open one is drawn (switching reruns the page)."""
    on_offer(TAB, views)  # another page's tab, or a renamed one in an old link: start from the first
    for tab, view in zip(st.tabs(list(views), **kept(TAB)), views.values()):
        if tab.open:
            with tab:
                view()


def _file_name(name: str) -> str:
    return re.sub(r"[^A-Za-z0-9._-]+", "-", name).strip("-") or "chart"


# -- guards --------------------------------------------------------------------------------


def stop_at_no_known_word(found: str, summary: DatasetSummary) -> None:
    """Say that the models know no word of the text (`found`: what that means on this page) and stop the page: a
    guess from <unk> tokens is no answer. The Playground and Inside the model say it alike."""
    st.warning(f"{found} Is it in another language, or full of typos? The models learned "
               f"{summary.language.capitalize() or 'their words'} from {summary.title}.",
               icon=":material/translate:")  # fmt: skip
    st.stop()


def require_dataset() -> Selection:
    """The selection, once the store has at least one data set; else say how to make one."""
    selected = selection()
    if selected.dataset is None and _training_jobs():
        st.info("**The first models are training** in the background (a job started from the Train page or by "
                "`make demo`). This page fills in as soon as the data set is ready and runs finish; the Train "
                "page shows their progress.", icon=":material/hourglass_top:")  # fmt: skip
        st.page_link(TRAIN_PAGE, label="Watch them on the Train page", icon=":material/model_training:")
        _rerun_when_a_data_set_appears()
        st.stop()
    if selected.dataset is None:
        from_a_terminal(
            f"**No trained models yet.** The store at `{loaders.store_root()}` holds no data set. "
            "Train the quick zoo (seven small models, a few minutes on a laptop CPU) from a terminal in the "
            "project folder:", train_command("rt-polarity"),
            then="or start it on the Train page. Set `RNNLENS_ARTIFACTS` to read a store somewhere else.",
        )
        st.page_link(TRAIN_PAGE, label="Open the Train page", icon=":material/model_training:")
        st.stop()
    return selected


def _training_jobs() -> list:
    from pipelines.training.jobs import list_jobs

    return [job for job in list_jobs(loaders.store()) if job.alive]


@st.fragment(run_every=3)
def _rerun_when_a_data_set_appears() -> None:
    if loaders.datasets() or not _training_jobs():
        st.rerun()


def require_finished_runs(selected: Selection, draws: Draws = classifiers) -> list[RunRecord]:
    """The finished runs of the kinds a page `draws` that pass the filters; stops with a lesson if none.

    Runs of other kinds (a forecaster on a classifier's page, say) are left out with a note saying so.
    """
    records = loaders.runs(selected.dataset)
    done = [record for record in records if record.state == "done"]
    if done:
        done = drawn(done, draws)
        if not done:
            st.stop()
    if not records:
        from_a_terminal(f"**No runs for {selected.dataset} yet.** Train the quick zoo on it:",
                        train_command(selected.dataset), then="or start it on the Train page.")
        st.page_link(TRAIN_PAGE, label="Open the Train page", icon=":material/model_training:")
        st.stop()
    if not done:
        describe_unfinished(records)
        st.info("No run of this data set has finished yet; results appear here as soon as one does.",
                icon=":material/hourglass_top:")  # fmt: skip
        st.stop()
    note_unfinished(records)
    kept = [record for record in done if selected.keeps(record)]
    if not kept:
        st.info(f"The sidebar filters hide all {len(done)} finished runs. Turn some choices back on.",
                icon=":material/filter_alt_off:")  # fmt: skip
        st.stop()
    return kept


def drawn(done: list[RunRecord], draws: Draws) -> list[RunRecord]:
    """The finished runs of the kinds a page draws; the kinds it leaves out are named (as a note, or as the
    page's only message when nothing is left)."""
    able = _kind_test(draws)
    other_kinds = [record for record in done if not able(task_of(record))]
    kept = [record for record in done if able(task_of(record))]
    if other_kinds:
        counts = Counter(task_of(record).title for record in other_kinds)
        parts = []
        for index, (title, count) in enumerate(sorted(counts.items())):
            subject = f"{count} finished run{'s' * (count > 1)} of this data set" if index == 0 else str(count)
            parts.append(f"{subject} {'are' if count > 1 else 'is a'} {title}{'s' * (count > 1)}")
        message = f"{' and '.join(parts)}, which this page does not draw."
        if kept:
            teach(message)
        else:
            st.info(f"**Nothing to show here.** {message}", icon=":material/info:")
    return kept


@dataclass(frozen=True)
class FinishedRuns:
    """The finished runs a results page draws, in the shapes pages look them up by."""

    records: list[RunRecord]
    frame: pd.DataFrame  # tables.run_frame: one row per run, best macro F1 first
    labels: dict[str, str]  # run id -> chart label
    by_id: dict[str, RunRecord]


def require_runs(selected: Selection, draws: Draws = classifiers) -> FinishedRuns:
    """`require_finished_runs`, with the run table and the lookups every results page builds from it."""
    records = require_finished_runs(selected, draws)
    frame = run_frame(records)
    return FinishedRuns(records, frame, dict(zip(frame["run_id"], frame["label"])),
                        {record.run_id: record for record in records})  # fmt: skip


def require_summary(dataset: str) -> DatasetSummary:
    """The data set's dataset.json summary; if it cannot be read, say how to rewrite it and stop."""
    try:
        return loaders.dataset_summary(dataset)
    except loaders.Unreadable as error:
        st.error(f"{error}. Train any zoo on this data set again to rewrite it.", icon=":material/error:")
        st.stop()


def remembered(key: str, options: list, default) -> str:
    """A single-choice widget's key, kept per data set; a remembered choice no longer on offer starts over.

    The multiselect twin is `pick_runs`.
    """
    key = f"{key}:{selection().dataset}"
    if key in st.session_state and st.session_state[key] not in options:
        del st.session_state[key]
    st.session_state.setdefault(key, default)
    return key


def _briefly_on_a_projector(count: int, what: str) -> bool:
    """In presentation mode, runs a page leaves out are one quiet line, not boxes of run ids: True if it said so."""
    if not selection().presentation:
        return False
    if count:
        st.caption(f":material/info: {count} run{'s' * (count != 1)} {what}; turn presentation mode off for which "
                   "and why.")  # fmt: skip
    return True


def describe_unfinished(records: list[RunRecord]) -> None:
    """One line per kind of run that is not done: training, failed (with the error), damaged (skipped)."""
    if _briefly_on_a_projector(sum(record.state != "done" for record in records), "not finished or left out"):
        return
    by_state: dict[str, list[RunRecord]] = defaultdict(list)
    for record in records:
        if record.state != "done":
            by_state[record.state].append(record)
    active = by_state["running"] + by_state["queued"]
    if active:
        parts = [f"`{record.run_id}` ({_progress(record)})" for record in active]
        st.info(f"**Still training:** {_some(parts)}. Results appear as runs finish.", icon=":material/hourglass_top:")
    for record in by_state["failed"]:
        st.error(f"**Training failed:** `{record.run_id}`: {_plain(record.problem or 'no error was recorded')}. "
                 "Starting the zoo again redoes it.", icon=":material/error:")  # fmt: skip
    for state, verb in (("interrupted", "Interrupted"), ("corrupt", "Left out, cannot be read"),
                        ("unverified", "Left out, unverified")):  # fmt: skip
        if by_state[state]:
            parts = [f"`{record.run_id}` ({_plain(record.problem or state)})" for record in by_state[state]]
            st.warning(f"**{verb}:** {_some(parts, '; ')}. Starting the zoo again redoes it.",
                       icon=":material/warning:")  # fmt: skip


def note_unfinished(records: list[RunRecord]) -> None:
    """One line naming the runs a results page leaves out, and why (the Overview has the details)."""
    active = [record for record in records if record.state in ("running", "queued")]
    broken = [record for record in records if record.state in ("failed", "interrupted", "corrupt", "unverified")]
    if _briefly_on_a_projector(len(active) + len(broken), "still training or left out"):
        return
    if broken:
        parts = [f"`{r.run_id}` ({r.state}: {_plain(r.problem or 'no reason recorded')})" for r in broken]
        parts += [f"`{r.run_id}` (training, {_progress(r)})" for r in active]
        st.warning(f"**Not shown:** {_some(parts, '; ')}. The Overview page has the details.",
                   icon=":material/warning:")  # fmt: skip
    elif active:
        parts = [f"`{record.run_id}` ({_progress(record)})" for record in active]
        st.info(f"**Still training:** {_some(parts)}. Results appear as runs finish.", icon=":material/hourglass_top:")


SHOWN_IN_A_LINE = 4  # runs a note names before it says "and N more"


def left_out(reason: str) -> None:
    """A run a page could not draw, and why (on a projector: counted in a quiet line)."""
    if not _briefly_on_a_projector(1, "left out"):
        st.warning(f"Left out: {reason}.", icon=":material/warning:")


def warn_left_out(left_out: list[tuple[str, str]]) -> None:
    """One warning naming the runs a page had to leave out, with why (the reasons are data: plain text)."""
    if _briefly_on_a_projector(len(left_out), "left out"):
        return
    if left_out:
        parts = [f"`{run_id}` ({_plain(why)})" for run_id, why in left_out]
        st.warning(f"**Left out:** {_some(parts, '; ')}.", icon=":material/warning:")


def _some(parts: list[str], separator: str = ", ", shown: int = SHOWN_IN_A_LINE) -> str:
    """The first few items, then how many more: a sweep queues eighteen runs."""
    more = f"{separator}and {len(parts) - shown} more" if len(parts) > shown else ""
    return separator.join(parts[:shown]) + more


def _progress(record: RunRecord) -> str:
    if record.state == "queued" or record.status is None:
        return "queued" if record.state == "queued" else "starting"
    epoch, epochs = record.status.epoch, record.status.epochs
    progress = record.status.progress or 0.0
    return f"{progress:.0%}, epoch {epoch} of {epochs}" if epoch and epochs else f"{progress:.0%}"


def sentence(text: str) -> str:
    """A message that may quote what a user typed, as one markdown sentence: a capital first, markup shown as text."""
    text = _plain(text)
    return text[:1].upper() + text[1:]


def _plain(text: str) -> str:
    """Error text shown inside markdown: no markup, no HTML, one line, not too long."""
    text = " ".join(str(text).split())
    text = text if len(text) <= 300 else text[:297] + "..."
    return re.sub(r"([\\`*_{}\[\]<>()#+!|~$-])", r"\\\1", text)
