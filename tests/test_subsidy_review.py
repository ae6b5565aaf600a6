"""The reviewer's pages through HTTP: the queue, one application, decisions, the budget race."""

import re
import threading
from datetime import UTC, date, datetime, time, timedelta

import pytest
from sqlmodel import select

from portal.accounts.models import Role
from portal.audit import china_today, utcnow
from portal.notices.models import EmailOff
from portal.registry.models import Vehicle
from portal.registry.terms import VehicleStatus
from portal.subsidy import budget
from portal.subsidy.apply import services, submission
from portal.subsidy.models import Application
from portal.subsidy.rules import window
from portal.subsidy.terms import DocumentKind, Status
from portal.workdays import rules
from portal.workdays.services import package_schedule
from tests import factories
from tests import subsidy_helpers as h
from tests.conftest import FormClient

ZHEJIANG = "330000"
EN = {"Accept-Language": "en"}
HTMX = {"HX-Request": "true", **EN}
PNG = factories.image()
AMOUNT = 2_000_000  # ¥20,000: 12 % of ¥168,000 capped, a scrapped petrol car for a BEV


@pytest.fixture
def world(app, session):
    """Guangdong and Zhejiang programs, two Guangdong reviewers and one of Zhejiang."""
    h.seed(session, h.GUANGDONG, ZHEJIANG)
    people = {
        "gd": factories.user(session, Role.REVIEWER, email="gd@example.cn"),
        "gd2": factories.user(session, Role.REVIEWER, email="gd2@example.cn"),
        "zj": factories.user(session, Role.REVIEWER, email="zj@example.cn", province_code=ZHEJIANG),
    }
    session.commit()
    return people


def submit(app, session, applicant=None, **options) -> Application:
    applicant = applicant or h.Applicant(session)
    return h.submitted(session, applicant, files=app.extensions["storage"], **options)


def zhejiang_application(app, session) -> Application:
    applicant = h.Applicant(session)
    entry = h.new_car_entry(
        applicant,
        plate=f"浙AD{factories.next_serial() % 100000:05d}",
        invoice_city_code="330100",
    )
    return submit(app, session, applicant, province=ZHEJIANG, entry=entry)


def started_with_days_left(days: int) -> datetime:
    """A submission time that leaves this many working days to the review target."""
    today = china_today()
    for back in range(60):
        start = today - timedelta(days=back)
        due = rules.add_working_days(start, window.REVIEW_WORKING_DAYS, package_schedule())
        if rules.working_days_between(today, due.day, package_schedule()) == days:
            return datetime.combine(start, time(4), tzinfo=UTC)  # noon in Beijing
    raise AssertionError(days)


def fresh(session, row):
    """The row as the database has it now (other sessions committed in between)."""
    session.commit()
    session.refresh(row)
    return row


def numbers(page: str) -> list[str]:
    """The application numbers of the queue rows, in order."""
    return re.findall(r'id="application-\d+">.*?>([A-Z]{2}\d{4}[SR]\d{8})</a>', page, re.S)


def text(response) -> str:
    return response.get_data(as_text=True)


# --- scope and roles --------------------------------------------------------------------


def test_a_reviewer_sees_only_the_own_province(app, session, client, auth, world):
    ours, theirs = submit(app, session), zhejiang_application(app, session)
    auth.login("gd@example.cn")
    page = text(client.get("/review/", headers=EN))
    assert numbers(page) == [ours.number]
    assert "Guangdong" in page and theirs.number not in page
    assert client.get(f"/review/{ours.id}", headers=EN).status_code == 200
    assert client.get(f"/review/{theirs.id}", headers=EN).status_code == 404
    for action in ("approve", "reject", "return"):
        answer = client.post(
            f"/review/{theirs.id}/{action}",
            data={"reject-reason": "other", "return-note": "x"},
            headers=EN,
        )
        assert answer.status_code == 404, action
    assert client.get(f"/subsidies/{theirs.id}/documents/resident_id").status_code == 404
    paper = client.get(f"/subsidies/{ours.id}/documents/resident_id")
    paper.close()
    assert paper.status_code == 200 and paper.mimetype == "application/pdf"
    # A search for the other province's number finds nothing either.
    assert numbers(text(client.get(f"/review/?q={theirs.number}&status=any"))) == []
    assert fresh(session, theirs).status is Status.SUBMITTED
    auth.logout()
    auth.login("zj@example.cn")
    assert numbers(text(client.get("/review/"))) == [theirs.number]
    assert client.get(f"/review/{ours.id}").status_code == 404


def test_a_phone_tells_what_the_number_of_days_left_is(app, session, client, auth, world):
    """On a phone the queue's headings are hidden and each row stacks: the bare number of
    the working days left says nothing without its heading beside it."""
    submit(app, session)
    auth.login("gd@example.cn")
    page = text(client.get("/review/", headers=EN))
    cell = re.search(r'<td([^>]*)><span class="days-left[^"]*">\d+</span></td>', page)
    assert cell is not None and 'data-label="Working days left"' in cell.group(1)


def test_other_roles_are_refused_and_strangers_sent_to_sign_in(app, session, client, auth, world):
    submit(app, session)
    assert client.get("/review/").status_code == 302
    assert "/login" in client.get("/review/").headers["Location"]
    owner = factories.user(session, Role.OWNER)
    dealer = factories.user(session, Role.DEALER, dealer_row=factories.dealer(session))
    officer = factories.user(session, Role.OFFICER, province_code=h.GUANGDONG)
    session.commit()
    for user in (owner, dealer, officer):
        auth.login(user.email)
        assert client.get("/review/").status_code in (403, 404), user.role
        assert client.post("/review/bulk-approve", data={"ids": "1"}).status_code in (403, 404)
        auth.logout()


def test_an_administrator_reads_every_province_but_does_not_decide(
    app, session, client, auth, world
):
    ours, theirs = submit(app, session), zhejiang_application(app, session)
    admin = factories.user(session, Role.ADMIN)
    session.commit()
    auth.login(admin.email)
    assert sorted(numbers(text(client.get("/review/")))) == sorted([ours.number, theirs.number])
    page = text(client.get(f"/review/{theirs.id}", headers=EN))
    assert theirs.number in page and 'id="decide"' not in page
    assert client.post(f"/review/{theirs.id}/approve").status_code == 403


# --- the queue --------------------------------------------------------------------------


def test_the_queue_filters_sorts_and_searches(app, session, client, auth, world):
    applicants = [h.Applicant(session) for _ in range(3)]
    first, second, third = (submit(app, session, a) for a in applicants)
    starts = (utcnow() - timedelta(days=40), started_with_days_left(2), utcnow() - timedelta(1))
    amounts = (1_500_000, 2_000_000, 900_000)
    for row, start, amount in zip((first, second, third), starts, amounts, strict=True):
        row.clock_start, row.amount_fen = start, amount
        session.add(row)
    second.flagged, second.flags = True, "zero_mileage"
    session.add(second)
    session.commit()
    decided = h.approved(
        session, h.Applicant(session), world["gd2"], files=app.extensions["storage"]
    )
    auth.login("gd@example.cn")

    def queue(query: str = "") -> list[str]:
        return numbers(text(client.get("/review/?" + query, headers=EN)))

    assert queue() == [first.number, second.number, third.number]  # oldest first (FIFO)
    assert queue("sort=newest") == [third.number, second.number, first.number]
    assert queue("sort=amount") == [second.number, first.number, third.number]
    assert queue("flagged=yes") == [second.number]
    assert queue("flagged=no") == [first.number, third.number]
    assert queue("overdue=1") == [first.number]
    assert queue("status=approved") == [decided.number]
    assert len(queue("status=any")) == 4
    assert queue("kind=replacement") == []
    assert queue("kind=scrapping&flagged=no&sort=newest") == [third.number, first.number]
    # Search: the number (typed loosely), either VIN, or the applicant's full ID number.
    assert queue(f"q={first.number.lower()}") == [first.number]
    assert queue(f"q={second.old_vin}") == [second.number]
    assert queue(f"q={third.new_vin}") == [third.number]
    assert queue(f"q={applicants[1].id_number}") == [second.number]
    assert queue(f"q={applicants[1].id_number[:10]}") == []
    assert queue(f"q={applicants[1].person.id_masked}") == [second.number]
    # Unknown values fall back to the defaults instead of failing.
    assert queue("status=paid&kind=bogus&sort=drop&flagged=maybe") == queue()
    page = text(client.get("/review/", headers=EN))
    assert "days-overdue" in page and "Flagged" in page and "¥15,000.00" in page
    assert '<span class="days-left days-soon">2</span>' in page  # amber: 3 days or fewer
    assert applicants[0].person.id_masked in page and applicants[0].id_number not in page


def test_the_queue_answers_htmx_with_the_rows_only(app, session, client, auth, world):
    application = submit(app, session)
    auth.login("gd@example.cn")
    partial = client.get("/review/?sort=newest", headers=HTMX)
    assert partial.status_code == 200 and "HX-Request" in partial.headers["Vary"]
    assert "<html" not in text(partial) and application.number in text(partial)
    whole = client.get("/review/?sort=newest", headers=EN)  # the pushed URL, opened directly
    assert "<html" in text(whole) and 'hx-post="/review/"' in text(whole)
    assert '<option value="newest" selected>' in text(whole)
    restore = client.get("/review/", headers=HTMX | {"HX-History-Restore-Request": "true"})
    assert "<html" in text(restore)


def test_an_id_number_searched_stays_out_of_the_url(app, session, client, auth, world):
    applicant = h.Applicant(session)
    application = h.submitted(session, applicant, files=app.extensions["storage"])
    auth.login("gd@example.cn")
    found = client.post("/review/", data={"q": applicant.id_number}, headers=HTMX)
    assert found.status_code == 200 and application.number in text(found)
    pushed = found.headers["HX-Push-Url"]
    assert applicant.id_number not in pushed and applicant.person.id_masked[:4] in pushed
    assert applicant.id_number not in text(found)
    assert application.number in text(client.get(pushed, headers=HTMX))


def test_the_queue_is_paginated(app, session, client, auth, world):
    app.config["PAGE_SIZE"] = 2
    made = [submit(app, session).number for _ in range(3)]
    auth.login("gd@example.cn")
    one = text(client.get("/review/?sort=oldest", headers=EN))
    assert numbers(one) == made[:2] and 'rel="next"' in one and "page=2" in one
    two = text(client.get("/review/?sort=oldest&page=2", headers=EN))
    assert numbers(two) == made[2:] and 'rel="prev"' in two and 'rel="next"' not in two
    assert numbers(text(client.get("/review/?page=99"))) == []
    assert numbers(text(client.get("/review/?page=-1"))) == made[:2]


# --- one application --------------------------------------------------------------------


def test_the_application_page_shows_registry_claim_rules_papers_and_timeline(
    app, session, client, auth, world
):
    applicant = h.Applicant(session)
    application = h.draft(session, applicant, files=app.extensions["storage"])
    services.upload_document(  # a photo of the ID card instead of a scan in a PDF
        session,
        user=applicant.user,
        application=application,
        kind=DocumentKind.RESIDENT_ID,
        filename="id.png",
        content=PNG,
        files=app.extensions["storage"],
        today=china_today(),
    )
    submission.submit(session, user=applicant.user, application=application, today=china_today())
    session.commit()
    auth.login("gd@example.cn")
    page = text(client.get(f"/review/{application.id}", headers=EN))
    assert f'<img src="/subsidies/{application.id}/documents/resident_id"' in page
    assert applicant.old_car.vin in page and applicant.old_car.plate in page
    assert application.new_vin in page and application.new_plate in page
    assert application.invoice_number in page and "¥168,000.00" in page and "¥20,000.00" in page
    card = h.CARD
    assert f"{card[:4]} **** **** {card[-4:]}" in page and card not in page
    assert "Every rule of the program is met." in page
    assert "12" in page and "capped" in page.lower()  # the amount's explanation
    assert f"/subsidies/{application.id}/documents/new_car_invoice" in page
    assert "Open the PDF" in page
    assert "Submitted" in page and "Draft started" in page  # the timeline
    assert "Approve" in page and "First approval" not in page


def test_approval_reserves_the_budget_and_scraps_the_old_car(app, session, client, auth, world):
    application = submit(app, session)
    auth.login("gd@example.cn")
    answer = client.post(f"/review/{application.id}/approve")
    assert answer.status_code == 303
    assert answer.headers["Location"].endswith(f"/review/{application.id}")
    assert fresh(session, application).status is Status.APPROVED
    assert application.decided_by == world["gd"].id
    program = fresh(session, h.program(session))
    assert program.reserved_fen == AMOUNT
    assert budget.balance(session, program.id).matches(program)
    old = session.get(Vehicle, application.old_vehicle_id)
    assert fresh(session, old).status is VehicleStatus.SCRAPPED
    page = text(client.get(f"/review/{application.id}", headers=EN))
    assert "Approved; amount reserved in the budget" in page and 'id="decide"' not in page
    again = client.post(f"/review/{application.id}/approve", headers=EN)
    assert again.status_code == 409 and "not possible now" in text(again)


def test_approval_beyond_the_budget_is_refused_and_changes_nothing(
    app, session, client, auth, world
):
    application = submit(app, session)
    program = h.program(session)
    program.budget_fen = AMOUNT - 100
    session.add(program)
    session.commit()
    auth.login("gd@example.cn")
    answer = client.post(f"/review/{application.id}/approve", headers=EN)
    assert answer.status_code == 409
    page = text(answer)
    assert "The budget has ¥19,999.00 left, not enough for ¥20,000.00" in page
    assert application.number in page and 'id="decide"' in page  # the page, again
    assert fresh(session, application).status is Status.SUBMITTED
    program = fresh(session, program)
    assert program.reserved_fen == 0 and budget.balance(session, program.id).matches(program)
    old = session.get(Vehicle, application.old_vehicle_id)
    assert fresh(session, old).status is VehicleStatus.REGISTERED


def test_an_ineligible_application_cannot_be_approved(app, session, client, auth, world):
    application = submit(app, session)
    application.invoice_date = date(2025, 12, 1)  # before the 2026 program's papers count
    session.add(application)
    session.commit()
    auth.login("gd@example.cn")
    page = text(client.get(f"/review/{application.id}", headers=EN))
    assert 'class="rule-failed"' in page and "Every rule of the program is met." not in page
    answer = client.post(f"/review/{application.id}/approve", headers=EN)
    assert answer.status_code == 422
    assert "does not meet the program" in text(answer) and 'role="alert"' in text(answer)
    assert fresh(session, application).status is Status.SUBMITTED


def test_rejection_needs_a_reason_from_the_list(app, session, client, auth, world):
    application = submit(app, session)
    auth.login("gd@example.cn")
    url = f"/review/{application.id}/reject"
    missing = client.post(url, data={"reject-note": "Keep this text"}, headers=EN)
    assert missing.status_code == 422
    page = text(missing)
    field = page[page.index('id="reject-reason"') :]
    assert "This field is required." in field[: field.index("</div>") + 200]
    assert "Keep this text" in page  # what was typed is not lost
    unknown = client.post(url, data={"reject-reason": "because"}, headers=EN)
    assert unknown.status_code == 422 and "Not a valid choice" in text(unknown)
    assert fresh(session, application).status is Status.SUBMITTED
    done = client.post(url, data={"reject-reason": "invoice_mismatch", "reject-note": "Price"})
    assert done.status_code == 303
    application = fresh(session, application)
    assert application.status is Status.REJECTED and application.decision_note == "Price"
    assert application.reject_reason.value == "invoice_mismatch"


def test_return_needs_a_note(app, session, client, auth, world):
    application = submit(app, session)
    auth.login("gd@example.cn")
    url = f"/review/{application.id}/return"
    for note in ("", "   "):
        refused = client.post(url, data={"return-note": note}, headers=EN)
        assert refused.status_code == 422 and "This field is required." in text(refused)
    assert fresh(session, application).status is Status.SUBMITTED
    done = client.post(url, data={"return-note": "The invoice photo is blurred."})
    assert done.status_code == 303
    application = fresh(session, application)
    assert application.status is Status.RETURNED
    assert application.decision_note == "The invoice photo is blurred."


def test_the_first_approver_may_still_reject_alone(app, session, client, auth, world):
    application = submit(app, session)
    application.flagged, application.flags = True, "zero_mileage"
    session.add(application)
    session.commit()
    url = f"/review/{application.id}"
    auth.login("gd@example.cn")
    assert client.post(url + "/approve").status_code == 303
    answer = client.post(url + "/reject", data={"reject-reason": "fraud_suspected"})
    assert answer.status_code == 303
    application = fresh(session, application)
    assert application.status is Status.REJECTED and application.first_approver_id is None


def test_a_flagged_application_needs_two_different_reviewers(app, session, client, auth, world):
    application = submit(app, session)
    application.flagged, application.flags = True, "zero_mileage"
    session.add(application)
    session.commit()
    url = f"/review/{application.id}"
    auth.login("gd@example.cn")
    page = text(client.get(url, headers=EN))
    assert ">First approval</button>" in page
    assert "New car transferred soon after registration" in page
    assert client.post(url + "/approve").status_code == 303
    application = fresh(session, application)
    assert application.status is Status.SUBMITTED
    assert application.first_approver_id == world["gd"].id
    assert fresh(session, h.program(session)).reserved_fen == 0
    page = text(client.get(url, headers=EN))
    assert "A second reviewer must approve" in page
    again = client.post(url + "/approve", headers=EN)
    assert again.status_code == 409 and "second reviewer" in text(again)
    assert fresh(session, application).status is Status.SUBMITTED
    auth.logout()
    auth.login("gd2@example.cn")
    page = text(client.get(url, headers=EN))
    assert ">Approve</button>" in page and "gave the first approval" in page
    assert client.post(url + "/approve").status_code == 303
    application = fresh(session, application)
    assert application.status is Status.APPROVED and application.decided_by == world["gd2"].id
    program = fresh(session, h.program(session))
    assert program.reserved_fen == AMOUNT and budget.balance(session, program.id).matches(program)


def test_queue_buttons_update_the_row_in_place(app, session, client, auth, world):
    application = submit(app, session)
    auth.login("gd@example.cn")
    row = client.post(f"/review/{application.id}/approve", headers=HTMX)
    assert row.status_code == 200
    assert text(row).lstrip().startswith(f'<tr id="application-{application.id}">')
    assert "Approved" in text(row) and "<html" not in text(row)
    refused = client.post(f"/review/{application.id}/approve", headers=HTMX)
    assert refused.status_code == 409
    assert refused.headers["HX-Retarget"] == "#messages" and "not possible now" in text(refused)
    invalid = client.post(f"/review/{application.id}/reject", data={}, headers=HTMX)
    assert invalid.status_code == 422 and invalid.headers["HX-Retarget"] == "#messages"


def test_bulk_approval_skips_flagged_ones_and_says_why(app, session, client, auth, world):
    plain = [submit(app, session) for _ in range(2)]
    flagged = submit(app, session)
    flagged.flagged, flagged.flags = True, "zero_mileage"
    session.add(flagged)
    session.commit()
    auth.login("gd@example.cn")
    ids = [str(a.id) for a in (*plain, flagged)]
    answer = client.post("/review/bulk-approve", data={"ids": ids, "sort": "newest"}, headers=EN)
    assert answer.status_code == 303 and "sort=newest" in answer.headers["Location"]
    page = text(client.get(answer.headers["Location"], headers=EN))
    assert f"Approved 2: {plain[0].number}, {plain[1].number}." in page
    assert f"Not approved {flagged.number}: Flagged: review it alone." in page
    assert [fresh(session, a).status for a in (*plain, flagged)] == [
        Status.APPROVED,
        Status.APPROVED,
        Status.SUBMITTED,
    ]
    program = fresh(session, h.program(session))
    assert program.reserved_fen == 2 * AMOUNT
    assert budget.balance(session, program.id).matches(program)
    nothing = client.post("/review/bulk-approve", data={}, headers=EN)
    assert nothing.status_code == 303
    assert "Tick the applications" in text(client.get(nothing.headers["Location"], headers=EN))


def test_hostile_input_gets_4xx_never_500(app, session, client, auth, world):
    application, other = submit(app, session), submit(app, session)
    theirs = zhejiang_application(app, session)
    auth.login("gd@example.cn")
    base = f"/review/{application.id}"
    hostile = (["1 OR 1=1"], ["abc"], ["-1"], ["9" * 40], ["2147483648"], ["²"], ["٣"])
    for ids in (*hostile, [str(application.id), "x"]):
        assert client.post("/review/bulk-approve", data={"ids": ids}).status_code == 422, ids
    # Another province's id in the selection: nothing is approved.
    mixed = client.post(
        "/review/bulk-approve", data={"ids": [str(other.id), str(theirs.id)]}, headers=EN
    )
    assert mixed.status_code == 404 and fresh(session, other).status is Status.SUBMITTED
    assert client.get("/review/99999999999999999999").status_code == 404
    assert client.get("/review/2147483648").status_code == 404
    assert client.post("/review/abc/approve").status_code == 404
    long = client.post(base + "/return", data={"return-note": "x" * 501}, headers=EN)
    assert long.status_code == 422 and "500" in text(long)
    long = client.post(
        base + "/reject", data={"reject-reason": "other", "reject-note": "y" * 501}, headers=EN
    )
    assert long.status_code == 422
    for query in ("' OR 1=1 --", "%00", "';DROP TABLE subsidy_application;--", "粤B"):
        assert client.get("/review/", query_string={"q": query}).status_code == 200, query
    assert client.get("/review/", query_string={"q": "\x00"}).status_code == 422
    assert numbers(text(client.get("/review/", query_string={"q": "' OR '1'='1"}))) == []
    script = "<script>alert(1)</script> Please fix"
    nul = client.post(base + "/return", data={"return-note": script + "\x00"}, headers=EN)
    assert nul.status_code == 422 and "Remove the control characters" in text(nul)
    assert client.post(base + "/return", data={"return-note": script}).status_code == 303
    page = text(client.get(base, headers=EN))
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page and "<script>alert" not in page
    assert fresh(session, application).decision_note.endswith("Please fix")
    no_token = app.test_client()
    no_token.post("/login", data={"email": "gd@example.cn", "password": factories.PASSWORD})
    assert no_token.post(f"/review/{other.id}/approve").status_code == 400  # CSRF
    assert fresh(session, other).status is Status.SUBMITTED


# --- the race ---------------------------------------------------------------------------


def test_fifty_concurrent_approvals_against_a_budget_for_twenty(app, session, world):
    """Issue "done when": 50 reviewers' clicks at once, money for 20: 20 approved, 30 × 409."""
    applications = [submit(app, session) for _ in range(50)]
    program = h.program(session)
    program.budget_fen = 20 * AMOUNT
    session.add(program)
    # The race is about the budget: the applicants take their notices in the inbox only,
    # so the tests' inline job runner does not send twenty emails inside the race.
    session.add_all(EmailOff(user_id=a.applicant_id, category="subsidy") for a in applications)
    session.commit()
    reviewers = [world["gd"], world["gd2"]] + [
        factories.user(session, Role.REVIEWER, province_code=h.GUANGDONG) for _ in range(3)
    ]
    session.commit()
    signed_in = []  # one sign-in per reviewer (sign-ins are rate limited), then ten tabs each
    for reviewer in reviewers:
        browser = FormClient(app.test_client())
        browser.post("/login", data={"email": reviewer.email, "password": factories.PASSWORD})
        signed_in.append(browser.get_cookie("session").value)
    clicks = []
    for number, application in enumerate(applications):
        browser = FormClient(app.test_client())
        browser.set_cookie("session", signed_in[number % len(signed_in)])
        clicks.append((browser, browser.csrf_token(), application.id))
    barrier, answers, lock = threading.Barrier(len(clicks)), {}, threading.Lock()

    def click(browser, token, application_id):
        barrier.wait()
        answer = browser.client.post(
            f"/review/{application_id}/approve", data={"csrf_token": token}, headers=EN
        )
        with lock:
            answers[application_id] = (answer.status_code, answer.get_data(as_text=True))

    threads = [threading.Thread(target=click, args=args) for args in clicks]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    codes = sorted(code for code, _page in answers.values())
    assert len(answers) == 50
    assert codes == [303] * 20 + [409] * 30, codes
    refused = [page for code, page in answers.values() if code == 409]
    assert all("not enough for ¥20,000.00. Nothing was approved." in page for page in refused)
    session.commit()
    statuses = {
        row.id: row.status
        for row in session.exec(select(Application).execution_options(populate_existing=True))
    }
    approved = [i for i, (code, _page) in answers.items() if code == 303]
    assert sorted(i for i, s in statuses.items() if s is Status.APPROVED) == sorted(approved)
    assert list(statuses.values()).count(Status.SUBMITTED) == 30
    program = fresh(session, program)
    assert program.reserved_fen == 20 * AMOUNT == 40_000_000
    assert budget.balance(session, program.id).matches(program)


def test_bulk_approvals_at_once_never_fail_with_500_nor_overspend(app, session, world):
    """Four reviewers bulk-approve their own selections at once; money for five of twelve."""
    applications = [submit(app, session) for _ in range(12)]
    program = h.program(session)
    program.budget_fen = 5 * AMOUNT
    session.add(program)
    reviewers = [world["gd"], world["gd2"]] + [
        factories.user(session, Role.REVIEWER, province_code=h.GUANGDONG) for _ in range(2)
    ]
    session.commit()
    selections = []
    for number, reviewer in enumerate(reviewers):
        browser = FormClient(app.test_client())
        browser.post("/login", data={"email": reviewer.email, "password": factories.PASSWORD})
        ids = [str(a.id) for a in applications[number * 3 : number * 3 + 3]]
        selections.append((browser, browser.csrf_token(), ids))
    barrier, codes = threading.Barrier(len(selections)), []

    def bulk(browser, token, ids):
        barrier.wait()
        answer = browser.client.post("/review/bulk-approve", data={"csrf_token": token, "ids": ids})
        codes.append(answer.status_code)

    threads = [threading.Thread(target=bulk, args=args) for args in selections]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    assert codes == [303] * 4, codes
    session.commit()
    rows = session.exec(select(Application).execution_options(populate_existing=True)).all()
    approved = [row for row in rows if row.status is Status.APPROVED]
    program = fresh(session, program)
    assert 0 < len(approved) <= 5 and program.reserved_fen == len(approved) * AMOUNT
    assert budget.balance(session, program.id).matches(program)
