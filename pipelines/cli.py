"""Command line: `python -m pipelines train | list | explain | top-words | verify | significance | tensorboard |
report | embed | deploy | lab | gradients | forecast | generate`.

Bad input (an unknown data set, a missing archive, a run that does not exist,
a run of a kind the command does not work on) ends with a one-line message and
exit status 2, never a traceback.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys

from .data import DATASET_KEYS, DataError
from .data.characters import CORPUS_KEYS, is_corpus
from .data.memory import DEFAULT_DISTANCES
from .data.series import SERIES_KEYS
from .device_names import DEVICE_CHOICES
from .forecasting.commands import add_forecast_command, add_train_arguments, cmd_train_forecast, is_forecasting
from .forecasting.zoos import FORECAST_ZOOS
from .models.cells import CELL_NAMES, CELLS
from .models.spec import FRAMEWORKS
from .models.language_model_spec import LANGUAGE_MODEL_ZOOS
from .models.zoos import ZOOS
from .report_options import add_report_arguments, check_output, check_resamples, report_argv
from .store import Store
from .tasks import require_language_model, require_recurrent_classifier, task_named
from .training.cluster import EXECUTORS, ClusterOptions
from .training.config import FIELDS

# What the commands' exit statuses mean (the Train page reads a job's from here too).
EXIT_FINISHED = 0  # done; verify: the reference agrees
EXIT_SOME_FAILED = 1  # train: some runs failed; verify: the reference disagrees
EXIT_BAD_INPUT = 2  # a one-line message says what was wrong
EXIT_INTERRUPTED = 130  # Ctrl+C; unfinished runs are redone on the next start


# pipelines.explain.METHODS, named here so that `list` need not import Captum (a test keeps them equal).
ATTRIBUTION_METHODS = ("integrated_gradients", "saliency", "input_x_gradient", "deeplift", "occlusion")


def _store(args) -> Store:
    store = Store(args.artifacts)
    if store.root.exists() and not store.root.is_dir():
        raise ValueError(f"--artifacts {store.root} is a file, not a store folder")
    return store


def cmd_train(args) -> int:
    return _in_a_slot(args, _train)


def _in_a_slot(args, command) -> int:
    """Run a training command; with --wait-for-slot, only while holding one of the store's training slots."""
    if not args.wait_for_slot:
        return command(args)
    from .training.slots import training_slot  # no framework yet: a job waiting in line stays small

    cluster = _cluster(args) if hasattr(args, "executor") else None
    if cluster is not None:
        cluster.check()  # before the slot: a job must never hold it while it waits on an address that is not Ray
    waiting = lambda slots: print(f"waiting for a training slot (all {slots} in use)", flush=True)  # noqa: E731
    with training_slot(_store(args), on_wait=waiting):
        return command(args)


def _train(args) -> int:
    if is_corpus(args.dataset):  # a character corpus: language models, their own small trainer
        return _train_language_models(args)
    if args.zoo in LANGUAGE_MODEL_ZOOS:
        raise ValueError(f"the {args.zoo} zoo holds language models: train it on a character corpus "
                         f"(--dataset {' or '.join(CORPUS_KEYS)})")  # fmt: skip
    args.zoo = args.zoo or "quick"
    overrides = {name: getattr(args, name) for name in FIELDS}  # None where not given: the defaults stand
    if is_forecasting(args):  # a series, or a forecast zoo: pipelines/forecasting
        return _train_counts(cmd_train_forecast(args, overrides))
    from .training.train import train_zoo  # imports torch: keep `list` fast

    frameworks = list(FRAMEWORKS) if args.framework == "both" else [args.framework]
    outcomes = train_zoo(
        _store(args), args.dataset, args.zoo, frameworks, device=args.device, overrides=overrides,
        data_dir=args.data_dir, language=args.language, limit=args.limit, only=args.only,
        show_progress=not args.quiet, words=args.top_words, pretrained=args.pretrained, embeddings=args.embeddings,
        executor=args.executor, cluster=_cluster(args), seeds=args.seeds, baselines=args.baselines,
    )  # fmt: skip
    return _train_counts(outcomes)


def _train_counts(outcomes) -> int:
    """Print how many runs were trained, skipped, busy or failed; the exit status says whether any failed."""
    counts = {result: sum(o.result == result for o in outcomes) for result in ("trained", "skipped", "busy", "failed")}
    print(", ".join(f"{count} {result}" for result, count in counts.items()))
    return EXIT_SOME_FAILED if counts["failed"] else EXIT_FINISHED


def _cluster(args) -> ClusterOptions | None:
    """The Ray options of `train`; given without --executor ray they would be ignored, so they are refused."""
    given = [flag for flag, value in (("--address", args.address), ("--cpus-per-run", args.cpus_per_run),
                                      ("--gpus-per-run", args.gpus_per_run), ("--ray-cpus", args.ray_cpus))
             if value is not None]  # fmt: skip
    if args.executor != "ray":
        if given:
            raise ValueError(f"{', '.join(given)} only apply to --executor ray")
        return None
    cpus = 1.0 if args.cpus_per_run is None else args.cpus_per_run
    return ClusterOptions(address=args.address, cpus_per_run=cpus,
                          gpus_per_run=args.gpus_per_run, local_cpus=args.ray_cpus)  # fmt: skip


def _train_language_models(args) -> int:
    """`train --dataset rt-polarity-chars --zoo charlm`: character language models and their n-gram baselines."""
    if args.framework != "torch":
        raise ValueError(f"character language models train in PyTorch only, not --framework {args.framework}")
    if args.language is not None:
        raise ValueError(f"--language applies to nusax only, not {args.dataset}")
    given = [flag for flag, value in (("--seeds", args.seeds != 1), ("--executor", args.executor != "local"),
                                      ("--pretrained", args.pretrained)) if value]  # fmt: skip
    if given:
        raise ValueError(f"{', '.join(given)} apply to classifier zoos, not to language models ({args.dataset})")
    from .training.language_models import train_language_models  # imports torch

    overrides = {name: getattr(args, name) for name in FIELDS}
    return _train_counts(train_language_models(
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
    _list_embeddings(store)
    return EXIT_FINISHED


def _list_embeddings(store: Store) -> None:
    """The pretrained embeddings in the store (`embed`), for `train --pretrained ... --embeddings NAME`."""
    from .embeddings import list_embeddings

    found = list_embeddings(store.root)
    if found:
        print("[pretrained embeddings]")
        for settings in found:
            corpus = settings.corpus
            print(f"{settings.name:<48} {settings.words:>9,} words x {settings.dimensions:<4} {settings.algorithm}, "
                  f"{corpus.texts:,} reviews ({' + '.join(corpus.parts)})")
        print()


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
    unknown = [name for name in args.methods if name not in (*ATTRIBUTION_METHODS, "all")]
    if unknown:  # "all lime" too: a typo next to "all" must not pass unnoticed
        choices = ", ".join(ATTRIBUTION_METHODS)
        raise ValueError(f"unknown attribution method {unknown[0]!r}; choose from: {choices}, all")
    methods = list(ATTRIBUTION_METHODS) if "all" in args.methods else args.methods
    target = _class_choice(args.target)
    _, run = _load_run_anywhere(args, "explain")
    tolerance = {"ig_tolerance": None} if args.exact_steps else {}  # else explain's default tolerance
    explanation = run.explain(args.text, methods=methods, ig_steps=args.steps, target=target, **tolerance)
    if args.json:
        print(json.dumps(explanation.to_json(), ensure_ascii=False, allow_nan=False))
    else:
        print(_describe_explanation(explanation))
    return EXIT_FINISHED


def _class_choice(target: str | None) -> int | str | None:
    """--target as a class index (ASCII digits only: "²" or "١" are names, which explain then refuses) or a name."""
    return int(target) if target is not None and re.fullmatch(r"[0-9]+", target) else target


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
    if words.not_kept:
        print(f"note: {words.not_kept}", file=sys.stderr)
    return EXIT_FINISHED


def cmd_gradients(args) -> int:
    """Gradient flow through time for one text, or the typical test text of the run's data set."""
    store, run = _load_run_anywhere(args, "gradients")
    target = _class_choice(args.target)
    if args.text is not None:
        flow = run.gradients(args.text, target=target)
        document = flow.to_json()
        lines = _describe_flow(flow.label, flow.cell, flow.tokens, flow.trained, flow.initial, flow.meaning())
    else:
        from .explain.memory_lab import lab_summary

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


def cmd_lab(args) -> int:
    return _in_a_slot(args, _lab)


def _lab(args) -> int:
    from .training.lab import train_lab  # imports torch: keep `list` fast

    overrides = {name: getattr(args, name) for name in FIELDS}
    outcomes = train_lab(_store(args), args.distances, args.distractors, device=args.device, overrides=overrides,
                         show_progress=not args.quiet, views=args.views, seeds=args.seeds)  # fmt: skip
    print(_lab_table(_store(args), args.distractors))
    failed = sum(outcome.result == "failed" for outcome in outcomes)
    print(f"{sum(o.result == 'trained' for o in outcomes)} trained, {sum(o.result == 'skipped' for o in outcomes)} "
          f"skipped, {failed} failed")  # fmt: skip
    return EXIT_SOME_FAILED if failed else EXIT_FINISHED


def _lab_table(store: Store, distractors: bool) -> str:
    """Test accuracy per cell (and initialisation) and distance: the lab's result at a glance; with several seeds
    the mean and how many runs learned the task."""
    from .explain.memory_lab import SOLVED, accuracy_over_seeds, lab_points

    points = lab_points(store, distractors)
    if not points:
        return "no memory-lab runs in the store yet"
    distances = sorted({point.distance for point in points})
    rows = sorted({(point.cell, point.init) for point in points}, key=lambda row: (CELLS.index(row[0]), row[1]))
    accuracy = accuracy_over_seeds(points)
    seeded = any(runs > 1 for _, _, runs in accuracy.values())
    width = 14 if seeded else 8

    def shown(value) -> str:
        if value is None:
            return "-"
        mean, solved, runs = value
        return f"{mean:.3f} {solved}/{runs}" if seeded else f"{mean:.3f}"

    lines = [f"{'test accuracy':<22}" + "".join(f"{'D=' + str(d):>{width}}" for d in distances)]
    for cell, init in rows:
        lines.append(f"{CELL_NAMES[cell] + ' (' + init + ')':<22}" + "".join(
            f"{shown(accuracy.get((cell, init, distance))):>{width}}" for distance in distances))  # fmt: skip
    note = f"; k/n: runs of n seeds at {SOLVED:.2f} or more" if seeded else ""
    return "\n".join(lines + [f"(chance: 0.500{note}; mean over seeds)" if seeded else "(chance: 0.500)"])


def cmd_embed(args) -> int:
    from .training.word2vec import Word2VecConfig, train_embeddings  # imports gensim: only this command

    config = Word2VecConfig(dimensions=args.dimensions, window=args.window, min_count=args.min_count,
                            epochs=args.epochs, skip_gram=not args.cbow, corpus=args.corpus, workers=args.workers)
    settings = train_embeddings(_store(args).root, config, data_dir=args.data_dir, show_progress=not args.quiet)
    if args.json:
        print(json.dumps(settings.to_json(), indent=1))
        return EXIT_FINISHED
    corpus = settings.corpus
    print(f"{settings.name}: {settings.words:,} words x {settings.dimensions} dimensions, {settings.algorithm}, "
          f"from {corpus.texts:,} reviews ({corpus.tokens:,} tokens: {', '.join(corpus.parts)}; no test review), "
          f"{settings.train_seconds or 0:.0f}s")
    print(f"use them: python -m pipelines train --dataset DATASET --zoo quick --pretrained tuned|frozen "
          f"--embeddings {settings.name}")
    return EXIT_FINISHED


def cmd_deploy(args) -> int:
    from .deploy import DeploySettings, format_report
    from .deploy.deployment import deploy_run  # imports torch (and ONNX Runtime)

    settings = DeploySettings(limit=args.limit, latency_texts=args.latency_texts, batch_size=args.batch_size)
    report = deploy_run(_store(args), args.run, args.dataset, settings, refresh=args.refresh,
                        show_progress=not args.json)  # fmt: skip
    print(json.dumps(report.to_json(), indent=1) if args.json else format_report(report))
    return EXIT_FINISHED


def cmd_significance(args) -> int:
    from .comparison.overview import describe_significance, significance_for

    table, groups = significance_for(_store(args), args.dataset, args.runs, resamples=args.resamples,
                                     confidence=args.confidence)  # fmt: skip
    if args.json:
        print(json.dumps({"pairs": table.to_json(), "seeds": [group.to_json() for group in groups]},
                         ensure_ascii=False, allow_nan=False))  # fmt: skip
    else:
        print(describe_significance(table, groups))
    return EXIT_FINISHED


def cmd_tensorboard(args) -> int:
    from .tensorboard_events import export_store

    store = _store(args)
    folders = export_store(store, args.dataset, args.run)
    print(f"wrote TensorBoard events for {len(folders)} finished run{'s' * (len(folders) != 1)}; "
          f"view them with: tensorboard --logdir {store.root}")  # fmt: skip
    return EXIT_FINISHED


def cmd_report(args) -> int:
    """Run the report (`python -m dashboard.report`, which draws with the dashboard's figures) as a child."""
    check_output(args.out)
    check_resamples(args.resamples)  # here, not seconds later in the child
    command = [sys.executable, "-m", "dashboard.report", *report_argv(args, args.artifacts)]
    return subprocess.run(command, input=args.text, text=True).returncode


def build_parser() -> argparse.ArgumentParser:
    parser = argparse.ArgumentParser(prog="python -m pipelines", description="RNN Lens pipelines")
    parser.add_argument("--artifacts", default=None, help="store folder (default: $RNNLENS_ARTIFACTS or ./artifacts)")
    commands = parser.add_subparsers(dest="command", required=True)

    train = commands.add_parser("train", help="train every run of a zoo that the store does not have yet")
    train.add_argument("--dataset", default="rt-polarity",
                       help=f"one of {', '.join(DATASET_KEYS)} (nusax-LANGUAGE too); series (forecasting): "
                            f"{', '.join(SERIES_KEYS)} or PATH.csv; character corpora (language models): "
                            f"{', '.join(CORPUS_KEYS)}")  # fmt: skip
    train.add_argument("--language", default=None, help="NusaX language (default indonesian)")
    train.add_argument("--zoo", default=None, choices=sorted({*ZOOS, *FORECAST_ZOOS, *LANGUAGE_MODEL_ZOOS}),
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
    train.add_argument("--wait-for-slot", action="store_true",
                       help="train only while holding one of the store's training slots, waiting in line until "
                            "one is free (what the Train page's background jobs do)")  # fmt: skip
    train.add_argument("--no-top-words", dest="top_words", action="store_false",
                       help="do not compute each finished run's top words (the dashboard's word lists)")
    add_train_arguments(train)  # --lookback, --horizon, ... for a series
    train.add_argument("--pretrained", default=None, choices=("tuned", "frozen"),
                       help="start every model's embedding table from pretrained embeddings (`embed`), then "
                            "fine-tune it (tuned) or keep it (frozen); run ids say 'pretrained-tuned|frozen'")
    train.add_argument("--embeddings", default=None, metavar="NAME",
                       help="which pretrained embeddings (default: the newest in the store)")
    train.add_argument("--executor", default="local", choices=EXECUTORS,
                       help="local: one run after another in this process (default); ray: each run a Ray task")
    train.add_argument("--address", default=None,
                       help="--executor ray: auto (the cluster `ray start` runs here), HOST:PORT of its head, or "
                            "ray://HOST:10001 (default: start a Ray instance on this machine)")
    train.add_argument("--cpus-per-run", type=float, default=None, metavar="N", help="--executor ray: default 1")
    train.add_argument("--gpus-per-run", type=float, default=None, metavar="X",
                       help="--executor ray: a GPU share per run, e.g. 0.25 (default: 0.25 where the cluster "
                            "has GPUs, else 0)")
    train.add_argument("--ray-cpus", type=int, default=None, metavar="N",
                       help="--executor ray without --address: CPUs of the Ray instance started here (default all)")
    train.add_argument("--seeds", type=int, default=1, metavar="N",
                       help="train every model N times, with seeds --seed, --seed + 1, ... (default 1)")
    train.add_argument("--no-baselines", dest="baselines", action="store_false",
                       help="do not train the data set's baselines (majority class, TF-IDF + logistic regression)")
    train.set_defaults(handler=cmd_train)

    embed = commands.add_parser("embed", help="learn word embeddings from IMDb's unlabelled reviews (word2vec)")
    embed.add_argument("--corpus", default="unsup+train", choices=("unsup", "unsup+train"),
                       help="train/unsup only, or with the labelled training reviews' text (default; no labels, "
                            "never a test review)")
    embed.add_argument("--dimensions", type=int, default=128, help="vector size (default 128, the full zoo's)")
    embed.add_argument("--window", type=int, default=5, help="context words either side (default 5)")
    embed.add_argument("--min-count", type=int, default=5, help="rarer words get no vector (default 5)")
    embed.add_argument("--epochs", type=int, default=5, help="passes over the corpus (default 5)")
    embed.add_argument("--cbow", action="store_true", help="CBOW instead of skip-gram (faster, weaker on rare words)")
    embed.add_argument("--workers", type=int, default=2, help="threads (default 2)")
    embed.add_argument("--data-dir", default=None, help="folder with aclImdb_v1.tar.gz (default: $RNNLENS_DATA_DIR)")
    embed.add_argument("--quiet", action="store_true", help="no progress bar")
    embed.add_argument("--json", action="store_true")
    embed.add_argument("--artifacts", default=argparse.SUPPRESS, help="store folder")
    embed.set_defaults(handler=cmd_embed)

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
    explain.add_argument("--methods", nargs="+", default=["all"], metavar="METHOD",  # checked by cmd_explain
                         help=f"attribution methods: {', '.join(ATTRIBUTION_METHODS)}, or all (default)")  # fmt: skip
    explain.add_argument("--steps", type=int, default=32,
                         help="Integrated Gradients steps at most (default 32; 8 where 4 and 8 agree to 1%%)")
    explain.add_argument("--exact-steps", action="store_true", help="take exactly --steps Integrated Gradients steps")
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

    gradients = commands.add_parser("gradients", help="gradients through time: |dL/dh_t| and |dh_T/dh_t| per step")
    _run_arguments(gradients)
    gradients.add_argument("--text", default=None, help="the text to read (default: the run's test texts, averaged)")
    gradients.add_argument("--target", default=None, help="class whose loss to differentiate (default: predicted)")
    gradients.add_argument("--refresh", action="store_true", help="compute the test-text summary again")
    gradients.add_argument("--json", action="store_true", help="every per-step value as JSON")
    gradients.set_defaults(handler=cmd_gradients)

    lab = commands.add_parser("lab", help="the memory lab: RNN, LSTM and GRU over memory distances (memory-dN)")
    lab.add_argument("--distances", type=int, nargs="+", default=list(DEFAULT_DISTANCES), metavar="D",
                     help=f"steps between the marker and the end (default {' '.join(map(str, DEFAULT_DISTANCES))})")
    lab.add_argument("--distractors", action="store_true", help="the variant with marker words in the filler")
    lab.add_argument("--seeds", type=int, default=1, metavar="N",
                     help="train every run N times, seeds --seed, --seed + 1, ... (default 1): how often each "
                          "cell learns the task")
    lab.add_argument("--device", default="auto", choices=DEVICE_CHOICES)
    for setting in FIELDS.values():  # as for train: unset ones keep the memory tasks' defaults
        lab.add_argument(f"--{setting.name.replace('_', '-')}", type=setting.type, default=None, metavar="N",
                         help=argparse.SUPPRESS)
    lab.add_argument("--quiet", action="store_true", help="no progress bars")
    lab.add_argument("--wait-for-slot", action="store_true", help="as for train: wait for a training slot")
    lab.add_argument("--no-gradients", dest="views", action="store_false",
                     help="do not compute each run's gradients through time right after training")
    lab.set_defaults(handler=cmd_lab)
    add_forecast_command(commands, _run_arguments)
    deploy = commands.add_parser("deploy", help="size, latency, throughput and accuracy as float32, int8 and ONNX")
    deploy.add_argument("--run", required=True, help="a PyTorch run id, as `list` shows it")
    deploy.add_argument("--dataset", default=None, help="the run's data set (default: found in the store)")
    deploy.add_argument("--limit", type=int, default=None,
                        help="score a seeded sample of N test texts (default: the whole test split)")
    deploy.add_argument("--latency-texts", type=int, default=200, help="single texts timed per variant (default 200)")
    deploy.add_argument("--batch-size", type=int, default=64, help="texts per batch for throughput (default 64)")
    deploy.add_argument("--refresh", action="store_true", help="measure again even if deploy.json has these settings")
    deploy.add_argument("--json", action="store_true")
    deploy.add_argument("--artifacts", default=argparse.SUPPRESS, help="store folder")
    deploy.set_defaults(handler=cmd_deploy)
    significance = commands.add_parser("significance", help="which differences between runs are real: McNemar, "
                                       "paired bootstrap, seed spreads")  # fmt: skip
    significance.add_argument("--dataset", default=None, help="compare the data set's finished classifiers")
    significance.add_argument("--runs", nargs="+", default=None, metavar="RUN", help="or these runs (one data set)")
    significance.add_argument("--resamples", type=int, default=2000, help="bootstrap resamples (default 2000)")
    significance.add_argument("--confidence", type=float, default=0.95, help="interval level (default 0.95)")
    significance.add_argument("--json", action="store_true")
    significance.add_argument("--artifacts", default=argparse.SUPPRESS, help="store folder")
    significance.set_defaults(handler=cmd_significance)

    tensorboard = commands.add_parser("tensorboard", help="write finished runs' curves as TensorBoard event files")
    tensorboard.add_argument("--dataset", default=None, help="only this data set's runs")
    tensorboard.add_argument("--run", default=None, help="only this run")
    tensorboard.add_argument("--artifacts", default=argparse.SUPPRESS, help="store folder")
    tensorboard.set_defaults(handler=cmd_tensorboard)

    report = commands.add_parser("report", help="a self-contained HTML or PDF report of a data set's runs")
    add_report_arguments(report)
    report.add_argument("--artifacts", default=argparse.SUPPRESS, help="store folder")
    report.set_defaults(handler=cmd_report)

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
    except (DataError, ValueError) as error:
        print(f"error: {error}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except KeyboardInterrupt:
        print("interrupted; unfinished runs will be redone on the next start", file=sys.stderr)
        return EXIT_INTERRUPTED
    except BrokenPipeError:  # `... list | head`: the reader has all it wanted
        os.dup2(os.open(os.devnull, os.O_WRONLY), sys.stdout.fileno())  # no second error when Python flushes
        return EXIT_FINISHED
    except OSError as error:  # a read-only or full store, a path that is a file, a missing file
        where = f": {error.filename}" if error.filename else ""
        print(f"error: {error.strerror or error}{where}", file=sys.stderr)
        return EXIT_BAD_INPUT
