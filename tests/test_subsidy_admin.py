"""The administrator's subsidy pages: programs (edit, audit, pause, price tiers), the dashboard,
access."""

import io
import re
import threading
from dataclasses import replace
from datetime import timedelta

import pytest
from markupsafe import escape
from sqlmodel import select

from portal.accounts.models import Role
from portal.audit import AuditEvent, china_today
from portal.money import percent_text, share_of, yuan_input
from portal.registry.terms import FuelType
from portal.subsidy import program_lookup
from portal.subsidy.apply import services
from portal.subsidy.models import Application, ApplicationDocument, Program
from portal.subsidy.programs import chart
from portal.subsidy.rules import national
from portal.subsidy.rules.amounts import amount_for
from portal.subsidy.rules.facts import NewCar, Tier
from portal.subsidy.terms import DocumentKind, Kind
from tests import factories
from tests import subsidy_helpers as h
from tests.conftest import FormClient

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
        "nev_rate": percent_text(share_of(program.nev_rate_bp)),
        "fuel_rate": percent_text(share_of(program.fuel_rate_bp)),
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
    h.approved(session, h.Applicant(session), reviewer, files=app.extensions["storage"])
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


# --- price tiers ------------------------------------------------------------------------

# The seeded demo tiers of DOMAIN §1.2 as the form shows them, from the lowest price up.
DEMO_NEV = [("0.00", "8000.00"), ("100000.00", "10000.00"), ("150000.00", "15000.00")]
DEMO_FUEL = [("0.00", "6000.00"), ("100000.00", "8000.00"), ("150000.00", "13000.00")]


@pytest.fixture
def tiered(admin, session) -> Program:
    """The 2025 replacement program of Guangdong: price tiers, capped at 15,000 and 13,000."""
    return session.exec(
        select(Program).where(Program.year == 2025, Program.kind == Kind.REPLACEMENT)
    ).one()


def tiers_form(nev=DEMO_NEV, fuel=DEMO_FUEL, **changes) -> dict:
    """The tier form as the page fills it (the stored rows and two empty ones per kind),
    with changes typed over it by field id ("nev-3-amount")."""
    form = {}
    for kind, rows in (("nev", nev), ("fuel", fuel)):
        for number, (price, amount) in enumerate([*rows, ("", ""), ("", "")]):
            form[f"{kind}-{number}-min_price"], form[f"{kind}-{number}-amount"] = price, amount
    return form | changes


def in_order(tiers) -> list[Tier]:
    """New-energy tiers first, each kind from the lowest price up."""
    return sorted(tiers, key=lambda t: (not t.new_energy, t.min_price_fen))


SEEDED = in_order(national.DEMO_TIERS)


def stored_tiers(session, program: Program) -> list[Tier]:
    session.commit()
    session.expire_all()
    return in_order(program_lookup.program_terms(session, program).tiers)


def fen(yuan_amount: int) -> int:
    return yuan_amount * 100


def car(price_yuan: int, fuel_type: FuelType = FuelType.BEV) -> NewCar:
    """A new car at that invoice price; the amount reads only its fuel and price."""
    today = china_today()
    bev = NewCar(
        vin="LC0CE4DB5N0000001",
        fuel_type=FuelType.BEV,
        in_nev_catalogue=True,
        displacement_ml=None,
        registration_date=today,
        registration_province_code=h.GUANGDONG,
        owner_is_applicant=True,
        invoice_date=today,
        invoice_price_fen=fen(price_yuan),
        invoice_province_code=h.GUANGDONG,
        invoice_buyer_is_applicant=True,
    )
    return replace(bev, fuel_type=fuel_type, in_nev_catalogue=fuel_type.new_energy)


def test_the_tier_form_shows_the_stored_tiers_and_two_empty_rows(admin, tiered):
    page = admin.get(f"/admin/subsidies/programs/{tiered.id}", headers=EN).get_data(as_text=True)
    assert "Price tiers" in page
    for kind, rows in (("nev", DEMO_NEV), ("fuel", DEMO_FUEL)):
        for number, (price, amount) in enumerate(rows):
            assert value_of(page, f"{kind}-{number}-min_price") == price
            assert value_of(page, f"{kind}-{number}-amount") == amount
        assert value_of(page, f"{kind}-3-min_price") == value_of(page, f"{kind}-4-amount") == ""
        assert f'id="{kind}-5-min_price"' not in page
    assert "Amounts at most the cap: ¥15,000.00." in page


def test_edit_the_tiers_and_the_amount_follows_them(admin, session, tiered):
    before = program_lookup.program_terms(session, tiered)
    assert amount_for(before, car(168_000)).fen == fen(15_000)
    form = tiers_form(
        nev=[("0", "9,000"), ("１２００００", "12000"), ("200000", "15000")],
        # The 150,000 fuel tier emptied: removed; a new one typed into an empty row.
        fuel=[("0", "6000"), ("100000", "8000"), ("", ""), ("250,000", "¥13,000")],
    )
    response = admin.post(f"/admin/subsidies/programs/{tiered.id}/tiers", data=form, headers=EN)
    assert response.status_code == 303
    assert stored_tiers(session, tiered) == [
        Tier(True, 0, fen(9_000)),
        Tier(True, fen(120_000), fen(12_000)),
        Tier(True, fen(200_000), fen(15_000)),
        Tier(False, 0, fen(6_000)),
        Tier(False, fen(100_000), fen(8_000)),
        Tier(False, fen(250_000), fen(13_000)),
    ]
    terms = program_lookup.program_terms(session, tiered)
    assert amount_for(terms, car(99_999)).fen == fen(9_000)
    assert amount_for(terms, car(168_000)).fen == fen(12_000)
    assert amount_for(terms, car(200_000)).fen == fen(15_000)
    assert amount_for(terms, car(180_000, FuelType.PETROL)).fen == fen(8_000)

    (event,) = program_events(session, tiered)
    assert event.action == "tiers_updated" and event.actor_id is not None
    old, new = event.detail["tiers"]
    assert old[0] == {"new_energy": True, "min_price_fen": 0, "amount_fen": fen(8_000)}
    assert new[-1] == {
        "new_energy": False,
        "min_price_fen": fen(250_000),
        "amount_fen": fen(13_000),
    }
    assert len(old) == len(new) == 6

    page = admin.get(response.headers["Location"], headers=EN).get_data(as_text=True)
    assert "The price tiers are saved." in page
    assert "New-energy cars: from ¥0.00: ¥9,000.00, from ¥120,000.00: ¥12,000.00" in page
    assert value_of(page, "fuel-2-min_price") == "250000.00"
    assert value_of(page, "fuel-3-min_price") == ""


def test_saving_unchanged_tiers_records_nothing(admin, session, tiered):
    response = admin.post(f"/admin/subsidies/programs/{tiered.id}/tiers", data=tiers_form())
    assert response.status_code == 303
    assert program_events(session, tiered) == []
    assert stored_tiers(session, tiered) == SEEDED


BAD_TIERS = [
    pytest.param("nev-0-min_price", "1000", "must start at 0 yuan", id="no-zero-tier"),
    pytest.param("fuel-3-min_price", "100000", "Another tier already starts", id="duplicate"),
    pytest.param(
        "fuel-2-amount",
        "7999.99",
        "cannot get less than a cheaper one: the tier from ¥100,000.00 gets ¥8,000.00",
        id="decreasing",
    ),
    pytest.param(
        "nev-2-amount",
        "15000.01",
        "above the program&#39;s cap for new-energy cars, ¥15,000.00",
        id="above-cap",
    ),
    pytest.param("nev-0-amount", "-1", "The amount cannot be negative.", id="negative"),
    pytest.param("fuel-1-min_price", "ten thousand", "Enter an amount in yuan", id="letters"),
    pytest.param("nev-1-min_price", str(10**30), "The amount is too large.", id="10e30"),
    pytest.param("fuel-0-amount", HOSTILE, "Enter an amount in yuan", id="script"),
    pytest.param("nev-1-min_price", "100000001", "at most 100,000,000 yuan", id="huge-price"),
]


def test_a_nul_in_a_tier_row_is_refused_next_to_its_field(admin, session, tiered):
    """The rows are nested forms (portal.forms.SubForm): the filter reaches them too."""
    form = tiers_form(**{"nev-1-amount": "1\x00"})
    response = admin.post(f"/admin/subsidies/programs/{tiered.id}/tiers", data=form, headers=EN)
    assert response.status_code == 422
    assert "Remove the control characters" in help_of(
        response.get_data(as_text=True), "nev-1-amount"
    )
    assert stored_tiers(session, tiered) == SEEDED


@pytest.mark.parametrize(("field_id", "typed", "message"), BAD_TIERS)
def test_bad_tiers_are_refused_next_to_their_field_and_kept(
    admin, session, tiered, field_id, typed, message
):
    form = tiers_form(**{field_id: typed})
    if field_id == "fuel-3-min_price":
        form["fuel-3-amount"] = "8000"
    response = admin.post(f"/admin/subsidies/programs/{tiered.id}/tiers", data=form, headers=EN)
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert message in help_of(page, field_id)
    assert page.count('class="error"') == 1
    assert value_of(page, field_id) == escape(typed)  # as typed, and harmless
    assert HOSTILE not in page
    for other in ("nev-2-min_price", "fuel-1-amount"):  # everything else typed is kept too
        assert other == field_id or value_of(page, other) == form[other]
    assert stored_tiers(session, tiered) == SEEDED
    assert program_events(session, tiered) == []


def test_a_row_half_filled_is_refused(admin, session, tiered):
    form = tiers_form(**{"nev-3-min_price": "200000"})
    response = admin.post(f"/admin/subsidies/programs/{tiered.id}/tiers", data=form, headers=EN)
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Enter an amount." in help_of(page, "nev-3-amount")
    assert value_of(page, "nev-3-min_price") == "200000"
    assert stored_tiers(session, tiered) == SEEDED


def test_more_than_ten_tiers_of_a_kind_are_refused(admin, session, tiered):
    nev = [(str(step * 10_000), "8000") for step in range(11)]
    form = tiers_form(nev=nev)
    response = admin.post(f"/admin/subsidies/programs/{tiered.id}/tiers", data=form, headers=EN)
    assert response.status_code == 422
    assert "At most 10 tiers." in help_of(response.get_data(as_text=True), "nev-10-min_price")
    assert stored_tiers(session, tiered) == SEEDED


def test_a_kind_of_car_without_any_tier_is_refused(admin, session, tiered):
    form = tiers_form(nev=[])
    response = admin.post(f"/admin/subsidies/programs/{tiered.id}/tiers", data=form, headers=EN)
    page = response.get_data(as_text=True)
    assert response.status_code == 422
    assert "Enter at least one tier, from 0 yuan." in help_of(page, "nev-0-min_price")
    assert value_of(page, "fuel-2-amount") == "13000.00"
    assert stored_tiers(session, tiered) == SEEDED


def test_a_percentage_program_has_no_tiers_to_edit(admin, session, program):
    page = admin.get(f"/admin/subsidies/programs/{program.id}", headers=EN).get_data(as_text=True)
    assert 'id="tiers"' not in page and "nev-0-min_price" not in page
    response = admin.post(
        f"/admin/subsidies/programs/{program.id}/tiers", data=tiers_form(), headers=EN
    )
    assert response.status_code == 409
    assert "does not come from price tiers" in response.get_data(as_text=True)
    assert program_lookup.program_terms(session, program).tiers == ()
    assert program_events(session, program) == []


def test_two_tier_edits_at_once_replace_one_another_never_mix(app, admin, session, tiered):
    """Each edit replaces the whole table: the result is one of the two, never both."""
    editors = []
    for number, nev in enumerate(([("0", "8000"), ("90000", "9000")], [("0", "7000")])):
        user = factories.user(session, Role.ADMIN, email=f"admin{number}@example.cn")
        session.commit()
        browser = FormClient(app.test_client())
        browser.post("/login", data={"email": user.email, "password": factories.PASSWORD})
        editors.append((browser, tiers_form(nev=nev) | {"csrf_token": browser.csrf_token()}))
    barrier, codes = threading.Barrier(len(editors)), []

    def save(browser, form):
        barrier.wait()
        answer = browser.client.post(f"/admin/subsidies/programs/{tiered.id}/tiers", data=form)
        codes.append(answer.status_code)

    threads = [threading.Thread(target=save, args=editor) for editor in editors]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)
    assert codes == [303, 303]
    nev = [(t.min_price_fen, t.amount_fen) for t in stored_tiers(session, tiered) if t.new_energy]
    assert nev in ([(0, fen(8_000)), (fen(90_000), fen(9_000))], [(0, fen(7_000))])
    first, second = program_events(session, tiered)
    assert second.detail["tiers"][0] == first.detail["tiers"][1]  # each saw the other's


# --- dashboard --------------------------------------------------------------------------


def test_dashboard_shows_counts_budget_and_the_chart(app, admin, session, program):
    reviewer = factories.user(session, Role.REVIEWER, province_code=h.GUANGDONG)
    files = app.extensions["storage"]
    h.approved(session, h.Applicant(session), reviewer, files=files)
    h.submitted(session, h.Applicant(session), files=files)
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
    ("post", "/admin/subsidies/programs/1/tiers"),
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
