"""Reading papers through POST /api/v1/documents/read: each method, and what cannot be read.

The papers are generated (tests/papers.py) from the demo registry. OCR cases are few and
small on purpose: the engine is heavy on the shared machine; bench/reading.py reads 100+.
"""

import io
import logging
from pathlib import Path

import pytest
from PIL import Image
from werkzeug.datastructures import FileStorage
from werkzeug.test import encode_multipart

from portal.accounts.models import Role
from portal.reading import parsing
from portal.reading.terms import PaperKind, ReadMethod
from tests import factories, papers
from tests.test_api import EN, PROBLEM, fields_of
from tests.test_api_subsidy import token_of

READ = "/api/v1/documents/read"


@pytest.fixture
def api(app):
    return app.test_client()


@pytest.fixture
def owner(session):
    user = factories.user(session, Role.OWNER)
    return token_of(session, user)


def post(api, headers, fields: dict):
    """POST multipart fields encoded in memory (werkzeug's builder spools big bodies to a
    temporary file it never closes: a ResourceWarning, an error in this suite)."""
    boundary, body = encode_multipart(
        {
            name: FileStorage(io.BytesIO(value[0]), value[1]) if isinstance(value, tuple) else value
            for name, value in fields.items()
        }
    )
    return api.post(
        READ, data=body, headers=headers, content_type=f"multipart/form-data; boundary={boundary}"
    )


def read(api, headers, content: bytes, kind: str = "invoice", name: str = "paper.pdf"):
    """POST the paper, then GET the reading (the job ran when the request committed)."""
    posted = post(api, headers, {"kind": kind, "file": (content, name)})
    assert posted.status_code == 202, posted.get_data(as_text=True)
    assert posted.json["status"] == "queued" and posted.json["fields"] == {}
    answer = api.get(posted.headers["Location"], headers=headers)
    assert answer.status_code == 200
    assert answer.json["status"] == "done"
    return answer.json


def values(answer) -> dict:
    return {name: field["value"] for name, field in answer["fields"].items()}


def test_an_e_invoice_pdf_is_read_from_its_qr_code_and_text_layer(api, owner, app):
    invoice = papers.invoices(2)[1]
    answer = read(api, owner, papers.invoice_pdf(invoice))
    assert answer["method"] == "text" and answer["problems"] == [] and answer["missing"] == []
    assert values(answer) == invoice.expected()
    fields = answer["fields"]
    assert (
        fields["invoice_number"]["method"] == "qr" and fields["invoice_number"]["confidence"] == 1
    )
    assert fields["vin"]["method"] == "text" and fields["vin"]["confidence"] == 1
    # The QR code's amount before tax confirms the printed price with tax.
    assert fields["invoice_price_fen"]["confidence"] == 1
    # Nothing of the paper is left on disk once it is read.
    assert not any(Path(app.config["UPLOAD_FOLDER"]).rglob("*.*"))


def test_a_scanned_pdf_without_text_is_read_by_ocr(api, owner):
    invoice = papers.invoices(1)[0]
    answer = read(api, owner, papers.invoice_pdf(invoice, text_layer=False))
    assert answer["method"] == "ocr"
    assert values(answer)["vin"] == invoice.vin
    assert values(answer)["invoice_number"] == invoice.number  # its QR code, in the scan


def test_a_phone_photo_of_a_licence_is_read_by_ocr(api, owner):
    licence = papers.licences(3)[2]
    photo = papers.paper_photo(licence, papers.PHOTOS["phone"], seed=3)
    answer = read(api, owner, photo, kind="vehicle_licence", name="licence.jpg")
    assert answer["method"] == "ocr" and answer["problems"] == []
    assert values(answer) == licence.expected()
    assert 0 < answer["fields"]["owner_name"]["confidence"] < 1


def test_a_blurred_photo_says_so_and_reads_nothing_wrong(api, owner):
    licence = papers.licences(1)[0]
    photo = papers.paper_photo(licence, papers.BLURRED)
    answer = read(api, owner, photo, kind="vehicle_licence", name="licence.png")
    assert answer["problems"][0]["code"] == "blurred"
    assert "blurred" in answer["problems"][0]["message"]
    assert answer["missing"]
    assert all(
        values(answer)[name] == value
        for name, value in licence.expected().items()
        if name in values(answer)
    )


def test_a_pdf_that_is_not_an_invoice_says_so(api, owner):
    licence_as_pdf = _pdf_with_text("中华人民共和国机动车行驶证 号牌号码 粤A12345")
    answer = read(api, owner, licence_as_pdf)
    assert [problem["code"] for problem in answer["problems"]] == ["not_this_paper"]
    assert answer["fields"] == {}


def test_a_file_that_does_not_open_says_why(api, owner):
    answer = read(api, owner, b"%PDF-1.7\nnot really a pdf", name="broken.pdf")
    assert [problem["code"] for problem in answer["problems"]] == ["unreadable"]


@pytest.mark.parametrize(
    ("data", "field"),
    [
        ({"kind": "invoice"}, "file"),
        ({"file": (b"%PDF-1.7", "a.pdf")}, "kind"),
        ({"kind": "passport", "file": (b"%PDF-1.7", "a.pdf")}, "kind"),
        ({"kind": "invoice", "file": (b"MZ\x90\x00 an exe", "a.pdf")}, "file"),
        ({"kind": "invoice", "file": (b"", "empty.pdf")}, "file"),
        ({"kind": "invoice", "file": (b"%PDF-" + b"0" * 11 * 2**20, "big.pdf")}, "file"),
    ],
    ids=["no-file", "no-kind", "unknown-kind", "not-a-pdf-or-image", "empty", "oversized"],
)
def test_wrong_missing_oversized_and_hostile_uploads_are_422(api, owner, data, field):
    assert field in fields_of(post(api, owner, data))


def test_a_decompression_bomb_is_refused_as_a_file(api, owner):
    bomb = io.BytesIO()
    Image.new("1", (9000, 9000)).save(bomb, "PNG")
    response = post(api, owner, {"kind": "invoice", "file": (bomb.getvalue(), "b.png")})
    assert "file" in fields_of(response)


def test_reviewers_officers_and_anonymous_callers_cannot_read(api, session):
    reviewer = token_of(session, factories.user(session, Role.REVIEWER))
    upload = {"kind": "invoice", "file": (b"%PDF-1.7", "a.pdf")}
    assert post(api, reviewer, upload).status_code == 403
    assert post(api, EN, upload).status_code == 401


def test_a_dealer_reads_too_but_nobody_sees_another_users_reading(api, session, owner):
    dealer = token_of(
        session, factories.user(session, Role.DEALER, dealer_row=factories.dealer(session))
    )
    invoice = papers.invoices(1)[0]
    answer = read(api, dealer, papers.invoice_pdf(invoice), name="invoice.pdf")
    assert values(answer)["invoice_buyer_id_number"] == invoice.buyer_id
    other = api.get(f"{READ}/{answer['id']}", headers=owner)
    assert other.status_code == 404 and other.content_type == PROBLEM
    assert api.get(f"{READ}/{2**40}", headers=owner).status_code == 404


def test_what_was_read_is_sealed_at_rest_and_never_logged(api, owner, session, caplog):
    from portal.reading.models import DocumentReading

    invoice = papers.invoices(1)[0]
    with caplog.at_level(logging.DEBUG):
        answer = read(api, owner, papers.invoice_pdf(invoice))
    row = session.get(DocumentReading, answer["id"])
    assert invoice.buyer_id not in row.fields_sealed and invoice.buyer_name not in row.fields_sealed
    assert invoice.buyer_id not in caplog.text and invoice.buyer_name not in caplog.text


def test_the_openapi_document_describes_reading(api):
    paths = api.get("/api/v1/openapi.json").json["paths"]
    assert (
        "multipart/form-data" in paths["/api/v1/documents/read"]["post"]["requestBody"]["content"]
    )
    assert "202" in paths["/api/v1/documents/read"]["post"]["responses"]
    assert "200" in paths["/api/v1/documents/read/{id}"]["get"]["responses"]


def test_an_invoice_read_carries_the_subsidy_apis_own_field_names(api, owner):
    """Issue 15: the names the subsidy API uses, so a client sends what it read unchanged."""
    invoice = papers.invoices(1)[0]
    read_names = set(read(api, owner, papers.invoice_pdf(invoice))["fields"])
    schemas = api.get("/api/v1/openapi.json").json["components"]["schemas"]
    subsidy_names = set(schemas["NewCarIn"]["properties"])
    shared = {"vin", "brand", "model", "invoice_number", "invoice_date", "invoice_price_fen"}
    shared |= {"invoice_buyer_id_number"}
    assert shared <= read_names & subsidy_names
    # Reading adds only what the subsidy API has no field for; nothing is named twice.
    assert read_names - subsidy_names == {
        "invoice_code",
        "invoice_buyer_name",
        "invoice_tax_fen",
        "invoice_seller_name",
        "invoice_seller_uscc",
    } - ({"invoice_code"} if not invoice.code else set())
    assert "invoice_amount_yuan" not in read_names


# --- the pure parsing: every identifier checked ------------------------------------------


def test_a_vin_failing_its_check_digit_is_not_read_and_lookalike_letters_are_fixed():
    vin = papers.invoices(1)[0].vin
    wrong = vin[:8] + ("0" if vin[8] != "0" else "1") + vin[9:]
    assert parsing.find_vin(f"车辆识别代号:{wrong}") is None
    assert parsing.find_vin(f"车辆识别代号:{vin.replace('0', 'O')}") == vin


def test_an_id_number_failing_its_check_is_not_read_and_17_digits_are_no_vin():
    buyer_id = papers.invoices(1)[0].buyer_id
    wrong = buyer_id[:17] + ("1" if buyer_id[17] != "1" else "2")
    assert parsing.find_resident_id(f"身份证号码:{wrong}") is None
    assert parsing.find_vin(buyer_id) is None


def test_amounts_that_do_not_add_up_are_kept_but_not_trusted():
    text = parsing.clean("价税合计(小写):¥113,000.00\n增值税税额:¥13,000.00\n不含税价:¥99,000.00")
    fields = parsing.invoice_fields(text, ReadMethod.TEXT)
    assert fields["invoice_price_fen"].value == 11_300_000
    assert fields["invoice_price_fen"].confidence < 1


def test_the_qr_payload_of_domain_7_is_parsed():
    qr = parsing.parse_qr("01,10,011001605111,80100798,64.9,20161018,85342965681116380258,A1B2,")
    assert (qr.code, qr.number, qr.amount_before_tax_fen, str(qr.issued)) == (
        "011001605111",
        "80100798",
        6490,
        "2016-10-18",
    )
    assert parsing.parse_qr("https://example.cn/?q=1") is None
    assert parsing.paper_fields(PaperKind.INVOICE, "", ReadMethod.TEXT) == {}


def _pdf_with_text(text: str) -> bytes:

    from portal.pdf import FONT, CjkPDF

    pdf = CjkPDF()
    pdf.add_page()
    pdf.set_font(FONT, "", 12)
    pdf.cell(0, 10, text)
    return bytes(pdf.output())
