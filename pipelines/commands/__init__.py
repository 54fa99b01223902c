"""The subcommands of `python -m pipelines`, one table: each command's flags and handler live side by side in
its module, and `pipelines.cli` registers every entry the same way.

    train, lab, embed                       commands/train.py: a checked TrainRequest, then its trainer
    list                                    commands/listing.py
    verify, explain, top-words, gradients   commands/classifiers.py: a recurrent classifier's run
    checklist                               commands/behaviour.py: behavioural tests (CheckList), a data set's models
    forecast                                commands/forecast.py
    generate                                commands/generate.py
    translate                               commands/translate.py: an encoder-decoder's run
    deploy                                  commands/deploy.py
    significance, tensorboard, report       commands/compare.py
    prepare-lecture                         commands/lecture.py: train, lab for everything the default lecture shows

A new command is a `Command(name, help, add_arguments, handler)` added to COMMANDS (in the order `--help` lists).
Importing this package loads no deep-learning framework: handlers import what they need when they run.
"""

from __future__ import annotations

from . import behaviour, classifiers, compare, deploy, forecast, generate, lecture, listing, train, translate
from .common import Command

COMMANDS: tuple[Command, ...] = (
    train.TRAIN,
    train.EMBED,
    listing.LIST,
    classifiers.VERIFY,
    classifiers.EXPLAIN,
    classifiers.TOP_WORDS,
    classifiers.GRADIENTS,
    behaviour.CHECKLIST,
    train.LAB,
    forecast.FORECAST,
    deploy.DEPLOY,
    compare.SIGNIFICANCE,
    compare.TENSORBOARD,
    compare.REPORT,
    generate.GENERATE,
    translate.TRANSLATE,
    lecture.PREPARE_LECTURE,
)
