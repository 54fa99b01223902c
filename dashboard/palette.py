"""Every colour that carries meaning, chosen so that the common colour-vision deficiencies still tell them apart.

About one man in twelve has a red-green deficiency (deuteranopia or protanopia and their milder forms), so
sentiment is never red against green: positive is Okabe & Ito's blue and negative their vermillion, a
blue/orange pair that stays far apart under every simulated deficiency (tests/test_palette.py measures it).
Categories (cells, gates, classes beyond two) take Okabe & Ito's colour-universal set ("Color Universal
Design", 2002). The hidden-state heatmap is grey/magenta, so a negative state never reads as "the negative class".
Meaning is never carried by colour alone: pages put a sign or a label beside it.

Text on a coloured background takes `ink_on(background)`: white where it reaches 4.5:1, else black, and the
tests hold every pairing we draw at WCAG 2.1's 4.5:1 (success criterion 1.4.3). Plain module: no Streamlit, no
Plotly, so the report and the figures import it alike.
"""

from __future__ import annotations

# Okabe & Ito's eight, by their names.
BLACK, ORANGE, SKY_BLUE, BLUISH_GREEN = "#000000", "#e69f00", "#56b4e9", "#009e73"
YELLOW, BLUE, VERMILLION, REDDISH_PURPLE = "#f0e442", "#0072b2", "#d55e00", "#cc79a7"

POSITIVE, NEGATIVE = BLUE, VERMILLION  # sentiment: every chip, bar and line that means "towards a class"
NEUTRAL = "#6b7280"  # a grey at 4.8:1 on white

INK = "#1f2937"  # body text and axes
DARK_INK = "#000000"  # text on light tints: black, so a mid tint still reaches 4.5:1 one way or the other
LIGHT_INK = "#ffffff"
MUTED_INK = "#4b5563"  # secondary text (captions, notes): 7.6:1 on white, where Streamlit's grey had 4.1:1
ALERT = VERMILLION  # a limit drawn on a chart (maxlen, a tolerance): a line, 3.9:1 on white (graphics need 3:1)
ALERT_TEXT = "#a84800"  # the same hue dark enough for text beside that line (5.9:1 on white)

CELL_COLOURS = {"rnn": VERMILLION, "lstm": BLUE, "gru": BLUISH_GREEN}
GATE_COLOURS = {"input": BLUISH_GREEN, "forget": BLUE, "output": ORANGE, "reset": VERMILLION, "update": REDDISH_PURPLE}
CLASS_COLOURS = {"negative": NEGATIVE, "neutral": NEUTRAL, "positive": POSITIVE}
CATEGORIES = [VERMILLION, BLUE, BLUISH_GREEN, REDDISH_PURPLE, ORANGE, SKY_BLUE, BLACK]  # any other classes, in turn
BASELINE_COLOURS = {"tfidf-lr": "#374151", "majority": "#9ca3af"}  # bag-of-words baselines: greys, dotted lines
OTHER_COLOUR = NEUTRAL

# Scales. Hidden states: grey (-) to magenta (+) around white. Blue and orange lie on the one colour axis dichromats
# keep, so every coloured diverging scale meets one of them: purple reads as blue under deuteranopia, green as
# orange. Grey and ColorBrewer PiYG's magenta stay apart from both under every deficiency (tests/test_palette.py).
HIDDEN_STATES = [[0.0, "#404040"], [0.25, "#bababa"], [0.5, "#f7f7f7"], [0.75, "#f1b6da"], [1.0, "#c51b7d"]]
SEQUENTIAL = [[0.0, "#f4f6fd"], [1.0, "#3558d6"]]  # one hue, light to dark: counts, shares, attention weights
GATE_SCALE = [[0.0, "#ffffff"], [1.0, "#1f3a93"]]  # a gate's value in [0, 1]
# Significance verdicts: a blue scale (darker is more certain) with its mark (✓ ?) written in every cell.
REAL, BORDERLINE, NOISE = "#2b6cb0", "#c3dafe", "#f3f4f6"


def rgb(hex_colour: str) -> tuple[int, int, int]:
    return tuple(int(hex_colour[index : index + 2], 16) for index in (1, 3, 5))


def tint(hex_colour: str, strength: float) -> str:
    """`hex_colour` laid over white at opacity `strength` (0 white, 1 the colour), as an opaque hex colour: the
    background a word chip shows, so its text colour can be chosen against what is really drawn."""
    mixed = (round(255 + (channel - 255) * strength) for channel in rgb(hex_colour))
    return "#" + "".join(f"{channel:02x}" for channel in mixed)


def relative_luminance(hex_colour: str) -> float:
    """WCAG 2.1's relative luminance of an sRGB colour (0 black, 1 white)."""
    linear = []
    for channel in rgb(hex_colour):
        value = channel / 255
        linear.append(value / 12.92 if value <= 0.04045 else ((value + 0.055) / 1.055) ** 2.4)
    return 0.2126 * linear[0] + 0.7152 * linear[1] + 0.0722 * linear[2]


def contrast(foreground: str, background: str) -> float:
    """WCAG 2.1's contrast ratio, 1 to 21 (AA asks 4.5 for body text, 3 for large text and graphics)."""
    lighter, darker = sorted((relative_luminance(foreground), relative_luminance(background)), reverse=True)
    return (lighter + 0.05) / (darker + 0.05)


def ink_on(background: str) -> str:
    """White text where it reaches AA's 4.5:1 on `background`, else black (which then reaches at least 4.58:1)."""
    return LIGHT_INK if contrast(LIGHT_INK, background) >= 4.5 else DARK_INK


def sign(score: float) -> str:
    """The sign drawn beside a sentiment colour: "+" towards the class, "−" away from it."""
    return "+" if score >= 0 else "−"
