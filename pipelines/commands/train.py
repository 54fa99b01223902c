"""`train`, `lab` and `embed`: the commands that train. Each handler makes a checked request, then trains it.

    python -m pipelines train --dataset rt-polarity --zoo quick --epochs 2
    python -m pipelines lab --distances 50 100
    python -m pipelines embed --dimensions 64
"""

from __future__ import annotations

import argparse
import json

from ..data import DATASET_KEYS
from ..data.characters import CORPUS_KEYS
from ..data.memory import DEFAULT_DISTANCES
from ..data.series import SERIES_KEYS
from ..device_names import DEVICE_CHOICES
from ..exit_codes import EXIT_FINISHED, EXIT_SOME_FAILED
from ..forecasting.windows import ForecastSettings
from ..forecasting.zoos import FORECAST_ZOOS
from ..models.cells import CELL_NAMES, CELLS
from ..models.language_model_spec import LANGUAGE_MODEL_ZOOS
from ..models.seq2seq_spec import SEQ2SEQ_ZOOS
from ..models.spec import FRAMEWORKS
from ..models.zoos import ZOOS
from ..store import Store
from ..training.cluster import EXECUTORS
from ..training.request import LabRequest, TrainRequest
from .common import Command, in_a_slot, outcome_counts, store_of, training_settings

# ----------------------------------------------------------------------------
# train

FORECAST_SETTING_HELP = {
    "lookback": "values a forecaster reads before it forecasts (default: the series' own, e.g. 104 weeks for co2)",
    "horizon": "values forecast at once, steps 1..N (default: the series' own, e.g. 52 weeks for co2)",
    "validation_fraction": "share of the series after training, for early stopping (default 0.15)",
    "test_fraction": "share at the end of the series that every score is computed on (default 0.15)",
}


def add_train_arguments(train: argparse.ArgumentParser) -> None:
    train.add_argument("--dataset", default="rt-polarity",
                       help=f"one of {', '.join(DATASET_KEYS)} (nusax-LANGUAGE too); series (forecasting): "
                            f"{', '.join(SERIES_KEYS)} or PATH.csv; character corpora (language models): "
                            f"{', '.join(CORPUS_KEYS)}; sequence-to-sequence (encoder-decoders): dates, "
                            "reverse-N, copy-N")  # fmt: skip
    train.add_argument("--language", default=None, help="NusaX language (default indonesian)")
    zoos = sorted({*ZOOS, *FORECAST_ZOOS, *LANGUAGE_MODEL_ZOOS, *SEQ2SEQ_ZOOS})
    train.add_argument("--zoo", default=None, choices=zoos,
                       help="default: quick, charlm for a character corpus, seq2seq for a sequence-to-sequence task")
    train.add_argument("--only", action="append", metavar="PATTERN",
                       help="train only the zoo's models whose name matches, e.g. 'gru-bi-*' (repeatable)")
    train.add_argument("--framework", default="torch", choices=[*FRAMEWORKS, "both"],
                       help="torch, keras or both (a forecast zoo: keras trains its encoder-decoder, the one "
                            "forecaster with a Keras twin, and the baselines)")
    train.add_argument("--device", default="auto", choices=DEVICE_CHOICES)
    training_settings(train, lambda setting: f"{setting.help} (default {setting.default}, or the data set's own)")
    train.add_argument("--limit", type=int, default=None, help="use at most N examples per split (quick trials)")
    train.add_argument("--data-dir", default=None, help="folder with local data copies (default: $RNNLENS_DATA_DIR)")
    train.add_argument("--quiet", action="store_true", help="no progress bars")
    train.add_argument("--wait-for-slot", action="store_true",
                       help="train only while holding one of the store's training slots, waiting in line until "
                            "one is free (what the Train page's background jobs do)")  # fmt: skip
    train.add_argument("--no-top-words", dest="top_words", action="store_false",
                       help="do not compute each finished run's top words (the dashboard's word lists)")
    # The flags only forecasting uses: the cut of the series and the CSV's columns.
    group = train.add_argument_group("forecasting", f"series: {', '.join(SERIES_KEYS)}, or a CSV file (PATH.csv)")
    for name, value in ForecastSettings().to_json().items():
        group.add_argument(f"--{name.replace('_', '-')}", type=type(value), default=None, metavar="N",
                           help=FORECAST_SETTING_HELP[name])  # fmt: skip
    group.add_argument("--date-column", default=None, help="a CSV's date column (default: found by name, or the first)")
    group.add_argument("--value-column", default=None, help="a CSV's value column (default: its one numeric column)")
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


def cmd_train(args) -> int:
    request = TrainRequest.from_args(args)  # every flag checked, before a slot is waited for or data read
    store = store_of(args)

    def train() -> int:
        from ..training.dispatch import train  # imports torch: keep `list` fast

        return outcome_counts(train(store, request))

    return in_a_slot(args, train, request.cluster)


# ----------------------------------------------------------------------------
# lab


def add_lab_arguments(lab: argparse.ArgumentParser) -> None:
    lab.add_argument("--distances", type=int, nargs="+", default=list(DEFAULT_DISTANCES), metavar="D",
                     help=f"steps between the marker and the end (default {' '.join(map(str, DEFAULT_DISTANCES))})")
    lab.add_argument("--distractors", action="store_true", help="the variant with marker words in the filler")
    lab.add_argument("--seeds", type=int, default=1, metavar="N",
                     help="train every run N times, seeds --seed, --seed + 1, ... (default 1): how often each "
                          "cell learns the task")
    lab.add_argument("--device", default="auto", choices=DEVICE_CHOICES)
    training_settings(lab, lambda setting: argparse.SUPPRESS)  # as for train: unset ones keep the tasks' defaults
    lab.add_argument("--quiet", action="store_true", help="no progress bars")
    lab.add_argument("--wait-for-slot", action="store_true", help="as for train: wait for a training slot")
    lab.add_argument("--no-gradients", dest="views", action="store_false",
                     help="do not compute each run's gradients through time right after training")


def cmd_lab(args) -> int:
    request = LabRequest.from_args(args)
    store = store_of(args)

    def lab() -> int:
        from ..training.lab import train_lab  # imports torch: keep `list` fast

        outcomes = train_lab(store, request)
        print(lab_table(store, request.distractors))
        failed = sum(outcome.result == "failed" for outcome in outcomes)
        print(f"{sum(o.result == 'trained' for o in outcomes)} trained, "
              f"{sum(o.result == 'skipped' for o in outcomes)} skipped, {failed} failed")  # fmt: skip
        return EXIT_SOME_FAILED if failed else EXIT_FINISHED

    return in_a_slot(args, lab)


def lab_table(store: Store, distractors: bool) -> str:
    """Test accuracy per cell (and initialisation) and distance: the lab's result at a glance; with several seeds
    the mean and how many runs learned the task."""
    from ..explain.memory_lab import SOLVED, accuracy_over_seeds, lab_points

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


# ----------------------------------------------------------------------------
# embed


def add_embed_arguments(embed: argparse.ArgumentParser) -> None:
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


def cmd_embed(args) -> int:
    from ..training.word2vec import Word2VecConfig, train_embeddings  # imports gensim: only this command

    config = Word2VecConfig(dimensions=args.dimensions, window=args.window, min_count=args.min_count,
                            epochs=args.epochs, skip_gram=not args.cbow, corpus=args.corpus, workers=args.workers)
    settings = train_embeddings(store_of(args).root, config, data_dir=args.data_dir, show_progress=not args.quiet)
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


TRAIN = Command("train", "train every run of a zoo that the store does not have yet", add_train_arguments, cmd_train)
LAB = Command("lab", "the memory lab: RNN, LSTM and GRU over memory distances (memory-dN)", add_lab_arguments, cmd_lab)
EMBED = Command("embed", "learn word embeddings from IMDb's unlabelled reviews (word2vec)", add_embed_arguments,
                cmd_embed)
