"""What a page rerun costs the server once a Keras model is loaded (dashboard/runner.py; BENCHMARKS.md section 21).

Streamlit clears Keras's session after every script run once `keras` is imported (a full garbage collection);
dashboard/runner.py turns that off. This serves the app on a store with a Keras classifier, opens the Playground
(which loads every classifier, the Keras one too) unless --no-keras, then opens Training and Evaluation in turn and
reads the server's CPU time per page load. Run it on a checkout before and after the change to compare:

    python scripts/benchmark_keras_rerun.py --artifacts STORE --dataset rt-polarity-limit400 [--project DIR]
"""

from __future__ import annotations

import argparse
import statistics
import sys
from pathlib import Path

import psutil

sys.path.insert(0, str(Path(__file__).resolve().parent))
from load_test import READY, free_port, start_server  # noqa: E402

PROJECT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT))
from dashboard import chromium  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--artifacts", required=True, help="a store with a Keras classifier on --dataset")
    parser.add_argument("--dataset", required=True)
    parser.add_argument("--project", default=str(PROJECT), help="the checkout whose dashboard/app.py is served")
    parser.add_argument("--loads", type=int, default=12)
    parser.add_argument("--no-keras", action="store_true", help="skip the Playground: Keras is never imported")
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    port = free_port()
    server = start_server(args.artifacts, port, project=Path(args.project))
    url, query = f"http://127.0.0.1:{port}", f"?dataset={args.dataset}"
    process, seconds = psutil.Process(server.pid), []
    try:
        with sync_playwright() as playwright:
            browser = chromium.launch(playwright)
            page = browser.new_page(viewport={"width": 1400, "height": 900})

            def load(path: str) -> None:
                page.goto(f"{url}/{path}{query}")
                page.wait_for_selector(READY, timeout=120_000)
                page.wait_for_timeout(700)  # any rerun the browser asks for has run too

            for path in ([] if args.no_keras else ["playground"]) + ["evaluation", "training"]:  # warm caches
                load(path)
            for index in range(args.loads):
                before = sum(process.cpu_times()[:2])
                load("evaluation" if index % 2 else "training")
                seconds.append(sum(process.cpu_times()[:2]) - before)
            browser.close()
    finally:
        server.terminate()
        server.wait(timeout=30)
    print(f"{args.project} ({'Keras never imported' if args.no_keras else 'after the Playground loaded Keras'}): "
          f"server CPU per page load median {statistics.median(seconds):.3f} s, "
          f"min {min(seconds):.3f}, max {max(seconds):.3f} ({len(seconds)} loads)")


if __name__ == "__main__":
    main()
