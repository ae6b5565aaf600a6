"""Every name prints: the shipped subsets, the machine's full font behind them, or a refusal."""

import bz2
from pathlib import Path

import pytest

from portal import pdf
from portal.transfer.pdf import Party, application_form_pdf, case_summary_pdf
from tests.test_paperwork import make_sheet, pdf_text
from tests.test_transfers import EN, open_case, world  # noqa: F401  (fixture)

# Given-name characters the old subset (GB 2312 level 1 only) dropped.
RARE_NAMES = ("王钰萱", "李晟琛", "张瑾昕", "陈梓涵", "刘睿煜", "赵珺玥", "周翊婧", "吴璟芃")
UNIHAN = Path("/usr/share/unicode/Unihan_OtherMappings.txt.bz2")
NO_FONT_HAS_IT = "\U0010fffd"  # a private-use code point: no font maps it
EXTENSION_A = "㐀"  # CJK Extension A, outside the 通用规范汉字表: only in a full font


def subsetcode_points() -> frozenset[int]:
    return pdf.code_points(pdf.FONT_DIR / pdf.FONT_FILES[""])


def gb2312_hanzi() -> set[str]:
    return {
        bytes((row, cell)).decode("gb2312", errors="ignore")
        for row in range(0xB0, 0xF8)
        for cell in range(0xA1, 0xFF)
    } - {""}


def test_rare_name_characters_print_and_read_back(tmp_path):
    buyer, seller = " ".join(RARE_NAMES[:4]), " ".join(RARE_NAMES[4:])
    sheet = make_sheet(buyer=Party(buyer, "3301**********3428", "person"))
    sheet = make_sheet(buyer=sheet.buyer, seller=Party(seller, "4401**********2137", "person"))
    text = pdf_text(application_form_pdf(sheet), tmp_path)
    for name in RARE_NAMES:
        assert name in text


def test_every_gb2312_hanzi_is_in_the_shipped_subsets():
    held = subsetcode_points()
    hanzi = gb2312_hanzi()
    assert len(hanzi) == 6763
    assert not "".join(sorted(c for c in hanzi if ord(c) not in held))


@pytest.mark.skipif(not UNIHAN.is_file(), reason="Debian package unicode-data is not installed")
def test_every_character_of_the_tongyong_guifan_table_is_in_the_shipped_subsets():
    with bz2.open(UNIHAN, "rt", encoding="utf-8") as lines:
        table = [line.split("\t")[0] for line in lines if "\tkTGH\t" in line]
    assert len(table) == 8105
    held = subsetcode_points()
    assert not [code for code in table if int(code[2:], 16) not in held]


@pytest.mark.skipif(pdf._system_font() is None, reason="no full CJK font on this machine")
def test_a_character_outside_the_subsets_falls_back_to_the_machines_font(tmp_path):
    assert ord(EXTENSION_A) not in subsetcode_points()
    name = f"王{EXTENSION_A}萱"
    sheet = make_sheet(buyer=Party(name, "3301**********3428", "person"))
    assert name in pdf_text(case_summary_pdf(sheet), tmp_path)


def test_a_character_no_font_holds_is_refused_by_name():
    sheet = make_sheet(buyer=Party(f"王{NO_FONT_HAS_IT}", "3301**********3428", "person"))
    with pytest.raises(pdf.MissingCharacters) as refused:
        application_form_pdf(sheet)
    assert NO_FONT_HAS_IT in str(refused.value)


def test_the_paperwork_page_refuses_with_a_clear_message(client, auth, world):  # noqa: F811
    case_url = open_case(client, auth, world, buyer_name=f"王{NO_FONT_HAS_IT}")
    response = client.get(f"{case_url}/paperwork/application.pdf", headers=EN)
    assert response.status_code == 422
    assert "fonts-noto-cjk" in response.get_data(as_text=True)
