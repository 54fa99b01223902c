"""Plain tables and texts about language models: data in, pandas or strings out, no Streamlit.

Records are typed (`pipelines.records.GenerationMetrics`); a step is a `pipelines.generation.Step`.
"""

from __future__ import annotations

import pandas as pd

from dashboard.tables import architecture_of, run_labels
from pipelines.data.characters import readable
from pipelines.models.cells import CELLS
from pipelines.records import RunRecord

BOARD_COLUMNS = ["model", "kind", "bits per character", "perplexity", "next-character accuracy",
                 "validation bits per character", "parameters", "train time (s)", "epochs", "framework",
                 "run id"]  # fmt: skip


def language_model_board(records: list[RunRecord]) -> pd.DataFrame:
    """One row per finished language model (recurrent and n-gram), fewest test bits per character first."""
    labels = run_labels(records)
    rows = []
    for record in records:
        metrics, spec = record.metrics, architecture_of(record)
        rows.append({
            "model": labels[record.run_id],
            "kind": "recurrent" if hasattr(spec, "cell") else "n-gram",
            "cell": getattr(spec, "cell", None),
            "bits per character": metrics.bits_per_character,
            "perplexity": metrics.perplexity,
            "next-character accuracy": metrics.accuracy,
            "validation bits per character": metrics.validation_bits_per_character,
            "parameters": metrics.parameters,
            "train time (s)": metrics.train_seconds,
            "epochs": metrics.epochs_trained,
            "framework": "PyTorch" if record.framework == "torch" else "counts (no framework)",
            "run id": record.run_id,
        })  # fmt: skip
    frame = pd.DataFrame(rows, columns=[*BOARD_COLUMNS, "cell"]).astype({"epochs": "Int64"})  # n-grams: none
    return frame.sort_values("bits per character").reset_index(drop=True)


def samples_table(records: list[RunRecord], labels: dict[str, str]) -> pd.DataFrame:
    """What each model wrote when it was trained (seeded; kept in its metrics), one row per sample."""
    rows = [{"model": labels[record.run_id], "prompt": sample.prompt, "written": sample.text.rstrip("\n"),
             "temperature": sample.temperature, "seed": sample.seed}
            for record in records for sample in record.metrics.samples]  # fmt: skip
    return pd.DataFrame(rows, columns=["model", "prompt", "written", "temperature", "seed"])


def step_hover(step) -> str:
    """A written character's hover text: what the model gave it, and its likeliest candidates at that point."""
    candidates = " · ".join(f"{readable(character)} {probability:.0%}" for character, probability in step.candidates)
    return f"wrote {readable(step.character)} ({step.probability:.1%}); likeliest: {candidates}"


def step_sentence(label: str, index: int, step, context: str) -> str:
    """One character's choice in words, e.g. 'Character 12: after “…is a”, LSTM 1×256 wrote “g” (23%)...'."""
    favourite, chance = step.candidates[0]
    choice = "its favourite" if favourite == step.character else f"it liked “{readable(favourite)}” best, {chance:.0%}"
    return (f"Character {index + 1}: after “…{context[-40:]}”, {label} wrote “{readable(step.character)}”, which it "
            f"gave {step.probability:.1%} ({choice}); drawn with {step.sampling_probability:.1%} at this temperature "
            "and top-k.")  # fmt: skip


def one_per_cell(frame: pd.DataFrame) -> list[str]:
    """The best recurrent run of each cell (RNN, LSTM, GRU), or the best run when there is no recurrent one."""
    recurrent = frame[frame["cell"].notna()]
    best = recurrent.sort_values("bits_per_character").drop_duplicates("cell")
    chosen = sorted(best.itertuples(), key=lambda row: CELLS.index(row.cell) if row.cell in CELLS else len(CELLS))
    return [row.run_id for row in chosen] or list(frame["run_id"][:1])
