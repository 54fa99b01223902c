"""`checklist`: behavioural tests in the manner of CheckList on a data set's classifiers (pipelines.behaviour)."""

from __future__ import annotations

import argparse
import json
from collections import Counter

from ..device_names import DEVICE_CHOICES
from ..exit_codes import EXIT_FINISHED
from .common import Command, store_of

# Column headings, in pipelines.behaviour.CAPABILITIES's order.
SHORT = {
    "Vocabulary": "vocab", "Negation": "negation", "Negation, words between": "neg+words", "Contrast (but)": "but",
    "Author's opinion": "author", "Questions (… No.)": "q. No.", "Intensifiers": "intens.", "Typos (INV)": "typos",
    "Names (INV)": "names", "Neutral words (INV)": "neutral",
}  # fmt: skip


def add_checklist_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--dataset", required=True, help="a data set in the store: rt-polarity, imdb, nusax, ...")
    parser.add_argument("--runs", nargs="+", default=None, metavar="RUN",
                        help="test these runs (default: every finished classifier that reads words)")
    parser.add_argument("--examples", type=int, default=3,
                        help="failing texts to print per capability, those most models fail first (default 3)")
    parser.add_argument("--cases-per-test", type=int, default=None, metavar="N",
                        help="texts per test at most (default 120, evenly spaced over the templates' fillings)")
    parser.add_argument("--device", default="cpu", choices=DEVICE_CHOICES, help="default cpu")
    parser.add_argument("--json", action="store_true", help="every case and every model's answer as JSON")
    parser.add_argument("--artifacts", default=argparse.SUPPRESS, help="store folder")


def cmd_checklist(args) -> int:
    from ..behaviour.checklist import check_store

    if args.examples < 0:
        raise ValueError(f"--examples must be 0 or more, got {args.examples}")
    report = check_store(store_of(args), args.dataset, args.runs, device=args.device,
                         cases_per_test=args.cases_per_test)  # fmt: skip
    if args.json:
        print(json.dumps(report.to_json(), ensure_ascii=False, allow_nan=False))
    else:
        print(describe(report, args.examples))
    return EXIT_FINISHED


def describe(report, examples: int = 3) -> str:
    """A model x capability table of failure rates, the paper's anchor, and the texts most models fail."""
    from ..behaviour.checklist import CHECKLIST_TABLE_1

    capabilities = report.capabilities
    cases = sum(len(test.cases) for test in report.tests)
    lines = [
        f"Behavioural tests on {report.dataset} ({report.language}): {len(report.tests)} tests, {cases:,} texts, "
        f"{len(report.models)} model{'s' * (len(report.models) != 1)}",
        "failure rate, % of each capability's texts (MFT: not the class the template expects; INV: the answer "
        "flips when a typo, a name or a neutral word changes)",
        "",
    ]
    width = max([len("model")] + [len(model.label) for model in report.models]) + 2
    lines.append(f"{'model':<{width}}" + "".join(f"{SHORT.get(name, name):>10}" for name in capabilities)
                 + "   unknown words")  # fmt: skip
    for model in report.models:
        rates = "".join(f"{100 * model.failure_rate(name):>9.1f}%" for name in capabilities)
        words = ", ".join(list(model.unknown_words)[:4])
        unknown = f"{model.texts_with_unknown:,} of {model.texts:,} texts" + (f" ({words})" if words else "")
        lines.append(f"{model.label:<{width}}{rates}   {unknown}")
    lines.append(f"{'cases':<{width}}" + "".join(f"{report.models[0].cases(name):>10}" for name in capabilities))
    lines += ["", f"CheckList: {CHECKLIST_TABLE_1['source']}. Our tests that mirror its rows:"]
    for mirrored in report.beside_checklist():
        theirs = ", ".join(f"{model} {rate:.1f}%" for model, rate in mirrored.figures.items()) or "in the paper"
        lines.append(f"  {mirrored.ours:<28} ours {mirrored.span:<8} ~ \"{mirrored.row}\": {theirs}")
    lines.append(f"  (the paper's failure rates: {CHECKLIST_TABLE_1['figures_source']}; the rows without figures "
                 "are in the paper, not copied from a source this project could check)")
    if examples:
        lines += ["", "texts most models fail, per capability:"]
        for name in capabilities:
            failing = Counter(result.text for model in report.models for result in model.failures(name))
            originals = {result.text: result.original for model in report.models for result in model.failures(name)}
            for text, count in failing.most_common(examples):
                before = f"  (was: {originals[text]})" if originals.get(text) else ""
                lines.append(f"  {SHORT.get(name, name):<10} {count} of {len(report.models)}: {text}{before}")
    return "\n".join(lines)


CHECKLIST = Command("checklist", "behavioural tests (CheckList): failure rate per model and capability, e.g. negation",
                    add_checklist_arguments, cmd_checklist)
