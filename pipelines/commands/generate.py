"""`generate`: a language model writes after a prompt."""

from __future__ import annotations

import argparse
import json

from ..exit_codes import EXIT_FINISHED
from ..tasks import require_language_model
from .common import Command, run_arguments, store_of


def add_generate_arguments(generate: argparse.ArgumentParser) -> None:
    run_arguments(generate)
    generate.add_argument("--prompt", default="", help="what the text starts with (default: nothing, a new review)")
    generate.add_argument("--length", type=int, default=200, help="characters to write (default 200)")
    generate.add_argument("--temperature", type=float, default=0.8,
                          help="above 0: below 1 safer, above 1 bolder (default 0.8)")
    generate.add_argument("--top-k", type=int, default=0, help="draw from the k likeliest characters (default 0: all)")
    generate.add_argument("--seed", type=int, default=0, help="the same seed writes the same text (default 0)")
    generate.add_argument("--stop-at-end", action="store_true", help="stop when the review ends")
    generate.add_argument("--json", action="store_true", help="the text, settings and each character's candidates")


def cmd_generate(args) -> int:
    from ..generation import SamplingSettings, clean_prompt, load_language_model  # imports torch

    settings = SamplingSettings(length=args.length, temperature=args.temperature, top_k=args.top_k, seed=args.seed,
                                stop_at_end=args.stop_at_end)  # checked before the model loads
    store = store_of(args)
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


GENERATE = Command("generate", "a language model writes after a prompt (seeded)", add_generate_arguments, cmd_generate)
