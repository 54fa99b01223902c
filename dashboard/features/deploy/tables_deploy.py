"""Deployment reports as tables: one row per (run, variant). Data in, pandas out, no Streamlit."""

from __future__ import annotations

import pandas as pd

from pipelines.deploy import DeployReport

VARIANT_NAMES = {"float": "float32", "int8": "int8", "onnx": "ONNX Runtime"}
COLUMNS = ["label", "variant", "size_mb", "latency_p50_ms", "latency_p95_ms", "throughput", "accuracy", "f1_macro",
           "max_probability_difference", "agreement", "speedup", "size_ratio", "cell", "run_id", "examples"]  # fmt: skip


def deploy_frame(reports: dict[str, DeployReport], labels: dict[str, str]) -> pd.DataFrame:
    """Every available variant of every measured run, fastest single-text latency first within a run."""
    rows = []
    for run_id, report in reports.items():
        for variant in report.variants:
            if not variant.available:
                continue
            rows.append({
                "label": labels.get(run_id, report.label), "variant": VARIANT_NAMES.get(variant.name, variant.name),
                "size_mb": variant.size_bytes / 1e6, "latency_p50_ms": variant.latency_p50_ms,
                "latency_p95_ms": variant.latency_p95_ms, "throughput": variant.throughput,
                "accuracy": variant.accuracy, "f1_macro": variant.f1_macro,
                "max_probability_difference": variant.max_probability_difference, "agreement": variant.agreement,
                "speedup": variant.speedup, "size_ratio": variant.size_ratio, "cell": report.cell, "run_id": run_id,
                "examples": report.examples,
            })  # fmt: skip
    return pd.DataFrame(rows, columns=COLUMNS)


COMPACT = ["model", "variant", "size (MB)", "p50 (ms)", "accuracy", "speed-up", "× smaller"]  # for a lecture hall


def readable(frame: pd.DataFrame, compact: bool = False) -> pd.DataFrame:
    """The frame with the column names people read; `compact` keeps what a room can read from afar."""
    table = frame.drop(columns=["cell", "examples"]).rename(columns={
        "label": "model", "size_mb": "size (MB)", "latency_p50_ms": "p50 (ms)", "latency_p95_ms": "p95 (ms)",
        "throughput": "texts/s", "f1_macro": "macro F1", "max_probability_difference": "max |Δp| vs float",
        "agreement": "same class", "speedup": "speed-up", "size_ratio": "× smaller", "run_id": "run id",
    })  # fmt: skip
    return table[COMPACT] if compact else table


def problems(reports: dict[str, DeployReport], labels: dict[str, str]) -> list[str]:
    """One line per thing that could not be measured or carries a note, naming every model it applies to."""
    models_by_line: dict[str, list[str]] = {}
    for run_id, report in reports.items():
        for variant in report.variants:
            name = VARIANT_NAMES.get(variant.name, variant.name)
            lines = [f"{name}: {note}" for note in variant.notes]
            if not variant.available:
                lines.append(f"{name} not measured: {variant.problem}")
            for line in lines:
                models_by_line.setdefault(line, []).append(labels.get(run_id, report.label))
    return [f"{line} ({', '.join(models)})" for line, models in models_by_line.items()]
