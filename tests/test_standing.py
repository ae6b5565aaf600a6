"""Where an application stands (issue 13): its place, the receipt, the money left."""

import subprocess
from datetime import date, timedelta

import pytest

from portal.accounts.models import Role, User
from portal.audit import china_today
from portal.subsidy.models import Application
from portal.subsidy.terms import Status
from tests import factories
from tests import subsidy_helpers as h

EN = {"Accept-Language": "en"}


@pytest.fixture
def queue(app, session):
    """Three applications of one program, submitted one after the other."""
    h.seed(session)
    rows = [
        h.submitted(session, h.Applicant(session), files=app.extensions["storage"])
        for _ in range(3)
    ]
    return rows


def _page(client, auth, application: Application, session) -> str:
    user = session.get(User, application.applicant_id)
    auth.logout()
    auth.login(user.email)
    return client.get(f"/subsidies/{application.id}", headers=EN).get_data(as_text=True)


def test_the_place_is_first_in_first_out_and_a_resubmission_keeps_it(
    app, client, auth, session, queue
):
    first, second, third = queue
    assert "2 applications are ahead of yours" in _page(client, auth, third, session)
    # The first is returned and resubmitted: it keeps its place before the others.
    reviewer = factories.user(session, Role.REVIEWER, email="reviewer@example.cn")
    session.commit()
    from portal.subsidy.apply import submission
    from portal.subsidy.review import services as review

    review.return_for_correction(session, user=reviewer, application=first, note="请补充发票")
    session.commit()
    # The place is shared for a few seconds (no count per request): then counted again.
    assert "2 applications are ahead of yours" in _page(client, auth, third, session)
    _seconds_later(app)
    assert "1 applications are ahead of yours" in _page(client, auth, third, session)
    submission.submit(
        session, user=session.get(User, first.applicant_id), application=first, today=china_today()
    )
    session.commit()
    _seconds_later(app)
    assert "2 applications are ahead of yours" in _page(client, auth, third, session)
    page = _page(client, auth, first, session)
    assert "0 applications are ahead of yours" in page and "kept its original place" in page


def _seconds_later(app) -> None:
    """As if the shared copies (standing.PLACE_CACHE_SECONDS) had run out."""
    app.extensions["cache_local"].values.clear()


def test_the_receipt_prints_the_number_the_place_and_the_papers(
    app, client, auth, session, queue, tmp_path
):
    second = queue[1]
    _page(client, auth, second, session)
    answer = client.get(f"/subsidies/{second.id}/receipt.pdf")
    assert answer.status_code == 200 and answer.mimetype == "application/pdf"
    pdf = tmp_path / "receipt.pdf"
    pdf.write_bytes(answer.data)
    text = subprocess.run(
        ["pdftotext", "-layout", str(pdf), "-"], capture_output=True, text=True, check=True
    ).stdout
    assert second.number in text and "提交时排队位次" in text
    assert "居民身份证" in text and "报废更新" in text  # papers and program by name
    assert h.CARD not in text.replace(" ", "")


def test_nobody_else_gets_the_receipt(app, client, auth, session, queue):
    other = factories.user(session, email="other@example.cn")
    reviewer = factories.user(session, Role.REVIEWER, email="reviewer@example.cn")
    session.commit()
    auth.login(other.email)
    assert client.get(f"/subsidies/{queue[0].id}/receipt.pdf").status_code == 404
    auth.logout()
    auth.login(reviewer.email)
    assert client.get(f"/subsidies/{queue[0].id}/receipt.pdf").status_code == 403


def test_a_draft_has_no_receipt_and_a_withdrawn_draft_says_so(app, client, auth, session):
    h.seed(session)
    applicant = h.Applicant(session)
    draft = h.draft(session, applicant, files=app.extensions["storage"])
    auth.login(applicant.email)
    assert client.get(f"/subsidies/{draft.id}/receipt.pdf", headers=EN).status_code == 404
    assert client.post(f"/subsidies/{draft.id}/withdraw").status_code == 303
    page = client.get(f"/subsidies/{draft.id}", headers=EN).get_data(as_text=True)
    assert "Withdrawn draft" in page and "Application None" not in page
    assert "Withdrawn draft" in client.get("/subsidies/", headers=EN).get_data(as_text=True)


def test_starting_again_resumes_the_open_draft(app, client, auth, session):
    h.seed(session)
    applicant = h.Applicant(session)
    auth.login(applicant.email)
    data = {"kind": "scrapping", "province": h.GUANGDONG}
    first = client.post("/subsidies/new", data=data).headers["Location"]
    again = client.post("/subsidies/new", data=data).headers["Location"]
    assert first == again
    other_kind = client.post("/subsidies/new", data=data | {"kind": "replacement"})
    assert other_kind.headers["Location"] != first


def test_the_due_dates_follow_the_official_calendar(app, session, queue):
    from datetime import UTC, date, datetime

    from portal.subsidy import standing

    application = queue[0]
    # Submitted on Tuesday 2026-02-10 (noon in Beijing): 15 working days across the Spring
    # Festival end on 2026-03-09 (DOMAIN §1.7); approved on Friday 2026-09-25 (a holiday),
    # it is to be paid by 2026-11-12, across National Day.
    application.clock_start = datetime(2026, 2, 10, 4, tzinfo=UTC)
    with app.app_context():
        assert standing.decision_due(session, application).day == date(2026, 3, 9)
        application.status, application.decided_at = (
            Status.APPROVED,
            datetime(2026, 9, 25, 4, tzinfo=UTC),
        )
        due = standing.payout_due(session, application)
    assert (due.day, due.estimated) == (date(2026, 11, 12), False)


def test_the_budget_page_is_public_and_read_from_the_shared_cache(app, client, session):
    h.seed(session)
    session.commit()
    page = client.get("/subsidies/budget", headers=EN)
    assert page.status_code == 200 and "public, max-age=5" in page.headers["Cache-Control"]
    listing = _budget_listing(page.get_data(as_text=True))
    assert "Guangdong" in listing and "<meter" in listing
    program = h.program(session)
    program.reserved_fen = program.budget_fen  # money gone, but the shared copy is seconds old
    session.add(program)
    session.commit()
    again = client.get("/subsidies/budget", headers=EN).get_data(as_text=True)
    assert _budget_listing(again) == listing


def _budget_listing(page: str) -> str:
    """The figures of a budget page, without the header's CSRF tokens (signed each second)."""
    return page[page.index("Figures as of") : page.index("</main>")]


def test_the_shared_budget_list_is_kept_per_language(app, client, session):
    h.seed(session)
    session.commit()
    assert "Guangdong" in client.get("/subsidies/budget", headers=EN).get_data(as_text=True)
    chinese = client.get("/subsidies/budget", headers={"Accept-Language": "zh-CN"})
    assert "广东省" in chinese.get_data(as_text=True)
    assert "Guangdong" not in chinese.get_data(as_text=True)


def test_the_budget_page_shows_one_province_in_full_or_the_country_in_a_table(app, client, session):
    h.seed(session)
    session.commit()
    country = client.get("/subsidies/budget", headers=EN).get_data(as_text=True)
    assert "budget-table" in country and "Guangdong" in country
    province = client.get("/subsidies/budget?province=440000", headers=EN)
    text = province.get_data(as_text=True)
    assert province.status_code == 200 and "Reserved by approvals" in text
    assert '<option selected value="440000">' in text or 'value="440000" selected' in text


@pytest.mark.parametrize("typed", ["999999", "<script>alert(1)</script>", "4" * 5000, ""])
def test_the_budget_page_shows_the_country_for_any_other_province(app, client, session, typed):
    h.seed(session)
    session.commit()
    page = client.get("/subsidies/budget", query_string={"province": typed}, headers=EN)
    text = page.get_data(as_text=True)
    assert page.status_code == 200 and "budget-table" in text and "<script>alert" not in text


def test_the_wizard_warns_when_money_runs_low(app, client, auth, session):
    h.seed(session)
    program = h.program(session)
    program.reserved_fen = program.budget_fen * 95 // 100
    session.add(program)
    applicant = h.Applicant(session)
    auth.login(applicant.email)
    page = client.get("/subsidies/new", headers=EN).get_data(as_text=True)
    assert "Money is running out in these programs" in page and "Guangdong" in page


def test_a_paused_program_shows_its_grace_date(app, client, session):
    h.seed(session)
    program = h.program(session)
    today = china_today()
    program.pause_at, program.grace_until = today, today + timedelta(days=20)
    session.add(program)
    session.commit()
    page = client.get("/subsidies/budget", headers=EN).get_data(as_text=True)
    assert "Paused since" in page and "started applications may submit until" in page


def test_reviewers_hear_of_overdue_applications_in_their_province(app, session, queue):
    from datetime import UTC, datetime

    from sqlmodel import select

    from portal.notices.models import Notice
    from portal.subsidy.review import overdue

    late = queue[0]
    late.clock_start = datetime(2026, 1, 5, 4, tzinfo=UTC)
    session.add(late)
    mine = factories.user(session, Role.REVIEWER, email="gd@example.cn")
    elsewhere = factories.user(
        session, Role.REVIEWER, email="zj@example.cn", province_code="330000"
    )
    session.commit()
    with app.app_context():
        assert overdue.tell_reviewers(session, date(2026, 3, 2)) == 1  # a Monday
        assert overdue.tell_reviewers(session, date(2026, 2, 17)) == 0  # Spring Festival
        session.commit()
    [notice] = session.exec(select(Notice).where(Notice.kind == "queue_overdue")).all()
    assert notice.user_id == mine.id and notice.params["count"] == 1
    assert elsewhere.id != notice.user_id
