"""The paperwork of a transfer case as PDF: the application form and the case summary.

Pure: a ``CaseSheet`` of already formatted values in, PDF bytes out; no Flask, no
database. Chinese text is set in the Noto Sans SC subset that ``portal.pdf`` loads
(``portal/data/fonts/README.md`` says which characters it holds and how to cut it again).
"""

from dataclasses import dataclass
from datetime import UTC, date, datetime
from zoneinfo import ZoneInfo

from fpdf import FontFace
from fpdf.enums import WrapMode, XPos, YPos

from portal.money import yuan
from portal.pdf import FONT, CjkPDF
from portal.pdf import FONT_DIR as FONT_DIR  # where tests find the font files

SHANGHAI = ZoneInfo("Asia/Shanghai")
PLATFORM = "汽车以旧换新与二手车服务平台"
FORM_TITLE = "机动车转移登记申请表"
SUMMARY_TITLE = "案件摘要"

WIDTH = 180  # A4 less 15 mm margins
GREY = (238, 238, 238)
LABEL = FontFace(family=FONT, size_pt=9, fill_color=GREY)
VALUE = FontFace(family=FONT, size_pt=10)
SECTION = FontFace(family=FONT, emphasis="BOLD", size_pt=10, fill_color=GREY)
HEADING = FontFace(family=FONT, emphasis="BOLD", size_pt=9, fill_color=GREY)
MISSING = FontFace(family=FONT, size_pt=10, color=(160, 0, 0))
CELL_PADDING_X = 2
NO_LINE_START = frozenset("，。、；：？！）》」』】〕〉”’…%,.;:?!)]}")
ID_NAMES = {"person": "居民身份证", "company": "统一社会信用代码证"}


@dataclass(frozen=True)
class Party:
    """A seller or buyer as printed: name and the identifier already masked."""

    name: str
    identifier: str  # masked resident ID ("4401**********1234") or a USCC
    kind: str  # "person" or "company"


@dataclass(frozen=True)
class CaseSheet:
    """Everything the two documents print about one case, already formatted."""

    number: str
    status: str
    vehicle: dict[str, str]  # ordered label -> value
    seller: Party
    buyer: Party
    origin: str
    destination: str
    price_fen: int
    sale_date: date
    mileage_km: int
    dealer_name: str
    dealer_uscc: str
    dealer_temporary: bool
    fees: list[tuple[str, int]]  # (label, fen)
    documents: list[tuple[str, str | None]]  # (label, file name or None)
    timeline: list[tuple[datetime, str, str]]  # (UTC time, event, actor)
    generated_at: datetime  # UTC


def application_form_pdf(sheet: CaseSheet) -> bytes:
    """The transfer registration application form (机动车转移登记申请表), one A4 page."""
    pdf = _Paper(sheet, FORM_TITLE, f"本表由{PLATFORM}根据案件数据生成")
    pdf.add_page()
    pdf.title_block(FORM_TITLE, f"案件编号：{sheet.number}", "申请事项：转移登记（跨省通办）")
    sections = [
        ("机动车", _pairs(list(sheet.vehicle.items()))),
        ("现机动车所有人", _party_rows(sheet.seller)),
        ("新机动车所有人", _party_rows(sheet.buyer)),
        ("登记地", _pairs([("转出地", sheet.origin), ("转入地", sheet.destination)])),
        ("交易信息", _pairs(_trade_items(sheet), wide={"经销企业", "统一社会信用代码"})),
    ]
    widths = (22, 32, 50, 30, 46)
    with pdf.grid_table(widths, padding=(2.6, CELL_PADDING_X)) as table:
        for title, rows in sections:
            for i, cells in enumerate(rows):
                row = table.row()
                if i == 0:
                    text = pdf.wrap(title, widths[0], SECTION)
                    row.cell(text, rowspan=len(rows), style=SECTION, align="C")
                pdf.fill_row(row, widths[1:], cells)
    pdf.signature_boxes()
    return bytes(pdf.output())


def case_summary_pdf(sheet: CaseSheet) -> bytes:
    """The case summary for officers: case, vehicle, parties, fees, documents, timeline."""
    pdf = _Paper(sheet, SUMMARY_TITLE, f"本摘要由{PLATFORM}根据案件数据生成")
    pdf.add_page()
    pdf.title_block(SUMMARY_TITLE, f"案件编号：{sheet.number}", f"状态：{sheet.status}")

    pdf.subheading("交易信息")
    items = [("转出地", sheet.origin), ("转入地", sheet.destination), *_trade_items(sheet)]
    pdf.pairs_table(_pairs(items, wide={"经销企业", "统一社会信用代码"}))

    pdf.subheading("车辆")
    pdf.pairs_table(_pairs(list(sheet.vehicle.items())))

    pdf.subheading("当事人")
    parties = [("现机动车所有人", sheet.seller), ("新机动车所有人", sheet.buyer)]
    pdf.list_table(
        ("角色", "姓名/名称", "身份证明名称", "身份证明号码"),
        (30, 62, 38, 50),
        [(role, p.name, ID_NAMES.get(p.kind, ""), p.identifier) for role, p in parties],
    )

    pdf.subheading("费用")
    fees = [(label, yuan(fen)) for label, fen in sheet.fees]
    fees.append(("合计", yuan(sum(fen for _, fen in sheet.fees))))
    pdf.list_table(("项目", "金额"), (130, 50), fees, right={1}, bold_last=True)

    pdf.subheading("材料清单")
    pdf.list_table(
        ("材料", "文件"),
        (70, 110),
        [(label, name or "未上传") for label, name in sheet.documents],
        empty="无",
    )

    pdf.subheading("办理记录（北京时间）")
    pdf.list_table(
        ("时间", "事件", "操作人"),
        (34, 100, 46),
        [(_local(when), event, actor) for when, event, actor in sheet.timeline],
        empty="暂无记录",
    )
    return bytes(pdf.output())


class _Paper(CjkPDF):
    """A4 portrait in the shipped CJK font, with the platform's footer on every page."""

    def __init__(self, sheet: CaseSheet, title: str, footer_text: str):
        super().__init__(orientation="P", unit="mm", format="A4")
        self.set_margins(15, 15, 15)
        self.set_auto_page_break(True, margin=18)
        self.set_title(f"{title} {sheet.number}")
        self.set_creator(PLATFORM)
        self.set_lang("zh-CN")
        self.set_creation_date(_aware(sheet.generated_at))
        self.footer_text = f"{footer_text}　生成时间：{_local(sheet.generated_at)}（北京时间）"

    def footer(self) -> None:
        self.set_y(-13)
        self.set_font(FONT, size=7.5)
        self.set_text_color(90)
        self.cell(WIDTH - 30, 5, self.footer_text)
        self.cell(30, 5, f"第 {self.page_no()} 页 / 共 {{nb}} 页", align="R")
        self.set_text_color(0)

    def title_block(self, title: str, left: str, right: str) -> None:
        self.set_font(FONT, style="B", size=18)
        self.cell(WIDTH, 12, title, align="C", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        self.set_font(FONT, size=10)
        self.cell(WIDTH / 2, 8, left)
        self.cell(WIDTH / 2, 8, right, align="R", new_x=XPos.LMARGIN, new_y=YPos.NEXT)

    def subheading(self, text: str) -> None:
        if self.will_page_break(22):  # keep a heading with the first rows of its table
            self.add_page()
        self.ln(3)
        self.set_font(FONT, style="B", size=11)
        self.cell(WIDTH, 7, text, new_x=XPos.LMARGIN, new_y=YPos.NEXT)

    def grid_table(self, widths, headings: bool = False, padding=(1.8, CELL_PADDING_X)):
        self.set_font(FONT, size=10)
        return self.table(
            col_widths=widths,
            width=WIDTH,
            first_row_as_headings=headings,
            headings_style=HEADING,
            line_height=5,
            padding=padding,
            text_align="LEFT",
            v_align="MIDDLE",
            wrapmode=WrapMode.CHAR,
        )

    def fill_row(self, row, widths, cells) -> None:
        """Add ``(text, colspan, style[, align])`` cells to a table row, wrapped to fit."""
        column = 0
        for text, span, style, *align in cells:
            width = sum(widths[column : column + span])
            text = self.wrap(text, width, style)
            row.cell(text, colspan=span, style=style, align=align[0] if align else "L")
            column += span

    def pairs_table(self, rows) -> None:
        widths = (32, 58, 32, 58)
        with self.grid_table(widths) as table:
            for cells in rows:
                self.fill_row(table.row(), widths, cells)

    def list_table(self, headings, widths, rows, right=(), bold_last=False, empty="无") -> None:
        with self.grid_table(widths, headings=True) as table:
            table.row(headings)
            if not rows:
                table.row().cell(empty, colspan=len(headings), style=MISSING)
            for n, values in enumerate(rows, start=1):
                bold = bold_last and n == len(rows)
                cells = [
                    (
                        text,
                        1,
                        HEADING if bold else MISSING if text == "未上传" else VALUE,
                        "R" if i in right else "L",
                    )
                    for i, text in enumerate(values)
                ]
                self.fill_row(table.row(), widths, cells)

    def wrap(self, text: str, width: float, style: FontFace) -> str:
        """Break text into lines for a cell of this width, never starting a line with
        closing punctuation (the Chinese line-breaking rule fpdf2 does not know)."""
        self.set_font(FONT, style="B" if style.emphasis else "", size=style.size_pt)
        room = width - 2 * CELL_PADDING_X - 0.6
        lines = []
        for paragraph in text.split("\n"):
            line, used = "", 0.0
            for char in paragraph:
                size = self.get_string_width(char)
                if line and used + size > room:
                    if char in NO_LINE_START and len(line) > 1:
                        lines.append(line[:-1])
                        line = line[-1]
                    else:
                        lines.append(line)
                        line = ""
                    used = self.get_string_width(line)
                line += char
                used += size
            lines.append(line)
        return "\n".join(lines)

    def signature_boxes(self) -> None:
        if self.will_page_break(44):
            self.add_page()
        self.set_font(FONT, size=8.5)
        promise = "申请人承诺：所提交的材料和填写的内容真实、有效，如有虚假，愿承担相应的法律责任。"
        self.multi_cell(WIDTH, 8, promise, border="LR", new_x=XPos.LMARGIN, new_y=YPos.NEXT)
        top, width, height = self.get_y(), WIDTH / 3, 30
        for i, label in enumerate(("申请人签字", "代理人签字", "日期")):
            x = self.l_margin + i * width
            self.rect(x, top, width, height)
            self.set_xy(x + 2, top + 2)
            self.set_font(FONT, style="B", size=9)
            self.cell(width - 4, 5, label)
        self.set_font(FONT, size=10)
        self.set_xy(self.l_margin + 2 * width, top + height - 9)
        self.cell(width - 4, 6, "年　　月　　日", align="R")
        self.set_xy(self.l_margin, top + height)


def _pairs(items, wide=frozenset()):
    """Rows of label/value cells, two pairs a row; a wide item (or an odd last) fills a row."""
    rows, pending = [], []
    for label, value in items:
        if label in wide:
            rows.append([(label, 1, LABEL), (value, 3, VALUE)])
            continue
        pending.append((label, value))
        if len(pending) == 2:
            (l1, v1), (l2, v2) = pending
            rows.append([(l1, 1, LABEL), (v1, 1, VALUE), (l2, 1, LABEL), (v2, 1, VALUE)])
            pending = []
    if pending:
        rows.append([(pending[0][0], 1, LABEL), (pending[0][1], 3, VALUE)])
    return rows


def _party_rows(party: Party):
    return [
        [("姓名/名称", 1, LABEL), (party.name, 3, VALUE)],
        [
            ("身份证明名称", 1, LABEL),
            (ID_NAMES.get(party.kind, ""), 1, VALUE),
            ("身份证明号码", 1, LABEL),
            (party.identifier, 1, VALUE),
        ],
    ]


def _trade_items(sheet: CaseSheet) -> list[tuple[str, str]]:
    return [
        ("成交价格", yuan(sheet.price_fen)),
        ("交易日期", sheet.sale_date.isoformat()),
        ("表显里程", f"{sheet.mileage_km:,} km"),
        ("是否单独签注", "是" if sheet.dealer_temporary else "否"),
        ("经销企业", sheet.dealer_name),
        ("统一社会信用代码", sheet.dealer_uscc),
    ]


def _aware(moment: datetime) -> datetime:
    return moment if moment.tzinfo else moment.replace(tzinfo=UTC)


def _local(moment: datetime) -> str:
    return _aware(moment).astimezone(SHANGHAI).strftime("%Y-%m-%d %H:%M")
