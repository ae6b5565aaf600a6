"""Generated papers to read: invoices and vehicle licences made from the portal's demo data.

No real person's papers: the people, cars and sellers are the demo registry's
(`portal.registry.demo`). An invoice is made as the seller would email it (a PDF with a
text layer and the QR code of DOMAIN §7) or as a phone photo of the paper one (an image
at a chosen resolution, turned a few degrees, with noise and JPEG compression); a
licence as a photo. Used by tests/test_reading.py and bench/reading.py.
"""

import io
import random
from dataclasses import dataclass, replace
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from functools import cache
from itertools import islice

import segno
from PIL import Image, ImageDraw, ImageFilter, ImageFont

from portal.pdf import FONT, FONT_DIR, FONT_FILES, CjkPDF
from portal.reading.parsing import FUEL_WORDS
from portal.registry.demo import DEALERS, demo_rows

PAPER_MM = (210, 140)
FUELS = {code: word for word, code in FUEL_WORDS.items()}
BODIES = {"sedan": "轿车", "hatchback": "轿车", "suv": "多用途乘用车", "mpv": "多用途乘用车"}


@dataclass(frozen=True)
class Invoice:
    """The fields printed on a generated invoice, as the reader should return them."""

    code: str
    number: str
    issued: date
    buyer_name: str
    buyer_id: str
    vin: str
    brand: str
    model: str
    price_fen: int
    tax_fen: int
    seller_name: str
    seller_uscc: str
    body: str = "轿车"

    def expected(self) -> dict[str, str | int]:
        fields = {
            "invoice_number": self.number,
            "invoice_date": self.issued.isoformat(),
            "invoice_buyer_name": self.buyer_name,
            "invoice_buyer_id_number": self.buyer_id,
            "vin": self.vin,
            "brand": self.brand,
            "model": self.model,
            "invoice_price_fen": self.price_fen,
            "invoice_tax_fen": self.tax_fen,
            "invoice_seller_name": self.seller_name,
            "invoice_seller_uscc": self.seller_uscc,
        }
        return fields | ({"invoice_code": self.code} if self.code else {})

    @property
    def qr_payload(self) -> str:
        before = Decimal(self.price_fen - self.tax_fen) / 100
        return f"01,03,{self.code},{self.number},{before:.2f},{self.issued:%Y%m%d},,A1B2,"

    def lines(self) -> list[tuple[str, ...]]:
        """The printed lines, each a row of cells (label and value together, as printed)."""
        return [
            (f"发票代码：{self.code or '—'}", f"发票号码：{self.number}"),
            (f"开票日期：{self.issued.year}年{self.issued:%m}月{self.issued:%d}日",),
            (f"购买方名称：{self.buyer_name}", f"身份证号码/组织机构代码：{self.buyer_id}"),
            (f"车辆类型：{self.body}", f"厂牌型号：{self.brand} {self.model}"),
            (f"车辆识别代号/车架号码：{self.vin}",),
            (f"价税合计（小写）：¥{_yuan(self.price_fen)}",),
            ("增值税税率：13%", f"增值税税额：¥{_yuan(self.tax_fen)}"),
            (f"不含税价：¥{_yuan(self.price_fen - self.tax_fen)}",),
            (f"销货单位名称：{self.seller_name}",),
            (f"纳税人识别号：{self.seller_uscc}",),
        ]


@dataclass(frozen=True)
class Licence:
    """The fields printed on a generated vehicle licence (行驶证 front page)."""

    plate: str
    vin: str
    owner_name: str
    registered: date
    brand: str
    model: str
    fuel_type: str

    def expected(self) -> dict[str, str]:
        return {
            "plate": self.plate,
            "vin": self.vin,
            "owner_name": self.owner_name,
            "registration_date": self.registered.isoformat(),
            "fuel_type": self.fuel_type,
            "brand": self.brand,
            "model": self.model,
        }

    def lines(self) -> list[tuple[str, ...]]:
        dotted = f"{self.plate[:2]}·{self.plate[2:]}"
        return [
            (f"号牌号码：{dotted}", "车辆类型：小型轿车"),
            (f"所有人：{self.owner_name}",),
            ("使用性质：非营运", f"品牌型号：{self.brand} {self.model}"),
            (f"车辆识别代号：{self.vin}",),
            (f"注册日期：{self.registered:%Y-%m-%d}", f"燃料种类：{FUELS[self.fuel_type]}"),
        ]


LICENCE_TITLE = "中华人民共和国机动车行驶证"
INVOICE_TITLE = "机动车销售统一发票"


def _yuan(fen: int) -> str:
    return f"{Decimal(fen) / 100:,.2f}"


@cache
def _prices() -> dict[tuple[str, str], int]:
    import csv
    from importlib import resources

    with resources.files("portal").joinpath("data/models.csv").open(encoding="utf-8") as rows:
        return {
            (r["brand"], r["series"]): int(r["current_price_yuan"]) for r in csv.DictReader(rows)
        }


def invoices(count: int, seed: int = 15) -> list[Invoice]:
    """Invoices for the demo registry's people buying cars of the catalogue."""
    rng = random.Random(seed)
    papers = []
    for index, row in enumerate(islice(_person_rows(), count)):
        seller = DEALERS[index % len(DEALERS)]
        price_yuan = _prices().get((row["brand"], row["model"])) or rng.randrange(60, 300) * 1000
        price_fen = price_yuan * 100 + rng.choice((0, 0, rng.randrange(100_00)))
        tax = (Decimal(price_fen) * Decimal(13) / Decimal(113)).quantize(
            Decimal(1), rounding=ROUND_HALF_UP
        )
        digital = index % 3 == 0  # the fully digital e-invoice: 20 digits, no code
        papers.append(
            Invoice(
                code="" if digital else f"1440026{rng.randrange(10**5):05d}",
                number=f"{rng.randrange(10**20):020d}"
                if digital
                else f"{rng.randrange(10**8):08d}",
                issued=date(2026, rng.randrange(1, 11), rng.randrange(1, 29)),
                buyer_name=row["owner_name"],
                buyer_id=row["owner_id"],
                vin=row["vin"],
                brand=row["brand"],
                model=row["model"],
                price_fen=price_fen,
                tax_fen=int(tax),
                seller_name=seller.name,
                seller_uscc=seller.uscc,
                body=BODIES.get(row["body_type"], "轿车"),
            )
        )
    return papers


def licences(count: int) -> list[Licence]:
    """Vehicle licences of the demo registry's cars held by people."""
    return [
        Licence(
            plate=row["plate"],
            vin=row["vin"],
            owner_name=row["owner_name"],
            registered=date.fromisoformat(row["first_registration"]),
            brand=row["brand"],
            model=row["model"],
            fuel_type=row["fuel_type"],
        )
        for row in islice(_person_rows(), count)
    ]


def _person_rows():
    return (row for row in demo_rows(400) if row["owner_type"] == "person")


# --- as a PDF, the way the seller emails it ---------------------------------


def invoice_pdf(invoice: Invoice, *, text_layer: bool = True) -> bytes:
    """The e-invoice: A5-wide page, its QR code top left, the fields as text."""
    pdf = CjkPDF(unit="mm", format=PAPER_MM)
    pdf.set_auto_page_break(False)
    pdf.add_page()
    if not text_layer:  # a scan saved as PDF: the whole paper as one picture
        pdf.image(_png(invoice_image(invoice, px_per_mm=6)), x=0, y=0, w=PAPER_MM[0])
        return bytes(pdf.output())
    pdf.image(_png(_qr(invoice.qr_payload, 4)), x=8, y=6, w=24)
    pdf.set_font(FONT, "B", 16)
    pdf.set_xy(0, 10)
    pdf.cell(PAPER_MM[0], 10, INVOICE_TITLE, align="C")
    pdf.set_font(FONT, "", 10)
    for row, cells in enumerate(invoice.lines()):
        for column, cell in enumerate(cells):
            pdf.set_xy(10 + column * 95, 34 + row * 9.5)
            pdf.cell(95, 8, cell)
    return bytes(pdf.output())


# --- as a photo --------------------------------------------------------------


@dataclass(frozen=True)
class Photo:
    """How a photo of a paper was taken: resolution, angle, noise, JPEG quality, blur, crop."""

    px_per_mm: float = 7.0
    degrees: float = 0.0
    noise: float = 0.0
    jpeg_quality: int | None = None
    blur: float = 0.0
    crop: float = 0.0  # share of the width cut off on the right


CLEAN = Photo()
PHOTOS = {
    "clean": CLEAN,
    "low-res": replace(CLEAN, px_per_mm=5.0),
    "rotated": replace(CLEAN, degrees=3.0),
    "noisy": replace(CLEAN, noise=14.0),
    "jpeg": replace(CLEAN, jpeg_quality=35),
    "phone": Photo(px_per_mm=6.0, degrees=-2.0, noise=8.0, jpeg_quality=60),
}
BLURRED = replace(CLEAN, blur=6.0)
CUT_OFF = replace(CLEAN, crop=0.45)


def invoice_image(invoice: Invoice, *, px_per_mm: float = 7.0) -> Image.Image:
    image = _draw(INVOICE_TITLE, invoice.lines(), px_per_mm)
    code = _qr(invoice.qr_payload, max(2, round(px_per_mm * 0.6)))
    image.paste(code, (round(8 * px_per_mm), round(6 * px_per_mm)))
    return image


def licence_image(licence: Licence, *, px_per_mm: float = 7.0) -> Image.Image:
    return _draw(LICENCE_TITLE, licence.lines(), px_per_mm)


def photo(image: Image.Image, how: Photo, *, seed: int = 0) -> bytes:
    """The image as a phone would give it: turned, noisy, blurred, cut, JPEG-compressed."""
    if how.degrees:
        image = image.rotate(how.degrees, expand=True, fillcolor=(235, 235, 230))
    if how.blur:
        image = image.filter(ImageFilter.GaussianBlur(how.blur))
    if how.crop:
        image = image.crop((0, 0, round(image.width * (1 - how.crop)), image.height))
    if how.noise:
        image = _noisy(image, how.noise, seed)
    out = io.BytesIO()
    if how.jpeg_quality:
        image.save(out, "JPEG", quality=how.jpeg_quality)
    else:
        image.save(out, "PNG")
    return out.getvalue()


def paper_photo(paper: Invoice | Licence, how: Photo = CLEAN, *, seed: int = 0) -> bytes:
    """A photo of the paper, taken as `how` says."""
    draw = invoice_image if isinstance(paper, Invoice) else licence_image
    return photo(draw(paper, px_per_mm=how.px_per_mm), how, seed=seed)


def _draw(title: str, lines: list[tuple[str, ...]], px_per_mm: float) -> Image.Image:
    width, height = (round(side * px_per_mm) for side in PAPER_MM)
    image = Image.new("RGB", (width, height), (250, 248, 240))
    draw = ImageDraw.Draw(image)
    draw.text(
        (width / 2, 14 * px_per_mm),
        title,
        fill=(120, 40, 30),
        font=_font(5.5 * px_per_mm),
        anchor="mm",
    )
    font = _font(3.4 * px_per_mm)
    for row, cells in enumerate(lines):
        for column, cell in enumerate(cells):
            xy = ((10 + column * 95) * px_per_mm, (36 + row * 9.5) * px_per_mm)
            draw.text(xy, cell, fill=(20, 20, 30), font=font)
    return image


def _noisy(image: Image.Image, sigma: float, seed: int) -> Image.Image:
    import numpy as np

    pixels = np.asarray(image, dtype=np.float32)
    noise = np.random.default_rng(seed).normal(0, sigma, pixels.shape)
    return Image.fromarray(np.clip(pixels + noise, 0, 255).astype(np.uint8))


@cache
def _font(size: float) -> ImageFont.FreeTypeFont:
    return ImageFont.truetype(str(FONT_DIR / FONT_FILES[""]), round(size))


def _qr(payload: str, scale: int) -> Image.Image:
    out = io.BytesIO()
    segno.make_qr(payload, error="m").save(out, kind="png", scale=scale, border=2)
    return Image.open(io.BytesIO(out.getvalue())).convert("RGB")


def _png(image: Image.Image) -> io.BytesIO:
    out = io.BytesIO()
    image.save(out, "PNG")
    out.seek(0)
    return out
