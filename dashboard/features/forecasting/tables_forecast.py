"""Plain tables of forecasting runs: records in, pandas out, no Streamlit.

Recurrent forecasters and baselines sit in one table, so a model is always
read beside the forecasts it has to beat.
"""

from __future__ import annotations

import pandas as pd

from dashboard.tables import run_labels
from pipelines.models.forecast_spec import ForecastBaselineSpec
from pipelines.records import ForecastMetrics, RunRecord

SCORE_TITLES = {"rmse": "RMSE", "mae": "MAE", "mase": "MASE", "smape": "sMAPE %", "mape": "MAPE %", "r2": "R²",
                "direction_accuracy": "direction"}  # fmt: skip
STEP_WORDS = {"W": "week", "MS": "month", "ME": "month", "QS": "quarter", "QE": "quarter", "YS": "year", "YE": "year",
              "D": "day", "h": "hour"}  # fmt: skip
TRAINED_BY = {"torch": "PyTorch", "keras": "Keras", "statsmodels": "statsmodels",
              "baseline": "a rule (nothing to train)"}  # fmt: skip


def step_word(frequency: str) -> str:
    """A pandas frequency in words: "W-SAT" -> "week"."""
    return STEP_WORDS.get(frequency.split("-")[0], f"{frequency} step")


def is_baseline(record: RunRecord) -> bool:
    return isinstance(record.model_spec, ForecastBaselineSpec)


def forecast_frame(records: list[RunRecord]) -> pd.DataFrame:
    """One row per finished forecasting run: what it is, its scores overall and per step. Best RMSE first."""
    labels = run_labels(records)
    rows = []
    for record in records:
        metrics: ForecastMetrics = record.metrics
        spec = record.model_spec
        baseline = is_baseline(record)
        rows.append({
            "run_id": record.run_id, "label": labels[record.run_id], "framework": record.framework,
            "method": metrics.method, "baseline": baseline,
            "cell": None if baseline else spec.cell, "bidirectional": False,
            "layers": None if baseline else spec.layers, "hidden_size": None if baseline else spec.hidden_size,
            **{name: getattr(metrics.overall, name) for name in SCORE_TITLES},
            "horizon": metrics.horizon, "lookback": metrics.lookback, "parameters": metrics.parameters,
            "train_seconds": metrics.train_seconds, "epochs_trained": metrics.epochs_trained,
        })  # fmt: skip
    frame = pd.DataFrame(rows)
    return frame.sort_values("rmse", ascending=True).reset_index(drop=True) if rows else frame


def default_runs(frame: pd.DataFrame) -> list[str]:
    """What the Forecasts page (and the report) draw first: the best recurrent model and the two strongest
    baselines' kinds."""
    best = list(frame[~frame["baseline"]]["run_id"][:1])
    return best + list(frame[frame["method"].isin(["seasonal-naive", "holt-winters"])]["run_id"])


def leaderboard(frame: pd.DataFrame, records: dict[str, RunRecord], steps: tuple[int, ...]) -> pd.DataFrame:
    """The run frame as people read it: overall scores, RMSE and MASE at the given steps, who trained it."""
    table = pd.DataFrame({"model": frame["label"],
                          "kind": frame["baseline"].map({True: "baseline", False: "recurrent"}),
                          "horizon": frame["horizon"]})  # fmt: skip
    for name, title in SCORE_TITLES.items():
        table[title] = frame[name]
    for step in steps:
        scores = [records[run_id].metrics.step(step) if step <= records[run_id].metrics.horizon else None
                  for run_id in frame["run_id"]]  # fmt: skip
        table[f"RMSE @{step}"] = [score.rmse if score else None for score in scores]
        table[f"MASE @{step}"] = [score.mase if score else None for score in scores]
    table["trained by"] = frame["framework"].map(lambda name: TRAINED_BY.get(name, name))
    table["parameters"] = frame["parameters"]
    table["train time (s)"] = frame["train_seconds"]
    table["epochs"] = frame["epochs_trained"]
    table["run id"] = frame["run_id"]
    return table


def per_step(records: list[RunRecord], labels: dict[str, str], score: str) -> dict[str, list[float | None]]:
    """Label -> the score at each horizon step (1..H)."""
    return {labels[record.run_id]: [getattr(step, score) for step in record.metrics.per_step] for record in records}


def step_forecasts(predictions: pd.DataFrame, step: int) -> pd.DataFrame:
    """Each test origin's forecast `step` values ahead: date (of the forecast value) and forecast."""
    rows = predictions[predictions["step"] == step]
    return pd.DataFrame({"date": pd.to_datetime(rows["date"]), "forecast": rows["predicted"].to_numpy()})


def origin_forecast(predictions: pd.DataFrame, origin: str) -> pd.DataFrame:
    """The forecast made at one test origin (a date): step, date, forecast, actual."""
    rows = predictions[predictions["origin"] == origin].sort_values("step")
    return pd.DataFrame({"step": rows["step"].to_numpy(), "date": pd.to_datetime(rows["date"]).to_numpy(),
                         "forecast": rows["predicted"].to_numpy(), "actual": rows["label"].to_numpy()})  # fmt: skip
