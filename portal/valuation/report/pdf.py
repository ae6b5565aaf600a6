"""The detailed valuation report as PDF (DOMAIN §3.3): the car, the inputs, the three prices
with their grade and method, every step of the arithmetic, the depreciation curve and the
comparable sales.

Labels are translated into the reader's language as the page is drawn (flask_babel, so it
needs a request or app context); the shipped CJK font (``portal.pdf``) prints the Chinese
of the catalog and the translations either way. No database: the caller passes the kept
record and the valuation run again from it.
"""

from datetime import date, datetime

from flask_babel import gettext as _
from fpdf import FontFace
from fpdf.enums import WrapMode, XPos, YPos

from portal.audit import in_china
from portal.formatting import region_name
from portal.labels import label
from portal.money import FEN_PER_YUAN, yuan
from portal.pdf import FONT, CjkPDF
from portal.valuation.models import ValuationRecord
from portal.valuation.rules.facts import DEFAULT_SETTINGS
from portal.valuation.rules.inspection import INSPECTION_PARTS
from portal.valuation.services import Result
from portal.valuation.terms import Condition

WIDTH = 180  # A4 less 15 mm margins
GREY = (238, 238, 238)
BLUE = (31, 94, 160)
RED = (176, 32, 32)
LABEL = FontFace(family=FONT, size_pt=9, fill_color=GREY)
HEADING = FontFace(family=FONT, emphasis="BOLD", size_pt=9, fill_color=GREY)
CHART_HEIGHT = 62


def report_pdf(
    record: ValuationRecord, result: Result, *, on: date, generated_at: datetime
) -> bytes:
    """The report of a kept valuation; result is that valuation run again for its date `on`."""
    valuation, model = result.valuation, result.model
    number = f"V{record.id:06d}"
    pdf = _Report(number, generated_at)
    pdf.add_page()
    pdf.title_block(number, _("Valued on %(date)s", date=on.isoformat()))

    kept = (record.dealer_buy_fen, record.private_fen, record.retail_fen)
    now = (valuation.dealer_buy.mid_fen, valuation.private.mid_fen, valuation.retail.mid_fen)
    if kept != now:  # the catalog price or the sales changed since the record was kept
        pdf.note(
            _(
                "The catalog or the sales data changed since this valuation was kept (its"
                " private price was then %(kept)s); the figures below use today's data.",
                kept=yuan(record.private_fen),
            )
        )

    pdf.subheading(_("The car"))
    inputs = result.inputs
    pdf.pairs(
        [
            (_("Brand"), model.brand),
            (_("Series"), model.series),
            (_("Model year"), str(model.model_year)),
            (_("Trim"), model.trim),
            (_("VIN"), inputs.vin or "—"),
            (_("Fuel"), str(label(model.fuel_type))),
            (_("First registration"), inputs.first_registration.isoformat()),
            (_("Mileage"), f"{inputs.mileage_km:,} km"),
            (_("City"), region_name(inputs.city_code)),
            (_("Guide price today"), yuan(model.current_price_fen)),
        ]
    )

    pdf.subheading(_("Inputs"))
    if inputs.inspection is not None:
        rows = [
            (str(label(part)), str(inputs.inspection.get(part, "—")), str(maximum))
            for part, maximum in INSPECTION_PARTS.items()
        ]
        rows.append((_("Technical score"), str(valuation.score), "100"))
        pdf.rows((_("Inspection part"), _("Points"), _("Of")), (100, 40, 40), rows, right={1, 2})
    else:
        condition = inputs.condition or Condition.GOOD
        text = _(
            "%(condition)s (score %(score)s)",
            condition=label(condition),
            score=valuation.score,
        )
        pdf.pairs([(_("Condition"), text)])
    if inputs.battery_health_pct is not None:
        pdf.pairs([(_("Battery health"), f"{inputs.battery_health_pct}%")])

    pdf.subheading(_("Result"))
    prices = [
        (_("Dealer buys at"), valuation.dealer_buy),
        (_("Private sale"), valuation.private),
        (_("Dealer retail"), valuation.retail),
    ]
    pdf.rows(
        (_("Price type"), _("Amount"), _("Range")),
        (60, 50, 70),
        [(name, yuan(p.mid_fen), f"{yuan(p.low_fen)} – {yuan(p.high_fen)}") for name, p in prices],
        right={1, 2},
    )
    pdf.pairs(
        [
            (_("Grade"), str(label(valuation.grade))),
            (_("Method"), str(label(valuation.method))),
        ]
    )

    pdf.subheading(_("Computation"))
    steps = [
        (str(n), _(step.label, **step.params), step.result)
        for n, step in enumerate(valuation.steps, start=1)
    ]
    pdf.rows(("#", _("Step"), _("Result")), (8, 112, 60), steps, right={2})

    pdf.subheading(_("Depreciation curve"), keep=CHART_HEIGHT + 20)
    age = min(valuation.months_in_service / 12, result.curve[-1][0])
    pdf.chart(result.curve, (age, valuation.private.mid_fen))

    if valuation.comparables_used:
        pdf.subheading(_("Comparable sales"))
        sales = sorted(valuation.comparables_used, key=lambda sale: (sale.price_fen, sale.sold_on))
        rows = [
            (s.sold_on.isoformat(), s.first_registration.isoformat(), f"{s.mileage_km:,} km",
             yuan(s.price_fen))
            for s in sales
        ]  # fmt: skip
        headings = (_("Sold on"), _("First registration"), _("Mileage"), _("Price"))
        pdf.rows(headings, (40, 45, 45, 50), rows, right={2, 3})
    return bytes(pdf.output())


def _nice_step(top: float, ticks: int = 5) -> int:
    """A round step (1, 2, 2.5 or 5 × a power of 10 yuan) that covers top in about `ticks` steps."""
    raw, scale = max(top / ticks, 1), 1
    while scale * 10 <= raw:
        scale *= 10
    for factor in (1, 2, 2.5, 5, 10):
        if factor * scale >= raw:
            return int(factor * scale)
    return 10 * scale  # pragma: no cover - the loop always returns


class _Report(CjkPDF):
    """A4 portrait in the shipped CJK font, with the portal's footer on every page."""

    def __init__(self, number: str, generated_at: datetime):
        super().__init__(orientation="P", unit="mm", format="A4")
        self.set_margins(15, 15, 15)
        self.set_auto_page_break(True, margin=18)
        self.set_title(f"{_('Detailed valuation report')} {number}")
        self.set_creator(_("Vehicle Trade-in Portal"))
        self.set_creation_date(in_china(generated_at))
        when = in_china(generated_at).strftime("%Y-%m-%d %H:%M")
        self.footer_text = _(
            "%(portal)s · generated %(time)s (Beijing time)",
            portal=_("Vehicle Trade-in Portal"),
            time=when,
        )

    def footer(self) -> None:
        self.set_y(-13)
        self.set_font(FONT, size=7.5)
        self.set_text_color(90)
        self.cell(WIDTH - 40, 5, self.footer_text)
        self.cell(40, 5, _("Page %(page)s of %(pages)s", page=self.page_no(), pages="{nb}"),
                  align="R")  # fmt: skip
        self.set_text_color(0)

    def title_block(self, number: str, valued_on: str) -> None:
        self.set_font(FONT, style="B", size=18)
        self.cell(WIDTH, 11, _("Detailed valuation report"), align="C",
                  new_x=XPos.LMARGIN, new_y=YPos.NEXT)  # fmt: skip
        self.set_font(FONT, size=9)
        self.set_text_color(90)
        self.cell(WIDTH, 5, _("After GB/T 30323-2013, Used-car appraisal and valuation"),
                  align="C", new_x=XPos.LMARGIN, new_y=YPos.NEXT)  # fmt: skip
        self.set_text_color(0)
        self.set_font(FONT, size=10)
        self.cell(WIDTH / 2, 8, _("Report no. %(number)s", number=number))
        self.cell(WIDTH / 2, 8, valued_on, align="R", new_x=XPos.LMARGIN, new_y=YPos.NEXT)

    def note(self, text: str) -> None:
        self.set_font(FONT, size=9)
        self.set_text_color(*RED)
        self.multi_cell(WIDTH, 5, text, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.set_text_color(0)

    def subheading(self, text: str, keep: float = 22) -> None:
        if self.will_page_break(keep):  # keep a heading with what follows it
            self.add_page()
        self.ln(3)
        self.set_font(FONT, style="B", size=11)
        self.cell(WIDTH, 7, text, new_x=XPos.LMARGIN, new_y=YPos.NEXT)

    def _table(self, widths, headings: bool):
        self.set_font(FONT, size=9)
        return self.table(
            col_widths=widths,
            width=WIDTH,
            first_row_as_headings=headings,
            headings_style=HEADING,
            line_height=4.6,
            padding=(1.6, 2),
            text_align="LEFT",
            v_align="MIDDLE",
            wrapmode=WrapMode.WORD,
        )

    def pairs(self, items: list[tuple[str, str]]) -> None:
        """Label/value cells, two pairs a row (an odd last pair fills its row)."""
        with self._table((40, 50, 40, 50), headings=False) as table:
            for i in range(0, len(items), 2):
                row = table.row()
                pair = items[i : i + 2]
                for n, (name, value) in enumerate(pair):
                    row.cell(name, style=LABEL)
                    row.cell(value, colspan=3 if len(pair) == 1 and n == 0 else 1)

    def rows(self, headings, widths, rows, right=frozenset()) -> None:
        """A table with a heading row; the columns in `right` are right-aligned."""
        with self._table(widths, headings=True) as table:
            heading = table.row()
            for i, value in enumerate(headings):
                heading.cell(value, align="R" if i in right else "L")
            for values in rows:
                row = table.row()
                for i, value in enumerate(values):
                    row.cell(value, align="R" if i in right else "L")

    def chart(self, points: list[tuple[int, int]], car: tuple[float, int]) -> None:
        """The private price by age (lines), with this car marked; axes in years and yuan."""
        left, top = self.l_margin + 20, self.get_y() + 3
        width, height = WIDTH - 24, CHART_HEIGHT
        bottom, last = top + height, points[-1][0]
        top_yuan = max(max(fen for _years, fen in points), car[1], FEN_PER_YUAN) / FEN_PER_YUAN
        step = _nice_step(top_yuan)
        ticks = int(-(-top_yuan // step))

        def x(years: float) -> float:
            return left + width * years / last

        def y(fen: float) -> float:
            return bottom - height * fen / FEN_PER_YUAN / (ticks * step)

        with self.local_context():
            self.set_font(FONT, size=7)
            self.set_line_width(0.1)
            self.set_draw_color(200)
            for i in range(ticks + 1):
                level = y(i * step * FEN_PER_YUAN)
                self.line(left, level, left + width, level)
                self.set_xy(self.l_margin, level - 2)
                self.cell(18, 4, f"¥{i * step:,}", align="R")
            for years in range(last + 1):
                self.line(x(years), bottom, x(years), bottom + 1)
                self.set_xy(x(years) - 4, bottom + 1)
                self.cell(8, 4, str(years), align="C")
            self.set_draw_color(0)
            self.set_line_width(0.3)
            self.line(left, top, left, bottom)
            self.line(left, bottom, left + width, bottom)

            self.set_draw_color(*BLUE)
            self.set_fill_color(*BLUE)
            self.set_line_width(0.6)
            self.polyline([(x(years), y(fen)) for years, fen in points])
            for years, fen in points:
                self.circle(x(years), y(fen), 0.7, style="F")
            self.set_draw_color(*RED)
            self.set_fill_color(*RED)
            self.circle(x(car[0]), y(car[1]), 1.5, style="F")

            self.set_xy(left, bottom + 6)
            self.set_font(FONT, size=8)
            self.set_text_color(0)
            self.cell(width, 4, _("Age (years)"), align="C", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
            self.set_text_color(*BLUE)
            legend = _(
                "Line: private price by age, driven %(km)s km a year, in the same condition",
                km=f"{DEFAULT_SETTINGS.annual_km:,}",
            )
            self.cell(WIDTH, 5, legend, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
            self.set_text_color(*RED)
            mark = _("Dot: this car, %(price)s", price=yuan(car[1]))
            self.cell(WIDTH, 5, mark, new_x=XPos.LMARGIN, new_y=YPos.NEXT)
