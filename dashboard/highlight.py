"""Tokens as coloured chips in HTML: the one place where user text is turned into markup.

    st.html(token_chips([("Great", "known"), ("<b>", "unknown")], LOOKS))

Every token is escaped with `html.escape`, so a review containing `<script>` or
`<img onerror=...>` shows those characters instead of running them. Pages that
colour tokens (the Playground; attributions later) build their HTML here.
"""

from __future__ import annotations

import html

CHIP = "border-radius:4px;padding:1px 5px;margin:2px;display:inline-block"
# How the Playground marks what a model reads: known word, <unk>, cut off by maxlen.
READ_LOOKS = {
    "known": "background:#eef2ff;color:#1f2937",
    "unknown": "background:#fff7ed;color:#9a3412;text-decoration:line-through",
    "beyond": "background:#f3f4f6;color:#9ca3af",
}


def token_chips(tokens: list[tuple[str, str]], looks: dict[str, str], hidden: int = 0) -> str:
    """One chip per (text, kind), styled by `looks[kind]`; `hidden` tokens left out are counted at the end.

    `looks` values are our own CSS, never user input; the token texts are escaped.
    """
    chips = "".join(f'<span style="{looks[kind]};{CHIP}">{html.escape(text)}</span>' for text, kind in tokens)
    more = f'<span style="color:#6b7280;margin-left:6px">… and {hidden:,} more tokens</span>' if hidden > 0 else ""
    return f'<div style="line-height:2;font-size:1rem">{chips}{more}</div>'
