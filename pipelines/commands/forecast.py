"""`forecast`: a forecasting run's forecast from the series' end, or from an origin inside it."""

from __future__ import annotations

import argparse
import json

from ..exit_codes import EXIT_FINISHED
from ..forecasting.describe import date_format, describe, resolve_origin
from .common import Command, run_arguments, store_of


def add_forecast_arguments(forecast: argparse.ArgumentParser) -> None:
    run_arguments(forecast)
    forecast.add_argument("--origin", default=None,
                          help="forecast after this value: 'last' (default: the real future), an index, or a date")
    forecast.add_argument("--json", action="store_true", help="the forecast, its bands and the run's metrics as JSON")


def cmd_forecast(args) -> int:
    from ..forecasting.runs import load_forecaster  # imports torch for a recurrent run

    store = store_of(args)
    record = store.find_run(args.run, args.dataset)
    if record.task != "forecasting":
        raise ValueError(f"forecast works on forecasting runs; {record.run_id} is a {record.task} run "
                         "(`python -m pipelines list` shows each run's kind)")  # fmt: skip
    run = load_forecaster(store, record.dataset, record.run_id, device=args.device)
    origin = resolve_origin(run, args.origin)
    table = run.forecast_from(origin)
    if args.json:
        document = {
            "run_id": run.run_id, "dataset": record.dataset, "label": run.spec.label(), "framework": record.framework,
            "origin": {"index": origin, "date": run.series["date"].iloc[origin].strftime(date_format(run.series)),
                       "value": float(run.values[origin])},
            "forecast": json.loads(table.assign(date=table["date"].dt.strftime(date_format(run.series)))
                                   .to_json(orient="records")),
            "metrics": run.metrics.to_json(),
        }  # fmt: skip
        print(json.dumps(document, indent=1, allow_nan=False))
        return EXIT_FINISHED
    print(describe(run, origin, table))
    return EXIT_FINISHED


FORECAST = Command("forecast", "a forecasting run's forecast from the series' end or an origin",
                   add_forecast_arguments, cmd_forecast)  # fmt: skip
