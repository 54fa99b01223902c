"""Server-side render time of every dashboard page, cold and warm.

    python scripts/benchmark_dashboard.py [--artifacts DIR] [--repeats 10]

Needs the quick zoo on rt-polarity in the store (default: $RNNLENS_ARTIFACTS or
./artifacts): `python -m pipelines train --dataset rt-polarity --zoo quick`.

How it measures: Streamlit's AppTest runs the real app script in-process, the
way the server does for a browser session, and we time `AppTest.run()` (the
whole script: app frame, sidebar, page) with a wall clock. Browser drawing and
the websocket are not included.
- cold: the first render of a page in a fresh Python process (Streamlit itself
  imported beforehand), so it pays for the page's imports (the Playground
  imports PyTorch), empty caches and model loading.
- warm: the median of the next `--repeats` renders of the same page in that
  process, with the caches filled, as when a user comes back to a page or
  changes a widget.
- "..., new text": warm, but a different review each time, so every model
  predicts (or explains) afresh; the models themselves stay loaded.
- "Inside the model: Hidden states" and "Glass box: One text, token by token":
  those tabs open instead of the first.
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
from pathlib import Path

import dashboard.pages

PROJECT = Path(__file__).resolve().parent.parent
APP = PROJECT / "dashboard" / "app.py"
PAGES = {page.title: page.path for page in dashboard.pages.PAGES}
# Pages that read a typed text: the widget that holds it ("new text" cases type a fresh one each time).
TEXT_WIDGETS = {"Playground": ("text_input", "text"), "Inside the model": ("text_input", "text"),
                "Glass box": ("text_input", "glass_box_text")}  # fmt: skip
# Tabs measured open too; the Glass box's text box is on its token-by-token tab only.
TABS = {"Inside the model": ("tab", "Hidden states"),
        "Glass box": ("tab", "One text, token by token")}  # fmt: skip
TARGET_WARM_MS = 300


def measure_page(page: str, repeats: int, new_text: bool) -> dict:
    """Runs in a fresh process: cold render, then `repeats` warm ones."""
    from streamlit.testing.v1 import AppTest

    app = AppTest.from_file(str(APP), default_timeout=600).switch_page(PAGES[page.split(",")[0]])
    if "," in page:  # e.g. "Inside the model,Hidden states": that tab open
        key, tab = TABS[page.split(",")[0]]
        app.session_state[key] = tab
    started = time.perf_counter()
    app.run()
    cold = time.perf_counter() - started
    problems = [str(e.value) for e in app.exception] + [str(e.value) for e in app.error]
    warm = []
    for repeat in range(repeats):
        if new_text:
            kind, key = TEXT_WIDGETS[page.split(",")[0]]
            getattr(app, kind)(key=key).input(f"A moving film, take {repeat}, with a dull ending.")
        started = time.perf_counter()
        app.run()
        warm.append(time.perf_counter() - started)
        problems += [str(e.value) for e in app.exception]
    return {"cold_ms": cold * 1000, "warm_ms": statistics.median(warm) * 1000, "warm_max_ms": max(warm) * 1000,
            "problems": problems}  # fmt: skip


def check_store(root: Path) -> int:
    from pipelines.store import Store

    quick = [r for r in Store(root).runs("rt-polarity") if r.state == "done" and r.spec.zoo == "quick"]
    if len(quick) < 7:
        command = f"python -m pipelines --artifacts {root} train --dataset rt-polarity --zoo quick"
        raise SystemExit(f"{root} has {len(quick)} finished quick-zoo runs on rt-polarity, need 7: run `{command}`")
    return len(Store(root).runs("rt-polarity"))


def machine() -> str:
    try:
        model = next(line.split(":", 1)[1].strip() for line in open("/proc/cpuinfo") if line.startswith("model name"))
    except (OSError, StopIteration):
        model = platform.processor() or "unknown CPU"
    import streamlit

    return f"{model}, {os.cpu_count()} cores, Python {platform.python_version()}, Streamlit {streamlit.__version__}"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--artifacts", default=os.environ.get("RNNLENS_ARTIFACTS") or str(PROJECT / "artifacts"))
    parser.add_argument("--repeats", type=int, default=10)
    parser.add_argument("--page", help=argparse.SUPPRESS)  # internal: measure one page in this process
    parser.add_argument("--new-text", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    root = Path(args.artifacts).resolve()
    os.environ["RNNLENS_ARTIFACTS"] = str(root)

    if args.page:
        print(json.dumps(measure_page(args.page, args.repeats, args.new_text)))
        return

    runs = check_store(root)
    cases = [(page, False) for page in PAGES] + [(page, True) for page in TEXT_WIDGETS if page != "Glass box"]
    cases += [(f"{page},{tab}", new_text) for page, (_, tab) in TABS.items() for new_text in (False, True)]
    load_before = os.getloadavg()[0]
    rows = []
    for page, new_text in cases:
        command = [sys.executable, __file__, "--artifacts", str(root), "--repeats", str(args.repeats), "--page", page]
        command += ["--new-text"] if new_text else []
        result = subprocess.run(command, capture_output=True, text=True, cwd=PROJECT)
        if result.returncode != 0:
            raise SystemExit(f"{page}: the benchmark process failed:\n{result.stderr[-3000:]}")
        figures = json.loads(result.stdout.strip().splitlines()[-1])
        name = ": ".join(page.split(",", 1)) + (", new text" if new_text else "")
        rows.append((name, figures))
        problems = f"   PROBLEMS: {figures['problems']}" if figures["problems"] else ""
        print(f"{name:<48} cold {figures['cold_ms']:7.0f} ms   warm {figures['warm_ms']:6.0f} ms "
              f"(max {figures['warm_max_ms']:.0f}){problems}", flush=True)  # fmt: skip

    print(f"\nMachine: {machine()}; load average {load_before:.1f} before, {os.getloadavg()[0]:.1f} after")
    print(f"Store: {root} (rt-polarity, {runs} runs); warm = median of {args.repeats} renders\n")
    print("| page | cold (ms) | warm (ms, median) | warm (ms, max) |")
    print("|---|---:|---:|---:|")
    for name, figures in rows:
        flag = "" if figures["warm_ms"] < TARGET_WARM_MS else " ⚠"
        print(f"| {name} | {figures['cold_ms']:.0f} | {figures['warm_ms']:.0f}{flag} | {figures['warm_max_ms']:.0f} |")


if __name__ == "__main__":
    main()
