"""`verify`, `explain`, `top-words` and `gradients`: what can be asked of a recurrent classifier's run
(`verify` also checks an encoder-decoder's decoder step: pipelines/translation/verify.py)."""

from __future__ import annotations

import argparse
import json
import sys

from ..exit_codes import EXIT_FINISHED, EXIT_SOME_FAILED
from ..tasks import require_recurrent_classifier
from .common import Command, class_choice, run_arguments, store_of

# pipelines.explain.METHODS, named here so that `list` need not import Captum (a test keeps them equal).
ATTRIBUTION_METHODS = ("integrated_gradients", "saliency", "input_x_gradient", "deeplift", "occlusion")


def load_run_anywhere(args, action: str):
    """Load --run from --dataset, or from whichever data set holds it (run ids are globally unique).

    `action` names the command for the message when the run is of a kind it does not work on.
    """
    store = store_of(args)
    record = store.find_run(args.run, args.dataset)
    require_recurrent_classifier(record, action)
    from ..runs import load_run  # imports torch

    return store, load_run(store, record.dataset, record.run_id, device=args.device)


# ----------------------------------------------------------------------------
# verify


def add_verify_arguments(verify: argparse.ArgumentParser) -> None:
    verify.add_argument("--run", required=True, help="a run id, as `list` shows it")
    verify.add_argument("--dataset", default=None, help="the run's data set (default: search them all)")
    verify.add_argument("--limit", type=int, default=None,
                        help="check a seeded sample of N test texts (default: all; only a full check is kept)")
    verify.add_argument("--json", action="store_true")
    # Accepted after the subcommand too; SUPPRESS keeps a value given before it.
    verify.add_argument("--artifacts", default=argparse.SUPPRESS, help="store folder (as before the command)")


def cmd_verify(args) -> int:
    from ..tasks import SEQ2SEQ

    if store_of(args).find_run(args.run, args.dataset).task == SEQ2SEQ.name:  # the decoder step, not a classifier
        from ..translation.verify import DEFAULT_LIMIT, format_translator_report, verify_translator

        limit = DEFAULT_LIMIT if args.limit is None else args.limit
        report = verify_translator(store_of(args), args.run, args.dataset, limit=limit)
        print(json.dumps(report.to_json(), indent=1) if args.json else format_translator_report(report))
        return EXIT_FINISHED if report.agree else EXIT_SOME_FAILED
    from ..verify import format_report, verify_run  # imports torch (and TensorFlow for a Keras run)

    report = verify_run(store_of(args), args.run, args.dataset, limit=args.limit)
    print(json.dumps(report.to_json(), indent=1) if args.json else format_report(report))
    return EXIT_FINISHED if report.agree else EXIT_SOME_FAILED


# ----------------------------------------------------------------------------
# explain


def add_explain_arguments(explain: argparse.ArgumentParser) -> None:
    run_arguments(explain)
    explain.add_argument("--text", required=True, help="the text to read (quote it)")
    explain.add_argument("--methods", nargs="+", default=["all"], metavar="METHOD",  # checked by cmd_explain
                         help=f"attribution methods: {', '.join(ATTRIBUTION_METHODS)}, or all (default)")  # fmt: skip
    explain.add_argument("--steps", type=int, default=32,
                         help="Integrated Gradients steps at most (default 32; 8 where 4 and 8 agree to 1%%)")
    explain.add_argument("--exact-steps", action="store_true", help="take exactly --steps Integrated Gradients steps")
    explain.add_argument("--target", default=None, help="class to explain, name or index (default: the predicted one)")
    explain.add_argument("--json", action="store_true", help="the full explanation as JSON")


def cmd_explain(args) -> int:
    unknown = [name for name in args.methods if name not in (*ATTRIBUTION_METHODS, "all")]
    if unknown:  # "all lime" too: a typo next to "all" must not pass unnoticed
        choices = ", ".join(ATTRIBUTION_METHODS)
        raise ValueError(f"unknown attribution method {unknown[0]!r}; choose from: {choices}, all")
    methods = list(ATTRIBUTION_METHODS) if "all" in args.methods else args.methods
    target = class_choice(args.target)
    _, run = load_run_anywhere(args, "explain")
    tolerance = {"ig_tolerance": None} if args.exact_steps else {}  # else explain's default tolerance
    explanation = run.explain(args.text, methods=methods, ig_steps=args.steps, target=target, **tolerance)
    if args.json:
        print(json.dumps(explanation.to_json(), ensure_ascii=False, allow_nan=False))
    else:
        print(_describe_explanation(explanation))
    return EXIT_FINISHED


def _describe_explanation(explanation) -> str:
    """Prediction, a token x method table of scores, and one line per layer and direction."""
    probabilities = "  ".join(f"{name} {p:.3f}" for name, p in zip(explanation.classes, explanation.probabilities))
    lines = [
        f"{explanation.label} on {explanation.dataset} ({explanation.run_id})",
        f"prediction: {explanation.predicted_class}   ({probabilities})",
    ]
    if explanation.truncated:
        lines.append(f"{explanation.truncated} tokens after the first {explanation.maxlen} were cut (not read)")
    methods = list(explanation.attributions.values())
    if methods:
        lines += ["", f"word attributions towards {explanation.target_class!r} (log-odds: +1 = odds x 2.7):"]
        width = max(len(token.text) for token in explanation.read_tokens) + 2
        column = max(len(m.method) for m in methods) + 2
        lines.append(f"  {'token':<{width}}" + "".join(f"{m.method:>{column}}" for m in methods))
        for index, token in enumerate(explanation.read_tokens):
            word = token.text if token.known else f"{token.text}?"
            lines.append(f"  {word:<{width}}" + "".join(f"{m.scores[index]:>+{column}.4f}" for m in methods))
        lines.append("  (? = unknown to the vocabulary, read as <unk>; saliency is a magnitude)")
        for m in methods:
            if m.delta is not None:
                steps = f"{m.steps} steps, " if m.steps else ""
                lines.append(f"  {m.title}: {steps}scores sum to {m.scores.sum():+.4f}, "
                             f"convergence delta {m.delta:+.1e}")
    lines += ["", "layers (means over tokens and units):"]
    for states in explanation.layers:
        gates = "  ".join(f"{name} {means.mean():.3f}" for name, means in states.means.items())
        lines.append(f"  layer {states.layer + 1} {states.direction:<8}  |h| {states.norm.mean():.3f}  {gates}")
    if explanation.trajectory is not None:
        trajectory = explanation.trajectory[:, explanation.target]
        lines.append(f"P({explanation.target_class}) after each token: " + " ".join(f"{p:.2f}" for p in trajectory))
    return "\n".join(lines)


# ----------------------------------------------------------------------------
# top-words


def add_top_words_arguments(top: argparse.ArgumentParser) -> None:
    run_arguments(top)
    top.add_argument("--top", type=int, default=15, help="words per class to print")
    top.add_argument("--max-tokens", type=int, default=None, help="test tokens to read at most (default 32,000)")
    top.add_argument("--min-count", type=int, default=None, help="leave out words seen fewer times (default 5)")
    top.add_argument("--refresh", action="store_true", help="compute again even if cached")
    top.add_argument("--json", action="store_true")


def cmd_top_words(args) -> int:
    from ..explain import top_words

    store, run = load_run_anywhere(args, "top-words")
    limits = {name: value for name, value in (("max_tokens", args.max_tokens), ("min_count", args.min_count))
              if value is not None}  # fmt: skip
    words = top_words(store, run, refresh=args.refresh, **limits)
    if args.json:
        print(json.dumps(words.to_json(), ensure_ascii=False, allow_nan=False))
        return EXIT_FINISHED
    print(f"{run.label} on {run.dataset}: {words.texts_read} of {words.texts_total} test texts, "
          f"{words.tokens_read} tokens, words seen {words.settings['min_count']}+ times")  # fmt: skip
    for name in words.classes:
        top = ", ".join(f"{w.word} {w.mean:+.3f} ({w.count})" for w in words.top(name, args.top))
        print(f"towards {name}: {top or '(no word seen often enough)'}")
    if words.not_kept:
        print(f"note: {words.not_kept}", file=sys.stderr)
    return EXIT_FINISHED


# ----------------------------------------------------------------------------
# gradients


def add_gradients_arguments(gradients: argparse.ArgumentParser) -> None:
    run_arguments(gradients)
    gradients.add_argument("--text", default=None, help="the text to read (default: the run's test texts, averaged)")
    gradients.add_argument("--target", default=None, help="class whose loss to differentiate (default: predicted)")
    gradients.add_argument("--refresh", action="store_true", help="compute the test-text summary again")
    gradients.add_argument("--json", action="store_true", help="every per-step value as JSON")


def cmd_gradients(args) -> int:
    """Gradient flow through time for one text, or the typical test text of the run's data set."""
    store, run = load_run_anywhere(args, "gradients")
    target = class_choice(args.target)
    if args.text is not None:
        flow = run.gradients(args.text, target=target)
        document = flow.to_json()
        lines = _describe_flow(flow.label, flow.cell, flow.tokens, flow.trained, flow.initial, flow.meaning())
    else:
        from ..explain.memory_lab import lab_summary

        summary = lab_summary(store, run, refresh=args.refresh)
        document = summary.to_json()
        tokens = [f"-{k}" for k in range(len(summary.trained[0].loss_gradient) - 1, -1, -1)]  # steps before the end
        lines = _describe_flow(summary.label, summary.cell, tokens, summary.trained, summary.initial,
                               summary.meaning(), texts=summary.texts)  # fmt: skip
    print(json.dumps(document, ensure_ascii=False, allow_nan=False) if args.json else "\n".join(lines))
    return EXIT_FINISHED


def _describe_flow(label, cell, tokens, trained, initial, meaning, texts: int | None = None) -> list[str]:
    """A token x (layer, direction) table of ‖∂L/∂h_t‖ and ‖∂h_T/∂h_t‖, trained and at initialisation."""
    what = f"the geometric mean over {texts} test texts, by steps before the end" if texts else "one text"
    lines = [f"{label}: gradients through time ({what}); L = cross-entropy, trained (and at initialisation)"]
    for now, before in zip(trained, initial):
        lines += ["", f"layer {now.layer + 1} {now.direction}" + (f", mean {'forget' if cell == 'lstm' else 'update'}"
                  f" gate {now.keep_gate:.2f}" if now.keep_gate is not None else ""),
                  f"  {'token':<16} {'|dL/dh_t|':>11} {'(init)':>9} {'|dh_T/dh_t|':>12} {'(init)':>9}"]  # fmt: skip
        for index, token in enumerate(tokens):
            lines.append(f"  {token[:16]:<16} {now.loss_gradient[index]:>11.2e} {before.loss_gradient[index]:>9.1e} "
                         f"{now.jacobian[index]:>12.2e} {before.jacobian[index]:>9.1e}")  # fmt: skip
    return lines + ["", meaning]


VERIFY = Command("verify", "the NumPy reference against the framework on a run's test set", add_verify_arguments,
                 cmd_verify)
EXPLAIN = Command("explain", "prediction, hidden states, gates and word attributions for a text", add_explain_arguments,
                  cmd_explain)
TOP_WORDS = Command("top-words", "the words that push a run most towards each class (cached)", add_top_words_arguments,
                    cmd_top_words)
GRADIENTS = Command("gradients", "gradients through time: |dL/dh_t| and |dh_T/dh_t| per step", add_gradients_arguments,
                    cmd_gradients)
