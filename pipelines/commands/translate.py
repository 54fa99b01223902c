"""`translate`: an encoder-decoder writes the output of a source, with where it looked and its beam's candidates."""

from __future__ import annotations

import argparse
import json

from ..exit_codes import EXIT_FINISHED
from ..tasks import require_seq2seq
from .common import Command, run_arguments, store_of

ATTENTION_SHADES = " ░▒▓█"  # the terminal's heatmap: a weight of 0 to 1 in five shades


def add_translate_arguments(translate: argparse.ArgumentParser) -> None:
    run_arguments(translate)
    translate.add_argument("--text", required=True, help="the source: a date, or a sequence of letters a-t (quote it)")
    translate.add_argument("--beam", type=int, default=1, help="beam width, 1 to 10 (default 1: greedy decoding)")
    translate.add_argument("--json", action="store_true", help="output, attention matrix, candidates and scores")


def cmd_translate(args) -> int:
    from ..translation.runs import check_beam, load_translator  # imports torch

    check_beam(args.beam)  # before the model loads
    store = store_of(args)
    record = store.find_run(args.run, args.dataset)
    require_seq2seq(record, "translate")
    model = load_translator(store, record.dataset, record.run_id, device=args.device)
    translation = model.translate(args.text, beam=args.beam)
    if args.json:
        print(json.dumps({"dataset": record.dataset, **translation.to_json()}, ensure_ascii=False, allow_nan=False))
        return EXIT_FINISHED
    print(f"{model.label} ({record.run_id}) on {record.dataset}: exact match {record.metrics.exact_match:.3f} "
          f"on the test split")  # fmt: skip
    print(f"source  {translation.source}")
    print(f"output  {translation.output}    (score {translation.score:.3f}, beam {translation.beam})")
    if translation.attention is not None:
        print("\nattention (rows: each written symbol; columns: the source)")
        print("      " + translation.source)
        for symbol, row in zip(translation.symbols, translation.attention):
            shades = "".join(ATTENTION_SHADES[min(int(weight * len(ATTENTION_SHADES)), len(ATTENTION_SHADES) - 1)]
                             for weight in row)  # fmt: skip
            print(f"  {symbol:>4}{shades}")
    if len(translation.candidates) > 1:
        print("\ncandidates (sum of log probabilities)")
        for candidate in translation.candidates:
            print(f"  {candidate.score:9.3f}  {candidate.output}{'' if candidate.finished else '  (cut off)'}")
    return EXIT_FINISHED


TRANSLATE = Command("translate", "an encoder-decoder's output for a source: attention, beam candidates, scores",
                    add_translate_arguments, cmd_translate)  # fmt: skip
