"""Issue 15, done when: the demo owner uploads a licence photo and an e-invoice PDF, sees
the fields filled, corrects one, submits; the reviewer sees the corrected field flagged."""

import io
import re
from datetime import timedelta

from portal.audit import china_today
from portal.registry.demo import DEALERS, DEMO_OWNER
from tests import factories, papers
from tests.subsidy_helpers import CARD, PDF
from tests.test_subsidy_apply import _start
from tests.test_subsidy_done_when import _as, _page

EN = {"Accept-Language": "en"}
MARK = "Read from your invoice — check it."


def demo_invoice(**changes) -> papers.Invoice:
    """The demo owner's purchase of a new 比亚迪 汉 for ¥168,000, five days ago."""
    fields = dict(
        code="",
        number="26442000000012345678",
        issued=china_today() - timedelta(days=5),
        buyer_name=DEMO_OWNER.name,
        buyer_id=DEMO_OWNER.id_number,
        vin=factories.vin(wmi="LC0"),
        brand="比亚迪",
        model="汉",
        price_fen=16_800_000,
        tax_fen=1_932_743,
        seller_name=DEALERS[0].name,
        seller_uscc=DEALERS[0].uscc,
    )
    return papers.Invoice(**(fields | changes))


def upload(client, url: str, content: bytes, name: str, kind: str):
    return client.post(
        url,
        data={"kind": kind, "file": (io.BytesIO(content), name)},
        content_type="multipart/form-data",
        headers=EN,
    )


def value_of(page: str, name: str) -> str:
    match = re.search(rf'name="{name}"[^>]*value="([^"]*)"', page)
    return match.group(1) if match else ""


def test_the_demo_owner_applies_from_read_papers_and_the_reviewer_sees_the_correction(
    client, runner
):
    assert runner.invoke(args=["seed", "reference"]).exit_code == 0
    assert runner.invoke(args=["seed", "demo", "--vehicles", "30"]).exit_code == 0
    _as(client, "owner@demo.cn")
    base = _start(client)

    # The old car's licence, photographed: the portal finds the car among the owner's.
    licence = papers.licences(1)[0]  # the demo owner's 2012 朗逸
    photo = papers.paper_photo(licence, papers.PHOTOS["phone"], seed=1)
    response = upload(
        client, f"{base}/read/vehicle_licence", photo, "licence.jpg", "vehicle_licence"
    )
    assert response.status_code == 303
    old_car = _page(client, response.headers["Location"])
    assert "The car on your licence — check it." in old_car
    chosen = re.search(r'value="(\d+)" checked', old_car).group(1)
    assert client.post(f"{base}/step/old-car", data={"vehicle_id": chosen}).status_code == 303

    # The e-invoice PDF: the new-car step comes back filled and marked.
    invoice = demo_invoice()
    response = upload(
        client, f"{base}/read/invoice", papers.invoice_pdf(invoice), "发票.pdf", "invoice"
    )
    assert response.status_code == 303
    new_car = _page(client, response.headers["Location"])
    assert new_car.count(MARK) == 8
    filled = {name: value_of(new_car, name) for name in ("vin", "invoice_number", "invoice_price")}
    assert filled == {
        "vin": invoice.vin,
        "invoice_number": invoice.number,
        "invoice_price": "168000.00",
    }
    assert value_of(new_car, "invoice_date") == invoice.issued.isoformat()

    # The owner corrects the model (the invoice says 汉, the car is a 汉 EV) and saves.
    form = {
        name: value_of(new_car, name)
        for name in ("vin", "brand", "invoice_number", "invoice_date", "invoice_price")
    }
    form |= {
        "model": "汉EV",
        "plate": "粤AD54321",
        "body_type": "sedan",
        "seats": "5",
        "fuel_type": "bev",
        "displacement_ml": "",
        "registration_date": (china_today() - timedelta(days=2)).isoformat(),
        "invoice_city": "440100",
        "invoice_buyer_id": DEMO_OWNER.id_number,
    }
    assert client.post(f"{base}/step/new-car", data=form).status_code == 303
    assert (
        client.post(f"{base}/step/bank", data={"card": CARD, "bank": "中国工商银行"}).status_code
        == 303
    )
    for kind in (
        "resident_id",
        "bank_card",
        "recycling_certificate",
        "deregistration_certificate",
        "new_car_registration",
    ):
        assert upload(client, f"{base}/step/documents", PDF, f"{kind}.pdf", kind).status_code == 303
    assert client.post(f"{base}/step/review").status_code == 303
    assert "Submitted, in review" in _page(client, base)

    # The reviewer sees what was read beside what was confirmed: the model is flagged.
    _as(client, "reviewer@demo.cn")
    review = _page(client, "/review/" + base.rsplit("/", 1)[1])
    invoice_table = review[review.index('id="read-invoice"') :]
    model_row = invoice_table[invoice_table.index(">Model") :].split("</tr>")[0]
    assert "Changed by the applicant" in model_row and "汉EV" in model_row
    vin_row = invoice_table[invoice_table.index(">VIN") :].split("</tr>")[0]
    assert "Changed by the applicant" not in vin_row
    assert DEMO_OWNER.id_number not in review  # masked only
    assert "4401**********213X" in review


def test_the_step_follows_a_reading_under_way_and_refuses_a_bad_file(app, client, auth, session):
    from portal.reading.models import DocumentReading
    from portal.reading.terms import PaperKind
    from tests import subsidy_helpers as h

    h.seed(session)
    applicant, stranger = h.Applicant(session), h.Applicant(session)
    application = h.draft(session, applicant, files=app.extensions["storage"])
    queued = DocumentReading(
        user_id=applicant.user.id,
        application_id=application.id,
        kind=PaperKind.INVOICE,
        progress=20,
    )
    session.add(queued)
    session.commit()
    auth.login(applicant.email)
    base = f"/subsidies/{application.id}"

    page = _page(client, f"{base}/step/new-car?reading={queued.id}")
    assert "Reading your paper" in page and 'hx-trigger="every 1s"' in page
    panel = client.get(f"{base}/reading/{queued.id}", headers={"HX-Request": "true", **EN})
    assert panel.status_code == 200 and 'value="20"' in panel.get_data(as_text=True)

    refused = upload(client, f"{base}/read/invoice", b"MZ not a paper", "x.exe", "invoice")
    assert refused.status_code == 422
    assert "Upload a PDF, JPEG or PNG file." in refused.get_data(as_text=True)
    assert client.post(f"{base}/read/passport").status_code == 404

    queued.status = "done"
    session.add(queued)
    session.commit()
    done = client.get(f"{base}/reading/{queued.id}", headers={"HX-Request": "true"})
    assert done.status_code == 204
    assert done.headers["HX-Redirect"] == f"{base}/step/new-car?reading={queued.id}"

    auth.logout()
    auth.login(stranger.email)
    assert client.get(f"{base}/reading/{queued.id}").status_code == 404
    assert (
        client.get(f"/subsidies/{application.id}/step/new-car?reading={queued.id}").status_code
        == 404
    )
