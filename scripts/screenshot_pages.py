"""Screenshots of dashboard pages against a store, in headless Debian Chromium (for docs/ and for looking).

    python scripts/screenshot_pages.py --artifacts artifacts --dataset rt-polarity --pages compare deploy --out docs
    python scripts/screenshot_pages.py --pages deploy --presentation --out screenshots
    python scripts/screenshot_pages.py --pages playground inside --width 390 --height 2400 --suffix=-phone \
        --query 'text=It+was+not+bad.&tab=Gates'                       # a phone, scrolled all the way down
    python scripts/screenshot_pages.py --lecture why-gates-matter --out docs/lecture   # every step, 1920x1080
    python scripts/screenshot_pages.py --pages playground inside --vision deuteranopia --out docs/accessibility \
        --query 'text=Not+bad+at+all,+a+fine+film.' --jpeg        # as a person with deuteranopia sees it

Starts `streamlit run dashboard/app.py` on a free port, opens each page (the data
set and presentation mode go in the address), waits until the script has run and
its charts are drawn, and saves `<page>[-presentation].png`. `--scroll-to TEXT`
makes the picture start at a heading instead of the top of the page. `--lecture NAME` walks a lecture instead, as
a lecturer does: step 1 from its address in presentation mode at 1920x1080, then the right arrow key, saving
`step-N.jpg` for each step.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from load_test import READY, free_port, start_server  # noqa: E402

VISIONS = ("deuteranopia", "protanopia", "tritanopia", "achromatopsia", "blurredVision")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--artifacts", default="artifacts")
    parser.add_argument("--dataset", default="rt-polarity")
    parser.add_argument("--pages", nargs="+", default=[], help="page keys, e.g. compare deploy")
    parser.add_argument("--lecture", default=None, help="a lecture's name: screenshot each of its steps")
    parser.add_argument("--presentation", action="store_true")
    parser.add_argument("--scroll-to", default=None, help="a heading to start the picture at")
    parser.add_argument("--width", type=int, default=None, help="1400 (a laptop), 1920 with --presentation, 390 "
                        "for a phone")
    parser.add_argument("--height", type=int, default=None, help="1500, or 1080 with --presentation")
    parser.add_argument("--query", default="", help="more of the address, e.g. 'text=It+was+not+bad.&tab=Gates'")
    parser.add_argument("--suffix", default="", help="added to the file names, e.g. -phone")
    parser.add_argument("--out", default="screenshots")
    parser.add_argument("--vision", default=None, choices=VISIONS, help="Chromium's emulated colour-vision "
                        "deficiency (DevTools Emulation.setEmulatedVisionDeficiency); adds -NAME to the file names")
    parser.add_argument("--jpeg", action="store_true", help="small JPEGs (quality 70) instead of PNGs, for docs/")
    args = parser.parse_args()
    from playwright.sync_api import sync_playwright

    from dashboard import chromium
    from dashboard.pages import BY_KEY

    port = free_port()
    server = start_server(args.artifacts, port)
    url = f"http://127.0.0.1:{port}"
    try:
        out = Path(args.out)
        out.mkdir(parents=True, exist_ok=True)
        with sync_playwright() as playwright:
            browser = chromium.launch(playwright)
            if args.lecture:
                walk_lecture(browser, url, args.lecture, Path(args.artifacts), out)
            width = args.width or (1920 if args.presentation else 1400)  # a projector, or a laptop
            height = args.height or (1080 if args.presentation else 1500)
            page = browser.new_page(viewport={"width": width, "height": height})
            if args.vision:  # the whole page as the deficiency shows it, screenshots included
                page.context.new_cdp_session(page).send("Emulation.setEmulatedVisionDeficiency", {"type": args.vision})
            for key in args.pages:
                query = f"?dataset={args.dataset}" + ("&presentation=true" if args.presentation else "")
                query += f"&{args.query}" if args.query else ""
                page.goto(f"{url}/{BY_KEY[key].url_path}{query}")  # the default page lives at the plain address
                settle(page)
                if args.scroll_to:
                    page.get_by_text(args.scroll_to, exact=True).first.scroll_into_view_if_needed()
                    page.wait_for_timeout(800)
                vision = f"-{args.vision}" if args.vision else ""
                name = out / f"{key}{'-presentation' if args.presentation else ''}{args.suffix}{vision}"
                name = name.with_suffix(".jpg" if args.jpeg else ".png")
                page.screenshot(path=str(name), **({"type": "jpeg", "quality": 70} if args.jpeg else {}))
                print(name)
            browser.close()
    finally:
        server.terminate()
        server.wait(timeout=30)


def settle(page) -> None:
    for _ in range(2):
        page.wait_for_selector(READY, timeout=120_000)
        page.wait_for_timeout(1500)


def walk_lecture(browser, url: str, name: str, store: Path, out: Path) -> None:
    from dashboard.lecture import every

    steps = every(store)[name].steps
    page = browser.new_page(viewport={"width": 1920, "height": 1080})
    page.goto(f"{url}/?lecture={name}&lecture_step=1&presentation=true")
    for number in range(1, len(steps) + 1):
        settle(page)
        path = out / f"step-{number}.jpg"
        page.screenshot(path=str(path), type="jpeg", quality=70)
        print(path, steps[number - 1].page)
        if number < len(steps):
            page.keyboard.press("ArrowRight")
            page.wait_for_url(f"**lecture_step={number + 1}**", timeout=120_000)


if __name__ == "__main__":
    main()
