"""The detailed valuation report: bought through localstripe, free in an owner's own case."""

import logging
import shutil
import subprocess
from dataclasses import replace
from datetime import date, timedelta

import pytest
from sqlmodel import select

from portal.accounts.models import Role
from portal.audit import china_today
from portal.labels import label
from portal.money import yuan
from portal.payments import fees
from portal.payments.models import Payment
from portal.payments.rules import PaymentStatus
from portal.pdf import FONT_DIR, code_points
from portal.registry.models import Ownership
from portal.transfer.models import TransferCase
from portal.transfer.terms import TransferStatus
from portal.valuation import services
from portal.valuation.models import ValuationRecord
from portal.valuation.report import pdf as report
from portal.valuation.report import services as reports
from portal.valuation.terms import Condition, Grade, InspectionPart, Method
from tests import factories
from tests import payments_helpers as helpers
from tests import subsidy_helpers as subsidy
from tests.payments_helpers import (  # noqa: F401  (fixtures)
    live_server_fixture,
    localstripe_fixture,
    stripe_app_fixture,
)

EN = {"Accept-Language": "en"}
ZH = {"Accept-Language": "zh-CN"}
PORTAL = FONT_DIR.parents[1]


def keep_valuation(session, user, vehicle, **changes) -> ValuationRecord:
    """The owner values their registry car (by VIN) and keeps it in their history."""
    services.load_catalog(session)
    session.refresh(vehicle)
    inputs = services.ValuationInput(
        car_model_id=vehicle.car_model_id,
        first_registration=vehicle.first_registration,
        mileage_km=68_420,
        city_code=vehicle.city_code,
        condition=Condition.GOOD,
        vin=vehicle.vin,
        vehicle_id=vehicle.id,
    )
    inputs = replace(inputs, **changes)
    result = services.value_car(session, inputs=inputs, on=china_today(), user=user, keep=True)
    session.commit()
    return session.get(ValuationRecord, result.record_id)


@pytest.fixture
def owner(session):
    """A signed-up owner whose person holds a Shenzhen 朗逸 in the registry, valued once."""
    person = factories.person(session, name="陈建华")
    user = factories.user(session, Role.OWNER, email="owner@example.cn", person_row=person)
    car = factories.vehicle(session, owner=person, first_registration=date(2020, 5, 1))
    session.commit()
    record = keep_valuation(session, user, car)
    return {"user": user, "car": car, "record": record}


def report_url(record) -> str:
    return f"/valuation/reports/{record.id}"


def pdf_text(pdf: bytes, tmp_path) -> str:
    """The PDF's text as poppler extracts it, without whitespace (cells wrap lines)."""
    if shutil.which("pdftotext") is None:
        pytest.skip("pdftotext is not installed (Debian package poppler-utils)")
    path = tmp_path / "report.pdf"
    path.write_bytes(pdf)
    out = subprocess.run(["pdftotext", str(path), "-"], capture_output=True, check=True)
    return "".join(out.stdout.decode("utf-8").split())


def payments_for(session, record) -> list[Payment]:
    session.commit()  # end the read transaction: see what others committed
    session.expire_all()
    statement = select(Payment).where(
        Payment.purpose_kind == reports.PURPOSE, Payment.purpose_id == record.id
    )
    return list(session.exec(statement))


def test_the_buy_page_shows_what_the_report_holds_and_its_fee(client, auth, owner):
    auth.login("owner@example.cn")
    page = client.get(report_url(owner["record"]), headers=EN)
    html = page.get_data(as_text=True)
    assert page.status_code == 200
    assert "Pay ¥30.00" in html  # the fee schedule's valuation report fee
    assert "Volkswagen Lavida" in html and "depreciation curve" in html
    assert "report.pdf" not in html  # no download link before paying


def test_downloading_before_paying_sends_you_to_buy(client, auth, owner):
    auth.login("owner@example.cn")
    response = client.get(report_url(owner["record"]) + "/report.pdf", headers=EN)
    assert response.status_code == 302
    assert response.headers["Location"].endswith(report_url(owner["record"]))
    assert "Pay for the report first" in client.get(report_url(owner["record"]), headers=EN).text


def test_an_owner_buys_the_report_against_localstripe_and_downloads_it(
    client, auth, session, owner, stripe_app, localstripe, live_server, tmp_path
):
    """The issue's "done when": pay against localstripe, the webhook settles, the PDF comes."""
    record = owner["record"]
    localstripe.send_webhooks_to(live_server + "/payments/stripe/webhook")
    auth.login("owner@example.cn")

    pay_page = client.post(report_url(record), headers=EN)
    assert pay_page.status_code == 303
    assert (
        client.post(report_url(record), headers=EN).headers["Location"]
        == pay_page.headers["Location"]
    )  # a double click reuses the payment
    [payment] = payments_for(session, record)
    assert (payment.amount_fen, payment.status) == (3_000, PaymentStatus.PENDING)
    assert client.get(report_url(record) + "/report.pdf").status_code == 302  # not yet paid
    assert "A payment for this report is waiting" in client.get(report_url(record), headers=EN).text

    paid = client.post(pay_page.headers["Location"].rstrip("/") + "/test-card", headers=EN)
    assert paid.status_code == 303
    helpers.wait_for(lambda: payments_for(session, record)[0].status is PaymentStatus.SUCCEEDED)
    status = client.get(paid.headers["Location"], headers=EN).get_data(as_text=True)
    assert f'href="{report_url(record)}"' in status  # "Continue" leads back to the report

    page = client.get(report_url(record), headers=EN).get_data(as_text=True)
    assert "report.pdf" in page and "Pay ¥30.00" not in page
    again = client.post(report_url(record), headers=EN)  # paid: no second charge
    assert again.headers["Location"].endswith("/report.pdf")
    assert len(payments_for(session, record)) == 1

    response = client.get(report_url(record) + "/report.pdf", headers=ZH)
    assert response.status_code == 200
    assert response.mimetype == "application/pdf"
    assert "attachment" in response.headers["Content-Disposition"]
    text = pdf_text(response.data, tmp_path)
    model = services.car_model(session, record.car_model_id)
    for expected in (
        model.brand,
        model.series,
        "".join(model.trim.split()),
        yuan(record.private_fen),
    ):
        assert expected in text
    assert owner["car"].vin in text


def build(app, session, record, headers=EN) -> bytes:
    """The record's report as the download builds it, in the language of the headers."""
    with app.test_request_context(headers=headers):
        result = reports.rerun(session, record)
        return report.report_pdf(
            record, result, on=reports.valued_on(record), generated_at=record.created_at
        )


def printed(app, code) -> str:
    """A stored code's English label as pdf_text gives it back (no whitespace)."""
    with app.test_request_context(headers=EN):
        return "".join(str(label(code)).split())


def missing_glyphs(caplog) -> list[str]:
    return [r.getMessage() for r in caplog.records if "missing" in r.getMessage()]


def test_the_report_shows_inputs_steps_grade_and_curve(app, session, owner, tmp_path, caplog):
    record = owner["record"]
    with caplog.at_level(logging.WARNING, logger="fpdf"):
        pdf = build(app, session, record)
    assert missing_glyphs(caplog) == []  # − and ± of the steps are in the shipped font
    text = pdf_text(pdf, tmp_path)
    for expected in (
        "Detailedvaluationreport",
        f"Reportno.V{record.id:06d}",
        f"Valuedon{china_today().isoformat()}",
        "Brand大众Series朗逸",
        "VIN" + owner["car"].vin,
        "CityShenzhen",
        "Mileage68,420km",
        "ConditionGood(score82)",
        "Privatesale" + yuan(record.private_fen),
        "Dealerbuysat" + yuan(record.dealer_buy_fen),
        "Dealerretail" + yuan(record.retail_fen),
        "Grade" + printed(app, Grade.II),
        "Method" + printed(app, Method.REPLACEMENT_COST),
        "Purchasetax=10%×¥119,900.00÷1.13",
        "Agenewnessrate=retention",
        "Depreciationcurve",
        "Age(years)",
        "Dot:thiscar," + yuan(record.private_fen),
    ):
        assert expected in text
    assert "changedsince" not in text  # run again for its date, it gives the record's numbers
    assert "Comparablesales" not in text  # the replacement-cost method used none


def test_an_inspection_and_comparable_sales_are_printed(app, session, owner, tmp_path):
    car = owner["car"]
    for n in range(6):  # completed sales of the same family, registered when the car was
        sold = factories.vehicle(
            session, owner=factories.person(session), first_registration=car.first_registration
        )
        price = 9_000_000 + n * 100_000
        transfer_case(session, sold, status=TransferStatus.COMPLETED, price_fen=price)
    session.commit()
    parts = dict(body=18, engine_bay=17, cabin=9, start_up=18, road_test=13, chassis=14)
    record = keep_valuation(session, owner["user"], car, inspection=parts, condition=None)
    text = pdf_text(build(app, session, record), tmp_path)
    for expected in (
        printed(app, InspectionPart.ENGINE_BAY) + "1720",
        "Technicalscore89100",
        "Grade" + printed(app, Grade.II),
        "Method" + printed(app, Method.MARKET),
        "Comparablesales:6of6",
        "Marketprice=medianof6saleprices,roundeddown",
        "Privatesale¥92,500.00",
        "68,000km¥95,000.00",  # the dearest of the sales, listed
    ):
        assert expected in text
    # The owner's first valuation was kept before these sales: its report says so.
    assert "changedsince" in pdf_text(build(app, session, owner["record"]), tmp_path)


def transfer_case(session, vehicle, *, status, price_fen=8_650_000) -> TransferCase:
    """A case for the car, sold to a Hangzhou dealer (as the transfer pages would file it)."""
    return factories.transfer_case(
        session,
        vehicle,
        status=status,
        price_fen=price_fen,
        mileage_km=68_000,
        sale_date=china_today() - timedelta(days=30),
        buyer=factories.dealer(session, name="杭州测试车行", city_code="330100"),
        destination_city_code="330100",
    )


def test_free_for_the_owners_car_in_a_subsidy_application(client, auth, session, app, tmp_path):
    subsidy.seed(session)
    applicant = subsidy.Applicant(session)
    application = subsidy.submitted(session, applicant, files=app.extensions["storage"])
    assert application.old_vehicle_id == applicant.old_car.id
    record = keep_valuation(session, applicant.user, applicant.old_car)

    auth.login(applicant.email)
    page = client.get(report_url(record), headers=EN).get_data(as_text=True)
    assert "Download (free: your own car in a subsidy or transfer case)" in page
    assert "Pay ¥" not in page
    response = client.get(report_url(record) + "/report.pdf", headers=EN)
    assert response.status_code == 200 and response.mimetype == "application/pdf"
    assert yuan(record.private_fen) in pdf_text(response.data, tmp_path)
    assert payments_for(session, record) == []
    assert client.post(report_url(record)).headers["Location"].endswith("/report.pdf")


def test_a_draft_application_does_not_make_it_free(session, app):
    subsidy.seed(session)
    applicant = subsidy.Applicant(session)
    subsidy.draft(session, applicant, files=app.extensions["storage"])
    record = keep_valuation(session, applicant.user, applicant.old_car)
    assert not reports.is_own_case(session, user=applicant.user, record=record)


def test_free_for_the_owners_car_in_a_transfer_case(session, owner):
    record, car = owner["record"], owner["car"]
    assert not reports.is_own_case(session, user=owner["user"], record=record)
    transfer_case(session, car, status=TransferStatus.SUBMITTED)
    session.commit()
    assert reports.is_own_case(session, user=owner["user"], record=record)
    offer = reports.offer_for(session, user=owner["user"], record_id=record.id)
    assert offer.free and offer.may_download and not offer.paid


def test_not_free_for_someone_elses_car_or_a_catalog_valuation(session, owner):
    """Another person's car in a case, or a valuation by model only, is charged."""
    record = owner["record"]
    stranger = factories.user(session, Role.OWNER, person_row=factories.person(session))
    transfer_case(session, owner["car"], status=TransferStatus.SUBMITTED)
    session.commit()
    theirs = keep_valuation(session, stranger, owner["car"])  # values a car not theirs
    assert not reports.is_own_case(session, user=stranger, record=theirs)
    by_model = keep_valuation(session, owner["user"], owner["car"], vehicle_id=None, vin=None)
    assert not reports.is_own_case(session, user=owner["user"], record=by_model)
    assert reports.is_own_case(session, user=owner["user"], record=record)


def test_another_users_record_is_not_found(client, auth, session, owner):
    factories.user(session, Role.OWNER, email="other@example.cn")
    session.commit()
    auth.login("other@example.cn")
    url = report_url(owner["record"])
    assert client.get(url).status_code == 404
    assert client.post(url).status_code == 404
    assert client.get(url + "/report.pdf").status_code == 404


def test_anonymous_users_are_sent_to_sign_in(client, owner):
    for url in (report_url(owner["record"]), report_url(owner["record"]) + "/report.pdf"):
        response = client.get(url)
        assert response.status_code == 302
        assert "/login" in response.headers["Location"]


@pytest.mark.parametrize(
    "record_id", ["0", "999999", "-1", "abc", "99999999999999999999999", "1.5"]
)
def test_hostile_ids_are_not_found(client, auth, owner, record_id):
    auth.login("owner@example.cn")
    assert client.get(f"/valuation/reports/{record_id}").status_code == 404
    assert client.get(f"/valuation/reports/{record_id}/report.pdf").status_code == 404


def test_the_shipped_font_covers_the_catalog(tmp_path):
    """Every brand, series and trim prints (portal/data/fonts/README.md to cut it again)."""
    catalog = (PORTAL / "data" / "models.csv").read_text(encoding="utf-8")
    for weight in ("Regular", "Bold"):
        cmap = code_points(FONT_DIR / f"NotoSansSC-{weight}.subset.otf")
        missing = sorted({c for c in catalog if c.isprintable() and ord(c) not in cmap})
        assert not missing, f"models.csv needs {''.join(missing)}"


def test_chinese_labels_render_with_the_catalogs_names(app, session, owner, tmp_path, caplog):
    with caplog.at_level(logging.WARNING, logger="fpdf"):
        pdf = build(app, session, owner["record"], headers=ZH)
    assert missing_glyphs(caplog) == []
    text = pdf_text(pdf, tmp_path)
    assert "大众" in text and "朗逸" in text and "1.5L自动舒适版" in text and "深圳市" in text


def test_a_refund_takes_the_report_back_and_a_zero_fee_gives_it_away(session, owner):
    user, record = owner["user"], owner["record"]
    payment = Payment(
        purpose_kind=reports.PURPOSE,
        purpose_id=record.id,
        amount_fen=3_000,
        status=PaymentStatus.SUCCEEDED,
        payer_id=user.id,
        description="report",
    )
    session.add(payment)
    session.commit()
    assert reports.offer_for(session, user=user, record_id=record.id).may_download
    payment.status, payment.refunded_fen = PaymentStatus.REFUNDED, 3_000
    session.commit()
    assert not reports.offer_for(session, user=user, record_id=record.id).may_download

    fees.update_fees(session, amounts={"valuation_report": 0}, actor_id=user.id)
    session.commit()
    offer = reports.offer_for(session, user=user, record_id=record.id)
    assert offer.free and offer.may_download and not offer.own_case


def test_not_free_for_a_former_owner_when_a_later_owner_sells(session, owner):
    """A case is the user's only when they sell or buy in it, not for every past owner."""
    car = owner["car"]
    former = factories.person(session)
    session.add(
        Ownership(
            vehicle_id=car.id,
            person_id=former.id,
            start=car.first_registration,
            end=car.first_registration + timedelta(days=30),
            acquired="new",
        )
    )
    earlier = factories.user(session, Role.OWNER, person_row=former)
    transfer_case(session, car, status=TransferStatus.SUBMITTED)  # the current owner sells
    session.commit()
    theirs = keep_valuation(session, earlier, car)
    assert not reports.is_own_case(session, user=earlier, record=theirs)
