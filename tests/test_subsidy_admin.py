"""The administrator's subsidy pages: programs (edit, audit, pause), the dashboard, access."""

import io
import re
from datetime import timedelta

import pytest
from markupsafe import escape
from sqlmodel import select

from portal.accounts.models import Role
from portal.audit import AuditEvent, china_today
from portal.money import yuan_input
from portal.subsidy import chart, services
from portal.subsidy.admin_forms import percent_text
from portal.subsidy.models import Application, ApplicationDocument, Program
from portal.subsidy.terms import DocumentKind, Kind
from tests import factories
from tests import subsidy_helpers as h

EN = {"Accept-Language": "en"}
ADMIN = "admin@example.cn"


@pytest.fixture
def admin(client, auth, session):
    """Guangdong's programs seeded and an administrator signed in."""
    h.seed(session)
    factories.user(session, Role.ADMIN, email=ADMIN)
    session.commit()
    auth.login(ADMIN)
    return client


@pytest.fixture
def program(admin, session) -> Program:
    """This year's scrapping program of Guangdong (a percentage program)."""
    return h.program(session)


def fresh(session, row):
    """The row as another request left it."""
    session.commit()  # end the read transaction: see what others committed
    session.expire_all()
    return session.get(type(row), row.id)


def settings(program: Program, **changes) -> dict:
    """The edit form as the page fills it, with changes typed over it."""
    form = {
        name: getattr(program, name).isoformat() if getattr(program, name) else ""
        for name in (
            "opens",
            "closes",
            "pause_at",
            "grace_until",
            "documents_from",
            "held_before",
            "petrol_registered_by",
            "other_fuel_registered_by",
            "nev_registered_by",
        )
    }
    form |= {
        "min_holding_months": str(program.min_holding_months),
        "max_displacement_ml": str(program.max_displacement_ml),
        "zero_mileage_days": str(program.zero_mileage_days),
        "nev_amount": yuan_input(program.nev_amount_fen),
        "fuel_amount": yuan_input(program.fuel_amount_fen),
        "nev_rate": percent_text(program.nev_rate_bp),
        "fuel_rate": percent_text(program.fuel_rate_bp),
        "budget": yuan_input(program.budget_fen),
    }
    return form | changes


def help_of(page: str, field_id: str) -> str:
    """What the page says next to a field (its errors and hint)."""
    found = re.search(rf'<div id="{field_id}-help">(.*?)</div>', page, re.S)
    assert found, f"no field {field_id}"
    return found.group(1)


def value_of(page: str, field_id: str) -> str:
    """The value attribute of a field's input, as rendered."""
    tag = re.search(rf'<input[^>]* id="{field_id}"[^>]*>', page)
    assert tag, f"no input {field_id}"
    value = re.search(r'value="([^"]*)"', tag.group(0))
    return value.group(1) if value else ""


def rows(page: str) -> str:
    """The body of the page's table."""
    return re.search(r"<tbody>(.*?)</tbody>", page, re.S).group(1)


def program_events(session, program: Program) -> list[AuditEvent]:
    session.commit()
    return session.exec(
        select(AuditEvent).where(
            AuditEvent.entity == "subsidy_program", AuditEvent.entity_id == program.id
        )
    ).all()


# --- programs ---------------------------------------------------------------------------


def test_program_list_filters_by_year_and_province(admin, session):
    h.seed(session, "110000")
    page = admin.get("/admin/subsidies/programs?year=2026&province=440000", headers=EN)
    text = rows(page.get_data(as_text=True))
    assert page.status_code == 200
    assert text.count("/admin/subsidies/programs/") == 4  # two programs, two links each
    assert "Guangdong" in text and "Beijing" not in text
    assert "2026-01-01 – 2026-12-31" in text
    assert "New-energy 12 % up to ¥20,000.00; fuel 10 % up to ¥15,000.00" in text
    assert "¥50,000,000.00" in text
    everything = rows(admin.get("/admin/subsidies/programs", headers=EN).get_data(as_text=True))
    assert "Beijing" in everything and "2024" in everything
    # Nonsense filters are ignored, not an error.
    assert admin.get("/admin/subsidies/programs?year=abc&province=<x>").status_code == 200


def test_edit_a_program_and_see_the_change_in_its_history(admin, session, program):
    page = admin.get(f"/admin/subsidies/programs/{program.id}", headers=EN).get_data(as_text=True)
    assert value_of(page, "budget") == "50000000.00"
    assert value_of(page, "nev_rate") == "12"
    assert "No change since the program was set up." in page

    changed = settings(program, budget="60,000,000", nev_rate="12.5", zero_mileage_days="２００")
    response = admin.post(f"/admin/subsidies/programs/{program.id}", data=changed, headers=EN)
    assert response.status_code == 303
    saved = fresh(session, program)
    assert (saved.budget_fen, saved.nev_rate_bp, saved.zero_mileage_days) == (
        6_000_000_000,
        1250,
        200,
    )
    (event,) = program_events(session, program)
    assert event.action == "updated"
    assert event.detail == {
        "budget_fen": [5_000_000_000, 6_000_000_000],
        "nev_rate_bp": [1200, 1250],
        "zero_mileage_days": [180, 200],
    }
    page = admin.get(response.headers["Location"], headers=EN).get_data(as_text=True)
    assert "The program&#39;s settings are saved." in page
    assert ADMIN in page
    assert "¥50,000,000.00</del> → <ins>¥60,000,000.00" in page
    assert "12 %</del> → <ins>12.5 %" in page


def test_saving_unchanged_settings_records_nothing(admin, session, program):
    response = admin.post(f"/admin/subsidies/programs/{program.id}", data=settings(program))
    assert response.status_code == 303
    assert program_events(session, program) == []


def test_a_fixed_program_has_no_rate_fields(admin, session):
    fixed = session.exec(
        select(Program).where(Program.year == 2025, Program.kind == Kind.SCRAPPING)
    ).one()
    page = admin.get(f"/admin/subsidies/programs/{fixed.id}", headers=EN).get_data(as_text=True)
    assert 'id="nev_rate"' not in page
    form = settings(fixed, nev_amount="18000")
    del form["nev_rate"], form["fuel_rate"]
    assert admin.post(f"/admin/subsidies/programs/{fixed.id}", data=form).status_code == 303
    assert fresh(session, fixed).nev_amount_fen == 1_800_000


def test_tiers_are_shown_read_only(admin, session):
    tiers = session.exec(
        select(Program).where(Program.year == 2025, Program.kind == Kind.REPLACEMENT)
    ).one()
    page = admin.get(f"/admin/subsidies/programs/{tiers.id}", headers=EN).get_data(as_text=True)
    assert "Price tiers" in page
    assert '<td>¥150,000.00</td><td class="amount">¥15,000.00</td>' in page
    assert '<td>¥100,000.00</td><td class="amount">¥8,000.00</td>' in page


HOSTILE = "<script>alert(1)</script>"
BAD_INPUT = [
    pytest.param("nev_amount", "-5", "The amount cannot be negative.", id="negative-amount"),
    pytest.param("fuel_amount", "-0.01", "The amount cannot be negative.", id="negative-cap"),
    pytest.param("fuel_amount", "abc", "Enter an amount in yuan", id="letters-in-amount"),
    pytest.param("nev_amount", "2000001", "Enter at most 1,000,000 yuan.", id="huge-cap"),
    pytest.param("nev_amount", "", "Enter an amount.", id="missing-amount"),
    pytest.param("nev_rate", "150", "percentage from 0 to 100", id="rate-150"),
    pytest.param("fuel_rate", "-1", "percentage from 0 to 100", id="negative-rate"),
    pytest.param("nev_rate", "12.25", "at most one decimal", id="rate-two-decimals"),
    pytest.param("nev_rate", "", "percentage from 0 to 100", id="missing-rate"),
    pytest.param("budget", str(10**30), "The amount is too large.", id="budget-10e30"),
    pytest.param("budget", "1e9", "Enter an amount in yuan", id="budget-exponent"),
    pytest.param("min_holding_months", "twelve", "whole number from 0 to 120", id="letters"),
    pytest.param("min_holding_months", "121", "whole number from 0 to 120", id="months-high"),
    pytest.param("zero_mileage_days", str(10**30), "from 0 to 3650", id="days-10e30"),
    pytest.param("zero_mileage_days", "-3", "from 0 to 3650", id="negative-days"),
    pytest.param("min_holding_months", "9" * 100, "from 0 to 120", id="hundred-digits"),
    pytest.param("budget", "1" * 100, "Enter an amount in yuan", id="hundred-digit-budget"),
    pytest.param("fuel_rate", "１２．５５", "at most one decimal", id="full-width-rate"),
    pytest.param("max_displacement_ml", "1.5", "from 500 to 10000", id="litres-not-ml"),
    pytest.param("max_displacement_ml", "", "Enter a number.", id="missing-number"),
    pytest.param("max_displacement_ml", HOSTILE, "from 500 to 10000", id="script-number"),
    pytest.param("budget", HOSTILE, "Enter an amount in yuan", id="script-budget"),
    pytest.param("held_before", HOSTILE, "Enter a date like 2026-09-28.", id="script-date"),
    pytest.param("opens", "2026-02-30", "Enter a date like 2026-09-28.", id="no-such-day"),
    pytest.param("documents_from", "", "Enter a date.", id="missing-date"),
    pytest.param("nev_registered_by", "1899-12-31", "Enter a date from 1990", id="old-date"),
    pytest.param("closes", "2025-12-31", "cannot close before it opens", id="closes-first"),
    pytest.param("pause_at", "2027-01-04", "pause must fall inside", id="pause-outside"),
    pytest.param("grace_until", "2026-12-01", "A grace date needs a pause date.", id="no-pause"),
]


@pytest.mark.parametrize(("name", "typed", "message"), BAD_INPUT)
def test_bad_input_is_refused_next_to_its_field_and_kept(
    admin, session, program, name, typed, message
):
    form = settings(program, **{name: typed})
    response = admin.post(f"/admin/subsidies/programs/{program.id}", data=form, headers=EN)
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert message in help_of(page, name)
    assert help_of(page, name).count('class="error"') == 1
    assert value_of(page, name) == escape(typed)  # as typed, and harmless
    assert HOSTILE not in page
    # Everything else typed is still there too.
    assert value_of(page, "budget") == escape(form["budget"])
    assert value_of(page, "opens") == escape(form["opens"])
    assert fresh(session, program).budget_fen == program.budget_fen
    assert program_events(session, program) == []


def test_grace_before_the_pause_is_refused(admin, session, program):
    form = settings(program, pause_at="2026-10-01", grace_until="2026-09-01", budget="1")
    response = admin.post(f"/admin/subsidies/programs/{program.id}", data=form, headers=EN)
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "between the pause and the closing day" in help_of(page, "grace_until")
    assert value_of(page, "pause_at") == "2026-10-01"
    assert value_of(page, "budget") == "1"
    assert fresh(session, program).pause_at is None


def test_budget_below_what_is_reserved_is_refused(app, admin, session, program):
    reviewer = factories.user(session, Role.REVIEWER, province_code=h.GUANGDONG)
    h.approved(session, h.Applicant(session), reviewer, folder=app.config["UPLOAD_FOLDER"])
    form = settings(fresh(session, program), budget="19999.99")
    response = admin.post(f"/admin/subsidies/programs/{program.id}", data=form, headers=EN)
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "already reserved and paid (¥20,000.00)" in help_of(page, "budget")
    assert value_of(page, "budget") == "19999.99"
    ok = settings(fresh(session, program), budget="20000")
    assert admin.post(f"/admin/subsidies/programs/{program.id}", data=ok).status_code == 303
    assert fresh(session, program).budget_fen == 2_000_000


def test_unknown_program_is_404(admin):
    assert admin.get("/admin/subsidies/programs/999999").status_code == 404
    assert admin.get("/admin/subsidies/programs/99999999999999999999").status_code == 404


# --- pause ------------------------------------------------------------------------------


def test_pause_now_stops_new_applications_but_not_started_ones(
    app, admin, auth, client, session, program
):
    applicant = h.Applicant(session)
    draft = services.start(
        session,
        user=applicant.user,
        kind=Kind.SCRAPPING,
        province_code=h.GUANGDONG,
        today=china_today(),
    )
    session.commit()
    today = china_today()
    page = admin.get(f"/admin/subsidies/programs/{program.id}", headers=EN).get_data(as_text=True)
    assert value_of(page, "grace") == min(today + timedelta(days=21), program.closes).isoformat()

    grace = min(today + timedelta(days=10), program.closes)
    response = admin.post(
        f"/admin/subsidies/programs/{program.id}/pause", data={"grace": grace.isoformat()}
    )
    assert response.status_code == 303
    paused = fresh(session, program)
    assert (paused.pause_at, paused.grace_until) == (today, grace)
    (event,) = program_events(session, program)
    assert event.detail == {
        "pause_at": [None, today.isoformat()],
        "grace_until": [None, grace.isoformat()],
    }

    auth.logout()
    auth.login(applicant.email)
    refused = client.post(
        "/subsidies/new", data={"kind": "scrapping", "province": h.GUANGDONG}, headers=EN
    )
    assert refused.status_code == 422
    assert "paused since" in refused.get_data(as_text=True)
    uploaded = client.post(
        f"/subsidies/{draft.id}/step/documents",
        data={"kind": "resident_id", "file": (io.BytesIO(h.PDF), "id.pdf")},
        content_type="multipart/form-data",
    )
    assert uploaded.status_code == 303, uploaded.get_data(as_text=True)
    session.commit()
    papers = session.exec(
        select(ApplicationDocument.kind).where(ApplicationDocument.application_id == draft.id)
    ).all()
    assert papers == [DocumentKind.RESIDENT_ID]


@pytest.mark.parametrize(
    ("days", "message"),
    [
        pytest.param(-1, "cannot be before today", id="before-today"),
        pytest.param(400, "cannot be after the program closes", id="after-closing"),
    ],
)
def test_pause_with_a_grace_date_out_of_range_is_refused(admin, session, program, days, message):
    typed = (china_today() + timedelta(days=days)).isoformat()
    response = admin.post(
        f"/admin/subsidies/programs/{program.id}/pause", data={"grace": typed}, headers=EN
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert message in help_of(page, "grace")
    assert value_of(page, "grace") == typed
    assert fresh(session, program).pause_at is None


def test_pausing_again_keeps_the_first_day_and_moves_the_grace_date(admin, session, program):
    today = china_today()
    earlier = max(program.opens, today - timedelta(days=3))
    form = settings(program, pause_at=earlier.isoformat(), grace_until=today.isoformat())
    assert admin.post(f"/admin/subsidies/programs/{program.id}", data=form).status_code == 303
    page = admin.get(f"/admin/subsidies/programs/{program.id}", headers=EN).get_data(as_text=True)
    assert f"already paused since {earlier.isoformat()}" in page
    grace = min(today + timedelta(days=5), program.closes)
    response = admin.post(
        f"/admin/subsidies/programs/{program.id}/pause", data={"grace": grace.isoformat()}
    )
    assert response.status_code == 303
    paused = fresh(session, program)
    assert (paused.pause_at, paused.grace_until) == (earlier, grace)


def test_a_closed_program_cannot_be_paused(admin, session):
    closed = session.exec(
        select(Program).where(Program.year == 2025, Program.kind == Kind.SCRAPPING)
    ).one()
    page = admin.get(f"/admin/subsidies/programs/{closed.id}", headers=EN).get_data(as_text=True)
    assert "Pause now" not in page
    response = admin.post(
        f"/admin/subsidies/programs/{closed.id}/pause",
        data={"grace": china_today().isoformat()},
        headers=EN,
    )
    assert response.status_code == 422
    assert fresh(session, closed).pause_at is None


def test_pause_with_a_hostile_grace_date_is_refused(admin, session, program):
    response = admin.post(
        f"/admin/subsidies/programs/{program.id}/pause", data={"grace": HOSTILE}, headers=EN
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Enter a date like" in help_of(page, "grace")
    assert HOSTILE not in page
    assert value_of(page, "budget") == "50000000.00"  # the other form shows the program


def test_a_refused_setting_leaves_the_pause_form_as_it_was(admin, session, program):
    form = settings(program, budget="-1")
    page = admin.post(f"/admin/subsidies/programs/{program.id}", data=form).get_data(as_text=True)
    grace = min(china_today() + timedelta(days=21), program.closes)
    assert value_of(page, "grace") == grace.isoformat()


# --- dashboard --------------------------------------------------------------------------


def test_dashboard_shows_counts_budget_and_the_chart(app, admin, session, program):
    reviewer = factories.user(session, Role.REVIEWER, province_code=h.GUANGDONG)
    folder = app.config["UPLOAD_FOLDER"]
    h.approved(session, h.Applicant(session), reviewer, folder=folder)
    h.submitted(session, h.Applicant(session), folder=folder)
    response = admin.get("/admin/subsidies/?province=440000", headers=EN)
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert f"Subsidies in {china_today().year}" in page
    counts = re.search(r'<table class="table status-counts">(.*?)</table>', page, re.S).group(1)
    assert re.search(r"Submitted, in review</td><td[^>]*>1<", counts)
    assert re.search(r"Approved</td><td[^>]*>1<", counts)
    assert "¥20,000.00" in page  # reserved
    assert "<svg" in page and 'viewBox="0 0 360' in page
    assert '<title id="budget-chart-title">Budget of each' in page
    assert "Guangdong · Scrapping renewal (报废更新): Reserved ¥20,000.00" in page
    # Every province by default; a nonsense filter falls back to the defaults, quietly.
    for url in ("/admin/subsidies/", "/admin/subsidies/?year=1&province=zz"):
        response = admin.get(url, headers=EN)
        assert response.status_code == 200
        assert 'class="error"' not in response.get_data(as_text=True)
        assert f'<option selected value="{china_today().year}">' in response.get_data(as_text=True)


def test_chart_escapes_every_text_and_copes_with_empty_budgets():
    words = chart.Words(title="T <b>", parts=("Paid", "Reserved", "<Left>"), empty="None")
    bars = [
        chart.Bar("<script>x</script>", 100, 300, 600, ("¥1.00", "¥3.00", "¥6.00")),
        chart.Bar("zero & nothing", 0, 0, 0, ("¥0.00", "¥0.00", "¥0.00")),
    ]
    svg = chart.budget_bars(bars, words)
    assert "<script>" not in svg and "&lt;script&gt;x&lt;/script&gt;" in svg
    assert "T &lt;b&gt;" in svg and "&lt;Left&gt; ¥6.00 (60 %)" in svg
    assert "zero &amp; nothing" in svg
    assert 'width="36.00"' in svg and 'width="108.00"' in svg and 'width="216.00"' in svg
    assert svg.count("<title>") == 3  # one per drawn part; the empty bar has none
    empty = chart.budget_bars([], words)
    assert "None" in empty and empty.startswith("<svg")


def test_a_sliver_of_the_budget_stays_visible():
    words = chart.Words(title="T", parts=("Paid", "Reserved", "Left"), empty="")
    bar = chart.Bar("GD", 1, 0, 10**12, ("¥0.01", "¥0.00", "¥10,000,000,000.00"))
    svg = chart.budget_bars([bar], words)
    assert 'width="2.00"' in svg and 'width="358.00"' in svg
    assert svg.count("<rect x=") == 3 + 2  # the legend's three, the bar's two parts


# --- access -----------------------------------------------------------------------------

ROUTES = [
    ("get", "/admin/subsidies/"),
    ("get", "/admin/subsidies/programs"),
    ("get", "/admin/subsidies/programs/1"),
    ("post", "/admin/subsidies/programs/1"),
    ("post", "/admin/subsidies/programs/1/pause"),
    ("get", "/admin/subsidies/payouts"),
    ("post", "/admin/subsidies/payouts"),
    ("get", "/admin/subsidies/payouts/1"),
    ("get", "/admin/subsidies/payouts/1/bank.csv"),
    ("post", "/admin/subsidies/payouts/1/sent"),
    ("post", "/admin/subsidies/payouts/1/results"),
    ("post", "/admin/subsidies/payouts/1/applications/1/retry"),
    ("post", "/admin/subsidies/payouts/1/applications/1/cancel_payout"),
]


@pytest.mark.parametrize("role", [Role.OWNER, Role.REVIEWER, Role.DEALER, Role.OFFICER])
def test_only_administrators_may_open_these_pages(client, auth, session, role):
    h.seed(session)
    dealer = factories.dealer(session) if role is Role.DEALER else None
    user = factories.user(session, role, dealer_row=dealer)
    session.commit()
    auth.login(user.email)
    for method, url in ROUTES:
        response = getattr(client, method)(url, data={"province": h.GUANGDONG})
        assert response.status_code == 403, (method, url)
    assert session.exec(select(Application)).all() == []


def test_signed_out_visitors_are_sent_to_sign_in(client, session):
    for method, url in ROUTES:
        response = getattr(client, method)(url)
        assert response.status_code == 302, (method, url)
        assert "/login" in response.headers["Location"]
