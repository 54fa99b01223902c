"""Tokens as coloured chips in HTML: the one place where user text is turned into markup.

    st.html(token_chips([("Great", "known"), ("<b>", "unknown")], LOOKS))

Every token is escaped with `html.escape`, so a review containing `<script>` or
`<img onerror=...>` shows those characters instead of running them. Pages that
colour tokens (the Playground; attributions later) build their HTML here.
"""

from __future__ import annotations

import html

from dashboard.figures import OTHER_COLOUR, class_colour
from dashboard.palette import INK, MUTED_INK, ink_on, sign, tint
from pipelines.data.characters import BOUNDARY

CHIP = "border-radius:4px;padding:1px 5px;margin:2px;display:inline-block"
# How the Playground marks what a model reads: known word, <unk>, cut off by maxlen.
READ_LOOKS = {
    "known": f"background:#eef2ff;color:{INK}",
    "unknown": "background:#fff7ed;color:#9a3412;text-decoration:line-through",
    "beyond": f"background:#f3f4f6;color:{MUTED_INK}",  # 6.9:1, not 2.4:1
}
SIGNED = 0.15  # a chip tinted at least this strongly carries its sign (+ or −) beside its colour
MORE = f'<span style="color:{MUTED_INK};margin-left:6px">… and {{hidden:,}} more tokens</span>'


def token_chips(tokens: list[tuple[str, str]], looks: dict[str, str], hidden: int = 0) -> str:
    """One chip per (text, kind), styled by `looks[kind]`; `hidden` tokens left out are counted at the end.

    `looks` values are our own CSS, never user input; the token texts are escaped.
    """
    chips = "".join(f'<span style="{looks[kind]};{CHIP}">{html.escape(text)}</span>' for text, kind in tokens)
    more = MORE.format(hidden=hidden) if hidden > 0 else ""
    return f'<div style="line-height:2;font-size:1rem">{chips}{more}</div>'


def attribution_chips(tokens: list[tuple[str, float, bool]], max_abs: float, towards: str, against: str,
                      hidden: int = 0) -> str:  # fmt: skip
    """One chip per (text, score, known) token, tinted by its score: `towards` colour if positive, else `against`.

    The tint's strength is |score| / max_abs (the strongest word is fully tinted). Meaning never by colour
    alone: a visibly tinted word carries its sign, + or −, after it. Its text is white or black, whichever
    contrasts more with the tint (4.5:1 at least, WCAG 2.1 AA). Unknown words are underlined with dots.
    Colours are our own hex strings; the token texts are escaped, and the hover text holds only a number.
    """
    chips = []
    for text, score, known in tokens:
        strength = min(abs(score) / max_abs, 1.0) if max_abs > 0 else 0.0
        background = tint(towards if score >= 0 else against, strength)
        underline = "" if known else ";text-decoration:underline dotted"
        mark = f'<sup style="margin-left:2px">{sign(score)}</sup>' if strength >= SIGNED else ""
        chips.append(f'<span title="{score:+.3f}" style="background:{background};color:{ink_on(background)};'
                     f'{CHIP}{underline}">{html.escape(text)}{mark}</span>')  # fmt: skip
    more = MORE.format(hidden=hidden) if hidden > 0 else ""
    return f'<div style="line-height:2.1;font-size:1.05rem">{"".join(chips)}{more}</div>'


def colour_key(items: list[tuple[str, str]]) -> str:
    """A one-line key: a swatch per (label, colour). Labels are escaped (class names come from data files)."""
    swatches = "".join(
        f'<span style="display:inline-block;width:0.9em;height:0.9em;background:{colour};border-radius:2px;'
        f'margin:0 4px -1px 10px"></span>{html.escape(label)}'
        for label, colour in items
    )
    return f'<div style="color:{MUTED_INK};font-size:0.9rem">{swatches}</div>'


def explanation_chips(explanation, attribution) -> str:
    """The words of a `pipelines.explain.Explanation`, tinted by one of its attributions, with a colour key.

    Positive scores take the explained class's colour; negative ones the other
    class's (two classes) or grey (more).
    """
    target, classes = explanation.target, explanation.classes
    towards = class_colour(classes[target], target)
    against = class_colour(classes[1 - target], 1 - target) if len(classes) == 2 else OTHER_COLOUR
    tokens = [(explanation.text[token.start : token.end], float(score), token.known)
              for token, score in zip(explanation.read_tokens, attribution.scores)]  # fmt: skip
    key = [(f"+ towards {classes[target]}", towards)] + ([("− away from it", against)] if attribution.signed else [])
    chips = attribution_chips(tokens, attribution.max_abs, towards, against, hidden=explanation.truncated)
    return chips + colour_key(key)


def word_weight_chips(weights) -> str:
    """A linear baseline's words (`pipelines.baselines.WordWeights`), tinted by their share of its logit.

    Words of no known n-gram are underlined with dots (the model has no weight for them).
    """
    target, classes = weights.target, weights.classes
    towards = class_colour(classes[target], target)
    against = class_colour(classes[1 - target], 1 - target) if len(classes) == 2 else OTHER_COLOUR
    tokens = [(weights.text[token.start : token.end], float(score), known)
              for token, score, known in zip(weights.tokens, weights.scores, weights.known)]  # fmt: skip
    chips = attribution_chips(tokens, weights.max_abs, towards, against)
    return chips + colour_key([(f"+ towards {classes[target]}", towards), ("− away from it", against)])


def written_text(prompt: str, written: list[tuple[str, float, str]]) -> str:
    """What a language model wrote after `prompt`: one span per (character, probability, hover) it wrote.

    The prompt is grey; a written character is tinted amber the less likely the model found it (none at
    50% and above), and its hover title lists the model's candidates at that point. A review's end (the
    boundary) shows as ⏎ and starts a new line. Every character and title is escaped.
    """
    spans = []
    for character, probability, hover in written:
        amber = f"background:rgba(245,158,11,{min(0.7, max(0.0, 0.5 - probability) * 1.4):.2f});"
        shown = "⏎<br>" if character == BOUNDARY else html.escape(character)
        spans.append(f'<span title="{html.escape(hover, quote=True)}" style="{amber}border-radius:2px">{shown}</span>')
    return (f'<div style="white-space:pre-wrap;line-height:1.9;font-size:1.05rem">'
            f'<span style="color:{MUTED_INK}">{html.escape(prompt)}</span>{"".join(spans)}</div>')  # fmt: skip
