"""Every chart in words and as a table: the text alternative a screen reader speaks, and the data behind the lines.

    describe(figure)   -> "Remembering one word across D steps. x: distance D, from 2 to 200; y: test accuracy.
                           LSTM (chrono start): 100% at 2, 100% at 200. RNN (identity start): 100% at 2, 50% at 200,
                           highest ... ."
    chart_data(figure) -> a long table: one row per point (series, x, y) or per heatmap cell (row, column, value)

Both read only the Plotly figure, whichever builder made it: its title, its panels' titles, its axes' titles and
formats, and every trace's values. So a new chart is described the day it is drawn, in the dashboard (`ui.show_chart`
passes the words as the chart's accessible name and folds the table under it) and in the report (the same words as
its figure's alt text and caption). A line is told by where it starts, where it ends and its extremes between; a
bar chart by its highest and lowest bars; a heatmap by its size and where its largest and smallest values are. No
Streamlit here.
"""

from __future__ import annotations

import base64
import html
import logging
import math
import re
from dataclasses import dataclass, field

import numpy as np
import pandas as pd
import plotly.graph_objects as go

logger = logging.getLogger(__name__)

MANY = 8  # more lines or bars than this in one panel: the highest and lowest are named, the rest counted
LIST_CATEGORIES = 5  # a bar trace with this many bars or fewer is read bar by bar
LONGEST = 900  # characters: past this a description drops its later sentences (a screen reader reads it at once)
TAG = re.compile(r"<[^>]+>")
DATE = re.compile(r"\d{4}-\d{2}-\d{2}")


def plain(text) -> str:
    """A Plotly label as plain text: no <sub>/<br> tags, no zero-width marks (figures_inside.token_labels), one line."""
    text = str(text or "").replace("<sub>", "_").replace("</sub>", "")  # h<sub>T</sub> reads h_T
    text = TAG.sub(" ", text).replace("\u200b", "")
    return " ".join(html.unescape(text).split())


@dataclass(frozen=True)
class _Axis:
    """What the words need of a Plotly axis, read once: a Plotly property read costs microseconds, and a chart of
    thousands of points would read its axis's format for each."""

    title: str
    tickformat: str
    type: str | None
    domain: tuple


def _axis(axis) -> _Axis:
    axis = axis or _Spec()
    return _Axis(_text(axis.title), axis.tickformat or "", axis.type, tuple(axis.domain or (0, 1)))


class _Spec(dict):
    """A figure as plain data (`Figure.to_dict`), read by attribute; None where the figure leaves Plotly's default.

    Reading a go.Figure's properties costs microseconds each (validators, path lookups): describing a chart read
    that way took tens of milliseconds, most of it there; its dict, copied once, reads at the speed of a dict.
    """

    def __getattr__(self, name: str):
        if name.startswith("__"):  # numpy and copy ask for __array_struct__ and the like
            raise AttributeError(name)
        value = self.get(name)
        if isinstance(value, dict) and "bdata" in value:  # a numeric array, as to_dict encodes it (base64)
            array = np.frombuffer(base64.b64decode(value["bdata"]), dtype=value["dtype"])
            return array.reshape([int(side) for side in str(value["shape"]).split(",")]) if "shape" in value else array
        if isinstance(value, dict):
            return _Spec(value)
        if isinstance(value, (list, tuple)) and value and isinstance(value[0], dict):
            return [_Spec(item) for item in value]
        return value


def _text(title) -> str:
    """A title given as {"text": ...} or as a string."""
    return plain(title.get("text") if isinstance(title, dict) else title)


@dataclass
class _Panel:
    """One subplot: the traces drawn on one pair of axes, each with its points (`_points`; None for a heatmap)."""

    title: str
    x_axis: _Axis
    y_axis: _Axis
    traces: list = field(default_factory=list)
    points: list = field(default_factory=list)


def describe(figure: go.Figure) -> str:
    """A few sentences that say what `figure` shows: its title, its axes, and what each series does.

    A figure of a shape not foreseen here is named by its title rather than breaking the page that draws it.
    """
    try:
        return _describe(_Spec(figure.to_dict()))
    except Exception:  # noqa: BLE001  (words are a courtesy; the chart must still draw on a lecturer's screen)
        logger.warning("could not describe a chart in words", exc_info=True)
        return plain(figure.layout.title.text) or "A chart"


def _describe(figure: _Spec) -> str:
    panels = _panels(figure)
    title = _text(figure.layout.title)
    sentences = [title or _untitled(panels)]
    axes_said: set[str] = set()
    for panel in panels:
        words = _describe_panel(panel, len(panels) > 1, axes_said)
        if words:
            sentences.append(words)
    notes = [plain(note.text) for note in figure.layout.annotations or [] if not _is_panel_title(note) and
             plain(note.text)]  # fmt: skip
    if notes:
        sentences.append("Marked: " + "; ".join(dict.fromkeys(notes[:4])))
    text = ""
    for sentence in sentences:
        first = sentence.split(" ", 1)[0]
        if len(first.strip(";:,")) > 3 or first in ("a", "an", "by"):  # a capital, but for a unit ("ppm", "ms")
            sentence = sentence[:1].upper() + sentence[1:]
        sentence = sentence.rstrip(". ") + "."
        if text and len(text) + len(sentence) > LONGEST:
            return text + " (More in the chart's data table.)"
        text = f"{text} {sentence}".strip()
    return text


def chart_data(figure: go.Figure) -> pd.DataFrame:
    """The figure's data as one long table: per point of a line, bar or dot its panel (when there are several),
    series, x and y; per cell of a heatmap its panel, row, column and value (and the text printed on it)."""
    panels = _panels(_Spec(figure.to_dict()))
    rows = []
    for panel in panels:
        where = {"panel": panel.title} if len(panels) > 1 else {}
        x_name, y_name = _axis_title(panel.x_axis) or "x", _axis_title(panel.y_axis) or "y"
        for trace, points in zip(panel.traces, panel.points):
            if trace.type == "heatmap":
                z, x, y = _grid(trace)
                text = np.asarray(trace.text, dtype=object) if trace.text is not None else None
                for row in range(z.shape[0]):
                    for column in range(z.shape[1]):
                        cell = {**where, "series": plain(trace.name), "row": y[row], "column": x[column],
                                "value": z[row, column]}  # fmt: skip
                        if text is not None and text.shape == z.shape:
                            cell["shown"] = plain(text[row, column])
                        rows.append(cell)
                continue
            categories, values = points
            across, along = (y_name, x_name) if _horizontal(trace) else (x_name, y_name)
            for category, value in zip(categories, values):
                rows.append({**where, "series": plain(trace.name), across: category, along: value})
    frame = pd.DataFrame(rows)
    if "series" in frame and (frame["series"] == "").all():
        frame = frame.drop(columns="series")
    return frame


# -- panels and traces ---------------------------------------------------------------------


def _panels(figure: _Spec) -> list[_Panel]:
    """The figure's subplots in the order of their axes (x, x2, ...), each with its traces and title."""
    notes = [note for note in figure.layout.annotations or [] if _is_panel_title(note)]
    titles_by_x = sorted((note.x, plain(note.text)) for note in notes if note.x is not None)
    by_axes: dict[tuple[str, str], _Panel] = {}
    for trace in figure.data or []:
        if trace.visible is False or trace.visible == "legendonly":
            continue
        heatmap = trace.type == "heatmap"
        points = None if heatmap else _points(trace)
        if (heatmap and (trace.z is None or np.size(trace.z) == 0)) or (not heatmap and points is None):
            continue  # no data: a legend-only entry (figures._style_legend)
        x_ref, y_ref = getattr(trace, "xaxis", None) or "x", getattr(trace, "yaxis", None) or "y"
        if (x_ref, y_ref) not in by_axes:
            x_axis = _axis(getattr(figure.layout, f"xaxis{x_ref[1:]}"))
            y_axis = _axis(getattr(figure.layout, f"yaxis{y_ref[1:]}"))
            by_axes[(x_ref, y_ref)] = _Panel(_panel_title(x_axis, titles_by_x), x_axis, y_axis)
        by_axes[(x_ref, y_ref)].traces.append(trace)
        by_axes[(x_ref, y_ref)].points.append(points)
    return list(by_axes.values())


def _is_panel_title(note) -> bool:
    return note.xref == "paper" and note.yref == "paper" and note.y == 1 and note.yanchor == "bottom"


def _panel_title(x_axis, titles_by_x: list[tuple[float, str]]) -> str:
    """The panel title (figures.panels) centred over this axis's domain."""
    domain = x_axis.domain
    for x, title in titles_by_x:
        if x is not None and domain[0] <= x <= domain[1]:
            return title
    return ""


def _grid(trace):
    z = np.asarray(trace.z, dtype=float)
    z = z.reshape(1, -1) if z.ndim == 1 else z
    x = list(trace.x) if trace.x is not None else list(range(z.shape[1]))
    y = list(trace.y) if trace.y is not None else list(range(z.shape[0]))
    return z, [plain(value) for value in x], [plain(value) for value in y]


def _horizontal(trace) -> bool:
    """Values along x, categories down y: a horizontal bar, or dots placed at named rows (figures_comparisons)."""
    if trace.type == "bar":
        return trace.orientation == "h"
    return trace.y is not None and len(trace.y) > 0 and all(isinstance(value, str) for value in trace.y if
                                                            value is not None) and _numeric(trace.x)  # fmt: skip


def _numeric(values) -> bool:
    return values is not None and any(isinstance(value, (int, float, np.number)) and not isinstance(value, bool)
                                      for value in values)  # fmt: skip


def _points(trace) -> tuple[list, np.ndarray] | None:
    """A line's, bar's or dot's (category or x, value) pairs, with missing values dropped; None if there are none."""
    if trace.type not in ("scatter", "scattergl", "bar"):
        return None
    values, across = (trace.x, trace.y) if _horizontal(trace) else (trace.y, trace.x)
    if values is None or len(values) == 0:
        return None
    values = pd.to_numeric(pd.Series(values, dtype=object), errors="coerce").to_numpy(dtype=float)
    across = np.arange(len(values)) if across is None else np.asarray(across)
    shared = min(len(values), len(across))
    kept = ~np.isnan(values[:shared])
    if not kept.any():
        return None
    values, across = values[:shared][kept], across[:shared][kept]
    if across.dtype.kind in "iuf":
        categories = across.tolist()
    elif across.dtype.kind == "M":
        categories = list(np.datetime_as_string(across, unit="D"))
    else:
        categories = [_category(value) for value in across]
    return categories, values


def _nan(value) -> bool:
    try:
        return math.isnan(float(value))
    except (TypeError, ValueError):
        return True


def _category(value):
    if isinstance(value, (pd.Timestamp, np.datetime64)):
        return str(pd.Timestamp(value).date())
    if isinstance(value, str):
        return plain(value)
    return value.item() if isinstance(value, np.generic) else value


# -- words -----------------------------------------------------------------------------


def _untitled(panels: list[_Panel]) -> str:
    titles = [panel.title for panel in panels if panel.title]
    if titles:
        return "Panels: " + ", ".join(titles)
    y_title = next((_axis_title(panel.y_axis) for panel in panels if _axis_title(panel.y_axis)), "")
    return f"A chart of {y_title}" if y_title else "A chart"


def _axis_title(axis: _Axis | None) -> str:
    return axis.title if axis is not None else ""


@dataclass
class _Series:
    """What one name draws in a panel: a line, bars, or dots (one per category: a model, a class, a word)."""

    name: str
    kind: str  # "line", "bars" or "dots"
    horizontal: bool
    categories: list
    values: np.ndarray
    spelled: str | None = None  # dots that each print one character: the text they spell


def _describe_panel(panel: _Panel, several: bool, axes_said: set[str]) -> str:
    lead = f"{panel.title}: " if several and panel.title else ""
    heatmaps = [trace for trace in panel.traces if trace.type == "heatmap"]
    if heatmaps:
        return lead + "; ".join(_describe_heatmap(trace, panel) for trace in heatmaps)
    series = _series(panel)
    if not series:
        return ""
    value_axis, category_axis = (panel.x_axis, panel.y_axis) if series[0].horizontal else (panel.y_axis, panel.x_axis)
    axes = _axes_words(series, value_axis, category_axis, axes_said)
    lines = [one for one in series if one.kind == "line"]
    others = [one for one in series if one.kind != "line"]
    body = "; ".join(part for part in (_describe_lines(lines, value_axis, category_axis),
                                       _describe_bars(others, value_axis, category_axis)) if part)  # fmt: skip
    return lead + "; ".join(part for part in (axes, body) if part)


def _series(panel: _Panel) -> list[_Series]:
    """One series per name: a model's validation line, not also its dotted training line and starred best epoch
    (figures.training_curves draws all three under one name; the table has them all). Unnamed dots (one trace per
    model: figures.cell_comparison, figures_comparisons.model_intervals) become one series of dots, each labelled
    by its category or its `customdata` (the model's label), the first dot of each label kept (the mean, not the
    seeds around it)."""
    named: dict[str, _Series] = {}
    unnamed = _Series("", "dots", False, [], np.asarray([]))
    labels_seen = set()
    for trace, (categories, values) in zip(panel.traces, panel.points):
        kind = "bars" if trace.type == "bar" else "line" if "lines" in (trace.mode or "lines") else "dots"
        name = plain(trace.name)
        if name:
            if name not in named:
                named[name] = _Series(name, kind, _horizontal(trace), categories, values, _spelled(trace))
            continue
        if not unnamed.categories:
            unnamed.kind, unnamed.horizontal = kind, _horizontal(trace)
        labels = _custom_labels(trace, categories)
        for label, value in zip(labels, values):
            if label not in labels_seen:
                labels_seen.add(label)
                unnamed.categories.append(label)
                unnamed.values = np.append(unnamed.values, value)
    series = list(named.values())
    if unnamed.categories and (not series or unnamed.kind == "dots" and len(unnamed.categories) > 1):
        series.append(unnamed)
    return series


def _spelled(trace) -> str | None:
    if "text" not in (getattr(trace, "mode", None) or "") or trace.text is None or isinstance(trace.text, str):
        return None
    texts = [str(text) for text in trace.text]
    return "".join(texts) if texts and all(len(text) <= 2 for text in texts) else None


def _custom_labels(trace, categories: list) -> list:
    custom = trace.customdata
    if custom is not None and len(custom) == len(categories) and all(isinstance(value, str) for value in custom):
        return [plain(value) for value in custom]
    return categories


def _axes_words(series: list[_Series], value_axis, category_axis, axes_said: set[str]) -> str:
    """Which way the axes run, once per figure for axes its panels share."""
    category_title, value_title = _axis_title(category_axis), _axis_title(value_axis)
    categories = [category for one in series for category in one.categories]
    numbers = [category for category in categories if isinstance(category, (int, float)) and not isinstance(
        category, bool)]  # fmt: skip
    log = " (log scale)"
    measured = value_title if value_title and value_title not in axes_said else ""
    against = ""
    if category_title and category_title not in axes_said:
        against = category_title
        if numbers and len(numbers) == len(categories) and min(numbers) < max(numbers):
            against += (f", {_format(min(numbers), category_axis)} to {_format(max(numbers), category_axis)}"
                        + (log if category_axis.type == "log" else ""))  # fmt: skip
    axes_said.update({value_title, category_title})
    if measured and value_axis.type == "log":
        measured += log
    if measured and against:
        return f"{measured} against {against}"
    return measured or (f"by {against}" if against else "")


def _describe_lines(lines: list[_Series], value_axis, category_axis) -> str:
    """Each line by its start, its end, and its extremes when they lie between; lines that say the same are told
    once. Beyond MANY lines, the highest and lowest at the end (or, where all end alike, their names in order)."""
    if not lines:
        return ""
    if len(lines) > MANY:
        ends = [(one.name or "a line", one.values[-1]) for one in lines]
        if max(value for _, value in ends) - min(value for _, value in ends) < 1e-12:
            named = ", ".join(name for name, _ in ends[:4])
            return f"{len(lines)} lines, all ending at {_format(ends[0][1], value_axis)}: {named}" + (
                f" and {len(lines) - 4} more" if len(lines) > 4 else "")  # fmt: skip
        ends.sort(key=lambda item: -item[1])
        top = ", ".join(f"{name} {_format(value, value_axis)}" for name, value in ends[:3])
        return f"{len(lines)} lines; highest at the end: {top}; lowest: {ends[-1][0]} {_format(ends[-1][1], value_axis)}"
    ends = [_line_words(one, value_axis, category_axis) for one in lines]
    words = list(ends)
    for index, one in enumerate(lines):  # lines alike at their ends but apart between (ROC curves): their averages
        alike = [other for other, said in zip(lines, ends) if said == ends[index] and other is not one]
        if any(not np.array_equal(other.values, one.values) for other in alike) and _average(one) is not None:
            words[index] += f", average {_format(_average(one), value_axis)}"
    said: dict[str, list[str]] = {}
    for one, line_words in zip(lines, words):
        said.setdefault(line_words, []).append(one.name or "the line")
    return "; ".join(f"{_and(names)}: {words}" for words, names in said.items())


def _and(names: list[str]) -> str:
    return names[0] if len(names) == 1 else f"{', '.join(names[:-1])} and {names[-1]}"


def _average(line: _Series) -> float | None:
    """The line's mean height over its x range (trapezoids): for an ROC curve, its AUC."""
    if not all(isinstance(x, (int, float)) for x in line.categories) or line.categories[-1] == line.categories[0]:
        return None
    x = np.asarray(line.categories, dtype=float)
    return float(np.sum((x[1:] - x[:-1]) * (line.values[1:] + line.values[:-1]) / 2) / (x[-1] - x[0]))


def _line_words(line: _Series, value_axis, category_axis) -> str:
    values, across = line.values, line.categories

    def at(index: int) -> str:
        return f"{_format(values[index], value_axis)} at {_format(across[index], category_axis)}"

    if len(values) == 1:
        return at(0)
    words = [f"{at(0)} to {at(len(values) - 1)}"]
    high, low = int(np.argmax(values)), int(np.argmin(values))
    if 0 < high < len(values) - 1 and values[high] > max(values[0], values[-1]):
        words.append(f"highest {at(high)}")
    if 0 < low < len(values) - 1 and values[low] < min(values[0], values[-1]):
        words.append(f"lowest {at(low)}")
    return ", ".join(words)


def _describe_bars(series: list[_Series], value_axis, category_axis) -> str:
    if not series:
        return ""
    if len(series) > MANY:
        tops = sorted(((one.name, one.values.max()) for one in series), key=lambda item: -item[1])
        return f"{len(series)} series; highest: " + ", ".join(f"{name} {_format(value, value_axis)}"
                                                             for name, value in tops[:3])  # fmt: skip
    return "; ".join((f"{one.name}: " if one.name else "") + _bar_words(one, value_axis, category_axis)
                     for one in series)  # fmt: skip


def _bar_words(one: _Series, value_axis, category_axis) -> str:
    categories, values = one.categories, one.values
    if one.spelled is not None:
        return f"“{one.spelled}”"  # one character per point (figures_writing.character_grid)
    if len(values) <= LIST_CATEGORIES:
        return ", ".join(_value_at(category, value, value_axis, category_axis)
                         for category, value in zip(categories, values))  # fmt: skip
    noun = "bars" if one.kind == "bars" else "points"
    if values.max() - values.min() < 1e-12:
        return f"{len(values)} {noun}, all {_format(values[0], value_axis)}"
    high, low = int(np.argmax(values)), int(np.argmin(values))
    return (f"{len(values)} {noun}, highest {_value_at(categories[high], values[high], value_axis, category_axis)}, "
            f"lowest {_value_at(categories[low], values[low], value_axis, category_axis)}")  # fmt: skip


def _value_at(category, value, value_axis, category_axis) -> str:
    """ "LSTM 1×64 0.812" for a named bar or dot, "0.812 at 200" for one at a number."""
    if isinstance(category, str) and not DATE.match(category):
        return f"{plain(category)} {_format(value, value_axis)}"
    return f"{_format(value, value_axis)} at {_format(category, category_axis)}"


def _describe_heatmap(trace, panel: _Panel) -> str:
    z, x, y = _grid(trace)
    rows_title = _axis_title(panel.y_axis) or "rows"
    columns_title = _axis_title(panel.x_axis) or "columns"
    name = plain(trace.name)
    words = f"{name + ': ' if name else ''}a heatmap of {z.shape[0]} {rows_title} by {z.shape[1]} {columns_title}"
    if np.isnan(z).all():
        return words + ", empty"
    text = np.asarray(trace.text, dtype=object) if trace.text is not None else None
    shown = text is not None and text.shape == z.shape

    def value_at(index) -> str:
        return plain(text[index]) if shown else _format(z[index], None, trace)

    rows_named, columns_named = _axis_title(panel.y_axis), _axis_title(panel.x_axis)

    def cell(index) -> str:
        row, column = y[index[0]], x[index[1]]
        return (f"{rows_named} {row}, {columns_named} {column}" if rows_named and columns_named else
                f"{row}, {column}")  # fmt: skip

    high = np.unravel_index(np.nanargmax(z), z.shape)
    low = np.unravel_index(np.nanargmin(z), z.shape)
    if not shown:  # else the colour is a rank or a code, and the printed text is the value
        words += f", values from {_format(np.nanmin(z), None, trace)} to {_format(np.nanmax(z), None, trace)}"
    words += f"; highest {value_at(high)} at {cell(high)}; lowest {value_at(low)} at {cell(low)}"
    if z.shape[0] == z.shape[1] and z.shape[0] <= 5 and set(x) == set(y):  # a confusion matrix: its diagonal
        diagonal = ", ".join(f"{y[index]} {value_at((index, index))}" for index in range(z.shape[0]))
        words += f"; diagonal: {diagonal}"
    return words


def _format(value, axis=None, trace=None) -> str:
    """A value as the chart prints it: a percentage on a percent axis, else three significant figures."""
    if isinstance(value, str):
        return plain(value)
    if isinstance(value, (bool, np.bool_)) or value is None:
        return str(value)
    try:
        number = float(value)
    except (TypeError, ValueError):
        return plain(value)
    if math.isnan(number):
        return "no value"
    tick_format = axis.tickformat if axis is not None else ""
    if trace is not None:  # a heatmap's values: as printed on its cells, else as its colour bar reads
        printed = re.search(r"%\{z:([^}]*)\}", str(trace.texttemplate or ""))
        tick_format = printed.group(1) if printed else ((trace.colorbar or _Spec()).tickformat or "")
    if "%" in tick_format:
        decimals = re.search(r"\.(\d)", tick_format)
        return f"{number:.{int(decimals.group(1)) if decimals else 0}%}"
    if number == int(number) and abs(number) < 1e15:
        return f"{int(number):,}"
    if abs(number) >= 1000:
        return f"{number:,.0f}"
    if number != 0 and (abs(number) < 1e-3):
        return f"{number:.2e}"
    return f"{number:.3g}"
