"""Forecasting: the Forecasts and Inside the forecaster pages, and the forecasting part of the Overview."""
