"""The submission receipt as PDF: what was submitted, when, and its place in the queue.

Pure: a ``Receipt`` of already formatted values in, PDF bytes out; printed in Chinese in
the shipped CJK font (``portal.pdf``), like the transfer paperwork. It carries the
application's number and the cars' VINs, never an ID or a full card number (DOMAIN §6).
"""

from dataclasses import dataclass
from datetime import datetime

from fpdf import FPDF, FontFace
from fpdf.enums import XPos, YPos

from portal.audit import in_china
from portal.money import yuan
from portal.pdf import FONT, CjkPDF

TITLE = "汽车以旧换新补贴申请回执"
PLATFORM = "汽车以旧换新与二手车服务平台"
WIDTH = 180  # A4 less 15 mm margins
LABEL = FontFace(family=FONT, size_pt=9, fill_color=(238, 238, 238))


@dataclass(frozen=True)
class Receipt:
    number: str
    submitted_at: datetime  # UTC
    program: str  # e.g. "2026年 广东省 报废更新"
    old_vin: str
    new_car: str  # VIN, plate, brand and model
    amount_fen: int
    card: str  # masked
    position: int | None  # place in the queue when submitted
    papers: list[tuple[str, str]]  # (kind, file name)


def receipt_pdf(receipt: Receipt) -> bytes:
    """One A4 page to print and keep."""
    pdf = CjkPDF(orientation="P", unit="mm", format="A4")
    pdf.set_margins(15, 15, 15)
    pdf.set_title(f"{TITLE} {receipt.number}")
    pdf.set_creator(PLATFORM)
    pdf.set_lang("zh-CN")
    pdf.add_page()
    pdf.set_font(FONT, style="B", size=18)
    pdf.cell(WIDTH, 12, TITLE, align="C", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_font(FONT, size=10)
    _table(pdf, _facts(receipt), (45, 135))
    pdf.ln(4)
    pdf.set_font(FONT, style="B", size=11)
    pdf.cell(WIDTH, 7, "已提交材料", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
    pdf.set_font(FONT, size=10)
    _table(pdf, [("材料", "文件"), *receipt.papers], (70, 110))
    pdf.ln(4)
    pdf.set_font(FONT, size=8)
    pdf.multi_cell(
        WIDTH,
        5,
        "受理后15个工作日内审核，批准后30个工作日内发放（按国务院办公厅公布的节假日安排计算）。"
        "请妥善保管本回执，凭申请编号查询进度。",
    )
    return bytes(pdf.output())


def _facts(receipt: Receipt) -> list[tuple[str, str]]:
    position = str(receipt.position) if receipt.position else "—"
    return [
        ("申请编号", receipt.number),
        ("提交时间", f"{in_china(receipt.submitted_at):%Y-%m-%d %H:%M}（北京时间）"),
        ("补贴项目", receipt.program),
        ("旧车车辆识别代号", receipt.old_vin),
        ("新车", receipt.new_car),
        ("申请金额", yuan(receipt.amount_fen)),
        ("收款银行卡", receipt.card),
        ("提交时排队位次", position),
    ]


def _table(pdf: FPDF, rows: list[tuple[str, str]], widths: tuple[int, int]) -> None:
    with pdf.table(col_widths=widths, width=WIDTH, first_row_as_headings=False) as table:
        for label, value in rows:
            row = table.row()
            row.cell(label, style=LABEL)
            row.cell(value)
