"""Figure builders for language models: plain data in, a Plotly figure out. No Streamlit here.

- `character_grid`: the text a model wrote, one square per character, coloured by the probability the
  model gave it; hovering shows the model's likeliest candidates at that point, clicking picks it.
- `candidate_bars`: the candidates for one character, the one written marked.
- `bits_bars`: bits per character of every model on the test passages, n-gram baselines in grey.
"""

from __future__ import annotations

import math

import pandas as pd
import plotly.graph_objects as go

from dashboard.figures import CELL_COLOURS, INK, OTHER_COLOUR
from pipelines.data.characters import BOUNDARY, readable

# Probability of the character written: amber where the model was surprised by its own draw, blue where sure.
CONFIDENCE = [[0.0, "#f59e0b"], [0.2, "#fde68a"], [0.5, "#e0e7ff"], [1.0, "#3558d6"]]
PROMPT_COLOUR = "#d1d5db"
GRID_COLUMNS = 32  # squares of 20 px (30 px in presentation mode) side by side in a page-wide chart
MIN_ROWS = 4  # a short text still leaves its colour bar room to be read


def _grid_positions(characters: list[str], columns: int) -> tuple[list[int], list[int]]:
    """(column, row) of each character, left to right; a new row after `columns` characters or a review's end."""
    xs, ys, column, row = [], [], 0, 0
    for character in characters:
        if column == columns:
            column, row = 0, row + 1
        xs.append(column)
        ys.append(row)
        column += 1
        if character == BOUNDARY:
            column = columns  # the next review starts on a new row
    return xs, ys


def character_grid(prompt: str, written: list[str], probabilities: list[float], hovers: list[str],
                   columns: int = GRID_COLUMNS) -> go.Figure:  # fmt: skip
    """The prompt (grey) and the written characters, each a square coloured by the probability the model gave
    the character it wrote. `hovers` (one per written character) is the hover text; each written square's
    `customdata` is its index in `written`, for a click to pick it."""
    xs, ys = _grid_positions(list(prompt) + written, columns)
    cut = len(prompt)
    square = dict(symbol="square", size=20, line=dict(width=0))
    figure = go.Figure()
    if prompt:
        figure.add_scatter(x=xs[:cut], y=ys[:cut], mode="markers+text", text=[readable(c) for c in prompt],
                           marker=dict(color=PROMPT_COLOUR, **square), textfont=dict(color=INK), name="prompt",
                           hovertemplate="prompt<extra></extra>", showlegend=False)  # fmt: skip
    figure.add_scatter(
        x=xs[cut:], y=ys[cut:], mode="markers+text", text=[readable(c) for c in written], name="written",
        customdata=list(range(len(written))), hovertext=hovers, hovertemplate="%{hovertext}<extra></extra>",
        marker=dict(color=probabilities, cmin=0.0, cmax=1.0, colorscale=CONFIDENCE, showscale=True,
                    colorbar=dict(title="P", thickness=12, len=0.9, tickformat=".0%"), **square),
        textfont=dict(color=["white" if p > 0.7 else INK for p in probabilities]), showlegend=False,
    )  # fmt: skip
    rows = max(max(ys, default=0) + 1, MIN_ROWS)
    figure.update_xaxes(visible=False, range=[-0.7, columns - 0.3], fixedrange=True)
    figure.update_yaxes(visible=False, range=[rows - 0.5, -0.7], fixedrange=True)
    figure.update_layout(title="What it wrote, character by character: colour = the probability it gave each one",
                         clickmode="event+select", dragmode=False)  # fmt: skip
    return figure


def grid_height(prompt: str, written: list[str], columns: int = GRID_COLUMNS) -> int:
    """The `character_grid`'s height in pixels: 30 a row, and room for the title."""
    _, ys = _grid_positions(list(prompt) + written, columns)
    return 100 + 30 * max(max(ys, default=0) + 1, MIN_ROWS)


def candidate_bars(candidates: list[tuple[str, float]], written: tuple[str, float], context: str,
                   colour: str) -> go.Figure:  # fmt: skip
    """The model's likeliest next characters after `context`, most likely on top; the one written (character,
    probability) in `colour`, added at the bottom when it was not among them."""
    if written[0] not in {character for character, _ in candidates}:
        candidates = [*candidates, written]
    names = [readable(character) for character, _ in candidates][::-1]
    values = [probability for _, probability in candidates][::-1]
    colours = [colour if character == written[0] else OTHER_COLOUR for character, _ in candidates][::-1]
    figure = go.Figure(go.Bar(x=values, y=names, orientation="h", marker_color=colours, textposition="outside",
                              text=[f"{value:.1%}" for value in values], cliponaxis=False,
                              hovertemplate="%{y}: %{x:.2%}<extra></extra>"))  # fmt: skip
    figure.update_layout(title=f"After “…{context[-30:]}”: the likeliest next characters")
    figure.update_xaxes(tickformat=".0%", range=[0, min(1.0, max(values, default=1) * 1.25)], title="probability")
    figure.update_yaxes(type="category", tickfont=dict(size=16))
    return figure


def bits_bars(board: pd.DataFrame, alphabet_size: int | None) -> go.Figure:
    """Test bits per character, fewest (best) on top. `board` (`tables_language.language_model_board`) needs
    model, cell (None for n-grams) and "bits per character"; the dashed line is a model that knows nothing
    (uniform: log2 of the alphabet)."""
    ordered = board.sort_values("bits per character", ascending=False)
    colours = [CELL_COLOURS.get(cell, OTHER_COLOUR) if isinstance(cell, str) else "#9ca3af" for cell in ordered["cell"]]
    figure = go.Figure(go.Bar(
        x=ordered["bits per character"], y=ordered["model"], orientation="h", marker_color=colours,
        text=[f"{value:.3f}" for value in ordered["bits per character"]], textposition="outside", cliponaxis=False,
        hovertemplate="%{y}: %{x:.3f} bits per character<extra></extra>",
    ))  # fmt: skip
    if alphabet_size:
        uniform = math.log2(alphabet_size)
        figure.add_vline(x=uniform, line=dict(color=INK, dash="dash", width=1.5),
                         annotation_text=f"knows nothing: log2 {alphabet_size} = {uniform:.2f}",
                         annotation_position="top left")  # fmt: skip
    figure.update_layout(title="Bits per character on the test passages (fewer is better; grey: n-gram baselines)")
    figure.update_xaxes(title="bits per character", rangemode="tozero")
    figure.update_yaxes(type="category")
    return figure
