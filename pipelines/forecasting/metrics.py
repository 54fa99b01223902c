"""Forecast scores (seed 001 section 7.6.3): actual and forecast values in, plain numbers out. No plotting here.

    scores = forecast_scores(actual, predicted, last, valid, mase_scale)   # one step, or all steps flattened
    table = forecast_metrics(actual, predicted, last, valid, mase_scale)   # {"overall": ..., "per_step": [...]}

- MSE, RMSE, MAE, R² (scikit-learn);
- MAPE, in percent, undefined (None, with the reason) when an actual value is 0;
- sMAPE, in percent: 200 * mean(|y - ŷ| / (|y| + |ŷ|)), a term with both 0 counting 0;
- direction accuracy: the share of forecasts that move the right way from the last value read
  (sign(ŷ - y_origin) == sign(y - y_origin)); the naive forecast, which never moves, scores 0. Seed 001
  compared the forecast's own steps with each other, which says nothing about the origin's value;
- MASE (Hyndman & Koehler 2006): MAE divided by the in-sample MAE of the seasonal naive forecast on the
  training part, so below 1 beats last season's value as a one-step forecast on the data the model learned from.
"""

from __future__ import annotations

import numpy as np
from sklearn import metrics as skm

SCORES = ("mse", "rmse", "mae", "mape", "smape", "r2", "direction_accuracy", "mase")
MAPE_UNDEFINED = "MAPE is undefined: the test part has actual values of 0"


def mase_scale(train_values: np.ndarray, train_observed: np.ndarray, season: int) -> float | None:
    """In-sample MAE of the seasonal naive forecast (y_t from y_{t-season}) over the training part."""
    lag = max(season, 1)
    if len(train_values) <= lag:
        return None
    both = train_observed[lag:] & train_observed[:-lag]
    if not both.any():
        return None
    scale = float(np.abs(train_values[lag:] - train_values[:-lag])[both].mean())
    return scale if scale > 0 else None


def forecast_scores(actual: np.ndarray, predicted: np.ndarray, last: np.ndarray, mase_scale: float | None) -> dict:
    """Scores of paired 1-D arrays; `last` is the value each forecast's window ended on."""
    if not (actual.shape == predicted.shape == last.shape) or actual.ndim != 1 or len(actual) == 0:
        raise ValueError(f"need equal, non-empty 1-D arrays, got {actual.shape}, {predicted.shape}, {last.shape}")
    error = actual - predicted
    mse = float(np.mean(error**2))
    mae = float(skm.mean_absolute_error(actual, predicted))
    denominator = np.abs(actual) + np.abs(predicted)
    ratios = np.divide(np.abs(error), denominator, out=np.zeros_like(denominator), where=denominator > 0)
    moved = np.sign(actual - last)
    return {
        "mse": mse,
        "rmse": float(np.sqrt(mse)),
        "mae": mae,
        "mape": None if np.any(actual == 0) else float(skm.mean_absolute_percentage_error(actual, predicted) * 100),
        "smape": float(200 * ratios.mean()),
        "r2": float(skm.r2_score(actual, predicted)) if len(actual) > 1 and np.ptp(actual) > 0 else None,
        "direction_accuracy": float(np.mean(np.sign(predicted - last) == moved)) if moved.any() else None,
        "mase": mae / mase_scale if mase_scale else None,
    }


def forecast_metrics(actual: np.ndarray, predicted: np.ndarray, last: np.ndarray, valid: np.ndarray,
                     mase_scale: float | None) -> dict:  # fmt: skip
    """Scores overall and per horizon step for forecasts (origins, horizon); only `valid` pairs count."""
    if actual.shape != predicted.shape or actual.shape != valid.shape or actual.ndim != 2:
        raise ValueError(f"need (origins, horizon) arrays of one shape, got {actual.shape} and {predicted.shape}")
    if not valid.any():
        raise ValueError("no observed test values to score the forecasts on")
    lasts = np.broadcast_to(last[:, None], actual.shape)
    per_step = [forecast_scores(actual[valid[:, k], k], predicted[valid[:, k], k], lasts[valid[:, k], k], mase_scale)
                for k in range(actual.shape[1])]  # fmt: skip
    overall = forecast_scores(actual[valid], predicted[valid], lasts[valid], mase_scale)
    note = MAPE_UNDEFINED if overall["mape"] is None else None
    return {"overall": overall, "per_step": per_step, "mape_note": note, "test_targets": int(valid.sum())}
