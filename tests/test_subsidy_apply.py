"""The owner's application through the pages: the wizard, the live panel, submit, withdraw."""

import io
from datetime import timedelta

import pytest
from werkzeug.datastructures import FileStorage
from werkzeug.test import encode_multipart

from portal.audit import china_today
from portal.subsidy.models import Application
from portal.subsidy.terms import Status
from tests import subsidy_helpers as h
from tests.test_cache import statements


@pytest.fixture
def applicant(session):
    h.seed(session)
    return h.Applicant(session)


def _start(client, kind="scrapping"):
    response = client.post("/subsidies/new", data={"kind": kind, "province": h.GUANGDONG})
    assert response.status_code == 303, response.get_data(as_text=True)
    return response.headers["Location"].split("/step/")[0]


def _new_car_form(applicant, **changes):
    today = china_today()
    form = {
        "vin": h.factories.vin(wmi="LC0"),
        "plate": "粤AD12345",
        "brand": "比亚迪",
        "model": "海豹",
        "body_type": "sedan",
        "seats": "5",
        "fuel_type": "bev",
        "displacement_ml": "",
        "registration_date": (today - timedelta(days=2)).isoformat(),
        "invoice_number": "44001234",
        "invoice_date": (today - timedelta(days=5)).isoformat(),
        "invoice_price": "168000",
        "invoice_city": "440100",
        "invoice_buyer_id": applicant.id_number,
    }
    return form | changes


def _fill(client, base, applicant):
    assert (
        client.post(f"{base}/step/old-car", data={"vehicle_id": applicant.old_car.id}).status_code
        == 303
    )
    assert client.post(f"{base}/step/new-car", data=_new_car_form(applicant)).status_code == 303
    response = client.post(f"{base}/step/bank", data={"card": h.CARD, "bank": "中国工商银行"})
    assert response.status_code == 303
    for kind in (
        "resident_id",
        "bank_card",
        "recycling_certificate",
        "deregistration_certificate",
        "new_car_invoice",
        "new_car_registration",
    ):
        response = client.post(
            f"{base}/step/documents",
            data={"kind": kind, "file": (io.BytesIO(h.PDF), f"{kind}.pdf")},
            content_type="multipart/form-data",
        )
        assert response.status_code == 303, response.get_data(as_text=True)
        assert response.headers["Location"].endswith("/step/documents")  # one paper at a time


def test_owner_applies_step_by_step_and_sees_the_amount_before_submitting(
    client, auth, session, applicant
):
    auth.login(applicant.email)
    base = _start(client)
    _fill(client, base, applicant)
    review = client.get(f"{base}/step/review", headers={"Accept-Language": "en"})
    page = review.get_data(as_text=True)
    assert "¥20,000.00" in page and "Eligible so far" in page
    response = client.post(f"{base}/step/review")
    assert response.status_code == 303
    status_page = client.get(base, headers={"Accept-Language": "en"}).get_data(as_text=True)
    assert "Submitted, in review" in status_page
    assert "GD2026S" in status_page
    assert "6217 **** **** 0003" in status_page
    # The old car as its owner knows it, by make and model, not by its VIN alone.
    in_chinese = client.get(base).get_data(as_text=True)
    assert f'大众 朗逸 · <span class="vin">{applicant.old_car.vin}' in in_chinese


def test_only_the_wizard_assesses_the_application_afresh(app, client, auth, applicant):
    """The status page shows the decision; the live assessment (ten statements, the read
    papers among them) is the wizard's, and it is not made for a page that never shows it."""
    auth.login(applicant.email)
    base = _start(client)
    _fill(client, base, applicant)
    seen = statements(app)
    client.get(f"{base}/step/review")
    assert any("document_reading" in statement for statement in seen)
    assert client.post(f"{base}/step/review").status_code == 303
    seen.clear()
    assert client.get(base).status_code == 200
    assert seen and not any("document_reading" in statement for statement in seen)


def test_live_panel_shows_the_reason_without_saving(client, auth, session, applicant):
    auth.login(applicant.email)
    base = _start(client)
    client.post(f"{base}/step/old-car", data={"vehicle_id": applicant.old_car.id})
    form = _new_car_form(
        applicant, invoice_price="80000", fuel_type="petrol", displacement_ml="2500"
    )
    panel = client.post(
        f"{base}/preview/new-car",
        data=form,
        headers={"HX-Request": "true", "Accept-Language": "en"},
    )
    assert panel.status_code == 200
    text = panel.get_data(as_text=True)
    assert "2500" in text and "Not eligible" in text
    session.expire_all()
    application = session.get(Application, int(base.rsplit("/", 1)[1]))
    assert application.new_vin is None  # the preview saved nothing


def test_bad_new_car_input_is_shown_next_to_the_field_and_kept(client, auth, applicant):
    auth.login(applicant.email)
    base = _start(client)
    form = _new_car_form(
        applicant, vin="LSVAB21X0N0000001", invoice_price="-5", brand="<script>x</script>"
    )
    response = client.post(f"{base}/step/new-car", data=form, headers={"Accept-Language": "en"})
    assert response.status_code == 422
    page = response.get_data(as_text=True)
    assert "check digit" in page
    assert "The amount cannot be negative." in page
    assert "<script>x</script>" not in page and "&lt;script&gt;" in page
    assert "海豹" in page  # what was typed stays in the form


@pytest.mark.parametrize(
    ("price", "message"),
    [
        ("sNaN", "Enter an amount in yuan"),
        ("12.345", "Use at most two decimals (fen)."),
        ("1" * 60, ""),
        ("0", "Enter a price from 1 to 100,000,000 yuan."),
        ("", "Enter the price on the invoice."),
    ],
)
def test_odd_invoice_prices_are_refused_not_crashed(client, auth, applicant, price, message):
    auth.login(applicant.email)
    base = _start(client)
    form = _new_car_form(applicant, invoice_price=price)
    response = client.post(f"{base}/step/new-car", data=form, headers={"Accept-Language": "en"})
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)


def test_another_owner_cannot_see_the_application(client, auth, session, applicant):
    auth.login(applicant.email)
    base = _start(client)
    auth.logout()
    other = h.Applicant(session)
    auth.login(other.email)
    assert client.get(base).status_code == 404
    assert client.get(f"{base}/step/bank").status_code == 404
    assert client.post(f"{base}/withdraw").status_code == 404


def test_withdraw_frees_the_old_car_for_a_new_claim(app, client, auth, session, applicant):
    application = h.submitted(session, applicant, files=app.extensions["storage"])
    auth.login(applicant.email)
    response = client.post(f"/subsidies/{application.id}/withdraw")
    assert response.status_code == 303
    session.expire_all()
    assert session.get(Application, application.id).status is Status.WITHDRAWN


@pytest.mark.parametrize(
    ("content", "message"),
    [
        (b"MZ not a pdf", "Upload a PDF, JPEG or PNG file."),
        (b"", "The file is empty."),
        (h.PDF + b"0" * (10 * 1024 * 1024), "The file is larger than 10 MB."),
    ],
)
def test_a_refused_paper_is_a_422_next_to_its_field(
    app, client, auth, session, applicant, content, message
):
    """The same path as the transfer upload (portal.forms.DocumentForm), never a 500."""
    auth.login(applicant.email)
    base = _start(client)
    # Encoded in memory: werkzeug's test builder spools a body this large to a temporary
    # file that it never closes (a ResourceWarning, an error in this suite).
    boundary, body = encode_multipart(
        {
            "csrf_token": client.csrf_token(),
            "kind": "resident_id",
            "file": FileStorage(io.BytesIO(content), "id.pdf"),
        }
    )
    response = client.client.post(
        f"{base}/step/documents",
        data=body,
        content_type=f"multipart/form-data; boundary={boundary}",
        headers={"Accept-Language": "en"},
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert f'<p class="error" role="alert">{message}</p>' in page
