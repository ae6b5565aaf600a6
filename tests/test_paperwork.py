"""The transfer paperwork PDFs: they build, carry their Chinese text, and the font covers it."""

import ast
import logging
import re
import shutil
import subprocess
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta
from pathlib import Path

import pytest

from portal.pdf import code_points
from portal.transfer import pdf as paperwork
from portal.transfer.pdf import CaseSheet, Party, application_form_pdf, case_summary_pdf

PORTAL = Path(paperwork.__file__).resolve().parents[1]
PAGE = re.compile(rb"/Type\s*/Page\b")


def make_sheet(**overrides) -> CaseSheet:
    """A realistic case: a Shenzhen car sold through a Guangzhou dealer to Hangzhou."""
    start = datetime(2026, 10, 30, 1, 20, tzinfo=UTC)
    sheet = CaseSheet(
        number="TR44202600012",
        status="已提交",
        vehicle={
            "号牌号码": "粤B12345",
            "车辆识别代号": "LSVAU2180N2183456",
            "品牌型号": "大众 朗逸",
            "车身类型": "轿车",
            "燃料种类": "汽油",
            "排放标准": "国六b",
            "初次登记日期": "2019-06-18",
            "使用性质": "非营运",
        },
        seller=Party("陈建华", "4401**********2137", "person"),
        buyer=Party("林晓燕", "3301**********3428", "person"),
        origin="广东省 深圳市",
        destination="浙江省 杭州市",
        price_fen=8_650_000,
        sale_date=date(2026, 10, 30),
        mileage_km=68_420,
        dealer_name="广州市粤骏二手车销售有限公司",
        dealer_uscc="91440101MA5CY8QK1T",
        dealer_temporary=True,
        fees=[("号牌（一副）", 10_000), ("登记证书", 1_000), ("经销企业服务费", 30_000)],
        documents=[("机动车登记证书", "登记证书.pdf"), ("二手车销售统一发票", None)],
        timeline=[
            (start, "创建案件", "王丽娟"),
            (start + timedelta(hours=2), "提交审核", "王丽娟"),
        ],
        generated_at=datetime(2026, 11, 2, 2, 30, tzinfo=UTC),
    )
    return replace(sheet, **overrides)


@pytest.fixture(scope="module")
def form() -> bytes:
    return application_form_pdf(make_sheet())


@pytest.fixture(scope="module")
def summary() -> bytes:
    return case_summary_pdf(make_sheet())


def pdf_text(pdf: bytes, tmp_path: Path) -> str:
    """The PDF's text as poppler extracts it, without whitespace (cells wrap lines)."""
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext is not installed (Debian package poppler-utils)")
    path = tmp_path / "doc.pdf"
    path.write_bytes(pdf)
    out = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, check=True)
    return "".join(out.stdout.decode("utf-8").split())


def test_both_documents_are_pdfs(form, summary):
    assert form.startswith(b"%PDF")
    assert summary.startswith(b"%PDF")
    assert len(PAGE.findall(form)) == 1


def test_form_carries_its_chinese_text(form, tmp_path):
    text = pdf_text(form, tmp_path)
    for expected in (
        "机动车转移登记申请表",
        "TR44202600012",
        "粤B12345",
        "陈建华",
        "林晓燕",
        "广州市粤骏二手车销售有限公司",
        "广东省深圳市",
        "浙江省杭州市",
        "¥86,500.00",
        "68,420km",
        "是否单独签注是",
        "申请人签字",
        "本表由汽车以旧换新与二手车服务平台根据案件数据生成",
        "2026-11-0210:30",  # generated at 02:30 UTC, printed in Beijing time
    ):
        assert expected in text


def test_summary_carries_fees_documents_and_timeline(summary, tmp_path):
    text = pdf_text(summary, tmp_path)
    for expected in (
        "案件摘要",
        "状态：已提交",
        "粤B12345",
        "林晓燕",
        "¥86,500.00",
        "号牌（一副）¥100.00",
        "合计¥410.00",
        "机动车登记证书登记证书.pdf",
        "二手车销售统一发票未上传",
        "2026-10-3009:20创建案件王丽娟",  # 01:20 UTC is 09:20 in Asia/Shanghai
    ):
        assert expected in text


def test_no_glyph_is_missing(caplog):
    unusual = make_sheet(
        buyer=Party("乌鲁木齐市璐婧汽车贸易有限公司", "91650100MA77U3RD2K", "company")
    )
    with caplog.at_level(logging.WARNING, logger="fpdf"):
        application_form_pdf(unusual)
    assert not [r for r in caplog.records if "missing" in r.getMessage()]


def test_long_timeline_breaks_across_pages():
    start = datetime(2026, 10, 1, tzinfo=UTC)
    events = [
        (
            start + timedelta(hours=n),
            f"第{n + 1}次办理：转出地车管所审核通过，电子档案已转递。",
            "审核员",
        )
        for n in range(80)
    ]
    pdf = case_summary_pdf(make_sheet(timeline=events))
    assert pdf.startswith(b"%PDF")
    assert len(PAGE.findall(pdf)) >= 3


def test_empty_lists_still_build():
    pdf = case_summary_pdf(make_sheet(fees=[], documents=[], timeline=[], vehicle={}))
    assert pdf.startswith(b"%PDF")


def msgstrs(path: Path) -> str:
    """The translated strings of a .po catalogue, concatenated."""
    out, in_msgstr = [], False
    for raw in path.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if line.startswith("msgstr"):
            in_msgstr, line = True, line.partition(" ")[2]
        elif not line.startswith('"'):
            in_msgstr = False
        if in_msgstr and line.startswith('"'):
            out.append(ast.literal_eval(line))
    return "".join(out)


@pytest.mark.parametrize("weight", ["Regular", "Bold"])
def test_shipped_font_covers_data_and_translations(weight):
    cmap = code_points(paperwork.FONT_DIR / f"NotoSansSC-{weight}.subset.otf")
    texts = {
        "cities.csv": (PORTAL / "data" / "cities.csv").read_text(encoding="utf-8"),
        "provinces.csv": (PORTAL / "data" / "provinces.csv").read_text(encoding="utf-8"),
        "registry/demo.py": (PORTAL / "registry" / "demo.py").read_text(encoding="utf-8"),
        "messages.po msgstrs": msgstrs(
            PORTAL / "translations" / "zh" / "LC_MESSAGES" / "messages.po"
        ),
        "transfer/pdf.py": Path(paperwork.__file__).read_text(encoding="utf-8"),
    }
    for source, text in texts.items():
        missing = sorted({c for c in text if c.isprintable() and ord(c) not in cmap})
        assert not missing, (
            f"{source} needs {''.join(missing)}: cut the font again (fonts/README.md)"
        )
    for common in "的一是在不了有和人这中大为上个国我以要他":
        assert ord(common) in cmap
