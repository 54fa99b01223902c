"""Forecasting: the same recurrent cells as forecasters of a real series, judged against the classic baselines.

- windows.py    the honest set-up: parts in time, a scaler fitted on the past, windows that never look ahead
- metrics.py    MSE, RMSE, MAE, MAPE, sMAPE, R², direction accuracy, MASE: overall and per horizon step
- baselines.py  naive, seasonal naive, Holt-Winters (statsmodels), parameters as JSON
- zoos.py       the forecast zoos
- runs.py       a finished run's forecasts and hidden states (imports no trainer)
- commands.py   the `forecast` command and the forecasting flags of `train`

Training lives with the other trainers: pipelines/training/forecast.py and forecast_loop.py.
"""
