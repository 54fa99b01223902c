"""A report's content as one self-contained HTML page: the dashboard's own charts, tables and sentences.

    html = render_html(gather(Store(), "rt-polarity"))

Every chart is drawn by the same builders the pages use (`dashboard.figures*`)
and embedded as Plotly JSON beside one inline copy of plotly.js, so the file
opens offline and every chart still zooms and hovers. Text from the data or a
user (reviews, tokens, n-grams, error messages) is escaped by Jinja2 or by
`html.escape` before it becomes markup.
"""

from __future__ import annotations

import time

import pandas as pd
from jinja2 import Environment
from markupsafe import Markup
from plotly.offline import get_plotlyjs

from dashboard import comparisons, figures, figures_comparisons, highlight, tables
from dashboard.features.forecasting import figures_forecast, tables_forecast
from dashboard.report import render_course
from dashboard.report.blocks import Section, bullets, chart, paragraph, table
from dashboard.report.content import CHARTED, ReportContent
from dashboard.report.course import summary_sentences
from dashboard.report.template import PAGE
from pipelines.comparison.significance import points
from pipelines.data.seq2seq import unit_of

TOKEN_TABLE_LIMIT = 40  # a longer text's scores are in its coloured words only


# -- sections ------------------------------------------------------------------------------


def summary_section(content: ReportContent) -> Section:
    section = Section("summary", "Summary")
    course = summary_sentences(content.lab, content.forecasting, content.generation, content.seq2seq)
    if course:
        section.blocks.append(paragraph(" ".join(course), "lead"))
    if not content.records:
        if not course:
            section.blocks.append(paragraph(f"No finished classifier run of {content.dataset} is in this report. "
                                            f"Train the quick zoo with: python -m pipelines train --dataset "
                                            f"{content.dataset} --zoo quick --seeds 3"))  # fmt: skip
        return section
    line = comparisons.headline(content.models)
    sentences = []
    if line.best_label is not None:
        seeds = f" (mean of {line.best_seeds} seeds)" if line.best_seeds > 1 else ""
        sentences.append(f"The best recurrent model, {line.best_label}, reaches {line.best_accuracy:.3f} test "
                         f"accuracy{seeds} on {content.records[0].metrics.examples:,} {content.texts}.")  # fmt: skip
    if line.tfidf_accuracy is not None:
        gain = f"; the recurrent models add {points(line.gain)} points over it" if line.gain is not None else ""
        sentences.append(f"TF-IDF + logistic regression reaches {line.tfidf_accuracy:.3f}{gain}.")
    if line.majority_accuracy is not None:
        sentences.append(f"Always answering the most common class scores {line.majority_accuracy:.3f}.")
    section.blocks.append(paragraph(" ".join(sentences), "lead"))
    if content.significance and content.significance.pairs:
        verdicts = [pair.verdict for pair in content.significance.pairs.values()]
        section.blocks.append(paragraph(
            f"Of {len(verdicts)} pairs of models, {verdicts.count('real')} differ for real (McNemar's exact test, "
            f"Holm-adjusted, and a 95% paired bootstrap interval that excludes zero), {verdicts.count('borderline')} "
            f"are borderline and {verdicts.count('not distinguishable')} cannot be told apart on this test split."))
    return section


def data_section(content: ReportContent) -> Section:
    summary = content.summary
    section = Section("data", "The data", f"{summary.title}. {summary.source}".strip(". ") + ".")
    if summary.series is not None:
        return _series_data(content, section)
    if summary.task == "generation":
        return _corpus_data(content, section)
    if summary.task == "seq2seq":
        return _pairs_data(content, section)
    rows = [{"split": split, "texts": info.size, **{name: count for name, count in zip(summary.classes,
                                                                                       info.class_counts)}}
            for split, info in summary.splits.items()]  # fmt: skip
    section.blocks.append(table(pd.DataFrame(rows)))
    vocabulary = summary.vocabulary
    if vocabulary:
        known = summary.test_token_coverage
        coverage = f"; {known:.1%} of test tokens are known" if known else ""
        section.blocks.append(paragraph(f"Vocabulary: {vocabulary.size:,} words; the recurrent models read the first "
                                        f"{vocabulary.maxlen} tokens of a text{coverage}."))  # fmt: skip
    counts = {split: info.class_counts for split, info in summary.splits.items()}
    section.blocks.append(chart(figures.class_balance(counts, summary.classes), 260))
    if summary.length_histogram and vocabulary:
        histogram = summary.length_histogram
        section.blocks.append(chart(figures.length_histogram(histogram.edges, histogram.counts, vocabulary.maxlen,
                                                             summary.truncated_fraction), 280))  # fmt: skip
    return section


def _series_data(content: ReportContent, section: Section) -> Section:
    """A series' card, as its Overview shows it: the parts of the cut in time, and the whole series."""
    facts = content.summary.series
    rows = [{"part": part, "values": info.get("size"), "from": info.get("start"), "to": info.get("end")}
            for part, info in facts.parts.items()]  # fmt: skip
    section.blocks.append(table(pd.DataFrame(rows)))
    if content.forecasting is not None:
        section.blocks.append(chart(figures_forecast.series_chart(content.forecasting.series, facts.parts, facts.unit,
                                                                  f"{facts.start} to {facts.end}"), 320))  # fmt: skip
    every = tables_forecast.step_word(facts.frequency)
    section.blocks.append(paragraph(f"One value a {every}, a season of {facts.season} values; "
                                    f"{facts.filled:,} missing values inside the series were filled by linear "
                                    "interpolation in time, and no test score is computed on a filled value."))
    return section


def _corpus_data(content: ReportContent, section: Section) -> Section:
    """A character corpus's card, as its Overview shows it: passages and characters per split, their lengths."""
    summary = content.summary
    rows = [{"split": split, "passages": summary.split_size(split),
             "characters": round(summary.lengths[split].mean * summary.split_size(split))
             if split in summary.lengths else None} for split in summary.splits]  # fmt: skip
    section.blocks.append(table(pd.DataFrame(rows), {"characters": ",.0f"}))
    alphabet = summary.vocabulary.size - 1 if summary.vocabulary else None
    if alphabet:
        section.blocks.append(paragraph(f"Each passage is one review snippet, read character by character; a model "
                                        f"chooses from {alphabet} symbols at every step (the characters seen 5 times "
                                        "or more in training, the end of a review, and <unk> for the rest)."))
    histogram = summary.length_histogram
    if histogram and summary.vocabulary:
        section.blocks.append(chart(figures.length_histogram(histogram.edges, histogram.counts,
                                                             summary.vocabulary.maxlen, summary.truncated_fraction,
                                                             "characters", "passages"), 280))  # fmt: skip
    return section


def _pairs_data(content: ReportContent, section: Section) -> Section:
    """A sequence-to-sequence task's card: pairs per split and their source lengths, the symbols."""
    summary = content.summary
    unit = unit_of(content.dataset)
    rows = [{"split": split, "pairs": summary.split_size(split),
             f"mean source length ({unit})": summary.lengths[split].mean if split in summary.lengths else None,
             "longest": summary.lengths[split].max if split in summary.lengths else None}
            for split in summary.splits]  # fmt: skip
    section.blocks.append(table(pd.DataFrame(rows), {f"mean source length ({unit})": ".1f"}))
    if summary.vocabulary:
        known = f"; {summary.test_token_coverage:.1%} of the test sources' {unit} are in it" \
            if summary.test_token_coverage is not None else ""  # fmt: skip
        section.blocks.append(paragraph(f"One table of {summary.vocabulary.size:,} symbols for both sides (the "
                                        f"{unit} of the training pairs, and <pad>, <unk>, <s>, </s>){known}."))
    return section


def leaderboard_section(content: ReportContent) -> Section:
    section = Section("leaderboard", "Leaderboard", "One row per model; a model trained with several seeds shows "
                      "the mean, ± one standard deviation and the 95% t interval of the mean.")  # fmt: skip
    # What fits across an A4 page: the model's label names its cell, direction and size; "The runs" has the ids.
    board = comparisons.model_leaderboard(content.models)[["model", "seeds", "accuracy", "± sd", "95% interval",
                                                           "macro F1", "ROC AUC", "vs TF-IDF + LR", "parameters",
                                                           "train time (s)"]]  # fmt: skip
    section.blocks.append(table(board, {"accuracy": ".3f", "± sd": ".3f", "macro F1": ".3f", "ROC AUC": ".3f",
                                        "vs TF-IDF + LR": "+.1f", "parameters": ",.0f",
                                        "train time (s)": ".1f"}))  # fmt: skip
    recurrent = int(content.models["baseline"].isna().sum())
    section.blocks.append(chart(figures_comparisons.model_intervals(content.models), 140 + 40 * recurrent))
    return section


def training_section(content: ReportContent) -> Section | None:
    if not content.histories:
        return None
    frame = content.frame
    styles = figures.run_styles(frame)
    best_epochs = {content.labels[r.run_id]: r.metrics.best_epoch for r in content.records}
    shown = len(content.histories)
    section = Section("training", "Training", f"Loss and accuracy per epoch for the {shown} best models (their first "
                      "seed): validation solid, training dotted, the kept epoch starred.")  # fmt: skip
    section.blocks.append(chart(figures.training_curves(content.histories, styles, best_epochs), 440))
    section.blocks.append(chart(figures.optimisation_curves(content.histories, styles), 320))
    return section


def evaluation_section(content: ReportContent) -> Section | None:
    charted = content.charted()
    if not charted:
        return None
    frame = content.frame
    styles = figures.run_styles(frame)
    labels = content.labels
    section = Section("evaluation", "Evaluation", f"Test-set curves and confusion matrices of the {len(charted)} "
                      f"charted models (the best {CHARTED} recurrent ones and the baselines).")  # fmt: skip
    classes = content.records[0].classes
    for class_name in [name for name in classes if any(name in r.metrics.curves for r in charted)]:
        curves = {labels[r.run_id]: r.metrics.curves[class_name] for r in charted if class_name in r.metrics.curves}
        base_rate = charted[0].metrics.share_of(class_name)
        section.blocks.append(chart(figures.roc_curves({k: c.roc.to_json() for k, c in curves.items()}, styles,
                                                       class_name), 460))  # fmt: skip
        section.blocks.append(chart(figures.pr_curves({k: c.pr.to_json() for k, c in curves.items()}, styles,
                                                      class_name, base_rate), 460))  # fmt: skip
    metrics = tables.metrics_table(frame[frame["run_id"].isin([r.run_id for r in charted])])
    section.blocks.append(chart(figures.metrics_heatmap(metrics), 200 + 40 * len(metrics), top=150))
    for record in charted:
        section.blocks.append(chart(figures.confusion_pair(record.metrics.confusion_matrix, classes,
                                                           labels[record.run_id]), 320))  # fmt: skip
    return section


def architecture_section(content: ReportContent) -> Section | None:
    frame = content.frame
    if frame["cell"].isna().all():
        return None
    section = Section("architectures", "Architectures", "RNN against LSTM against GRU (every run a dot, baselines "
                      "dashed), the sweep studies when the sweep zoo was trained, and what accuracy costs.")
    cells = content.cells
    chance = 1 / len(content.records[0].classes)
    section.blocks.append(chart(figures.cell_comparison(frame, *((cells.intervals, cells.apart, cells.best)
                                                                 if cells else (None, None, None)), chance),
                                420))  # fmt: skip
    if cells:
        section.blocks.append(paragraph(" ".join(filter(None, (
            "Each bar is the 95% bootstrap interval of the run's macro F1: how far it could move on another test "
            f"split of the same size ({content.resamples:,} resamples of the test texts).",
            cells.sentence(content.labels),
            "Overlapping bars do not prove a tie; the next section tests each pair directly. The axis reaches down "
            "to the majority class, so a gap of one point looks like one point.")))))  # fmt: skip
    points_frame = tables.sweep_points(content.records, content.labels)
    if not points_frame.empty and points_frame.groupby("study")["value"].nunique().max() >= 2:
        section.blocks.append(chart(figures.sweep_studies(comparisons.sweep_summary(points_frame)), 400))
    costly = content.models[content.models["baseline"] != "majority"]  # one point per model; the floor costs nothing
    section.blocks.append(chart(figures.tradeoff(costly, figures.run_styles(costly), "parameters", "parameters",
                                                 log_x=True), 400))  # fmt: skip
    return section


def significance_section(content: ReportContent) -> Section | None:
    result = content.significance
    if result is None or not result.pairs:
        return None
    section = Section("significance", "Which differences are real?", "McNemar's exact test on the texts exactly one "
                      "of two models gets right (Holm-adjusted for the number of pairs) and a paired bootstrap 95% "
                      f"interval of the difference ({content.resamples:,} resamples of the test texts), one run per model.")
    if result.against:
        section.blocks.append(paragraph(f"{len(result.runs)} models: each is compared with the best, "
                                        f"{result.labels[result.against]}.", "note"))  # fmt: skip
    else:
        section.blocks.append(chart(figures_comparisons.significance_heatmap(*comparisons.significance_matrix(result)),
                                    160 + 40 * len(result.runs)))  # fmt: skip
    section.blocks.append(bullets(result.sentences(content.texts)))
    pairs = comparisons.pairs_frame(result).drop(columns=["McNemar p"] if len(result.pairs) > 1 else [])
    section.blocks.append(table(pairs, {"accuracy difference": "+.1f", "macro F1 difference": "+.1f",
                                        "McNemar p": ".4f", "p (Holm)": ".4f"}, css="small"))  # fmt: skip
    seeded = [group for group in content.groups if len(group.runs) > 1]
    if seeded:
        rows = [{"model": group.label, "seeds": ", ".join(str(seed) for seed in group.seeds),
                 "accuracy": ", ".join(f"{value:.4f}" for value in group.values("accuracy")),
                 "spread (max - min)": (group.spread("accuracy").maximum - group.spread("accuracy").minimum) * 100}
                for group in seeded]  # fmt: skip
        section.blocks.append(paragraph("Over seeds: each model's test accuracy per seed, and how far reseeding alone "
                                        "moved it (points)."))  # fmt: skip
        section.blocks.append(table(pd.DataFrame(rows), {"spread (max - min)": ".1f"}))
    return section


def explanation_section(content: ReportContent) -> Section | None:
    if not content.text or (content.explanation is None and content.word_weights is None):
        return None
    section = Section("explanation", "Why a model decided", f"The text: “{content.text}”")
    explanation = content.explanation
    if explanation is not None:
        attribution = explanation.attributions["integrated_gradients"]
        section.blocks.append(paragraph(f"{explanation.label} says {explanation.predicted_class} "
                                        f"({explanation.probabilities.max():.0%}). Integrated Gradients, in log-odds "
                                        f"of {explanation.target_class}:"))  # fmt: skip
        section.blocks.append(Markup(highlight.explanation_chips(explanation, attribution)))
        if explanation.read <= TOKEN_TABLE_LIMIT:
            rows = pd.DataFrame({"token": [token.text for token in explanation.read_tokens],
                                 "log-odds": attribution.scores})  # fmt: skip
            section.blocks.append(table(rows, {"log-odds": "+.3f"}))
    weights = content.word_weights
    if weights is not None and weights.features:
        section.blocks.append(paragraph(f"TF-IDF + logistic regression says {weights.predicted_class} "
                                        f"({weights.probabilities.max():.0%}); each word's share of its "
                                        f"{weights.unit} for {weights.target_class} (intercept "
                                        f"{weights.intercept:+.2f}, total {weights.logit:+.2f}):"))  # fmt: skip
        section.blocks.append(Markup(highlight.word_weight_chips(weights)))
        top = weights.features[:12]
        section.blocks.append(chart(figures_comparisons.ngram_bars([f.ngram for f in top],
                                                                   [f.contribution for f in top], weights.classes,
                                                                   weights.target), 120 + 26 * len(top)))
    return section


def runs_section(content: ReportContent) -> Section:
    section = Section("runs", "The runs", f"Every run in this report, by its exact id in the store at "
                      f"{content.store_root}.")  # fmt: skip
    rows = [{"run id": record.run_id, "model": content.labels[record.run_id], "kind": record.task,
             "framework": record.framework, "seed": str(record.spec.seed) if record.spec and record.spec.seed
             is not None else "–",
             "accuracy": record.metrics.accuracy, "macro F1": record.metrics.f1_macro,
             "trained": time.strftime("%Y-%m-%d %H:%M", time.localtime(record.spec.created_at))
             if record.spec and record.spec.created_at else "–"} for record in content.records]  # fmt: skip
    if rows:
        section.blocks.append(table(pd.DataFrame(rows), {"accuracy": ".4f", "macro F1": ".4f"}))
    others = content.course_records
    if others:
        labels = tables.run_labels(others)
        section.blocks.append(table(pd.DataFrame([{
            "run id": record.run_id, "model": labels[record.run_id], "kind": record.task,
            "framework": record.framework,
            "trained": time.strftime("%Y-%m-%d %H:%M", time.localtime(record.spec.created_at))
            if record.spec and record.spec.created_at else "–"} for record in others])))  # fmt: skip
    if content.left_out:
        section.blocks.append(paragraph("Left out:"))
        section.blocks.append(bullets([f"{run_id}: {why}" for run_id, why in content.left_out]))
    for note in content.notes:
        section.blocks.append(paragraph(note, "note"))
    versions = ", ".join(f"{name} {value}" for name, value in content.versions.items())
    section.blocks.append(paragraph(f"Software: {versions}.", "note"))
    return section


SECTIONS = (summary_section, data_section, leaderboard_section, training_section, evaluation_section,
            architecture_section, significance_section, explanation_section, runs_section)  # fmt: skip


def report_sections(content: ReportContent) -> list[Section]:
    """The sections a report of `content` holds, in order."""
    sections = []
    # The lessons of the data set's other runs right after its card (a memory-lab task's classifiers come after
    # its lab), the runs last.
    for build in (*SECTIONS[:2], *render_course.SECTIONS, *SECTIONS[2:]):
        if build in (summary_section, data_section, runs_section, *render_course.SECTIONS) or content.records:
            section = build(content)
            if section is not None:
                sections.append(section)
    return sections


def render_html(content: ReportContent) -> str:
    return _page(content.title, content.dataset, content.run_count, content.created, content.store_root,
                 report_sections(content))  # fmt: skip


def render_course_html(contents: list[ReportContent], title: str) -> str:
    """Every data set's report one after another, each section titled with its data set; the memory lab's sweep
    (the same for every distance of a variant) once per variant."""
    sections, swept = [], set()
    for content in contents:
        for section in report_sections(content):
            if section.anchor == "memory-lab":
                if content.lab.distractors in swept:
                    continue
                swept.add(content.lab.distractors)
            section.anchor, section.title = f"{content.dataset}-{section.anchor}", f"{content.dataset}: {section.title}"
            sections.append(section)
    first = contents[0]
    keys = ", ".join(content.dataset for content in contents)
    return _page(title, f"all: {keys}", sum(content.run_count for content in contents), first.created,
                 first.store_root, sections)  # fmt: skip


def _page(title: str, dataset: str, run_count: int, created: str, store_root: str, sections: list[Section]) -> str:
    environment = Environment(autoescape=True)
    return environment.from_string(PAGE).render(
        title=title, dataset=dataset, run_count=run_count, created=created, store_root=store_root, sections=sections,
        plotly_js=Markup(get_plotlyjs()),
    )  # fmt: skip
