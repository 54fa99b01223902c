"""Language models that write: scoring them, sampling from them, and their n-gram baselines.

    from pipelines.generation import SamplingSettings, load_language_model
    model = load_language_model(Store(), "rt-polarity-chars", run_id)
    print(model.write("The film ", SamplingSettings(length=200, seed=7)).text)

- writer.py: `load_language_model` and `LoadedLanguageModel.write` (recurrent and n-gram models alike).
- sampling.py: temperature, top-k and seeded draws; the checks on a prompt and the settings.
- scoring.py: bits per character, perplexity and next-character accuracy on held-out passages.
- ngram.py: interpolated Kneser-Ney character n-grams, the baselines.

Training lives in `pipelines.training.language_models`; nothing here imports it.
"""

from .sampling import MAX_LENGTH, MAX_PROMPT, SamplingSettings, clean_prompt

WRITER_NAMES = ("Generation", "LoadedLanguageModel", "RunNotReady", "Step", "load_language_model")

__all__ = ["MAX_LENGTH", "MAX_PROMPT", "SamplingSettings", "clean_prompt", *WRITER_NAMES]


def __getattr__(name: str):
    """The writer's names, imported on first use: it imports torch, which checking a prompt does not need."""
    if name in WRITER_NAMES:
        from . import writer

        return getattr(writer, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
