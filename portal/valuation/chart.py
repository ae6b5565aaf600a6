"""The depreciation curve of a valuation, drawn on the server as inline SVG (pure).

The engine gives the private price of the model at 0..15 years, driven the expected
mileage (`engine.depreciation_curve`); this draws it as a line over a grid in years and
yuan, with a marker where the car itself stands. The caller passes the words already
translated and a function that writes an amount on the axis, so this module needs
neither Flask nor the database; every text is escaped here. The drawing has a viewBox
and no fixed size, so it scales to a phone's width.
"""

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from markupsafe import Markup, escape

WIDTH, HEIGHT = 360, 220  # viewBox units; the CSS scales the drawing to its container
LEFT, RIGHT, TOP, BOTTOM = 62, 12, 14, 40  # room for the axis labels
YEAR_TICKS = 3  # a labelled tick every three years
STEP_TENTHS = (2, 4, 5, 10, 20)  # grid steps, in tenths of the power of ten below the top
FONT_SIZE = 12
# Drawn plainly here so the chart reads without the stylesheet; portal.css refines it.
LINE, MARK = "#0b5cad", "#b54708"  # the portal's brand blue; the marker in warning amber
GRID, AXIS, INK, MUTED = "#d9dee7", "#5b6576", "#1d2430", "#5b6576"


@dataclass(frozen=True)
class Words:
    """The chart's words in the reader's language."""

    title: str  # the whole chart, for screen readers (<title>)
    description: str  # what it shows in a sentence or two (<desc>)
    years: str  # the x axis: "Years since first registration"
    marker: str  # beside the car's own point: "Your car"


def depreciation(
    points: Sequence[tuple[int, int]],
    words: Words,
    *,
    age_years: float | None = None,
    price_fen: int | None = None,
    amount: Callable[[int], str] = lambda fen: f"¥{fen // 100:,}",
    ident: str = "depreciation",
) -> Markup:
    """An SVG line of price (fen) over age (years), with the car's own point marked."""
    last_year = max((year for year, _ in points), default=15) or 15
    top_fen = max([fen for _, fen in points] + [price_fen or 0, 1])
    step = _nice_step(top_fen)
    ceiling = step * -(-top_fen // step)  # round up to a whole step

    def x(year: float) -> float:
        return LEFT + (WIDTH - LEFT - RIGHT) * min(max(year, 0), last_year) / last_year

    def y(fen: float) -> float:
        return TOP + (HEIGHT - TOP - BOTTOM) * (1 - fen / ceiling)

    body = [_grid(ceiling, step, last_year, x, y, amount, words)]
    line = " ".join(f"{x(year):.1f},{y(fen):.1f}" for year, fen in points)
    if line:
        body.append(
            f'<polyline class="chart-line" points="{line}" fill="none" stroke="{LINE}" '
            f'stroke-width="2.5" stroke-linejoin="round"/>'
        )
    if age_years is not None and price_fen is not None:
        body.append(_marker(x(age_years), y(price_fen), words.marker))
    # Safe to mark: every text in the SVG passes through escape() above and here; the rest
    # is numbers and constants of this module (and ident, a name chosen by the caller's code).
    return Markup(  # nosec B704
        f'<svg class="depreciation-chart" xmlns="http://www.w3.org/2000/svg" role="img" '
        f'viewBox="0 0 {WIDTH} {HEIGHT}" preserveAspectRatio="xMidYMid meet" '
        f'font-size="{FONT_SIZE}" aria-labelledby="{ident}-title {ident}-desc">'
        f'<title id="{ident}-title">{escape(words.title)}</title>'
        f'<desc id="{ident}-desc">{escape(words.description)}</desc>'
        f"{''.join(body)}</svg>"
    )


def _nice_step(top: int) -> int:
    """A round step for the price axis: at most six steps reach the top."""
    magnitude = 1
    while magnitude * 10 <= top:
        magnitude *= 10
    for tenths in STEP_TENTHS:
        step = max(magnitude * tenths // 10, 1)
        if top <= 6 * step:
            return step
    return 2 * magnitude  # not reached: top < 10 × magnitude ≤ 6 × the last step


def _grid(ceiling, step, last_year, x, y, amount, words) -> str:
    parts = []
    for fen in range(0, ceiling + 1, step):
        parts.append(
            f'<line class="chart-grid" x1="{LEFT}" x2="{WIDTH - RIGHT}" '
            f'y1="{y(fen):.1f}" y2="{y(fen):.1f}" stroke="{GRID}"/>'
            f'<text class="chart-tick" x="{LEFT - 6}" y="{y(fen) + 4:.1f}" '
            f'text-anchor="end" fill="{MUTED}">{escape(amount(fen))}</text>'
        )
    base = HEIGHT - BOTTOM
    for year in range(0, last_year + 1):
        labelled = year % YEAR_TICKS == 0 or year == last_year
        length = 6 if labelled else 3
        parts.append(
            f'<line class="chart-axis" x1="{x(year):.1f}" x2="{x(year):.1f}" '
            f'y1="{base}" y2="{base + length}" stroke="{AXIS}"/>'
        )
        if labelled:
            parts.append(
                f'<text class="chart-tick" x="{x(year):.1f}" y="{base + 18}" '
                f'text-anchor="middle" fill="{MUTED}">{year}</text>'
            )
    parts.append(
        f'<line class="chart-axis" x1="{LEFT}" x2="{WIDTH - RIGHT}" y1="{base}" y2="{base}" '
        f'stroke="{AXIS}"/>'
        f'<text class="chart-label" x="{(LEFT + WIDTH - RIGHT) / 2:.1f}" y="{HEIGHT - 4}" '
        f'text-anchor="middle" fill="{INK}">{escape(words.years)}</text>'
    )
    return f'<g class="chart-axes">{"".join(parts)}</g>'


def _marker(cx: float, cy: float, text: str) -> str:
    # The label sits on the side with more room, so it stays inside the drawing.
    left_side = cx > (LEFT + WIDTH - RIGHT) / 2
    anchor, dx = ("end", -9) if left_side else ("start", 9)
    return (
        f'<g class="chart-marker"><circle cx="{cx:.1f}" cy="{cy:.1f}" r="5" fill="{MARK}" '
        f'stroke="#fff" stroke-width="2"/>'
        f'<text x="{cx + dx:.1f}" y="{max(cy - 8, TOP + 10):.1f}" text-anchor="{anchor}" '
        f'fill="{INK}" font-weight="700">'
        f"{escape(text)}</text></g>"
    )
