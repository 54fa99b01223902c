"""The class wall under a lecture's load: N students send reviews from phones while the lecturer's Class page refreshes.

Every student is a Playwright context in headless Debian Chromium at a phone's size (390x844), a real websocket
session as a phone opens one (the way scripts/load_test.py drives its sessions). The students arrive over the first
--arrive seconds, open Submit a review and tick the opt-in (timed: the room coming in); once all are in, each, with
--think seconds between reviews, types a review of their own and presses Enter until --minutes are over. Each
review carries a marker (the run's tag, the seat and the review's number); a review counts as sent when the page
shows it arrived ("Arrived: review #N", with its text), and each step is timed from Enter until then. A review the page refuses (the rate limit, say) is counted as refused: the
student was told and nothing was kept.

Meanwhile one more context at 1920x1080 in presentation mode holds the lecturer's Class page open; its wall refreshes
itself (st.fragment(run_every=3)), scoring each new review with every model of the store. The script reads the page's
"reviews" figure every few seconds, and at the end waits for it to count every review sent.

Then it checks, in the wall's database and on the lecturer's page: every review the students saw arrive is there
exactly once, and nothing else of this run is (no duplicate, no review that was refused or lost).

    python scripts/load_test_wall.py --artifacts /tmp/store-copy --sessions 60 --minutes 5
    python scripts/load_test_wall.py --artifacts /tmp/store-copy --sessions 10 --minutes 1   # a quick run

It writes into the store's class/wall.sqlite: run it on a copy of a store. Browsers and server share the machine.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import random
import sys
import time
import uuid
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent))
from load_test import ANSWERED, PROBLEMS, READY, free_port, start_server  # noqa: E402

PROJECT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(PROJECT))
from dashboard import chromium  # noqa: E402
from pipelines.class_wall import ClassWall  # noqa: E402

PHONE = {"width": 390, "height": 844}
PROJECTOR = {"width": 1920, "height": 1080}
OPENINGS = ["It was not bad", "I didn't hate it", "A gorgeous, moving film", "Dull and far too long",
            "I wanted to love this film, but I couldn't", "Not good at all", "Funny, warm and clever",
            "The cast is superb, the script is not", "Two hours I will never get back",
            "Surprisingly tender"]  # fmt: skip
RERUNNING = """() =>
  document.querySelector('[data-testid="stApp"]')?.getAttribute('data-test-script-state') === 'running'"""


class Student:
    def __init__(self, browser, url: str, seat: int, tag: str, args):
        self.browser, self.url, self.seat, self.tag = browser, url, seat, tag
        self.rng = random.Random(args.seed * 1000 + seat)
        self.args = args
        self.sent: list[str] = []  # markers the page said arrived
        self.sent_at: list[float] = []  # when (time.monotonic)
        self.refused: list[str] = []
        self.times: list[float] = []
        self.failure: str | None = None
        self.opened_s: float | None = None  # seconds to open the page and opt in
        self.context = self.page = None

    async def arrive(self) -> None:
        """Come in (over the first --arrive seconds), open Submit a review and tick the opt-in."""
        await asyncio.sleep(self.rng.uniform(0, self.args.arrive))
        self.context = await self.browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True)
        self.context.set_default_timeout(self.args.step_timeout * 1000)
        self.page = page = await self.context.new_page()
        started = time.perf_counter()
        try:
            await page.goto(f"{self.url}/submit", wait_until="commit")  # then wait for the app itself
            await page.wait_for_selector(READY)
            await page.get_by_text("Show my review on the class wall", exact=True).click()
            await page.locator(".st-key-wall_opt_in input:checked").wait_for()
            await page.wait_for_selector(READY)
            self.opened_s = time.perf_counter() - started
        except Exception as error:
            self.failure = f"opening: {type(error).__name__}: {str(error).splitlines()[0][:200]}"

    async def run(self, deadline: float) -> None:
        """Send reviews until the deadline, then leave."""
        page = self.page
        try:
            if self.failure:
                return
            await asyncio.sleep(self.rng.uniform(0, self.args.think[0]))  # not all at the same second
            box = page.locator(".st-key-wall_draft input")
            number = 0
            while time.monotonic() < deadline:
                number += 1
                marker = f"{self.tag}-s{self.seat}-n{number}"
                await box.fill(f"{self.rng.choice(OPENINGS)} ({marker})")
                started = time.perf_counter()
                await box.press("Enter")
                try:  # the rerun has begun: the page on screen is no longer the last review's (its refusal, say)
                    await page.wait_for_function(RERUNNING, polling=10, timeout=5_000)
                except Exception:
                    pass  # missed between two looks: it has finished already, and what is on screen is this review's
                answer = await page.wait_for_function(ANSWERED, arg=[marker], polling=50,
                                                      timeout=self.args.step_timeout * 1000)  # fmt: skip
                outcome = await answer.json_value()
                if outcome == "arrived":
                    self.times.append(time.perf_counter() - started)
                    self.sent.append(marker)
                    self.sent_at.append(time.monotonic())
                else:
                    self.refused.append(f"{marker}: {outcome}")
                if await page.locator(PROBLEMS).count():
                    raise RuntimeError((await page.locator(PROBLEMS).first.inner_text())[:200])
                await asyncio.sleep(self.rng.uniform(*self.args.think))
        except Exception as error:  # a timeout, an error box: this student's session failed
            self.failure = f"{type(error).__name__}: {str(error).splitlines()[0][:200]}"
        finally:
            if self.context is not None:
                await self.context.close()


async def open_class_page(browser, url: str, args):
    """The lecturer opens the Class page on the projector before the room comes in."""
    context = await browser.new_context(viewport=PROJECTOR)
    context.set_default_timeout(args.step_timeout * 1000)
    page = await context.new_page()
    await page.goto(f"{url}/class_wall?presentation=true", wait_until="commit")
    await page.wait_for_selector(READY)
    return page


async def lecturer(page, stop: asyncio.Event, samples: list, args) -> str | None:
    """The Class page; its "reviews" figure read every --look seconds. Returns a problem, if any."""
    problem = None
    try:
        while not stop.is_set():
            samples.append((time.monotonic(), await shown_count(page)))
            if await page.locator(PROBLEMS).count():
                problem = (await page.locator(PROBLEMS).first.inner_text())[:200]
            try:
                await asyncio.wait_for(stop.wait(), timeout=args.look)
            except asyncio.TimeoutError:
                pass
        return problem
    except Exception as error:  # the page closed or hung: say so, and still check the database
        return f"{type(error).__name__}: {str(error).splitlines()[0][:200]}"
    finally:
        await page.context.close()


async def shown_count(page) -> int | None:
    values = page.locator('[data-testid="stMetricValue"]')
    try:
        return int((await values.first.inner_text(timeout=5_000)).replace(",", ""))
    except Exception:
        return None  # mid-refresh


async def lecture(url: str, args, tag: str, store: Path) -> dict:
    from playwright.async_api import async_playwright

    before = ClassWall(store).counts()[0]
    async with async_playwright() as playwright:
        browser = await chromium.launch(playwright)
        stop, samples = asyncio.Event(), []
        watching = asyncio.create_task(lecturer(await open_class_page(browser, url, args), stop, samples, args))
        room = [Student(browser, url, seat, tag, args) for seat in range(args.sessions)]
        arriving = time.monotonic()
        await asyncio.gather(*(student.arrive() for student in room))  # the room comes in and opens the page
        started = time.monotonic()
        deadline = started + args.minutes * 60  # then everyone sends for --minutes
        await asyncio.gather(*(student.run(deadline) for student in room))
        students_done = time.monotonic()
        sent = [marker for student in room for marker in student.sent]
        expected = before + len(sent)
        caught_up = None  # seconds after the last student finished until the lecturer's page counted every review
        while time.monotonic() - students_done < args.catch_up:
            if samples and samples[-1][1] == expected:
                caught_up = samples[-1][0] - students_done
                break
            await asyncio.sleep(1)
        stop.set()
        lecturer_problem = await watching
        await browser.close()

    kept = [s.text for s in ClassWall(store).submissions(include_hidden=True) if tag in s.text]
    kept_markers = [text[text.rindex("(") + 1: -1] for text in kept]
    counts = {marker: kept_markers.count(marker) for marker in set(kept_markers) | set(sent)}
    lost = sorted(marker for marker in sent if counts[marker] == 0)
    duplicated = sorted(marker for marker, count in counts.items() if count > 1)
    unexpected = sorted(set(kept_markers) - set(sent))  # kept, though its student never saw it arrive
    times = [t for student in room for t in student.times]
    opened = [student.opened_s for student in room if student.opened_s is not None]
    lags = lag_of(samples, room, before)
    return {
        "sessions": args.sessions, "minutes": args.minutes, "think_s": list(args.think),
        "arrival_s": round(started - arriving, 1), "wall_s": round(students_done - started, 1),
        "open_p50_s": round(float(np.median(opened)), 1) if opened else None,
        "open_max_s": round(max(opened), 1) if opened else None,
        "reviews_sent": len(sent), "reviews_refused": sum(len(s.refused) for s in room),
        "refusals": [r for s in room for r in s.refused][:5],
        "failed_sessions": sum(s.failure is not None for s in room),
        "failures": [f"seat {s.seat}: {s.failure}" for s in room if s.failure][:10],
        "kept_in_database": len(kept), "lost": lost[:10], "lost_count": len(lost), "duplicated": duplicated[:10],
        "unexpected": unexpected[:10],
        "send_p50_s": round(float(np.percentile(times, 50)), 2) if times else None,
        "send_p95_s": round(float(np.percentile(times, 95)), 2) if times else None,
        "send_max_s": round(max(times), 2) if times else None,
        "lecturer_samples": len(samples), "lecturer_lag_p50": lags[0], "lecturer_lag_max": lags[1],
        "lecturer_final_count": samples[-1][1] if samples else None, "lecturer_expected": expected,
        "lecturer_caught_up_s": None if caught_up is None else round(max(caught_up, 0.0), 1),
        "lecturer_problem": lecturer_problem, "load_average_after": os.getloadavg(),
    }  # fmt: skip


def lag_of(samples: list, room: list, before: int) -> tuple:
    """How many reviews the lecturer's page was behind at each look (sent by then, not yet counted): median, most."""
    arrivals = np.sort([at for student in room for at in student.sent_at])
    behind = [int(np.searchsorted(arrivals, at, side="right")) - (count - before)
              for at, count in samples if count is not None]  # fmt: skip
    return (float(np.median(behind)), int(max(behind))) if behind else (None, None)


def database_only(writers: int, each: int) -> dict:
    """The database alone: `writers` threads, each submitting `each` reviews (each from its own session) into a new
    wall in a temporary folder; every submission's time, and whether all arrived once."""
    import tempfile
    import threading

    with tempfile.TemporaryDirectory() as folder:
        wall, times = ClassWall(folder), []
        wall.submit("warm-up", "the first review makes the file")

        def write(writer: int) -> None:
            for number in range(each):
                started = time.perf_counter()
                wall.submit(f"{writer}-{number}", f"review {writer}-{number}")
                times.append(time.perf_counter() - started)

        started = time.perf_counter()
        threads = [threading.Thread(target=write, args=(writer,)) for writer in range(writers)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        elapsed = time.perf_counter() - started
        texts = [s.text for s in wall.submissions()][1:]
    return {"writers": writers, "reviews": writers * each, "kept": len(texts), "unique": len(set(texts)),
            "per_second": round(writers * each / elapsed), "p50_ms": round(1000 * float(np.median(times)), 2),
            "p95_ms": round(1000 * float(np.percentile(times, 95)), 2),
            "max_ms": round(1000 * max(times), 1)}  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--artifacts", required=True, help="the store (a copy: the wall is written into it)")
    parser.add_argument("--url", default=None, help="a dashboard already running on that store (default: start one)")
    parser.add_argument("--sessions", type=int, default=60)
    parser.add_argument("--minutes", type=float, default=5.0, help="how long students keep sending")
    parser.add_argument("--arrive", type=float, default=240.0, help="seconds over which the students arrive")
    parser.add_argument("--think", type=float, nargs=2, default=[15.0, 45.0],
                        help="seconds between a student's reviews")
    parser.add_argument("--look", type=float, default=5.0, help="seconds between reads of the lecturer's page")
    parser.add_argument("--catch-up", type=float, default=60.0, help="seconds the lecturer's page may take at the end")
    parser.add_argument("--step-timeout", type=float, default=300.0)
    parser.add_argument("--seed", type=int, default=0)
    parser.add_argument("--database-only", type=int, nargs=2, metavar=("WRITERS", "EACH"), default=None,
                        help="no browsers: WRITERS threads submit EACH reviews straight into a temporary wall")
    args = parser.parse_args()
    if args.database_only:
        from pipelines import class_wall

        measured = {}
        for synchronous in ("NORMAL", "FULL"):  # ours, and SQLite's default (a sync at every commit)
            class_wall.SYNCHRONOUS = synchronous
            measured[synchronous] = database_only(*args.database_only)
        print(json.dumps(measured, indent=1))
        return

    store = Path(args.artifacts).resolve()
    tag = f"wall{uuid.uuid4().hex[:6]}"
    server = None
    url = args.url
    if url is None:
        server = start_server(str(store), free_port_url := free_port())
        url = f"http://127.0.0.1:{free_port_url}"
    try:
        results = {"url": url, "tag": tag, "cores": os.cpu_count(), "date": time.strftime("%Y-%m-%d %H:%M"),
                   "load_average_before": os.getloadavg(), **asyncio.run(lecture(url, args, tag, store))}  # fmt: skip
    finally:
        if server is not None:
            server.terminate()
            server.wait(timeout=30)
    print(json.dumps(results, indent=1))
    print(f"| {results['sessions']} | {results['minutes']:g} min | {results['reviews_sent']} | "
          f"{results['kept_in_database']} | {results['lost_count']} | {len(results['duplicated'])} | "
          f"{results['reviews_refused']} | {results['failed_sessions']} | {results['send_p50_s']} | "
          f"{results['send_p95_s']} | {results['send_max_s']} | {results['lecturer_caught_up_s']} |")
    if results["lost_count"] or results["duplicated"] or results["unexpected"] or results["failed_sessions"]:
        sys.exit(1)


if __name__ == "__main__":
    main()
