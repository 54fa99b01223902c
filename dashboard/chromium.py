"""The headless Chromium everything here drives: the report's PDF, the browser tests, the screenshot and load scripts.

Debian's `chromium-headless-shell` first (apt-get install chromium-headless-shell): Chromium's own headless shell,
the same Blink without the desktop browser around it (Chromium's old headless mode, which Puppeteer's documentation
recommends where speed matters). On this project's 2-core VM it draws the dashboard's pages with 14% less CPU than
the full browser (BENCHMARKS.md, section 14). Where only the full browser is installed (apt-get install chromium),
that one; RNNLENS_CHROMIUM names any other.
"""

from __future__ import annotations

import os
from pathlib import Path

HEADLESS_SHELL = Path("/usr/bin/chromium-headless-shell")
BROWSER = Path("/usr/bin/chromium")
# No sandbox (containers and CI run as root); no GPU (software drawing, the same everywhere); nothing fetched but
# the pages asked for.
FLAGS = ["--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run", "--disable-background-networking",
         "--disable-component-update", "--disable-sync"]  # fmt: skip
INSTALL = "apt-get install -y --no-install-recommends chromium-headless-shell"


def chromium() -> Path | None:
    """The Chromium to drive: RNNLENS_CHROMIUM if set, else the headless shell, else the full browser; None if
    none is installed."""
    named = os.environ.get("RNNLENS_CHROMIUM")
    if named:
        return Path(named) if Path(named).exists() else None
    return next((path for path in (HEADLESS_SHELL, BROWSER) if path.exists()), None)


def launch(playwright):
    """Start that Chromium headless through Playwright (sync or async API: its `launch` is returned as it is)."""
    path = chromium()
    if path is None:
        raise RuntimeError(f"no Chromium here: {INSTALL} (or apt-get install chromium), or set RNNLENS_CHROMIUM")
    return playwright.chromium.launch(executable_path=str(path), args=FLAGS)
