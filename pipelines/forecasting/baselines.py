"""The forecasts a recurrent model is judged against, fitted on the training part and kept as plain JSON.

    parameters = fit(spec, prepared)                       # {} for the naive ones; Holt-Winters' smoothing and start
    forecasts = forecast(spec, parameters, values, origins)  # (origins, horizon), from each origin's past only

- naive: every step repeats the last value read;
- seasonal naive: step k repeats the value one season before it (y_{t+k-m·ceil(k/m)});
- Holt-Winters (Holt 1957, Winters 1960): additive trend (damped if the spec says so), and additive season when
  the series has one, fitted by statsmodels on the training part. To forecast from later origins the fitted
  parameters stay fixed and statsmodels runs the same recursions over the series (its `known`
  initialisation, no re-fit), so the state at origin t has seen y_0..y_t only.
"""

from __future__ import annotations

import numpy as np

from ..models.forecast_spec import ForecastBaselineSpec


def fit(spec: ForecastBaselineSpec, train_values: np.ndarray) -> dict:
    """The parameters of a baseline, learned from the training part (JSON-ready)."""
    if spec.method != "holt-winters":
        return {}
    from statsmodels.tsa.holtwinters import ExponentialSmoothing  # seconds to import: only for this baseline

    components = _components(spec, len(train_values))
    model = ExponentialSmoothing(train_values, **components, initialization_method="estimated")
    params = model.fit().params
    seasonal = params.get("initial_seasons")
    return {
        "smoothing_level": float(params["smoothing_level"]),
        "smoothing_trend": float(params["smoothing_trend"]),
        "smoothing_seasonal": _number(params.get("smoothing_seasonal")),
        "damping_trend": _number(params.get("damping_trend")),
        "initial_level": float(params["initial_level"]),
        "initial_trend": float(params["initial_trend"]),
        "initial_seasons": [] if seasonal is None else np.asarray(seasonal, dtype=float).tolist(),
        "seasonal": bool(components["seasonal"]),
    }


def _number(value) -> float | None:
    return None if value is None or not np.isfinite(value) else float(value)


def _components(spec: ForecastBaselineSpec, length: int) -> dict:
    """Holt-Winters' shape: a season when there is one and two full seasons to learn it from."""
    seasonal = spec.season > 1 and length >= 2 * spec.season
    return {"trend": "add", "damped_trend": spec.damped, "seasonal": "add" if seasonal else None,
            "seasonal_periods": spec.season if seasonal else None}  # fmt: skip


def forecast(spec: ForecastBaselineSpec, parameters: dict, values: np.ndarray, origins: np.ndarray) -> np.ndarray:
    """Forecasts (origins, horizon) made at each origin from the values up to it."""
    if spec.method == "naive":
        return np.repeat(values[origins][:, None], spec.horizon, axis=1).astype(float)
    if spec.method == "seasonal-naive":
        return values[last_season(origins, spec.horizon, spec.season)].astype(float)
    return _holt_winters(spec, parameters, values, origins)


def last_season(origins: np.ndarray, horizon: int, season: int) -> np.ndarray:
    """(origins, horizon) positions: step k's value one season back (more seasons when k is beyond one)."""
    steps = np.arange(1, horizon + 1)
    back = season * np.ceil(steps / season).astype(int)
    positions = origins[:, None] + steps[None, :] - back[None, :]
    if (positions < 0).any():
        raise ValueError(f"a seasonal forecast needs a full season ({season} values) before its first origin")
    return positions


def _holt_winters(spec: ForecastBaselineSpec, parameters: dict, values: np.ndarray, origins: np.ndarray) -> np.ndarray:
    from statsmodels.tsa.holtwinters import ExponentialSmoothing

    components = {"trend": "add", "damped_trend": spec.damped,
                  "seasonal": "add" if parameters["seasonal"] else None,
                  "seasonal_periods": spec.season if parameters["seasonal"] else None}  # fmt: skip
    seasons = parameters["initial_seasons"] or None
    model = ExponentialSmoothing(values[: int(origins.max()) + 1], **components, initialization_method="known",
                                 initial_level=parameters["initial_level"], initial_trend=parameters["initial_trend"],
                                 initial_seasonal=seasons)  # fmt: skip
    fixed = {"smoothing_level": parameters["smoothing_level"], "smoothing_trend": parameters["smoothing_trend"],
             "smoothing_seasonal": parameters["smoothing_seasonal"], "damping_trend": parameters["damping_trend"]}
    result = model.fit(**{name: value for name, value in fixed.items() if value is not None}, optimized=False)
    # The state after each value: level l_t, trend b_t, season s_t (statsmodels' arrays, one row per value).
    level, trend = np.asarray(result.level)[origins], np.asarray(result.trend)[origins]
    phi = parameters["damping_trend"] if spec.damped and parameters["damping_trend"] is not None else 1.0
    steps = np.arange(1, spec.horizon + 1)
    trend_sums = np.cumsum(phi ** steps)  # φ + φ² + ... + φ^h: the damped trend's reach after h steps
    forecasts = level[:, None] + trend[:, None] * trend_sums[None, :]
    if parameters["seasonal"]:
        forecasts += np.asarray(result.season)[last_season(origins, spec.horizon, spec.season)]
    return forecasts
