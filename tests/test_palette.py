"""dashboard/palette.py: colours that people with the common colour-vision deficiencies still tell apart, and text
that stays readable on them (WCAG 2.1 AA).

Deficiencies are simulated with Machado, Oliveira & Fernandes (2009) at full severity (dichromacy: deuteranopia,
protanopia, tritanopia) through `colorspacious`, and colours compared with CIEDE2000 (Sharma, Wu & Dalal 2005).
The bounds: ΔE2000 ≥ 20 for the sentiment pair, which is often the only thing that tells a "towards" word from an
"away" word at a glance (about 20 is where two colours stop being "similar" and read as different colours; ΔE 2 is
a just-noticeable difference); ΔE2000 ≥ 10 for category colours drawn side by side (cells, gates, classes), which
also carry a legend, a label or a line style. Our old red/green pair falls to 10 under deuteranopia: the test
below shows the bound would have caught it.
"""

from __future__ import annotations

import itertools
import math
import re
from pathlib import Path

import numpy as np
import pytest

from dashboard import palette

DEFICIENCIES = ("deuteranomaly", "protanomaly", "tritanomaly")  # at severity 100: -anopia
SENTIMENT_BOUND, CATEGORY_BOUND = 20.0, 10.0
SIDE_BY_SIDE = {  # colours one chart draws together
    "cells": list(palette.CELL_COLOURS.values()),
    "LSTM gates": [palette.GATE_COLOURS[gate] for gate in ("input", "forget", "output")],
    "GRU gates": [palette.GATE_COLOURS[gate] for gate in ("reset", "update")],
    "classes": list(palette.CLASS_COLOURS.values()),
}
DASHBOARD = Path(__file__).resolve().parent.parent / "dashboard"
OLD_NEGATIVE, OLD_POSITIVE = "#c8414b", "#2a9d6f"  # before issue 26


def ciede2000(first: np.ndarray, second: np.ndarray) -> float:
    """CIEDE2000 colour difference of two CIELab colours (Sharma, Wu & Dalal 2005, equations 2-22)."""
    (l1, a1, b1), (l2, a2, b2) = first, second
    mean_chroma = (math.hypot(a1, b1) + math.hypot(a2, b2)) / 2
    g = 0.5 * (1 - math.sqrt(mean_chroma**7 / (mean_chroma**7 + 25**7)))
    a1, a2 = (1 + g) * a1, (1 + g) * a2
    c1, c2 = math.hypot(a1, b1), math.hypot(a2, b2)
    h1, h2 = (math.degrees(math.atan2(b, a)) % 360 if c else 0.0 for a, b, c in ((a1, b1, c1), (a2, b2, c2)))
    delta_h = 0.0 if c1 * c2 == 0 else (h2 - h1 if abs(h2 - h1) <= 180 else h2 - h1 - 360 * np.sign(h2 - h1))
    delta_big_h = 2 * math.sqrt(c1 * c2) * math.sin(math.radians(delta_h / 2))
    mean_l, mean_c = (l1 + l2) / 2, (c1 + c2) / 2
    if c1 * c2 == 0:
        mean_h = h1 + h2
    elif abs(h1 - h2) <= 180:
        mean_h = (h1 + h2) / 2
    else:
        mean_h = (h1 + h2 + 360) / 2 if h1 + h2 < 360 else (h1 + h2 - 360) / 2
    t = (1 - 0.17 * math.cos(math.radians(mean_h - 30)) + 0.24 * math.cos(math.radians(2 * mean_h))
         + 0.32 * math.cos(math.radians(3 * mean_h + 6)) - 0.20 * math.cos(math.radians(4 * mean_h - 63)))  # fmt: skip
    rotation = 30 * math.exp(-(((mean_h - 275) / 25) ** 2))
    r_c = 2 * math.sqrt(mean_c**7 / (mean_c**7 + 25**7))
    s_l = 1 + 0.015 * (mean_l - 50) ** 2 / math.sqrt(20 + (mean_l - 50) ** 2)
    s_c, s_h = 1 + 0.045 * mean_c, 1 + 0.015 * mean_c * t
    r_t = -math.sin(math.radians(2 * rotation)) * r_c
    lightness, chroma, hue = (l2 - l1) / s_l, (c2 - c1) / s_c, delta_big_h / s_h
    return math.sqrt(lightness**2 + chroma**2 + hue**2 + r_t * chroma * hue)


def seen(hex_colour: str, deficiency: str | None) -> np.ndarray:
    """The colour as CIELab, as a person with `deficiency` (or none) sees it on an sRGB screen."""
    from colorspacious import cspace_convert

    colour = np.array(palette.rgb(hex_colour)) / 255
    if deficiency:
        simulated = {"name": "sRGB1+CVD", "cvd_type": deficiency, "severity": 100}
        colour = np.clip(cspace_convert(colour, simulated, "sRGB1"), 0, 1)
    return cspace_convert(colour, "sRGB1", "CIELab")


def difference(first: str, second: str, deficiency: str | None) -> float:
    return ciede2000(seen(first, deficiency), seen(second, deficiency))


@pytest.mark.parametrize("first, second, expected", [  # Sharma, Wu & Dalal's test data, pairs 1 and 7
    ((50.0, 2.6772, -79.7751), (50.0, 0.0, -82.7485), 2.0425), ((50.0, 0.0, 0.0), (50.0, -1.0, 2.0), 2.3669)])
def test_ciede2000_matches_the_published_test_data(first, second, expected):
    assert ciede2000(np.array(first), np.array(second)) == pytest.approx(expected, abs=1e-4)


@pytest.mark.parametrize("deficiency", (None, *DEFICIENCIES))
def test_positive_and_negative_stay_apart_under_every_deficiency(deficiency):
    assert difference(palette.POSITIVE, palette.NEGATIVE, deficiency) >= SENTIMENT_BOUND


def test_the_bound_would_have_caught_the_old_red_and_green():
    assert difference(OLD_POSITIVE, OLD_NEGATIVE, "deuteranomaly") < SENTIMENT_BOUND  # 10.3: nearly one colour


@pytest.mark.parametrize("group", SIDE_BY_SIDE)
@pytest.mark.parametrize("deficiency", (None, *DEFICIENCIES))
def test_colours_drawn_side_by_side_stay_apart(group, deficiency):
    for first, second in itertools.combinations(SIDE_BY_SIDE[group], 2):
        assert difference(first, second, deficiency) >= CATEGORY_BOUND, (group, first, second, deficiency)


def test_hidden_states_do_not_use_the_sentiment_hues():
    ends = [palette.HIDDEN_STATES[0][1], palette.HIDDEN_STATES[-1][1]]
    sentiments = (palette.POSITIVE, palette.NEGATIVE)
    for end, sentiment, deficiency in itertools.product(ends, sentiments, (None, *DEFICIENCIES)):
        assert difference(end, sentiment, deficiency) >= CATEGORY_BOUND, (end, sentiment, deficiency)


def test_contrast_follows_wcag():
    assert palette.contrast("#ffffff", "#000000") == pytest.approx(21.0)
    assert palette.contrast("#777777", "#ffffff") == pytest.approx(4.48, abs=0.01)  # the classic near miss
    assert palette.contrast("#ffffff", "#4cad86") < 4.5  # the old highlight: white on green, 2.75:1 measured by axe


@pytest.mark.parametrize("colour", [palette.POSITIVE, palette.NEGATIVE, palette.NEUTRAL, *palette.CATEGORIES])
def test_text_on_every_tint_of_a_colour_reaches_aa(colour):
    for strength in np.linspace(0, 1, 101):
        background = palette.tint(colour, strength)
        assert palette.contrast(palette.ink_on(background), background) >= 4.5, (colour, strength)


def test_text_colours_on_white_reach_aa_and_lines_reach_three_to_one():
    for ink in (palette.INK, palette.MUTED_INK, palette.ALERT_TEXT, palette.NEUTRAL, palette.REAL):
        assert palette.contrast(ink, "#ffffff") >= 4.5, ink
    for line in (palette.POSITIVE, palette.NEGATIVE, palette.ALERT, *palette.CELL_COLOURS.values()):
        assert palette.contrast(line, "#ffffff") >= 3.0, line  # WCAG 1.4.11, graphical objects


def test_no_red_against_green_is_left_in_the_dashboard():
    """The old sentiment and hidden-state colours and red/green scales are gone from every page, figure and report."""
    old = re.compile(r"#c8414b|#2a9d6f|#4cad86|#5aae61|#65a765|RdBu|RdYlGn|RdYlBu", re.IGNORECASE)
    found = [f"{path}:{number}" for path in sorted(DASHBOARD.rglob("*.py"))
             for number, line in enumerate(path.read_text().splitlines(), 1) if old.search(line)]  # fmt: skip
    assert not found, found
