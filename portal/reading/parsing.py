"""From text to checked fields: a QR payload, a PDF's text layer or the OCR's lines.

Every identifier is checked with `portal.identifiers` before it counts: a VIN or an ID
number that fails its check digit is "not read", never a wrong value (issue 15). Amounts
are checked against each other (price with tax = price before tax + tax). Field names
are the ones the subsidy API already uses. Pure: standard library, `portal.identifiers`,
`portal.money` and the shipped catalogue's brands.
"""

import csv
import re
import unicodedata
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from functools import cache
from importlib import resources

from portal.identifiers import (
    InvalidIdentifier,
    parse_plate,
    parse_resident_id,
    parse_uscc,
    parse_vin,
)
from portal.reading.terms import PaperKind, ReadMethod

INVOICE_FIELDS = (
    "invoice_code",
    "invoice_number",
    "invoice_date",
    "invoice_buyer_name",
    "invoice_buyer_id_number",
    "vin",
    "brand",
    "model",
    "invoice_price_fen",
    "invoice_tax_fen",
    "invoice_seller_name",
    "invoice_seller_uscc",
)
LICENCE_FIELDS = ("plate", "vin", "owner_name", "registration_date", "fuel_type", "brand", "model")
FIELDS = {PaperKind.INVOICE: INVOICE_FIELDS, PaperKind.VEHICLE_LICENCE: LICENCE_FIELDS}
# Words only this paper carries: without one, it is not the paper (DOMAIN §7).
MARKERS = {
    PaperKind.INVOICE: ("机动车销售统一发票", "价税合计", "发票号码"),
    PaperKind.VEHICLE_LICENCE: ("行驶证", "号牌号码", "登记证书"),
}
# What a field's value is worth when it passed no check digit: the reader's own score only.
UNCHECKED = 0.9


@dataclass(frozen=True)
class Read:
    """One field as read: its value (text, ISO date or integer fen) and how sure we are."""

    value: str | int
    confidence: float
    method: ReadMethod


def clean(text: str) -> str:
    """NFKC (full-width ¥ and colons to half-width), upper case, each line without spaces.

    Control characters go too: some PDF fonts map every glyph to a NUL and the character.
    """
    text = unicodedata.normalize("NFKC", text).upper()
    text = "".join(char for char in text if char == "\n" or unicodedata.category(char) != "Cc")
    return "\n".join("".join(line.split()) for line in text.splitlines() if line.strip())


def plain(text: str) -> str:
    """Text as a person compares it: full-width forms (NFKC), spaces and case make no
    difference ("张 三" and "张三", "ＡＢ１" and "ab1" are the same)."""
    return "".join(unicodedata.normalize("NFKC", text).split()).upper()


# The ways a name's middle dot is typed or printed (阿卜杜拉·买买提); NFKC keeps them apart.
_NAME_DOTS = str.maketrans(dict.fromkeys("・•‧∙⋅･．.", "·"))


def same_name(read: str, registered: str) -> bool:
    """Is the name read the registry's, however it was written (`plain`, the dot's forms)?"""
    return plain(read).translate(_NAME_DOTS) == plain(registered).translate(_NAME_DOTS)


def is_paper(kind: PaperKind, text: str) -> bool:
    """Does the text carry words only this kind of paper carries?"""
    return any(marker in text for marker in MARKERS[kind])


# --- the QR code of an invoice (DOMAIN §7) -----------------------------------

QR_PREFIX = "01,"


@dataclass(frozen=True)
class InvoiceQr:
    """The fields of an invoice's QR code: code, number, amount before tax, date."""

    code: str
    number: str
    amount_before_tax_fen: int | None
    issued: date | None


def parse_qr(payload: str) -> InvoiceQr | None:
    """`01,<type>,<code>,<number>,<amount before tax>,<YYYYMMDD>,<check>,<CRC>,` or None."""
    parts = payload.strip().split(",")
    if not payload.startswith(QR_PREFIX) or len(parts) < 6:
        return None
    code, number = parts[2], parts[3]
    if not re.fullmatch(r"\d{8}|\d{20}", number) or not re.fullmatch(r"(\d{10,12})?", code):
        return None
    return InvoiceQr(code, number, _fen(parts[4]), _date(parts[5], parts[5][4:6], parts[5][6:8]))


def qr_fields(qr: InvoiceQr) -> dict[str, Read]:
    """What a QR code gives: exact, machine-written values (confidence 1)."""
    fields = {"invoice_number": Read(qr.number, 1.0, ReadMethod.QR)}
    if qr.code:
        fields["invoice_code"] = Read(qr.code, 1.0, ReadMethod.QR)
    if qr.issued:
        fields["invoice_date"] = Read(qr.issued.isoformat(), 1.0, ReadMethod.QR)
    return fields


# --- values ------------------------------------------------------------------

_AMOUNT = r"¥?([0-9][0-9,]*(?:\.[0-9]{1,2})?)"
_DATE = r"(\d{4})[年\-/.]?(\d{1,2})[月\-/.]?(\d{1,2})"
# OCR reads these letters for the digits they resemble; a VIN never holds them.
_VIN_LOOKALIKES = str.maketrans({"O": "0", "Q": "0", "I": "1"})


def _fen(text: str) -> int | None:
    try:
        amount = Decimal(text.replace(",", ""))
    except InvalidOperation:
        return None
    return int(amount * 100) if amount == amount.quantize(Decimal("0.01")) else None


def _date(year: str, month: str, day: str) -> date | None:
    try:
        return date(int(year[:4]), int(month), int(day))
    except ValueError:
        return None


def _after(label: str, text: str, value: str = r"(.+)") -> re.Match[str] | None:
    """The value right after a label, on its line or at the start of the next one."""
    return re.search(f"{label}\\)?:?\n?{value}", text, re.MULTILINE)


def _windows(text: str, pattern: str, length: int) -> Iterator[str]:
    # Every run of the alphabet, then every window of the length inside it: OCR and
    # text layers glue neighbouring numbers (an engine number to a VIN) together.
    for run in re.findall(f"{pattern}{{{length},}}", text):
        for start in range(len(run) - length + 1):
            yield run[start : start + length]


def find_vin(text: str) -> str | None:
    """The VIN after its label, else the first 17-character run whose check digit holds.

    A run of digits only is skipped: 17 digits of an ID number pass the check one time
    in eleven, and a maker's code (VIN characters 1–3) has letters (DOMAIN §4).
    """
    labelled = _after("(?:车辆识别代号|车架号码)", text, "([0-9A-Z]{17})")
    candidates = [labelled.group(1)] if labelled else []
    candidates += [c for c in _windows(text, "[0-9A-Z]", 17) if not c.isdigit()]
    for candidate in candidates:
        try:
            return parse_vin(candidate.translate(_VIN_LOOKALIKES)).value
        except InvalidIdentifier:
            continue
    return None


def find_resident_id(text: str) -> str | None:
    """The first 18-character run that is a valid resident ID number (DOMAIN §4)."""
    for candidate in _windows(text, "[0-9X]", 18):
        try:
            return parse_resident_id(candidate).value
        except InvalidIdentifier:
            continue
    return None


def find_uscc(text: str, *, label: str) -> str | None:
    """The USCC after the label whose check character holds (DOMAIN §4)."""
    for match in re.finditer(f"{label}:?\n?([0-9A-Z]{{18}})", text):
        try:
            code = parse_uscc(match.group(1))
        except InvalidIdentifier:
            continue
        if code.check_digit_ok:
            return code.value
    return None


def find_plate(text: str) -> str | None:
    """The plate after its label, else the first run that is a valid plate (DOMAIN §4)."""
    text = re.sub("[·.・•]", "", text)  # printed 粤A·12345, read with any kind of dot
    labelled = _after("号牌号码", text, r"(\S{7,8})")
    candidates = [labelled.group(1)] if labelled else []
    candidates += re.findall(r"[\u4e00-\u9fff][A-Z][0-9A-Z]{5,6}", text)
    for candidate in candidates:
        for length in (8, 7):
            try:
                return parse_plate(candidate[:length]).value
            except InvalidIdentifier:
                continue
    return None


def find_date(label: str, text: str) -> date | None:
    match = _after(label, text, _DATE)
    return _date(*match.groups()) if match else None


def find_amount(label: str, text: str) -> int | None:
    match = _after(label, text, _AMOUNT)
    return _fen(match.group(1)) if match else None


def find_name(label: str, text: str, *, until: str) -> str | None:
    """Chinese text after a label up to the next label: a person's or a company's name."""
    match = _after(label, text, f"(.+?)(?:{until}|$)")
    if not match:
        return None
    name = match.group(1).strip(":")
    return name if re.fullmatch(r"[\u4e00-\u9fff·()]{2,40}", name) else None


@cache
def catalogue() -> dict[str, dict[str, str]]:
    """Brand → {series as `clean` writes it: series as the catalogue writes it}."""
    series: dict[str, dict[str, str]] = {}
    with resources.files("portal").joinpath("data/models.csv").open(encoding="utf-8") as rows:
        for row in csv.DictReader(rows):
            series.setdefault(row["brand"], {})[clean(row["series"])] = row["series"]
    return series


def find_brand_model(label: str, text: str, *, until: str) -> tuple[str, str] | None:
    """Brand and model after the label, the brand one the catalogue knows.

    Papers print "大众 朗逸" and OCR drops the space, so the brand is the longest known
    brand the value starts with; a series the catalogue knows takes its spelling back.
    """
    match = _after(label, text, f"(.+?)(?:{until}|$)")
    if not match:
        return None
    value = match.group(1)
    brands = sorted(catalogue(), key=len, reverse=True)
    brand = next((b for b in brands if value.startswith(clean(b))), None)
    if brand is None or len(value) == len(clean(brand)):
        return None
    model = value[len(clean(brand)) :]
    return brand, catalogue()[brand].get(model, model)


# --- the papers --------------------------------------------------------------

_INVOICE_NAME_ENDS = "身份证|纳税人|统一社会|组织机构|\\d"
_SELLER_ENDS = "纳税人|电话|地址|账号|\\d"
_MODEL_ENDS = "产地|合格证|车辆识别|发动机|进口|车架|注册|使用性质|\\n"


# A value found, and whether a check (check digit, amounts adding up) stands behind it.
Found = tuple[str | int | None, bool]


def _reads(found: dict[str, Found], method: ReadMethod, score: float) -> dict[str, Read]:
    """The values found as reads: a checked one at the reader's score, others lower."""
    return {
        name: Read(value, round(score if checked else score * UNCHECKED, 3), method)
        for name, (value, checked) in found.items()
        if value is not None
    }


def _group(match: re.Match[str] | None) -> str | None:
    return match.group(1) if match else None


def _iso(day: date | None) -> str | None:
    return day.isoformat() if day else None


def invoice_fields(text: str, method: ReadMethod, score: float = 1.0) -> dict[str, Read]:
    """The invoice's fields found in cleaned text (`clean`), each checked where it can be."""
    brand, model = find_brand_model("厂牌型号", text, until=_MODEL_ENDS) or (None, None)
    found: dict[str, Found] = {
        "invoice_code": (_group(_after("发票代码", text, r"(\d{10,12})(?!\d)")), False),
        "invoice_number": (_group(_after("发票号码", text, r"(\d{20}|\d{8})(?!\d)")), False),
        "invoice_date": (_iso(find_date("开票日期", text)), False),
        "invoice_buyer_name": (find_name("购买方名称", text, until=_INVOICE_NAME_ENDS), False),
        "invoice_buyer_id_number": (find_resident_id(text), True),
        "vin": (find_vin(text), True),
        "brand": (brand, False),
        "model": (model, False),
        **_amounts(text),
        "invoice_seller_name": (find_name("销货单位名称", text, until=_SELLER_ENDS), False),
        "invoice_seller_uscc": (find_uscc(text, label="纳税人识别号"), True),
    }
    return _reads(found, method, score)


def _amounts(text: str) -> dict[str, Found]:
    """Price with tax and tax; checked when price before tax + tax = price with tax."""
    price = find_amount("小写", text) or find_amount("价税合计", text)
    tax = find_amount("增值税税额", text) or find_amount("税额", text)
    before = find_amount("不含税价", text)
    if price is None:
        return {}
    agree = tax is not None and before is not None and before + tax == price
    return {"invoice_price_fen": (price, agree), "invoice_tax_fen": (tax, agree)}


FUEL_WORDS = {
    "汽油": "petrol",
    "柴油": "diesel",
    "纯电动": "bev",
    "插电式混合动力": "phev",
    "增程式": "erev",
    "油电混合动力": "hev",
}


def licence_fields(text: str, method: ReadMethod, score: float = 1.0) -> dict[str, Read]:
    """The licence's fields found in cleaned text (`clean`)."""
    brand, model = find_brand_model("品牌型号", text, until=_MODEL_ENDS) or (None, None)
    fuel = _group(_after("燃料种类", text, "({})".format("|".join(FUEL_WORDS))))
    registered = find_date("注册日期", text) or find_date("注册登记日期", text)
    found: dict[str, Found] = {
        "plate": (find_plate(text), True),
        "vin": (find_vin(text), True),
        "owner_name": (find_name("所有人", text, until="住址|使用性质|品牌|\\d"), False),
        "registration_date": (_iso(registered), False),
        "fuel_type": (FUEL_WORDS[fuel] if fuel else None, False),
        "brand": (brand, False),
        "model": (model, False),
    }
    return _reads(found, method, score)


def paper_fields(
    kind: PaperKind, text: str, method: ReadMethod, score: float = 1.0
) -> dict[str, Read]:
    """The fields of a paper of this kind in cleaned text."""
    parse = invoice_fields if kind is PaperKind.INVOICE else licence_fields
    return parse(text, method, score)
