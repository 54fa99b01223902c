"""The report's sections beyond classifiers, drawn with the pages' own builders (the features' figures and tables).

Each opens with the lesson in one or two sentences, the words of its page's captions, so that the hand-out
reads without the app: the memory lab (Memory lab page), gradients through time (Gradients through time),
forecasting (Forecasts), generation (the Overview of a corpus, Write) and encoder-decoders (The bottleneck).
"""

from __future__ import annotations

import pandas as pd

from dashboard.features.forecasting import figures_forecast, tables_forecast
from dashboard.features.lab import figures_lab, lessons
from dashboard.features.seq2seq import figures_seq2seq
from dashboard.features.writing import figures_writing
from dashboard.report.content import ReportContent
from dashboard.report.blocks import Section, bullets, chart, paragraph, table
from pipelines.data.seq2seq import unit_of
from pipelines.translation.baselines import BASELINE_NAMES


def memory_lab_section(content: ReportContent) -> Section | None:
    lab = content.lab
    if lab is None:
        return None
    variant = " With distractors: a tenth of the filler words are marker words too, and only the first counts." \
        if lab.distractors else ""  # fmt: skip
    section = Section("memory-lab", "The memory lab: remembering one word across D steps", lessons.TASK + variant)
    section.blocks.append(chart(figures_lab.accuracy_by_distance(lab.frame), 440))
    section.blocks.append(paragraph(f"{lessons.STARTS} Chance is 50%."))
    section.blocks.append(table(lab.table, {column: ".3f" for column in lab.table.columns[1:]}))
    if lab.solved is not None:
        section.blocks.append(paragraph("With several seeds the table shows the mean test accuracy; a mean of 0.67 "
                                        "is two runs of three that learned the task and one at chance. How often "
                                        "each cell learned it (test accuracy 0.95 or more):"))  # fmt: skip
        section.blocks.append(table(lab.solved))
    distances = sorted(set(lab.frame["distance"]))
    section.blocks.append(paragraph(f"The sweep: every memory-lab data set of this variant in the store (D = "
                                    f"{', '.join(map(str, distances))}); this report's data set is D = "
                                    f"{lab.distance}.", "note"))  # fmt: skip
    return section


def gradients_section(content: ReportContent) -> Section | None:
    lab = content.lab
    if lab is None or not (lab.gradients or lab.missing):
        return None
    symbol, _, meaning = figures_lab.GRADIENT_VALUES[lab.value]
    section = Section("gradients", "Gradients through time", (
        f"{lessons.BACKPROPAGATION} A plain RNN's gradient fades exponentially with distance; a gated cell's can "
        "stay alive through its forget or update gate."))
    if lab.gradients:
        section.blocks.append(chart(figures_lab.gradient_panels(lab.gradients, symbol, f"{symbol} at D = "
                                                                f"{lab.distance}"), 420, top=110))  # fmt: skip
        section.blocks.append(paragraph(f"{symbol}, {meaning}, against steps back from the end (log scale), on the "
                                        f"memory lab's test sequences at D = {lab.distance}: solid after training, "
                                        "dotted at the run's initial weights. Measured on the real weights."))
        section.blocks.append(bullets(lab.facts))
        section.blocks.append(paragraph("What the recurrent weights imply:"))
        section.blocks.append(bullets(lab.meanings))
    for run_id in lab.missing:
        section.blocks.append(paragraph(f"{run_id} has no gradients kept in its folder yet; open it on the "
                                        "Gradients through time page to compute them.", "note"))  # fmt: skip
    return section


def forecasting_section(content: ReportContent) -> Section | None:
    forecasts = content.forecasting
    if forecasts is None:
        return None
    facts = forecasts.summary.series
    settings = facts.settings
    section = Section("forecasting", "Forecasting: the recurrent models against the baselines", (
        f"Each model reads the last {settings.get('lookback')} values and forecasts the next "
        f"{settings.get('horizon')}, never from after. The series is cut in time, never shuffled: the models learn "
        "from the training part, stop early on the validation part and are scored on the test part. A forecaster "
        "has to beat the baselines: the last value, last season's value, and Holt-Winters."))
    styles = figures_forecast.forecast_styles(forecasts.frame)
    window = (pd.Timestamp(facts.parts["validation"]["start"]),  # the page's default view: validation onwards
              max([forecasts.series["date"].max(), *(fan["date"].max() for fan in forecasts.fans.values())]))
    section.blocks.append(chart(figures_forecast.forecast_chart(forecasts.series, facts.parts, forecasts.lines,
                                                                forecasts.fans, styles, 1, facts.unit, window),
                                460))  # fmt: skip
    fan = f"; the shaded fan is {next(iter(forecasts.fans))}'s whole forecast made after {forecasts.origin}, its " \
        "80% and 95% bands as wide as that step's errors on the validation part" if forecasts.fans else ""  # fmt: skip
    section.blocks.append(paragraph(f"The lines are one-step-ahead test forecasts of the best recurrent model and "
                                    f"the strongest baselines{fan}."))  # fmt: skip
    scores = tables_forecast.per_step(forecasts.records, dict(zip(forecasts.frame["run_id"], forecasts.frame["label"])),
                                      "rmse")  # fmt: skip
    section.blocks.append(chart(figures_forecast.horizon_errors(scores, styles, "RMSE"), 360))
    section.blocks.append(paragraph("Far-ahead forecasts drift: the error grows with the steps ahead. MASE below 1 "
                                    "beats last season's value as a one-step forecast on the training part (Hyndman "
                                    "& Koehler); direction is the share of forecasts that move the right way from "
                                    "the last value read. Lower is better but for R² and direction."))  # fmt: skip
    board = forecasts.table.drop(columns=["run id", "trained by", "epochs"])
    section.blocks.append(table(board, {column: ".3f" for column in board.columns
                                        if column not in ("model", "kind", "horizon", "parameters")} |
                                {"parameters": ",.0f"}, css="small"))  # fmt: skip
    notes = {record.metrics.mape_note for record in forecasts.records if record.metrics.mape_note}
    for note in sorted(notes):
        section.blocks.append(paragraph(f"{note}, so no MAPE is given; sMAPE and MASE still are.", "note"))
    return section


def generation_section(content: ReportContent) -> Section | None:
    writing = content.generation
    if writing is None:
        return None
    section = Section("generation", "Generation: language models against n-grams", (
        "A language model reads a review one character at a time and predicts the next character, the review's end "
        "included. Bits per character is how many yes/no questions, on average, it still needs to guess the next "
        "one (perplexity is 2 to that power: how many characters it is still choosing between). The n-gram "
        "baselines only count which character followed the last n−1 in training; a recurrent model has to do "
        "better by remembering more."))
    section.blocks.append(chart(figures_writing.bits_bars(writing.board, writing.alphabet),
                                140 + 32 * len(writing.board)))  # fmt: skip
    board = writing.board.drop(columns=["cell", "run id", "framework", "epochs"])  # the n-grams have none
    section.blocks.append(table(board, {"bits per character": ".3f", "perplexity": ".2f",
                                        "next-character accuracy": ".3f", "validation bits per character": ".3f",
                                        "parameters": ",.0f", "train time (s)": ".1f"}, css="small"))  # fmt: skip
    if len(writing.samples):
        section.blocks.append(paragraph("What they wrote, right after training, from the same prompts with the same "
                                        "seed: a model with fewer bits per character writes more word-like text."))
        section.blocks.append(table(writing.samples, {"temperature": ".1f"}, css="small"))
    return section


def seq2seq_section(content: ReportContent) -> Section | None:
    translating = content.seq2seq
    if translating is None:
        return None
    unit = unit_of(content.dataset)
    section = Section("seq2seq", "Encoder-decoders: the context vector and attention", (
        "An encoder reads the source; its last state, the context vector, starts a decoder that writes the output "
        "one symbol at a time. Without attention that one vector must hold the whole source, so accuracy falls as "
        "sources grow longer; attention looks back at every encoder state (Cho et al. 2014; Bahdanau, Cho & "
        "Bengio 2015). Every score is greedy decoding of the test split."))
    section.blocks.append(chart(figures_seq2seq.accuracy_by_length(
        translating.curves, "token_accuracy" if translating.text else "exact_match",
        f"{'Per-token accuracy' if translating.text else 'Exact match'} by source length ({unit})", unit), 420))
    if translating.text:
        baselines = translating.summary.baselines
        rows = [{"label": BASELINE_NAMES.get(name, name), "baseline": True, **scores}
                for name, scores in baselines.items()]  # fmt: skip
        rows += [{"label": record.model_spec.label(), "baseline": False, "cell": record.model_spec.cell,
                  "bleu": record.metrics.bleu, "chrf": record.metrics.chrf} for record in translating.records]
        section.blocks.append(chart(figures_seq2seq.text_scores(rows, "BLEU and chrF (grey: baselines)"), 380))
        section.blocks.append(paragraph("BLEU counts the output's word sequences (one to four words) found in the "
                                        "reference, chrF its character sequences, both 0 to 100 on lower-cased words "
                                        "with punctuation apart: they compare these systems, not published results. "
                                        "The baselines copy the source, or translate word for word with a dictionary "
                                        "learned from the training pairs (IBM Model 1)."))  # fmt: skip
    formats = {column: ".3f" for column in ("exact match", "per-token accuracy")}
    section.blocks.append(table(translating.board, formats | {"BLEU": ".2f", "chrF": ".2f", "train time (s)": ".0f"},
                                css="small"))  # fmt: skip
    return section


SECTIONS = (memory_lab_section, gradients_section, forecasting_section, generation_section, seq2seq_section)
