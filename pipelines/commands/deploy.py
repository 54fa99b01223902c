"""`deploy`: a PyTorch run's size, latency, throughput and accuracy as float32, int8 and ONNX."""

from __future__ import annotations

import argparse
import json

from ..exit_codes import EXIT_FINISHED
from .common import Command, store_of


def add_deploy_arguments(deploy: argparse.ArgumentParser) -> None:
    deploy.add_argument("--run", required=True, help="a PyTorch run id, as `list` shows it")
    deploy.add_argument("--dataset", default=None, help="the run's data set (default: found in the store)")
    deploy.add_argument("--limit", type=int, default=None,
                        help="score a seeded sample of N test texts (default: the whole test split)")
    deploy.add_argument("--latency-texts", type=int, default=200, help="single texts timed per variant (default 200)")
    deploy.add_argument("--batch-size", type=int, default=64, help="texts per batch for throughput (default 64)")
    deploy.add_argument("--refresh", action="store_true", help="measure again even if deploy.json has these settings")
    deploy.add_argument("--json", action="store_true")
    deploy.add_argument("--artifacts", default=argparse.SUPPRESS, help="store folder")


def cmd_deploy(args) -> int:
    from ..deploy import DeploySettings, format_report
    from ..deploy.deployment import deploy_run  # imports torch (and ONNX Runtime)

    settings = DeploySettings(limit=args.limit, latency_texts=args.latency_texts, batch_size=args.batch_size)
    report = deploy_run(store_of(args), args.run, args.dataset, settings, refresh=args.refresh,
                        show_progress=not args.json)  # fmt: skip
    print(json.dumps(report.to_json(), indent=1) if args.json else format_report(report))
    return EXIT_FINISHED


DEPLOY = Command("deploy", "size, latency, throughput and accuracy as float32, int8 and ONNX", add_deploy_arguments,
                 cmd_deploy)
