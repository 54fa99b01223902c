"""A lecture hall at once: N real browser sessions against `streamlit run`, each typing its own reviews.

Every session is a Playwright context in headless Debian Chromium (a real websocket session, as a
student's browser opens one). All N open the dashboard at the same moment, then each, with a few
seconds of seeded "thinking" between steps: switches to the Playground and types its own review,
switches to Inside the model and types another, then opens Training and Evaluation, and with --wall sends a
review to the class wall (Submit a review). Each step is timed from the click or keystroke until the page's script
has finished and its title (and the review's marker) is on screen (Streamlit marks the app
`data-test-script-state="notRunning"`). A session fails when a step shows an exception or an error box, or takes
longer than --step-timeout.

    python scripts/load_test.py --artifacts artifacts --sessions 10 30 60
    python scripts/load_test.py --artifacts STORE --sessions 30 60 100 --wall --server-cpus 0 --browser-cpus 1

The browsers run on the same machine as the server (there is no other). Unpinned, their rendering competes with
the server for the cores, so the figures are the pessimistic side of what students would see; pinned
(--server-cpus 0 --browser-cpus 1) the server has one core to itself and all the browsers share the other, which
measures one core's capacity as a server (while the browsers' core may itself be the slower side: its load is
printed). Run it under `flock /work/bench.lock` on the shared machine.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import socket
import subprocess
import sys
import time
import urllib.request
from pathlib import Path

import numpy as np

from dashboard import chromium

PROJECT = Path(__file__).resolve().parent.parent
APP = PROJECT / "dashboard" / "app.py"
# Finished: the script has run to its end, the page's title is on screen, and (after typing) the review's own
# marker is drawn on the page (the tokens of a review are drawn as text, the text box's value is not), so a
# rerun that has not started yet is never taken for one that has finished.
FINISHED = """([title, marker]) => {
  const app = document.querySelector('[data-testid="stApp"]');
  if (!app || app.getAttribute('data-test-script-state') !== 'notRunning') return false;
  const heading = app.querySelector('h1');
  if (!heading || !heading.innerText.includes(title)) return false;
  const main = document.querySelector('[data-testid="stMain"]');
  return !marker || (main !== null && main.innerText.includes(marker));
}"""
PROBLEMS = '[data-testid="stException"], [data-testid="stAlertContentError"]'
READY = '[data-testid="stApp"][data-test-script-state="notRunning"] h1'  # the script has run, its title is drawn
# Done: the script has finished and either this review's arrival or a refusal is on screen.
ANSWERED = """([marker]) => {
  const app = document.querySelector('[data-testid="stApp"]');
  if (!app || app.getAttribute('data-test-script-state') !== 'notRunning') return null;
  const arrived = document.querySelector('.st-key-wall_arrived');
  if (arrived && arrived.innerText.includes(marker)) return 'arrived';
  const warning = document.querySelector('[data-testid="stAlertContentWarning"]');
  return warning ? 'refused: ' + warning.innerText.slice(0, 120) : null;
}"""
OPENINGS = ["A gorgeous, moving film", "Dull and far too long", "Not bad at all", "I wanted to love it, but",
            "The cast is superb, the script is not", "Two hours I will never get back", "Funny, warm and clever"]
ENDINGS = ["and I would see it again.", "though the ending drags.", "with a plot full of holes.",
           "the best thing this year.", "a tedious mess.", "surprisingly tender.", "and the music soars."]


def review(rng: random.Random, session: int) -> tuple[str, str]:
    """A different review per session and step, and the number that marks it (drawn once the page has read it)."""
    marker = f"{session}{rng.randint(10**6, 10**7)}"
    return f"{rng.choice(OPENINGS)}, {rng.choice(ENDINGS)} Seat {session}, note {marker}.", marker


class Session:
    def __init__(self, browser, url: str, number: int, seed: int, step_timeout: float, think: tuple[float, float],
                 wall: bool = False):  # fmt: skip
        self.browser, self.url, self.number, self.wall = browser, url, number, wall
        self.rng = random.Random(seed * 1000 + number)
        self.timeout_ms = step_timeout * 1000
        self.think = think
        self.times: dict[str, list[float]] = {}
        self.failure: str | None = None

    async def run(self) -> None:
        context = await self.browser.new_context(viewport={"width": 1280, "height": 900})
        # Playwright's own 30 s default for goto, click and fill failed 17 of 30 and 60 of 60 sessions on a
        # first run (the browsers share the two cores): the step timeout is the one limit.
        context.set_default_timeout(self.timeout_ms)
        context.set_default_navigation_timeout(self.timeout_ms)
        page = await context.new_page()
        try:
            await self.step("Overview (open)", page, lambda: page.goto(self.url), "Overview")
            await self.pause()
            await self.step("Playground (switch)", page, lambda: self.navigate(page, "playground"), "Playground")
            await self.pause()
            await self.step("Playground (new review)", page, lambda: self.type(page, "playground"), "Playground")
            await self.pause()
            await self.step("Inside the model (switch)", page, lambda: self.navigate(page, "inside"),
                            "Inside the model")  # fmt: skip
            await self.pause()
            await self.step("Inside the model (new review)", page, lambda: self.type(page, "inside"),
                            "Inside the model")  # fmt: skip
            for path, title in (("training", "Training"), ("evaluation", "Evaluation")):
                await self.pause()
                await self.step(f"{title} (switch)", page, lambda path=path: self.navigate(page, path), title)
            if self.wall:
                await self.pause()
                await self.step("Submit a review (switch)", page, lambda: self.navigate(page, "submit"),
                                "Submit a review")  # fmt: skip
                await page.get_by_text("Show my review on the class wall", exact=True).click()
                await page.locator(".st-key-wall_opt_in input:checked").wait_for()
                await self.pause()
                await self.send_to_the_wall(page)
        except Exception as error:  # a timeout, a closed page: the session failed
            self.failure = self.failure or f"{type(error).__name__}: {str(error).splitlines()[0][:200]}"
        finally:
            await context.close()

    async def send_to_the_wall(self, page) -> None:
        """Type a review into Submit a review and press Enter: timed until the page says it arrived."""
        text, marker = review(self.rng, self.number)
        box = page.locator(".st-key-wall_draft input")
        await box.fill(text)
        started = time.perf_counter()
        await box.press("Enter")
        answer = await page.wait_for_function(ANSWERED, arg=[marker], polling=50, timeout=self.timeout_ms)
        if await answer.json_value() != "arrived":
            raise RuntimeError(f"the class wall refused the review: {await answer.json_value()}")
        self.times.setdefault("Submit a review (send)", []).append(time.perf_counter() - started)

    async def pause(self) -> None:
        await asyncio.sleep(self.rng.uniform(*self.think))

    async def navigate(self, page, path: str) -> None:
        await page.click(f'[data-testid="stSidebarNav"] a[href$="/{path}"]')

    async def type(self, page, key: str) -> str:
        text, marker = review(self.rng, self.number)
        box = page.locator(".st-key-text input")  # the one text both pages read (dashboard.state.TEXT); Enter reads it
        await box.fill(text)
        await box.press("Enter")
        return marker

    async def step(self, name: str, page, action, title: str) -> None:
        started = time.perf_counter()
        marker = await action()
        marker = marker if isinstance(marker, str) else None
        await page.wait_for_function(FINISHED, arg=[title, marker], timeout=self.timeout_ms, polling=50)
        self.times.setdefault(name, []).append(time.perf_counter() - started)
        if await page.locator(PROBLEMS).count():
            self.failure = f"{name}: {(await page.locator(PROBLEMS).first.inner_text())[:200]}"
            raise RuntimeError(self.failure)


async def hall(url: str, sessions: int, seed: int, step_timeout: float, think: tuple[float, float],
               wall: bool = False) -> dict:  # fmt: skip
    from playwright.async_api import async_playwright

    async with async_playwright() as playwright:
        browser = await chromium.launch(playwright)
        room = [Session(browser, url, number, seed, step_timeout, think, wall) for number in range(sessions)]
        started = time.perf_counter()
        await asyncio.gather(*(session.run() for session in room))  # everyone at once
        wall = time.perf_counter() - started
        await browser.close()
    steps: dict[str, list[float]] = {}
    for session in room:
        for name, values in session.times.items():
            steps.setdefault(name, []).extend(values)
    summary = summarise(steps)
    failures = [f"session {s.number}: {s.failure}" for s in room if s.failure]
    return {"sessions": sessions, "failed_sessions": len(failures), "failures": failures[:10], "wall_s": round(wall, 1),
            "steps": summary, "load_average_after": os.getloadavg()}  # fmt: skip


def summarise(steps: dict[str, list[float]]) -> dict[str, dict]:
    """Each step's count, p50, p95 and max (seconds), as both load tests report them."""
    return {name: {"renders": len(values), "p50_s": round(float(np.percentile(values, 50)), 2),
                   "p95_s": round(float(np.percentile(values, 95)), 2), "max_s": round(max(values), 2)}
            for name, values in steps.items()}  # fmt: skip


def print_halls(results: dict) -> None:
    """The JSON, then BENCHMARKS.md's table rows: sessions, step, p50, p95, max; failed sessions."""
    print(json.dumps(results, indent=1))
    for run in results["runs"]:
        for name, step in run["steps"].items():
            print(f"| {run['sessions']} | {name} | {step['p50_s']:.2f} | {step['p95_s']:.2f} | {step['max_s']:.2f} |")
        print(f"| {run['sessions']} | failed sessions | {run['failed_sessions']} of {run['sessions']} | | |")


def start_server(artifacts: str, port: int, cpus: str | None = None, project: Path = PROJECT) -> subprocess.Popen:
    """`streamlit run` on the store, pinned to `cpus` (taskset's list, e.g. "0") if given; once it answers. Another
    checkout's dashboard is served from `project` (its code imported ahead of the installed one)."""
    environment = {**os.environ, "RNNLENS_ARTIFACTS": str(Path(artifacts).resolve())}
    if Path(project).resolve() != PROJECT:
        environment["PYTHONPATH"] = str(project)
    pinned = ["taskset", "-c", cpus] if cpus is not None else []
    app = Path(project) / APP.relative_to(PROJECT)
    process = subprocess.Popen([*pinned, sys.executable, "-m", "streamlit", "run", str(app), "--server.port", str(port),
                                "--server.address", "127.0.0.1", "--server.headless", "true"], cwd=project,
                               env=environment, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # fmt: skip
    deadline = time.monotonic() + 120
    while True:
        try:
            urllib.request.urlopen(f"http://127.0.0.1:{port}/_stcore/health", timeout=2)
            return process
        except OSError:
            if process.poll() is not None or time.monotonic() > deadline:
                raise SystemExit("streamlit did not start")
            time.sleep(0.5)


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--artifacts", default="artifacts", help="the store the dashboard serves")
    parser.add_argument("--url", default=None, help="a dashboard already running (default: start one)")
    parser.add_argument("--sessions", type=int, nargs="+", default=[10, 30, 60])
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--step-timeout", type=float, default=120.0, help="seconds a step may take before failing")
    parser.add_argument("--think", type=float, nargs=2, default=[1.0, 4.0], help="seconds between steps (uniform)")
    parser.add_argument("--warm-up", type=int, default=2, help="sessions run first, not counted (models loaded)")
    parser.add_argument("--wall", action="store_true", help="each session also sends a review to the class wall")
    parser.add_argument("--server-cpus", default=None, help="taskset's CPU list for the server, e.g. 0")
    parser.add_argument("--browser-cpus", default=None, help="CPU list for this process and its Chromium, e.g. 1")
    args = parser.parse_args()
    if args.browser_cpus is not None:  # Chromium, started later, inherits this process's affinity
        os.sched_setaffinity(0, {int(cpu) for cpu in args.browser_cpus.split(",")})

    server = None
    url = args.url
    if url is None:
        port = free_port()
        server = start_server(args.artifacts, port, cpus=args.server_cpus)
        url = f"http://127.0.0.1:{port}"
    try:
        think = (args.think[0], args.think[1])
        results = {"url": url, "load_average_before": os.getloadavg(), "cores": os.cpu_count(),
                   "date": time.strftime("%Y-%m-%d %H:%M"), "think_s": think}  # fmt: skip
        if args.warm_up:  # the first session of a fresh server loads every model: not what a hall waits for
            results["warm_up"] = asyncio.run(hall(url, args.warm_up, args.seed + 999, args.step_timeout, think,
                                                  args.wall))  # fmt: skip
        results["runs"] = [asyncio.run(hall(url, n, args.seed, args.step_timeout, think, args.wall))
                           for n in args.sessions]  # fmt: skip
        results.update(server_cpus=args.server_cpus, browser_cpus=args.browser_cpus, wall=args.wall)
    finally:
        if server is not None:
            server.terminate()
            server.wait(timeout=30)
    print_halls(results)


if __name__ == "__main__":
    main()
