"""The dashboard's budget chart, drawn on the server as inline SVG (pure).

One horizontal bar per program, as long as its budget: paid, then reserved, then what is
left. The caller passes the words already translated and the amounts already formatted,
so this module needs neither Flask nor the database; every text is escaped here. The
drawing is sized by its viewBox and scales down to a phone's width.
"""

from collections.abc import Sequence
from dataclasses import dataclass

from markupsafe import Markup, escape

WIDTH = 360  # viewBox units; the CSS scales the drawing to its container
FONT = 14
MIN_PART = 2  # a part that is not zero stays visible, however small
BAR_HEIGHT = 18
LABEL_HEIGHT = 20  # a line of text above each bar
VALUE_HEIGHT = 18  # and one below it: what is left
GAP = 10
ROW = LABEL_HEIGHT + BAR_HEIGHT + VALUE_HEIGHT + GAP
LEGEND_HEIGHT = 28
# Paid, reserved, left: dark, middle, light, told apart by lightness as well as hue.
COLOURS = ("#0b5cad", "#f5a524", "#d9dee7")


@dataclass(frozen=True)
class Bar:
    label: str  # e.g. "Guangdong · Scrapping renewal"
    paid_fen: int
    reserved_fen: int
    left_fen: int
    # The three amounts as people read them, in the same order (e.g. "¥1,234.00").
    amounts: tuple[str, str, str]


@dataclass(frozen=True)
class Words:
    """The chart's words in the reader's language."""

    title: str  # the whole chart, for screen readers
    parts: tuple[str, str, str]  # "Paid", "Reserved", "Left"
    empty: str  # shown when there is no program


def budget_bars(bars: Sequence[Bar], words: Words) -> Markup:
    """An SVG of stacked bars (paid, reserved, left) with a legend and a <title> per part."""
    height = LEGEND_HEIGHT + max(len(bars), 1) * ROW
    body = [_legend(words)]
    if not bars:
        body.append(_text(0, LEGEND_HEIGHT + LABEL_HEIGHT - 4, words.empty, "chart-empty"))
    for index, bar in enumerate(bars):
        top = LEGEND_HEIGHT + index * ROW
        body.append(_bar(bar, words, top))
    # Safe to mark: every text (labels, words, amounts) passes through escape() in _text,
    # _bar and here; the rest is numbers and this module's constant colours.
    return Markup(  # nosec B704
        f'<svg class="budget-chart" xmlns="http://www.w3.org/2000/svg" role="img" '
        f'viewBox="0 0 {WIDTH} {height}" aria-labelledby="budget-chart-title" '
        f'preserveAspectRatio="xMinYMin meet">'
        f'<title id="budget-chart-title">{escape(words.title)}</title>'
        f"{''.join(body)}</svg>"
    )


def _legend(words: Words) -> str:
    items, x = [], 0
    for colour, part in zip(COLOURS, words.parts, strict=True):
        items.append(
            f'<rect x="{x}" y="4" width="12" height="12" fill="{colour}" stroke="#5b6576" '
            f'stroke-width=".5"/>{_text(x + 16, 15, part)}'
        )
        x += 16 + _text_width(part) + 14
    return f'<g class="chart-legend">{"".join(items)}</g>'


def _bar(bar: Bar, words: Words, top: int) -> str:
    values = (max(bar.paid_fen, 0), max(bar.reserved_fen, 0), max(bar.left_fen, 0))
    total = sum(values)
    parts, x = [], 0.0
    for colour, part, width, amount in zip(
        COLOURS, words.parts, _widths(values), bar.amounts, strict=True
    ):
        if width > 0:
            parts.append(
                f'<rect x="{x:.2f}" y="{top + LABEL_HEIGHT}" width="{width:.2f}" '
                f'height="{BAR_HEIGHT}" fill="{colour}">'
                f"<title>{escape(bar.label)}: {escape(part)} {escape(amount)}</title></rect>"
            )
        x += width
    if not total:  # no budget at all: an empty outline, so the row is still visible
        parts.append(
            f'<rect x="0" y="{top + LABEL_HEIGHT}" width="{WIDTH}" height="{BAR_HEIGHT}" '
            f'fill="none" stroke="#d9dee7"/>'
        )
    share = f" ({100 * values[2] / total:.0f} %)" if total else ""
    left_text = f"{words.parts[2]} {bar.amounts[2]}{share}"
    value_y = top + LABEL_HEIGHT + BAR_HEIGHT + VALUE_HEIGHT - 4
    return (
        f'<g class="chart-bar">{_text(0, top + LABEL_HEIGHT - 5, bar.label, weight="600")}'
        f"{''.join(parts)}{_text(0, value_y, left_text, 'chart-value')}</g>"
    )


def _widths(values: tuple[int, ...]) -> list[float]:
    """Each part's share of WIDTH; a sliver is widened and the widest part pays for it."""
    total = sum(values)
    if not total:
        return [0.0 for _ in values]
    widths = [max(WIDTH * value / total, MIN_PART) if value else 0.0 for value in values]
    widest = widths.index(max(widths))
    widths[widest] -= sum(widths) - WIDTH
    return widths


def _text_width(content: str) -> float:
    """About how wide a text is drawn: a CJK character is one em, a Latin one 0.6."""
    return sum(FONT if ord(char) >= 0x2E80 else 0.6 * FONT for char in content)


def _text(x: float, y: float, content: str, css: str = "", weight: str = "400") -> str:
    css_class = f' class="{css}"' if css else ""
    return (
        f'<text x="{x}" y="{y}" font-size="{FONT}" font-weight="{weight}"{css_class}>'
        f"{escape(content)}</text>"
    )
