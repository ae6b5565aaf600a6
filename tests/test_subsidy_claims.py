"""Anti-fraud rules of DOMAIN §1.5 that must hold when two requests race: one live claim
per old car, per new car, and per person where the program limits it (partial unique
indexes), plus the second claim refused with its reason on the page."""

import threading
from dataclasses import replace

from sqlmodel import select

from portal.subsidy.models import Application
from portal.subsidy.terms import ClaimLimit, Status
from tests import factories
from tests import subsidy_helpers as h
from tests.conftest import FormClient


def _signed_in(app, email) -> tuple[FormClient, str]:
    client = FormClient(app.test_client())
    client.post("/login", data={"email": email, "password": factories.PASSWORD})
    return client, client.csrf_token()


def _race_submits(app, pairs, pages: list | None = None) -> list[int]:
    """Submit each (email, application) at the same moment; the status codes (and pages)."""
    clients = [(_signed_in(app, email), application.id) for email, application in pairs]
    barrier, answers = threading.Barrier(len(clients)), []

    def submit(signed_in, application_id):
        (client, token) = signed_in
        barrier.wait()
        answer = client.client.post(
            f"/subsidies/{application_id}/step/review",
            data={"csrf_token": token},
            headers={"Accept-Language": "en"},
        )
        answers.append(answer.status_code)
        if pages is not None:
            pages.append(answer.get_data(as_text=True))

    threads = [threading.Thread(target=submit, args=pair) for pair in clients]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    return answers


def _assert_the_loser_hears_the_truth(answers: list[int], pages: list[str]) -> None:
    """409 when the database stopped the loser mid-race; 422 when it came second and the
    eligibility check already saw the first claim. Either way the reason is the claim."""
    assert answers.count(303) == 1, answers
    assert set(answers) - {303} <= {409, 422}, answers
    for answer, page in zip(answers, pages, strict=True):
        if answer != 303:
            assert "registered to another vehicle" not in page
            assert "already claimed" in page or "at the same moment" in page, page


def _submitted(session) -> list[Application]:
    session.commit()
    session.expire_all()
    return session.exec(select(Application).where(Application.status == Status.SUBMITTED)).all()


def _without_person_limit(session):
    program = h.program(session)
    program.claim_limit = ClaimLimit.NONE
    session.add(program)
    session.commit()


def test_two_claims_on_one_old_car_racing_get_one(app, session):
    h.seed(session)
    _without_person_limit(session)  # only the old-car index may stop the second
    applicant = h.Applicant(session)
    files = app.extensions["storage"]
    first = h.draft(session, applicant, files=files)
    second = h.draft(session, applicant, files=files)
    pages = []
    answers = _race_submits(app, [(applicant.email, first), (applicant.email, second)], pages)
    _assert_the_loser_hears_the_truth(answers, pages)
    assert len(_submitted(session)) == 1


def test_two_people_claiming_one_new_car_racing_get_one(app, session):
    h.seed(session)
    one, two = h.Applicant(session), h.Applicant(session)
    files = app.extensions["storage"]
    first = h.draft(session, one, files=files)
    new_car = replace(h.new_car_entry(two), vin=first.new_vin, plate=first.new_plate)
    second = h.draft(session, two, files=files, entry=new_car)
    pages = []
    answers = _race_submits(app, [(one.email, first), (two.email, second)], pages)
    _assert_the_loser_hears_the_truth(answers, pages)
    assert len(_submitted(session)) == 1


def test_one_person_racing_two_claims_in_the_2026_program_gets_one(app, session):
    h.seed(session)
    applicant = h.Applicant(session)
    other_car = factories.vehicle(
        session, owner=applicant.person, first_registration=h.date(2011, 3, 1), city_code="440100"
    )
    session.commit()
    files = app.extensions["storage"]
    first = h.draft(session, applicant, files=files)
    applicant.old_car = other_car
    second = h.draft(session, applicant, files=files)
    answers = _race_submits(app, [(applicant.email, first), (applicant.email, second)])
    assert answers.count(303) == 1, answers
    assert len(_submitted(session)) == 1


def test_a_second_claim_on_the_same_old_car_is_refused_with_the_reason(app, client, auth, session):
    h.seed(session)
    applicant = h.Applicant(session)
    first = h.submitted(session, applicant, files=app.extensions["storage"])
    second = h.draft(session, applicant, files=app.extensions["storage"])
    auth.login(applicant.email)
    page = client.get(
        f"/subsidies/{second.id}/step/review", headers={"Accept-Language": "en"}
    ).get_data(as_text=True)
    assert f"already claimed in application {first.number}" in page
    response = client.post(f"/subsidies/{second.id}/step/review", headers={"Accept-Language": "en"})
    assert response.status_code == 422
    assert first.number in response.get_data(as_text=True)
    assert len(_submitted(session)) == 1
