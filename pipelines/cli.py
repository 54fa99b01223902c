"""Command line: `python -m pipelines train | list | explain | top-words | verify | generate`.

Bad input (an unknown data set, a missing archive, a run that does not exist,
a run of a kind the command does not work on) ends with a one-line message and
exit status 2, never a traceback.
"""

from __future__ import annotations

import argparse
import json
import os
import sys

from .data import DATASET_KEYS, DataError
from .data.characters import CORPUS_KEYS, is_corpus
from .devices import DEVICE_CHOICES
from .models.spec import FRAMEWORKS
from .models.language_model_spec import LANGUAGE_MODEL_ZOOS
from .models.zoos import ZOOS
from .store import Store
from .tasks import require_language_model, require_recurrent_classifier, task_named
from .training.config import FIELDS

# What the commands' exit statuses mean (the Train page reads a job's from here too).
EXIT_FINISHED = 0  # done; verify: the reference agrees
EXIT_SOME_FAILED = 1  # train: some runs failed; verify: the reference disagrees
EXIT_BAD_INPUT = 2  # a one-line message says what was wrong
EXIT_INTERRUPTED = 130  # Ctrl+C; unfinished runs are redone on the next start


# pipelines.explain.METHODS, named here so that `list` need not import Captum (a test keeps them equal).
ATTRIBUTION_METHODS = ("integrated_gradients", "saliency", "input_x_gradient", "deeplift", "occlusion")


def _store(args) -> Store:
    return Store(args.artifacts)


def cmd_train(args) -> int:
    if is_corpus(args.dataset):  # a character corpus: language models, their own small trainer
        return _train_language_models(args)
    if args.zoo in LANGUAGE_MODEL_ZOOS:
        raise ValueError(f"the {args.zoo} zoo holds language models: train it on a character corpus "
                         f"(--dataset {' or '.join(CORPUS_KEYS)})")  # fmt: skip
    from .training.train import train_zoo  # imports torch: keep `list` fast

    args.zoo = args.zoo or "quick"
    frameworks = list(FRAMEWORKS) if args.framework == "both" else [args.framework]
    overrides = {name: getattr(args, name) for name in FIELDS}  # None where not given: the defaults stand
    outcomes = train_zoo(
        _store(args), args.dataset, args.zoo, frameworks, device=args.device, overrides=overrides,
        data_dir=args.data_dir, language=args.language, limit=args.limit, only=args.only,
        show_progress=not args.quiet, words=args.top_words,
    )  # fmt: skip
    return _summarise(outcomes)


def _summarise(outcomes) -> int:
    counts = {result: sum(o.result == result for o in outcomes) for result in ("trained", "skipped", "busy", "failed")}
    print(", ".join(f"{count} {result}" for result, count in counts.items()))
    return EXIT_SOME_FAILED if counts["failed"] else EXIT_FINISHED


def _train_language_models(args) -> int:
    """`train --dataset rt-polarity-chars --zoo charlm`: character language models and their n-gram baselines."""
    if args.framework != "torch":
        raise ValueError(f"character language models train in PyTorch only, not --framework {args.framework}")
    if args.language is not None:
        raise ValueError(f"--language applies to nusax only, not {args.dataset}")
    from .training.language_models import train_language_models  # imports torch

    overrides = {name: getattr(args, name) for name in FIELDS}
    return _summarise(train_language_models(
        _store(args), args.dataset, args.zoo or "charlm", device=args.device, overrides=overrides,
        data_dir=args.data_dir, limit=args.limit, only=args.only, show_progress=not args.quiet,
    ))  # fmt: skip


def _headline(record) -> dict:
    """A run's row in `list`: what it is, its state, and its kind's headline scores."""
    metrics, headline = record.metrics, task_named(record.task).metrics.HEADLINE
    return {
        "dataset": record.dataset,
        "run_id": record.run_id,
        "task": record.task,
        "framework": record.framework,
        "state": record.state,
        "progress": record.progress,
        **{name: getattr(metrics, name) if metrics else None for name in headline},
        "parameters": metrics.parameters if metrics else None,
        "train_seconds": metrics.train_seconds if metrics else None,
        "epochs": metrics.epochs_trained if metrics else None,
        "problem": record.problem,
    }


def cmd_list(args) -> int:
    store = _store(args)
    records = store.runs(args.dataset)
    if args.json:
        print(json.dumps([_headline(record) for record in records], indent=1))
        return EXIT_FINISHED
    if not records:
        print(f"no runs in {store.root}; train some with: python -m pipelines train --dataset rt-polarity --zoo quick")
        return EXIT_FINISHED
    number = lambda value, fmt: "-" if value is None else format(value, fmt)  # noqa: E731
    for task, group in _by_task(records).items():
        titles = task_named(task).metrics.HEADLINE
        data_width = max(16, *(len(record.dataset) for record in group))
        run_width = max(44, *(len(record.run_id) for record in group))
        header = (f"{'dataset':<{data_width}} {'run':<{run_width}} {'state':<11} "
                  + " ".join(f"{title:>6}" for title in titles.values())
                  + f" {'params':>9} {'time':>7}")  # fmt: skip
        print(f"[{task}]")
        print(header)
        print("-" * len(header))
        for record in group:
            row = _headline(record)
            state = record.state
            if record.progress is not None:
                state = f"{state[:7]} {record.progress:.0%}"
            scores = " ".join(f"{number(row.get(name), '.3f'):>6}" for name in titles)
            print(f"{row['dataset']:<{data_width}} {row['run_id']:<{run_width}} {state:<11} {scores} "
                  f"{number(row['parameters'], ','):>9} {number(row['train_seconds'], '.0f'):>6}s")  # fmt: skip
            if record.problem and record.state != "done":
                print(f"{'':<{data_width}} -> {record.problem}")
        print()
    return EXIT_FINISHED


def _by_task(records) -> dict[str, list]:
    groups: dict[str, list] = {}
    for record in records:
        groups.setdefault(record.task, []).append(record)
    return groups


def cmd_verify(args) -> int:
    from .verify import format_report, verify_run  # imports torch (and TensorFlow for a Keras run)

    report = verify_run(_store(args), args.run, args.dataset, limit=args.limit)
    print(json.dumps(report.to_json(), indent=1) if args.json else format_report(report))
    return EXIT_FINISHED if report.agree else EXIT_SOME_FAILED


def _load_run_anywhere(args, action: str):
    """Load --run from --dataset, or from whichever data set holds it (run ids are globally unique).

    `action` names the command for the message when the run is of a kind it does not work on.
    """
    store = _store(args)
    record = store.find_run(args.run, args.dataset)
    require_recurrent_classifier(record, action)
    from .runs import load_run  # imports torch

    return store, load_run(store, record.dataset, record.run_id, device=args.device)


def cmd_explain(args) -> int:
    methods = list(ATTRIBUTION_METHODS) if "all" in args.methods else args.methods
    target = int(args.target) if args.target is not None and args.target.isdigit() else args.target  # index or name
    _, run = _load_run_anywhere(args, "explain")
    explanation = run.explain(args.text, methods=methods, ig_steps=args.steps, target=target)
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
                lines.append(f"  {m.title}: scores sum to {m.scores.sum():+.4f}, convergence delta {m.delta:+.1e}")
    lines += ["", "layers (means over tokens and units):"]
    for states in explanation.layers:
        gates = "  ".join(f"{name} {means.mean():.3f}" for name, means in states.means.items())
        lines.append(f"  layer {states.layer + 1} {states.direction:<8}  |h| {states.norm.mean():.3f}  {gates}")
    if explanation.trajectory is not None:
        trajectory = explanation.trajectory[:, explanation.target]
        lines.append(f"P({explanation.target_class}) after each token: " + " ".join(f"{p:.2f}" for p in trajectory))
    return "\n".join(lines)


def cmd_generate(args) -> int:
    from .generation import SamplingSettings, clean_prompt, load_language_model  # imports torch

    settings = SamplingSettings(length=args.length, temperature=args.temperature, top_k=args.top_k, seed=args.seed,
                                stop_at_end=args.stop_at_end)  # checked before the model loads
    store = _store(args)
    record = store.find_run(args.run, args.dataset)
    require_language_model(record, "generate")
    model = load_language_model(store, record.dataset, record.run_id, device=args.device)
    if args.json:
        generation = model.write(args.prompt, settings)
        print(json.dumps({"dataset": record.dataset, **generation.to_json()}, ensure_ascii=False, allow_nan=False))
        return EXIT_FINISHED
    prompt = clean_prompt(args.prompt, model.alphabet)  # refused, in words, before anything is printed
    top_k = f"top-{settings.top_k}" if settings.top_k else "every character"
    print(f"{model.label} ({record.run_id}) on {record.dataset}: "
          f"{record.metrics.bits_per_character:.3f} bits per character on the test passages")  # fmt: skip
    print(f"prompt {prompt!r} · temperature {settings.temperature:g} · {top_k} · seed {settings.seed}\n")
    print(prompt, end="", flush=True)
    generation = model.write(prompt, settings, on_step=lambda step: print(step.character, end="", flush=True))
    print(f"\n\n{len(generation.steps)} characters; its surprise at its own text: "
          f"{generation.bits_per_character:.2f} bits per character (each line is one review)")  # fmt: skip
    return EXIT_FINISHED


def cmd_top_words(args) -> int:
    from .explain import top_words

    store, run = _load_run_anywhere(args, "top-words")
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
    return EXIT_FINISHED


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m pipelines", description="RNN Lens pipelines")
    parser.add_argument("--artifacts", default=None, help="store folder (default: $RNNLENS_ARTIFACTS or ./artifacts)")
    commands = parser.add_subparsers(dest="command", required=True)

    train = commands.add_parser("train", help="train every run of a zoo that the store does not have yet")
    train.add_argument("--dataset", default="rt-polarity",
                       help=f"one of {', '.join(DATASET_KEYS)} (nusax-LANGUAGE too); character corpora for "
                            f"language models: {', '.join(CORPUS_KEYS)}")  # fmt: skip
    train.add_argument("--language", default=None, help="NusaX language (default indonesian)")
    train.add_argument("--zoo", default=None, choices=sorted({*ZOOS, *LANGUAGE_MODEL_ZOOS}),
                       help="default: quick, or charlm for a character corpus")
    train.add_argument("--only", action="append", metavar="PATTERN",
                       help="train only the zoo's models whose name matches, e.g. 'gru-bi-*' (repeatable)")
    train.add_argument("--framework", default="torch", choices=[*FRAMEWORKS, "both"])
    train.add_argument("--device", default="auto", choices=DEVICE_CHOICES)
    for setting in FIELDS.values():  # every TrainConfig field; unset ones keep the data set's defaults
        train.add_argument(f"--{setting.name.replace('_', '-')}", type=setting.type, default=None, metavar="N",
                           help=f"{setting.help} (default {setting.default}, or the data set's own)")
    train.add_argument("--limit", type=int, default=None, help="use at most N examples per split (quick trials)")
    train.add_argument("--data-dir", default=None, help="folder with local data copies (default: $RNNLENS_DATA_DIR)")
    train.add_argument("--quiet", action="store_true", help="no progress bars")
    train.add_argument("--no-top-words", dest="top_words", action="store_false",
                       help="do not compute each finished run's top words (the dashboard's word lists)")
    train.set_defaults(handler=cmd_train)

    listing = commands.add_parser("list", help="runs in the store with status and headline metrics")
    listing.add_argument("--dataset", default=None)
    listing.add_argument("--json", action="store_true")
    listing.set_defaults(handler=cmd_list)

    verify = commands.add_parser("verify", help="the NumPy reference against the framework on a run's test set")
    verify.add_argument("--run", required=True, help="a run id, as `list` shows it")
    verify.add_argument("--dataset", default=None, help="the run's data set (default: search them all)")
    verify.add_argument("--limit", type=int, default=None,
                        help="check a seeded sample of N test texts (default: all; only a full check is kept)")
    verify.add_argument("--json", action="store_true")
    # Accepted after the subcommand too; SUPPRESS keeps a value given before it.
    verify.add_argument("--artifacts", default=argparse.SUPPRESS, help="store folder (as before the command)")
    verify.set_defaults(handler=cmd_verify)


    explain = commands.add_parser("explain", help="prediction, hidden states, gates and word attributions for a text")
    _run_arguments(explain)
    explain.add_argument("--text", required=True, help="the text to read (quote it)")
    explain.add_argument("--methods", nargs="+", default=["all"], metavar="METHOD",  # checked by explain()
                         help=f"attribution methods: {', '.join(ATTRIBUTION_METHODS)}, or all (default)")  # fmt: skip
    explain.add_argument("--steps", type=int, default=32, help="Integrated Gradients steps (default 32)")
    explain.add_argument("--target", default=None, help="class to explain, name or index (default: the predicted one)")
    explain.add_argument("--json", action="store_true", help="the full explanation as JSON")
    explain.set_defaults(handler=cmd_explain)

    top = commands.add_parser("top-words", help="the words that push a run most towards each class (cached)")
    _run_arguments(top)
    top.add_argument("--top", type=int, default=15, help="words per class to print")
    top.add_argument("--max-tokens", type=int, default=None, help="test tokens to read at most (default 32,000)")
    top.add_argument("--min-count", type=int, default=None, help="leave out words seen fewer times (default 5)")
    top.add_argument("--refresh", action="store_true", help="compute again even if cached")
    top.add_argument("--json", action="store_true")
    top.set_defaults(handler=cmd_top_words)

    generate = commands.add_parser("generate", help="a language model writes after a prompt (seeded)")
    _run_arguments(generate)
    generate.add_argument("--prompt", default="", help="what the text starts with (default: nothing, a new review)")
    generate.add_argument("--length", type=int, default=200, help="characters to write (default 200)")
    generate.add_argument("--temperature", type=float, default=0.8,
                          help="above 0: below 1 safer, above 1 bolder (default 0.8)")
    generate.add_argument("--top-k", type=int, default=0, help="draw from the k likeliest characters (default 0: all)")
    generate.add_argument("--seed", type=int, default=0, help="the same seed writes the same text (default 0)")
    generate.add_argument("--stop-at-end", action="store_true", help="stop when the review ends")
    generate.add_argument("--json", action="store_true", help="the text, settings and each character's candidates")
    generate.set_defaults(handler=cmd_generate)
    return parser


def _run_arguments(parser: argparse.ArgumentParser) -> None:
    parser.add_argument("--run", required=True, help="run id, as `list` shows it")
    parser.add_argument("--dataset", default=None, help="the run's data set (default: found in the store)")
    parser.add_argument("--device", default="cpu", choices=DEVICE_CHOICES, help="default cpu")
    # Also accepted after the command; SUPPRESS keeps the top-level value when it is not given here.
    parser.add_argument("--artifacts", default=argparse.SUPPRESS, help="store folder")


def main(argv: list[str] | None = None) -> int:
    args = build_parser().parse_args(argv)
    os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
    try:
        return args.handler(args)
    except (DataError, ValueError, FileNotFoundError) as error:
        print(f"error: {error}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except KeyboardInterrupt:
        print("interrupted; unfinished runs will be redone on the next start", file=sys.stderr)
        return EXIT_INTERRUPTED
    except BrokenPipeError:  # `... list | head`: the reader has all it wanted
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())  # no second error when Python flushes
        return EXIT_FINISHED
