"""The anti-fraud flags of issue 15 (DOMAIN §1.5), through the pages: the owner uploads and
submits, the reviewer sees the flag, and the application needs a second reviewer."""

import io
from dataclasses import replace
from datetime import date

import pytest

from portal.accounts.models import Role
from portal.subsidy.models import Application
from tests import factories, papers
from tests import subsidy_helpers as h
from tests.test_reading_wizard import EN, demo_invoice

FLAGS = {
    "invoice_reused": "Invoice number on another live application",
    "card_reused": "Payout card used by another applicant",
    "invoice_date_outside": "Invoice date as read is outside the program window",
    "buyer_not_applicant": "Buyer on the invoice as read is not the applicant",
    "buyer_name_differs": "Buyer's name on the invoice as read differs from the applicant's",
    "owner_name_differs": "Owner's name on the licence as read differs from the car's "
    "registered owner",
}


@pytest.fixture
def world(session):
    h.seed(session)
    factories.user(session, Role.REVIEWER, email="gd@example.cn")
    session.commit()


def invoice_of(applicant: h.Applicant, application: Application, **changes) -> bytes:
    """The e-invoice PDF that says what the applicant typed, unless changes say otherwise."""
    invoice = demo_invoice(
        number=application.invoice_number,
        issued=application.invoice_date,
        buyer_name=applicant.person.name,
        buyer_id=applicant.id_number,
        vin=application.new_vin,
    )
    return papers.invoice_pdf(invoice.__class__(**(vars(invoice) | changes)))


def licence_of(applicant: h.Applicant, **changes) -> bytes:
    """A photo of the old car's licence, in the applicant's name unless changes say otherwise."""
    car = applicant.old_car
    licence = papers.Licence(
        plate="粤A12345",
        vin=car.vin,
        owner_name=applicant.person.name,
        registered=car.first_registration,
        brand=car.brand,
        model=car.model,
        fuel_type=car.fuel_type.value,
    )
    return papers.paper_photo(replace(licence, **changes), papers.PHOTOS["clean"])


def submit(
    client, auth, applicant, application, invoice: bytes | None = None, licence: bytes | None = None
) -> None:
    """The owner uploads the papers to read (if any) and submits, through the pages."""
    auth.login(applicant.email)
    base = f"/subsidies/{application.id}"
    for kind, paper in (("invoice", invoice), ("vehicle_licence", licence)):
        if paper is None:
            continue
        response = client.post(
            f"{base}/read/{kind}",
            data={"kind": kind, "file": (io.BytesIO(paper), "paper")},
            content_type="multipart/form-data",
        )
        assert response.status_code == 303
    response = client.post(f"{base}/step/review")
    assert response.status_code == 303, response.get_data(as_text=True)
    auth.logout()


def flags_seen(client, auth, application) -> set[str]:
    auth.login("gd@example.cn")
    page = client.get(f"/review/{application.id}", headers=EN).get_data(as_text=True)
    auth.logout()
    return {code for code, text in FLAGS.items() if text in page}


def drafted(app, session, applicant=None, **entry_changes) -> tuple[h.Applicant, Application]:
    applicant = applicant or h.Applicant(session)
    entry = h.new_car_entry(applicant, **entry_changes) if entry_changes else None
    return applicant, h.draft(session, applicant, files=app.extensions["storage"], entry=entry)


def test_an_invoice_read_as_typed_raises_no_flag(app, session, client, auth, world):
    applicant, application = drafted(app, session)
    submit(client, auth, applicant, application, invoice_of(applicant, application))
    assert flags_seen(client, auth, application) == set()
    session.expire_all()
    assert not session.get(Application, application.id).flagged


@pytest.mark.parametrize(
    ("changes", "flag"),
    [
        ({"buyer_id": "BUYER"}, "buyer_not_applicant"),
        ({"issued": date(2025, 6, 1)}, "invoice_date_outside"),
    ],
    ids=["buyer", "date"],
)
def test_the_invoice_as_read_is_flagged_though_the_typed_fields_pass(
    app, session, client, auth, world, changes, flag
):
    applicant, application = drafted(app, session)
    if changes.get("buyer_id") == "BUYER":
        changes["buyer_id"] = factories.resident_id()  # somebody else bought the car
    submit(client, auth, applicant, application, invoice_of(applicant, application, **changes))
    assert flags_seen(client, auth, application) == {flag}
    session.expire_all()
    assert session.get(Application, application.id).flagged  # a second reviewer must approve


def test_an_invoice_number_on_another_live_application_is_flagged(
    app, session, client, auth, world
):
    first, first_application = drafted(app, session)
    submit(client, auth, first, first_application)
    second, application = drafted(app, session, invoice_number=first_application.invoice_number)
    submit(client, auth, second, application)
    assert flags_seen(client, auth, application) == {"invoice_reused"}


def test_a_card_of_another_applicant_is_flagged(app, session, client, auth, world):
    first, first_application = drafted(app, session)
    submit(client, auth, first, first_application)
    second = h.Applicant(session)
    second.card = first.card
    second, application = drafted(app, session, second)
    submit(client, auth, second, application)
    assert flags_seen(client, auth, application) == {"card_reused"}
    assert flags_seen(client, auth, first_application) == set()  # it came first


def review_page(client, auth, application) -> str:
    auth.login("gd@example.cn")
    page = client.get(f"/review/{application.id}", headers=EN).get_data(as_text=True)
    auth.logout()
    return page


def row_of(page: str, paper: str, label: str) -> str:
    table = page[page.index(f'id="read-{paper}"') :]
    return table[table.index(f">{label}") :].split("</tr>")[0]


def test_a_buyer_name_that_is_not_the_applicants_is_flagged_with_both_names(
    app, session, client, auth, world
):
    applicant, application = drafted(app, session)
    invoice = invoice_of(applicant, application, buyer_name="王小明")
    submit(client, auth, applicant, application, invoice)
    assert flags_seen(client, auth, application) == {"buyer_name_differs"}
    row = row_of(review_page(client, auth, application), "invoice", "Buyer on the invoice")
    assert "王小明" in row and applicant.person.name in row
    assert "Disagrees with the registry" in row
    assert applicant.id_number not in review_page(client, auth, application)
    session.expire_all()
    assert session.get(Application, application.id).flagged  # a second reviewer must approve


def test_a_buyer_name_written_with_spaces_is_the_same_name(app, session, client, auth, world):
    applicant, application = drafted(app, session)
    spaced = "\u3000".join(applicant.person.name)  # 陈　建　华, ideographic spaces
    submit(
        client, auth, applicant, application, invoice_of(applicant, application, buyer_name=spaced)
    )
    assert flags_seen(client, auth, application) == set()
    row = row_of(review_page(client, auth, application), "invoice", "Buyer on the invoice")
    assert "Disagrees with the registry" not in row


def test_a_licence_in_another_owners_name_is_flagged_with_both_names(
    app, session, client, auth, world
):
    applicant, application = drafted(app, session)
    submit(client, auth, applicant, application, licence=licence_of(applicant, owner_name="王五"))
    assert flags_seen(client, auth, application) == {"owner_name_differs"}
    row = row_of(review_page(client, auth, application), "vehicle_licence", "Owner")
    assert "王五" in row and applicant.person.name in row
    assert "Disagrees with the registry" in row


def test_a_licence_in_the_registered_owners_name_raises_no_flag(app, session, client, auth, world):
    applicant, application = drafted(app, session)
    submit(client, auth, applicant, application, licence=licence_of(applicant))
    assert flags_seen(client, auth, application) == set()
    row = row_of(review_page(client, auth, application), "vehicle_licence", "Owner")
    assert "Disagrees with the registry" not in row


def test_a_reviewer_of_another_province_sees_neither_the_flag_nor_the_names(
    app, session, client, auth, world
):
    applicant, application = drafted(app, session)
    submit(
        client,
        auth,
        applicant,
        application,
        invoice_of(applicant, application, buyer_name="王小明"),
    )
    factories.user(session, Role.REVIEWER, email="zj@example.cn", province_code="330000")
    session.commit()
    auth.login("zj@example.cn")
    response = client.get(f"/review/{application.id}", headers=EN)
    assert response.status_code == 404
    assert "王小明" not in response.get_data(as_text=True)
