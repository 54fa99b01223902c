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
    translate.add_argument("--text", required=True, help="the source: a date, a sequence of letters a-t, or an "
                           "Indonesian sentence (nusax-id-en; quote it)")
    translate.add_argument("--beam", type=int, default=1, help="beam width, 1 to 10 (default 1: greedy decoding)")
    translate.add_argument("--json", action="store_true", help="output, attention matrix, candidates and scores")


def cmd_translate(args) -> int:
    from ..data.seq2seq import unknown_words_note
    from ..translation.runs import check_beam, load_translator  # imports torch

    check_beam(args.beam)  # before the model loads
    store = store_of(args)
    record = store.find_run(args.run, args.dataset)
    require_seq2seq(record, "translate")
    model = load_translator(store, record.dataset, record.run_id, device=args.device)
    translation = model.translate(args.text, beam=args.beam)
    metrics = record.metrics
    text_scores = {"bleu": metrics.bleu, "chrf": metrics.chrf} if metrics.bleu is not None else {}
    if args.json:
        test = {"exact_match": metrics.exact_match, "token_accuracy": metrics.token_accuracy, **text_scores}
        print(json.dumps({"dataset": record.dataset, **translation.to_json(), "test_split": test},
                         ensure_ascii=False, allow_nan=False))  # fmt: skip
        return EXIT_FINISHED
    scored = f", BLEU {metrics.bleu:.1f}, chrF {metrics.chrf:.1f}" if text_scores else ""
    print(f"{model.label} ({record.run_id}) on {record.dataset}: exact match {metrics.exact_match:.3f}{scored} "
          f"on the test split")  # fmt: skip
    print(f"source  {translation.source}")
    print(f"output  {translation.output}    (score {translation.score:.3f}, beam {translation.beam})")
    if translation.unknown:
        print(f"note    {unknown_words_note(translation.unknown)}")
    if translation.attention is not None:
        words = model.symbols.unit == "words"
        per_word = ", one shade per word" if words else ""
        print(f"\nattention (rows: each written symbol; columns: the source{per_word})")
        print("      " + (" | ".join(translation.source_symbols) if words else translation.source))
        for symbol, row in zip(translation.symbols, translation.attention):
            shades = "".join(ATTENTION_SHADES[min(int(weight * len(ATTENTION_SHADES)), len(ATTENTION_SHADES) - 1)]
                             for weight in row)  # fmt: skip
            print(f"  {symbol:>4}{shades}" if not words else f"  {shades}  {symbol}")
    if len(translation.candidates) > 1:
        print("\ncandidates (sum of log probabilities)")
        for candidate in translation.candidates:
            print(f"  {candidate.score:9.3f}  {candidate.output}{'' if candidate.finished else '  (cut off)'}")
    return EXIT_FINISHED


TRANSLATE = Command("translate", "an encoder-decoder's output for a source: attention, beam candidates, scores",
                    add_translate_arguments, cmd_translate)  # fmt: skip
