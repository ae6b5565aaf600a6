"""Issue 15: a reading that ends fills around what the owner typed meanwhile, never over it.

Only a field still empty, or still holding what an earlier reading filled, is filled; a
field the owner changed is left alone and marked "your value differs from what was read".
"""

import re
from datetime import timedelta

import pytest

from portal.audit import china_today
from tests import factories, papers
from tests import subsidy_helpers as h
from tests.test_reading_flags import licence_of
from tests.test_reading_wizard import EN, MARK, demo_invoice, upload, value_of
from tests.test_subsidy_apply import _new_car_form, _start

DIFFERS = "Your value differs from what was read from your invoice — check it."
POLL = {"HX-Request": "true", **EN}


def note_of(page: str, name: str) -> str:
    """The read mark under a field: what it says, or "" when it has none."""
    block = next(b for b in page.split('<div class="field') if f'name="{name}"' in b)
    found = re.search(r'<p class="read-mark">([^<]*)</p>', block)
    return found.group(1) if found else ""


@pytest.fixture
def owner(session, client, auth):
    h.seed(session)
    applicant = h.Applicant(session)
    auth.login(applicant.email)
    return applicant


def read_invoice(client, base: str, invoice: papers.Invoice) -> str:
    """Upload the invoice to read (the test consumer reads it at once); the reading's id."""
    response = upload(
        client, f"{base}/read/invoice", papers.invoice_pdf(invoice), "f.pdf", "invoice"
    )
    assert response.status_code == 303
    return response.headers["Location"].rsplit("reading=", 1)[1]


def test_the_reading_ends_while_the_owner_types_and_fills_only_the_empty_fields(client, owner):
    base = _start(client)
    invoice = demo_invoice(buyer_id=owner.id_number, buyer_name="陈建华")
    reading_id = read_invoice(client, base, invoice)
    typed = {
        "vin": "",  # not typed yet: filled
        "brand": "",
        "model": "汉 EV",  # typed while the paper was read: kept
        "invoice_number": "",
        "invoice_date": "2026-1",  # half typed: kept as typed, not lost
        "invoice_price": "168,000",  # the price read, written otherwise: the same
        "plate": "粤AD54321",
        "invoice_buyer_id": "",
    }
    # htmx posts the form with its poll; the answer is the step, to swap in place.
    done = client.post(f"{base}/reading/{reading_id}", data=typed, headers=POLL)
    assert done.status_code == 200
    assert done.headers["HX-Retarget"] == done.headers["HX-Reselect"] == "#step-form"
    assert done.headers["HX-Push-Url"] == f"{base}/step/new-car?reading={reading_id}"
    page = done.get_data(as_text=True)

    assert value_of(page, "vin") == invoice.vin and note_of(page, "vin") == MARK
    assert value_of(page, "invoice_number") == invoice.number
    assert value_of(page, "brand") == "比亚迪"
    assert value_of(page, "model") == "汉 EV" and note_of(page, "model") == DIFFERS
    assert value_of(page, "invoice_date") == "2026-1" and note_of(page, "invoice_date") == DIFFERS
    assert value_of(page, "invoice_price") == "168000.00"
    assert note_of(page, "invoice_price") == MARK
    assert value_of(page, "plate") == "粤AD54321" and note_of(page, "plate") == ""
    assert "Fields you typed differently from your paper: 2." in page
    assert owner.id_number not in done.headers.get("HX-Push-Url", "")


def test_a_poll_while_the_paper_is_read_answers_the_progress_and_keeps_nothing(
    app, session, client, owner
):
    from portal.reading.models import DocumentReading
    from portal.reading.terms import PaperKind

    base = _start(client)
    application_id = int(base.rsplit("/", 1)[1])
    queued = DocumentReading(
        user_id=owner.user.id, application_id=application_id, kind=PaperKind.INVOICE
    )
    session.add(queued)
    session.commit()
    panel = client.post(f"{base}/reading/{queued.id}", data={"model": "汉"}, headers=POLL)
    assert panel.status_code == 200 and "Reading your paper" in panel.get_data(as_text=True)
    assert 'hx-include="#step-fields"' in panel.get_data(as_text=True)
    assert 'id="step-fields"' in client.get(f"{base}/step/new-car").get_data(as_text=True)


def test_a_second_reading_replaces_what_the_first_filled_but_not_what_the_owner_changed(
    client, owner
):
    base = _start(client)
    first = demo_invoice(buyer_id=owner.id_number, buyer_name="陈建华")
    read_invoice(client, base, first)
    # The owner keeps what the first invoice filled, but corrects the model, and saves.
    form = _new_car_form(
        owner,
        vin=first.vin,
        model="汉EV",
        invoice_number=first.number,
        invoice_date=first.issued.isoformat(),
    )
    assert client.post(f"{base}/step/new-car", data=form).status_code == 303

    # The seller sends a corrected invoice: another number and VIN, the model still 汉.
    second = demo_invoice(
        buyer_id=owner.id_number,
        number="26442000000099999999",
        vin=factories.vin(wmi="LC0"),
        issued=china_today() - timedelta(days=3),
    )
    reading_id = read_invoice(client, base, second)
    page = client.get(f"{base}/step/new-car?reading={reading_id}", headers=EN)
    assert page.status_code == 200
    page = page.get_data(as_text=True)
    assert value_of(page, "invoice_number") == second.number  # the first reading's: replaced
    assert value_of(page, "vin") == second.vin
    assert value_of(page, "invoice_date") == second.issued.isoformat()
    assert value_of(page, "model") == "汉EV" and note_of(page, "model") == DIFFERS
    assert note_of(page, "vin") == MARK


def test_a_value_the_owner_saved_is_not_replaced_by_a_first_reading(app, session, client, owner):
    application = h.draft(session, owner, files=app.extensions["storage"])
    base = f"/subsidies/{application.id}"
    invoice = demo_invoice(buyer_id=owner.id_number, model="海豹")
    reading_id = read_invoice(client, base, invoice)
    page = client.get(f"{base}/step/new-car?reading={reading_id}", headers=EN).get_data(
        as_text=True
    )
    assert value_of(page, "vin") == application.new_vin != invoice.vin
    assert note_of(page, "vin") == DIFFERS
    assert value_of(page, "model") == "海豹" and note_of(page, "model") == MARK


def test_the_poll_is_the_owners_only(app, session, client, auth, owner):
    base = _start(client)
    reading_id = read_invoice(client, base, demo_invoice(buyer_id=owner.id_number))
    stranger = h.Applicant(session)
    auth.logout()
    auth.login(stranger.email)
    assert client.post(f"{base}/reading/{reading_id}", data={}, headers=POLL).status_code == 404
    auth.logout()
    assert client.post(f"{base}/reading/{reading_id}", data={}, headers=POLL).status_code in (
        302,
        401,
    )


def test_a_hostile_or_oversized_typed_value_comes_back_escaped_and_kept(client, owner):
    base = _start(client)
    reading_id = read_invoice(client, base, demo_invoice(buyer_id=owner.id_number))
    hostile = '<script>alert(1)</script>"'
    typed = {"model": hostile, "brand": "宝" * 5000}
    done = client.post(f"{base}/reading/{reading_id}", data=typed, headers=POLL)
    assert done.status_code == 200
    page = done.get_data(as_text=True)
    assert "<script>alert(1)</script>" not in page
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert note_of(page, "model") == DIFFERS and note_of(page, "brand") == DIFFERS


def test_a_licence_read_does_not_change_the_car_the_owner_chose(session, client, owner):
    other = factories.vehicle(session, owner=owner.person, plate=None, brand="丰田", model="卡罗拉")
    session.commit()
    base = _start(client)
    assert client.post(f"{base}/step/old-car", data={"vehicle_id": other.id}).status_code == 303
    photo = licence_of(owner)
    response = upload(client, f"{base}/read/vehicle_licence", photo, "l.jpg", "vehicle_licence")
    assert response.status_code == 303
    page = client.get(response.headers["Location"], headers=EN).get_data(as_text=True)
    assert re.search(r'value="(\d+)" checked', page).group(1) == str(other.id)
    assert "Your choice differs from the car on your licence — check it." in page
    assert "The car on your licence — check it." not in page
