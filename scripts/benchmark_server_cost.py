"""What one student's action costs the server: CPU seconds of the Streamlit process per page open and per action.

One headless Chromium session drives `streamlit run` (the server pinned to one core with --server-cpus, the browser
to another with --browser-cpus, so neither measures the other). For every page of dashboard/pages.py: opening it
from its address (a shared link; a new session) and switching to it from the sidebar (the same session); for the
student's actions: typing a review into the Playground and into Inside the model, switching a tab, moving the
Memory lab's slider, pressing Next in a lecture, sending a review to the class wall. Each is repeated --repeat
times; the figure is the median of the Streamlit process's user+system CPU time (psutil) from the action until
the page has finished and the server has been quiet for --quiet seconds, less what the idle server spends in the
same time (measured first). The model work inside the Playground and Inside actions (every model predicting the
review; one explanation) is timed apart, in this process, with the calls the pages make.

    python scripts/benchmark_server_cost.py --artifacts /tmp/bench/store --server-cpus 0 --browser-cpus 1
    python scripts/benchmark_server_cost.py --artifacts STORE --only playground inside --repeat 3   # a quick look

The store needs rt-polarity (the Playground, Inside), memory-d* (the lab), co2 (forecasts), rt-polarity-chars
(Write) and dates (the encoder-decoders), as `python -m pipelines prepare-lecture` and a seq2seq zoo leave it;
a page whose data set is missing is skipped and said so. Linux only (psutil's process times, taskset).
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import statistics
import subprocess
import sys
import time
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import psutil

sys.path.insert(0, str(Path(__file__).resolve().parent))
from load_test import FINISHED, PROBLEMS, READY, free_port, start_server  # noqa: E402
from load_test_wall import ANSWERED  # noqa: E402

PROJECT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT))
from dashboard import chromium  # noqa: E402
from dashboard.pages import PAGES  # noqa: E402

# The data set each page is opened on (the sidebar's choice, kept in the address).
DATASET_OF = {"memory_lab": "memory-d20", "gradients": "memory-d20", "forecasts": "co2", "forecaster_inside": "co2",
              "write": "rt-polarity-chars", "translate": "dates", "bottleneck": "dates",
              "teacher_forcing": "dates"}  # fmt: skip
DEFAULT_DATASET = "rt-polarity"
REVIEWS = ["A gorgeous, moving film, and I would see it again.", "Dull and far too long, a tedious mess.",
           "Not bad at all, though the ending drags.", "The cast is superb, the script is not.",
           "Funny, warm and clever; the music soars.", "Two hours I will never get back."]  # fmt: skip
LECTURE = "why-gates-matter"


@dataclass
class Server:
    process: psutil.Process
    idle_cpu_per_second: float = 0.0

    def cpu(self) -> float:
        times = self.process.cpu_times()
        return times.user + times.system

    def measure_idle(self, seconds: float = 3.0) -> None:
        before, started = self.cpu(), time.monotonic()
        time.sleep(seconds)
        self.idle_cpu_per_second = (self.cpu() - before) / (time.monotonic() - started)

    def settle(self, quiet: float) -> float:
        """Wait until the server has spent no CPU for `quiet` seconds (its last message sent); its CPU time then."""
        last, still_since = self.cpu(), time.monotonic()
        while time.monotonic() - still_since < quiet:
            time.sleep(0.02)
            now = self.cpu()
            if now > last:
                last, still_since = now, time.monotonic()
        return last


class Bench:
    def __init__(self, server: Server, page, url: str, quiet: float):
        self.server, self.page, self.url, self.quiet = server, page, url, quiet

    def cost(self, action: Callable[[], str | None], title: str, finished: str = FINISHED) -> float:
        """Server CPU milliseconds of `action` (which returns the marker its answer draws, or None)."""
        before, started = self.server.cpu(), time.monotonic()
        marker = action()
        arguments = [title, marker] if finished == FINISHED else [marker]
        self.page.wait_for_function(finished, arg=arguments, timeout=120_000, polling=20)
        after = self.server.settle(self.quiet)
        if self.page.locator(PROBLEMS).count():
            raise RuntimeError(f"{title}: {self.page.locator(PROBLEMS).first.inner_text()[:300]}")
        spent = after - before - self.server.idle_cpu_per_second * (time.monotonic() - started - self.quiet)
        return 1000 * max(spent, 0.0)

    def goto(self, path: str, query: str = "") -> None:
        self.page.goto(f"{self.url}/{path}{'?' + query if query else ''}")

    def ready(self, title: str) -> None:
        self.page.wait_for_function(FINISHED, arg=[title, None], timeout=120_000, polling=50)
        self.server.settle(self.quiet)


def type_review(bench: Bench, number: int) -> Callable[[], str]:
    def action() -> str:
        marker = f"{7_000_000 + number}"
        box = bench.page.locator(".st-key-text input")
        box.fill(f"{REVIEWS[number % len(REVIEWS)]} Seat {marker}.")
        box.press("Enter")
        return marker

    return action


def measure(args, bench: Bench, datasets: set[str], failures: dict[str, str]) -> dict[str, list[float]]:
    """Server CPU milliseconds of each action, as many times as --repeat says; `failures` gets the steps that failed."""
    results: dict[str, list[float]] = {}

    def record(name: str, action: Callable[[], str | None], title: str, finished: str = FINISHED) -> None:
        try:
            results.setdefault(name, []).append(round(bench.cost(action, title, finished), 1))
        except Exception as error:  # a step that failed is said, and the others still measured
            failures.setdefault(name, f"{type(error).__name__}: {str(error).splitlines()[0][:200]}")
            print(f"{name}: {failures[name]}", file=sys.stderr)

    pages = [entry for entry in PAGES if not args.only or entry.key in args.only]
    for entry in pages:
        dataset = DATASET_OF.get(entry.key, DEFAULT_DATASET)
        if dataset not in datasets:
            print(f"skipped {entry.title}: the store has no {dataset}", file=sys.stderr)
            continue
        query = f"dataset={dataset}"
        for _ in range(args.repeat):  # from a link: a new session each time (the browser keeps its static files)
            record(f"{entry.title}: open", lambda entry=entry, query=query: bench.goto(entry.url_path, query),
                   entry.title)  # fmt: skip
        for _ in range(args.repeat):  # from another page's sidebar, in the same session
            bench.goto("training", query)
            bench.ready("Training")
            link = f'[data-testid="stSidebarNav"] a[href$="/{entry.url_path}"]' if entry.url_path else \
                '[data-testid="stSidebarNav"] a >> nth=0'  # fmt: skip
            record(f"{entry.title}: switch", lambda link=link: bench.page.click(link), entry.title)

    for key, title in (("playground", "Playground"), ("inside", "Inside the model")):
        if args.only and key not in args.only:
            continue
        bench.goto(key, f"dataset={DEFAULT_DATASET}")
        bench.ready(title)
        for number in range(args.repeat):
            record(f"{title}: type a review", type_review(bench, number), title)

    if not args.only or "inside" in args.only:
        for number in range(args.repeat):
            tab = ["Gates", "States"][number % 2]
            bench.goto("inside", f"dataset={DEFAULT_DATASET}")
            bench.ready("Inside the model")
            record("Inside the model: switch tab", lambda tab=tab: bench.page.get_by_role("tab", name=tab).click(),
                   "Inside the model")  # fmt: skip

    if (not args.only or "memory_lab" in args.only) and "memory-d20" in datasets:
        bench.goto("memory_lab", "dataset=memory-d20")
        bench.ready("Memory lab")
        slider = bench.page.get_by_role("slider").first
        slider.focus()
        for number in range(args.repeat):
            record("Memory lab: move the slider", lambda number=number: slider.press(
                "ArrowLeft" if number % 2 else "ArrowRight"), "Memory lab")  # fmt: skip

    if not args.only or "lecture" in args.only:
        for _ in range(args.repeat):
            bench.goto("", f"lecture={LECTURE}&lecture_step=1")
            bench.page.wait_for_selector(READY)
            bench.server.settle(bench.quiet)
            second = _second_step_title()
            record("Lecture: Next", lambda: bench.page.get_by_role("button", name="Next").first.click(), second)

    if not args.only or "submit" in args.only:
        bench.goto("submit", f"dataset={DEFAULT_DATASET}")
        bench.ready("Submit a review")
        bench.page.get_by_text("Show my review on the class wall", exact=True).click()
        bench.page.locator(".st-key-wall_opt_in input:checked").wait_for()
        bench.ready("Submit a review")
        for number in range(args.repeat):
            def send(number=number) -> str:
                marker = f"wall{8_000_000 + number}"
                box = bench.page.locator(".st-key-wall_draft input")
                box.fill(f"{REVIEWS[number % len(REVIEWS)]} ({marker})")
                box.press("Enter")
                return marker

            record("Class wall: send a review", send, "Submit a review", ANSWERED)
    return results


def _second_step_title() -> str:
    from dashboard import lecture
    from dashboard.pages import BY_KEY

    return BY_KEY[lecture.DEFAULT.steps[1].page].title


def model_work(artifacts: Path, repeat: int) -> dict[str, float]:
    """Milliseconds of the model work inside the Playground's and Inside's actions, as their loaders call it."""
    from pipelines.loaded import load
    from pipelines.store import Store
    from pipelines.threads import prefer_low_latency

    prefer_low_latency()  # as the dashboard's model cache does
    store = Store(artifacts)
    records = [record for record in store.runs(DEFAULT_DATASET) if record.state == "done"]
    runs = [load(store, DEFAULT_DATASET, record.run_id) for record in records]
    predicting = [run for run in runs if hasattr(run, "predict_proba")]
    explaining = [run for run in predicting if hasattr(run, "explain")]  # the recurrent ones, not the baselines
    # The BiLSTM where there is one (the Inside page's heaviest common case), else the first recurrent run, if any
    recurrent = next((run for run in explaining if run.record.run_id.startswith("torch-lstm-bi")),
                     explaining[0] if explaining else None)  # fmt: skip
    timings: dict[str, list[float]] = {"predict": [], **({"explain": []} if recurrent else {})}
    for number in range(repeat + 1):
        text = f"{REVIEWS[number % len(REVIEWS)]} Seat {number}."
        started = time.perf_counter()
        for run in predicting:
            run.predict_proba([text])
        timings["predict"].append(time.perf_counter() - started)
        if recurrent is not None:
            started = time.perf_counter()
            recurrent.explain(text)
            timings["explain"].append(time.perf_counter() - started)
    return {f"{name} (ms)": round(1000 * statistics.median(values[1:]), 1) for name, values in timings.items()} | {
        "models predicting": len(predicting), "explained": recurrent.record.run_id if recurrent else None}


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--artifacts", default="artifacts", help="the store the dashboard serves")
    parser.add_argument("--repeat", type=int, default=5, help="times each action is measured (the median is kept)")
    parser.add_argument("--quiet", type=float, default=0.4, help="seconds without server CPU that end an action")
    parser.add_argument("--server-cpus", default=None, help="taskset's CPU list for the server, e.g. 0")
    parser.add_argument("--browser-cpus", default=None, help="taskset's CPU list for this process and Chromium")
    parser.add_argument("--only", nargs="+", default=[],
                        help="page keys, and/or 'lecture' and 'submit', to measure only those")  # fmt: skip
    parser.add_argument("--out", default=None, help="also write the JSON here")
    parser.add_argument("--before", default=None, help="an earlier run's --out: print this run beside it")
    args = parser.parse_args()
    if args.browser_cpus is not None:  # Chromium, started below, inherits this process's affinity
        os.sched_setaffinity(0, {int(cpu) for cpu in args.browser_cpus.split(",")})

    from playwright.sync_api import sync_playwright

    from pipelines.store import Store

    datasets = set(Store(Path(args.artifacts)).datasets())
    port = free_port()
    process = start_server(args.artifacts, port, cpus=args.server_cpus)
    server = Server(psutil.Process(process.pid))
    url = f"http://127.0.0.1:{port}"
    try:
        with sync_playwright() as playwright:
            browser = chromium.launch(playwright)
            page = browser.new_page(viewport={"width": 1400, "height": 900})
            bench = Bench(server, page, url, args.quiet)
            for key in ("", "playground", "inside", "memory_lab"):  # load the models first: not what a hall waits for
                page.goto(f"{url}/{key}?dataset={DATASET_OF.get(key, DEFAULT_DATASET)}")
                page.wait_for_selector(READY, timeout=300_000)
            server.settle(1.0)
            server.measure_idle()
            failures: dict[str, str] = {}
            results = measure(args, bench, datasets, failures)
            browser.close()
    finally:
        process.terminate()
        process.wait(timeout=30)
    commit = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=PROJECT, capture_output=True, text=True,
                            check=False).stdout.strip()  # fmt: skip
    report = {"date": time.strftime("%Y-%m-%d %H:%M"), "commit": commit, "machine": platform.processor() or
              platform.machine(), "cores": os.cpu_count(), "server_cpus": args.server_cpus,
              "browser_cpus": args.browser_cpus, "load_average": os.getloadavg(), "repeat": args.repeat,
              "idle_server_cpu_ms_per_s": round(1000 * server.idle_cpu_per_second, 2),
              "actions_ms": {name: {"median": statistics.median(values), "all": values}
                             for name, values in results.items() if values}, "failed": failures}  # fmt: skip
    if not args.only or {"playground", "inside"} & set(args.only):
        report["model_work"] = model_work(Path(args.artifacts), args.repeat)
    text = json.dumps(report, indent=1)
    if args.out:
        Path(args.out).write_text(text)
    print(text)
    print_table(report, json.loads(Path(args.before).read_text()) if args.before else None)


def print_table(after: dict, before: dict | None) -> None:
    """The Markdown table of BENCHMARKS.md: server CPU per action (median), beside an earlier run if given."""
    if before is None:
        print(f"\n| action | server CPU, ms ({after['commit']}) |\n|---|---:|")
        for name, measured in after["actions_ms"].items():
            print(f"| {name} | {measured['median']:.0f} |")
        return
    print(f"\n| action | before ({before['commit']}), ms | after ({after['commit']}), ms | ratio |")
    print("|---|---:|---:|---:|")
    for name, measured in after["actions_ms"].items():
        earlier = before["actions_ms"].get(name, {}).get("median")  # None: a page or action it did not have
        shown = "" if earlier is None else f"{earlier:.0f}"
        ratio = f"{earlier / measured['median']:.1f}x" if earlier and measured["median"] else ""
        print(f"| {name} | {shown} | {measured['median']:.0f} | {ratio} |")


if __name__ == "__main__":
    main()
