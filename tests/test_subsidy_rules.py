"""Trade-in subsidy rules as pure functions: eligibility, amount, window, clock (DOMAIN §1)."""

from dataclasses import replace
from datetime import date, timedelta

import pytest

from portal.registry.terms import FuelType, VehicleStatus
from portal.subsidy.rules import amounts, facts, window
from portal.subsidy.rules import eligibility as rules
from portal.subsidy.rules.facts import LiveClaim, NewCar, OldCar
from portal.subsidy.rules.national import DEMO_BUDGET_FEN, national_programs
from portal.subsidy.terms import AmountRule, ClaimLimit, Flag, Kind

GUANGDONG, HUNAN = "440000", "430000"
PROGRAMS = {(p.year, p.kind): p for p in national_programs(GUANGDONG)}
TODAY = date(2026, 12, 1)
OLD_VIN, NEW_VIN = "LSVAU2180C2184321", "LC0CE4CB6S0000001"
DAY = timedelta(days=1)
S, R = Kind.SCRAPPING, Kind.REPLACEMENT


def program(year=2026, kind=S, **changes):
    """A national program for Guangdong, with changes."""
    return replace(PROGRAMS[year, kind], **changes)


def old_car(**changes) -> OldCar:
    """A 2012 petrol Lavida (朗逸) in the applicant's name since new: passes 2026 scrapping."""
    defaults = dict(
        vin=OLD_VIN,
        fuel_type=FuelType.PETROL,
        first_registration=date(2012, 9, 18),
        status=VehicleStatus.REGISTERED,
        held_since=date(2012, 9, 18),
        transferred_on=None,
    )
    return OldCar(**defaults | changes)


def new_car(**changes) -> NewCar:
    """A BYD battery-electric car for ¥168,000 bought and registered in Guangdong, Nov 2026."""
    defaults = dict(
        vin=NEW_VIN,
        fuel_type=FuelType.BEV,
        in_nev_catalogue=True,
        displacement_ml=None,
        registration_date=date(2026, 11, 22),
        registration_province_code=GUANGDONG,
        owner_is_applicant=True,
        invoice_date=date(2026, 11, 20),
        invoice_price_fen=16_800_000,
        invoice_province_code=GUANGDONG,
        invoice_buyer_is_applicant=True,
    )
    return NewCar(**defaults | changes)


def petrol_car(displacement_ml=1498, **changes) -> NewCar:
    """A new petrol car that passes like the default one."""
    return new_car(**{"fuel_type": FuelType.PETROL, "displacement_ml": displacement_ml} | changes)


def assess(prog, *, old=None, new=None, claims=(), today=TODAY):
    return rules.assess(prog, old=old, new=new, claims=claims, today=today)


def messages(assessment) -> list[str]:
    return [reason.message for reason in assessment.reasons]


def render(reason) -> str:
    return reason.message % reason.params


# --- The issue's example and the seeded programs ---


def test_the_issue_example_2012_petrol_car_scrapped_for_a_168000_nev():
    result = assess(program(2026, S), old=old_car(), new=new_car())
    assert result.eligible
    assert result.reasons == () and result.flags == ()
    assert result.amount.fen == 2_000_000
    explanation = result.amount.explanation
    assert explanation.params == {
        "rate": "12%",
        "price": "¥168,000.00",
        "raw": "¥20,160.00",
        "cap": "¥20,000.00",
    }
    assert render(explanation) == "12% of ¥168,000.00 = ¥20,160.00, capped at ¥20,000.00"


def test_six_national_programs_per_province():
    programs = national_programs(HUNAN)
    assert [(p.year, p.kind) for p in programs] == [
        (y, k) for y in (2024, 2025, 2026) for k in Kind
    ]
    assert {p.province_code for p in programs} == {HUNAN}
    assert all(p.pause_at is None and p.grace_until is None for p in programs)
    assert [p.same_province for p in programs] == [False] * 4 + [True] * 2
    assert set(DEMO_BUDGET_FEN) == {2024, 2025, 2026}


@pytest.mark.parametrize(
    ("year", "kind", "key"),
    [
        (2024, S, None),
        (2024, R, None),
        (2025, S, None),
        (2025, R, "2025-replacement"),
        (2026, S, "2026"),
        (2026, R, "2026"),
    ],
    ids=lambda v: str(v),
)
def test_claim_keys(year, kind, key):
    assert rules.claim_key(program(year, kind)) == key


# --- Old car, scrapping: first registration thresholds (DOMAIN §1.2) ---

THRESHOLDS = {
    2024: {"petrol": date(2011, 6, 30), "diesel": date(2013, 6, 30), "nev": date(2018, 4, 30)},
    2025: {"petrol": date(2012, 6, 30), "diesel": date(2014, 6, 30), "nev": date(2018, 12, 31)},
    2026: {"petrol": date(2013, 6, 30), "diesel": date(2015, 6, 30), "nev": date(2019, 12, 31)},
}
FUEL_CLASSES = [
    (FuelType.PETROL, "petrol"),
    (FuelType.HEV, "petrol"),  # a petrol hybrid
    (FuelType.DIESEL, "diesel"),
    (FuelType.BEV, "nev"),
    (FuelType.PHEV, "nev"),
    (FuelType.EREV, "nev"),
]
THRESHOLD_CASES = [
    pytest.param(year, fuel, THRESHOLDS[year][cls], after, id=f"{year}-{fuel}-{label}")
    for year in THRESHOLDS
    for fuel, cls in FUEL_CLASSES
    for after, label in ((0, "on-threshold"), (1, "day-after"))
]


@pytest.mark.parametrize(("year", "fuel", "threshold", "days_after"), THRESHOLD_CASES)
def test_first_registration_threshold(year, fuel, threshold, days_after):
    registered = threshold + days_after * DAY
    old = old_car(fuel_type=fuel, first_registration=registered, held_since=registered)
    result = assess(program(year, S), old=old)
    if not days_after:
        assert result.reasons == ()
        return
    (reason,) = result.reasons
    assert "after the %(limit)s limit" in reason.message
    assert reason.params == {
        "date": registered.isoformat(),
        "limit": threshold.isoformat(),
        "fuel": fuel,
    }


def test_the_threshold_message_names_the_fuel_class():
    old = old_car(first_registration=date(2013, 7, 1))
    (reason,) = assess(program(2026, S), old=old).reasons
    assert (
        render(reason) == "First registered 2013-07-01, after the 2013-06-30 limit for petrol cars."
    )


def test_replacement_ignores_the_scrapping_thresholds():
    old = old_car(first_registration=date(2024, 1, 5), held_since=date(2024, 1, 5))
    old = replace(old, transferred_on=date(2026, 3, 1))
    assert assess(program(2026, R), old=old).reasons == ()


# --- Old car: held by the applicant (DOMAIN §1.2, §1.5) ---

HELD_BEFORE = {2024: date(2024, 4, 24), 2025: date(2025, 1, 8), 2026: date(2026, 1, 1)}


@pytest.mark.parametrize(
    ("year", "days_before", "ok"),
    [
        pytest.param(year, days, days > 0, id=f"{year}-{label}")
        for year in HELD_BEFORE
        for days, label in ((1, "day-before"), (0, "on-the-date"))
    ],
)
def test_held_before_the_notice(year, days_before, ok):
    held_since = HELD_BEFORE[year] - days_before * DAY
    old = old_car(first_registration=date(2010, 1, 1), held_since=held_since)
    result = assess(program(year, S), old=old)
    if ok:
        assert result.reasons == ()
    else:
        (reason,) = result.reasons
        assert reason.params == {
            "date": held_since.isoformat(),
            "limit": HELD_BEFORE[year].isoformat(),
        }


@pytest.mark.parametrize("kind", [S, R])
def test_a_car_never_in_the_applicants_name(kind):
    old = old_car(held_since=None, transferred_on=date(2026, 3, 1))
    (reason,) = assess(program(2026, kind), old=old).reasons
    assert reason.message == "The old car %(vin)s is not registered in your name."


@pytest.mark.parametrize(
    ("status", "ok"),
    [
        (VehicleStatus.REGISTERED, True),
        (VehicleStatus.SCRAPPED, True),
        (VehicleStatus.TRANSFERRING, False),
        (VehicleStatus.DEREGISTERED, False),
    ],
    ids=lambda v: str(v),
)
def test_scrapping_status(status, ok):
    result = assess(program(2026, S), old=old_car(status=status))
    assert (result.reasons == ()) is ok
    if not ok:
        assert result.reasons[0].params == {"status": status.value}


# --- Old car, replacement: transfer in the window after 12 months (DOMAIN §1.2) ---

WINDOWS = {
    2024: (date(2024, 4, 24), date(2024, 12, 31)),
    2025: (date(2025, 1, 1), date(2025, 12, 31)),
    2026: (date(2026, 1, 1), date(2026, 12, 31)),
}


@pytest.mark.parametrize(
    ("year", "transferred", "ok"),
    [
        pytest.param(year, when, ok, id=f"{year}-{label}")
        for year, (opens, closes) in WINDOWS.items()
        for when, ok, label in (
            (opens - DAY, False, "day-before-opens"),
            (opens, True, "on-opens"),
            (closes, True, "on-closes"),
            (closes + DAY, False, "day-after-closes"),
        )
    ],
)
def test_replacement_transfer_inside_the_window(year, transferred, ok):
    old = old_car(held_since=date(2015, 1, 1), transferred_on=transferred)
    result = assess(program(year, R), old=old)
    if ok:
        assert result.reasons == ()
    else:
        (reason,) = result.reasons
        assert reason.params["date"] == transferred.isoformat()
        assert "outside the program window" in reason.message


def test_replacement_needs_a_completed_transfer():
    (reason,) = assess(program(2026, R), old=old_car(transferred_on=None)).reasons
    assert "no completed transfer" in reason.message


@pytest.mark.parametrize(
    ("year", "held_since", "transferred", "ok"),
    [
        pytest.param(2026, date(2025, 3, 15), date(2026, 3, 15), True, id="exactly-12-months"),
        pytest.param(2026, date(2025, 3, 15), date(2026, 3, 14), False, id="one-day-short"),
        pytest.param(2025, date(2024, 2, 29), date(2025, 2, 28), True, id="leap-day-month-end"),
        pytest.param(2025, date(2024, 2, 29), date(2025, 2, 27), False, id="leap-day-short"),
    ],
)
def test_replacement_minimum_holding(year, held_since, transferred, ok):
    old = old_car(held_since=held_since, transferred_on=transferred)
    result = assess(program(year, R), old=old)
    if ok:
        assert result.reasons == ()
    else:
        (reason,) = result.reasons
        assert reason.params["months"] == 12
        assert reason.params["since"] == held_since.isoformat()
        assert reason.params["date"] == transferred.isoformat()


# --- New car and invoice (DOMAIN §1.2, §1.5) ---

DOCUMENTS_FROM = {2024: date(2024, 4, 24), 2025: date(2025, 1, 1), 2026: date(2026, 1, 1)}


def invoice_reasons(result) -> list[str]:
    return [m for m in messages(result) if m.startswith("Invoice dated")]


@pytest.mark.parametrize("year", [2024, 2025, 2026])
@pytest.mark.parametrize(
    ("case", "failing"),
    [
        ("on-documents-from", None),
        ("day-before-documents-from", "before %(limit)s"),
        ("on-closes", None),
        ("day-after-closes", "after the program closed"),
        ("tomorrow", "in the future"),
    ],
)
def test_invoice_date_window(year, case, failing):
    opens, closes = WINDOWS[year]
    invoiced, today = {
        "on-documents-from": (DOCUMENTS_FROM[year], closes),
        "day-before-documents-from": (DOCUMENTS_FROM[year] - DAY, closes),
        "on-closes": (closes, closes + 10 * DAY),
        "day-after-closes": (closes + DAY, closes + 10 * DAY),
        "tomorrow": (opens + 40 * DAY, opens + 39 * DAY),
    }[case]
    registered = min(invoiced, today)
    new = new_car(invoice_date=invoiced, registration_date=registered)
    found = invoice_reasons(assess(program(year, S), new=new, today=today))
    if failing is None:
        assert found == []
    else:
        (message,) = found
        assert failing in message


def test_the_new_car_is_registered_after_it_is_bought_and_not_in_the_future():
    early = new_car(registration_date=date(2026, 11, 19))
    assert messages(assess(program(), new=early)) == [
        "Registered %(date)s, before the invoice date %(invoice)s."
    ]
    future = new_car(registration_date=TODAY + DAY)
    assert messages(assess(program(), new=future)) == [
        "Registered %(date)s, in the future (today is %(today)s)."
    ]


@pytest.mark.parametrize(
    ("new", "failing"),
    [
        pytest.param(petrol_car(2000), None, id="petrol-2000ml"),
        pytest.param(petrol_car(2001), "above the %(limit)s ml limit", id="petrol-2001ml"),
        pytest.param(petrol_car(None), "displacement:", id="petrol-no-displacement"),
        pytest.param(petrol_car(2001, fuel_type=FuelType.HEV), "above the", id="hev-2001ml"),
        pytest.param(petrol_car(2500, fuel_type=FuelType.DIESEL), "above the", id="diesel-2500ml"),
        pytest.param(new_car(displacement_ml=1500, fuel_type=FuelType.PHEV), None, id="phev"),
        pytest.param(new_car(displacement_ml=2500), None, id="nev-displacement-ignored"),
        pytest.param(new_car(in_nev_catalogue=False), "not in the MIIT", id="nev-not-catalogued"),
        pytest.param(
            new_car(invoice_buyer_is_applicant=False), "buyer ID", id="invoice-buyer-mismatch"
        ),
        pytest.param(new_car(owner_is_applicant=False), "not registered in your name", id="owner"),
        pytest.param(new_car(invoice_price_fen=0), "above zero", id="no-price"),
    ],
)
def test_new_car_rules(new, failing):
    found = messages(assess(program(), new=new))
    if failing is None:
        assert found == []
    else:
        (message,) = found
        assert failing in message


def test_a_fuel_car_over_2_litres_names_its_displacement():
    (reason,) = assess(program(), new=petrol_car(2001)).reasons
    assert reason.params == {"ml": 2001, "limit": 2000}


def test_2026_requires_invoice_and_registration_in_the_province():
    new = new_car(registration_province_code=HUNAN, invoice_province_code=HUNAN)
    reasons = assess(program(2026, S), new=new).reasons
    assert [r.params for r in reasons] == [
        {"code": HUNAN, "required": GUANGDONG},
        {"code": HUNAN, "required": GUANGDONG},
    ]
    assert "registered in province" in reasons[0].message
    assert "invoice was issued" in reasons[1].message


def test_2026_only_the_invoice_from_another_province():
    new = new_car(invoice_province_code=HUNAN)
    (reason,) = assess(program(2026, R), new=new).reasons
    assert "invoice was issued" in reason.message


def test_2025_allows_another_province():
    new = new_car(
        registration_province_code=HUNAN,
        invoice_province_code=HUNAN,
        invoice_date=date(2025, 6, 1),
        registration_date=date(2025, 6, 3),
    )
    assert assess(program(2025, S), new=new, today=date(2025, 7, 1)).reasons == ()


def test_old_and_new_car_with_the_same_vin():
    result = assess(program(), old=old_car(), new=new_car(vin=OLD_VIN))
    assert messages(result) == ["The old and the new car have the same VIN %(vin)s."]


# --- Amounts (DOMAIN §1.2) ---


@pytest.mark.parametrize(
    ("kind", "fuel", "price_fen", "expected_fen", "capped"),
    [
        pytest.param(S, FuelType.BEV, 10_000_099, 1_200_000, False, id="round-down-100000.99"),
        pytest.param(S, FuelType.BEV, 10_000_833, 1_200_000, False, id="round-down-100008.33"),
        pytest.param(S, FuelType.PETROL, 10_000_999, 1_000_000, False, id="fuel-round-down"),
        pytest.param(S, FuelType.BEV, 16_665_834, 1_999_900, False, id="scrap-nev-below-cap"),
        pytest.param(S, FuelType.BEV, 16_666_700, 2_000_000, False, id="scrap-nev-cap-exact"),
        pytest.param(S, FuelType.BEV, 16_667_500, 2_000_000, True, id="scrap-nev-above-cap"),
        pytest.param(S, FuelType.PETROL, 14_999_000, 1_499_900, False, id="scrap-fuel-below"),
        pytest.param(S, FuelType.PETROL, 15_000_000, 1_500_000, False, id="scrap-fuel-exact"),
        pytest.param(S, FuelType.PETROL, 15_001_000, 1_500_000, True, id="scrap-fuel-above"),
        pytest.param(R, FuelType.BEV, 18_748_750, 1_499_900, False, id="repl-nev-below-cap"),
        pytest.param(R, FuelType.BEV, 18_750_000, 1_500_000, False, id="repl-nev-cap-exact"),
        pytest.param(R, FuelType.BEV, 18_751_250, 1_500_000, True, id="repl-nev-above-cap"),
        pytest.param(R, FuelType.PETROL, 21_665_000, 1_299_900, False, id="repl-fuel-below"),
        pytest.param(R, FuelType.PETROL, 21_666_667, 1_300_000, False, id="repl-fuel-exact"),
        pytest.param(R, FuelType.PETROL, 21_668_334, 1_300_000, True, id="repl-fuel-above"),
    ],
)
def test_2026_percent_amounts(kind, fuel, price_fen, expected_fen, capped):
    new = new_car(fuel_type=fuel, displacement_ml=1498, invoice_price_fen=price_fen)
    amount = amounts.amount_for(program(2026, kind), new)
    assert amount.fen == expected_fen
    assert ("capped at" in amount.explanation.message) is capped


def test_a_percent_explanation_without_the_cap():
    new = new_car(invoice_price_fen=10_000_099)
    assert render(amounts.amount_for(program(), new).explanation) == (
        "12% of ¥100,000.99 = ¥12,000.00"
    )


TIER_CASES = [
    (9_999_999, 800_000, 600_000, "¥0.00"),
    (10_000_000, 1_000_000, 800_000, "¥100,000.00"),
    (14_999_999, 1_000_000, 800_000, "¥100,000.00"),
    (15_000_000, 1_500_000, 1_300_000, "¥150,000.00"),
]


@pytest.mark.parametrize("year", [2024, 2025])
@pytest.mark.parametrize(
    ("fuel", "price_fen", "expected_fen", "tier_from"),
    [
        pytest.param(fuel, price, nev if fuel.new_energy else petrol, floor, id=f"{fuel}-{price}")
        for fuel in (FuelType.BEV, FuelType.PETROL)
        for price, nev, petrol, floor in TIER_CASES
    ],
)
def test_replacement_tiers(year, fuel, price_fen, expected_fen, tier_from):
    new = new_car(fuel_type=fuel, displacement_ml=1498, invoice_price_fen=price_fen)
    amount = amounts.amount_for(program(year, R), new)
    assert amount.fen == expected_fen
    assert amount.explanation.params["min"] == tier_from
    assert "tier from" in render(amount.explanation)


def test_a_tier_above_the_cap_is_capped():
    generous = (facts.Tier(new_energy=True, min_price_fen=0, amount_fen=9_900_000),)
    amount = amounts.amount_for(program(2025, R, tiers=generous), new_car())
    assert amount.fen == 1_500_000
    assert amount.explanation.params["cap"] == "¥15,000.00"


def test_no_tier_pays_nothing_and_says_so():
    expensive_only = (facts.Tier(new_energy=True, min_price_fen=20_000_000, amount_fen=100),)
    prog = program(2025, R, tiers=expensive_only)
    new = new_car(invoice_date=date(2025, 6, 1), registration_date=date(2025, 6, 2))
    result = assess(prog, new=new, today=date(2025, 7, 1))
    assert result.amount.fen == 0
    assert result.amount.explanation.params == {"price": "¥168,000.00"}
    assert "new-energy" in result.amount.explanation.message
    assert not result.eligible
    assert messages(result) == ["The program pays nothing for an invoice price of %(price)s."]


@pytest.mark.parametrize("year", [2024, 2025])
@pytest.mark.parametrize(
    ("fuel", "expected_fen", "energy"),
    [(FuelType.BEV, 2_000_000, "new_energy"), (FuelType.HEV, 1_500_000, "fuel car")],
    ids=["nev", "fuel"],
)
def test_fixed_scrapping_amounts(year, fuel, expected_fen, energy):
    prog = program(year, S)
    assert prog.amount_rule is AmountRule.FIXED
    new = new_car(fuel_type=fuel, displacement_ml=1498, invoice_price_fen=100)
    amount = amounts.amount_for(prog, new)
    assert amount.fen == expected_fen
    assert energy.replace("_", "-") in amount.explanation.message


# --- Other live claims (DOMAIN §1.1, §1.2 "how often", §1.5) ---


def claim(number="SUB-2026-000001", old_vin="LFV3A23C0D3000001", new_vin=None, key=None):
    return LiveClaim(number=number, old_vin=old_vin, new_vin=new_vin, claim_key=key)


def test_the_same_old_car_claimed_twice():
    result = assess(
        program(2024, S),
        old=old_car(first_registration=date(2010, 1, 1)),
        claims=[claim(old_vin=OLD_VIN)],
    )
    (reason,) = result.reasons
    assert render(reason) == "The old car is already claimed in application SUB-2026-000001."


@pytest.mark.parametrize("kind", [S, R])
def test_the_same_new_car_claimed_twice_whatever_the_kind(kind):
    result = assess(
        program(2024, kind),
        new=new_car(invoice_date=date(2024, 6, 1), registration_date=date(2024, 6, 2)),
        claims=[claim(new_vin=NEW_VIN)],
        today=date(2024, 7, 1),
    )
    (reason,) = result.reasons
    assert reason.message == "The new car is already claimed in application %(number)s."


@pytest.mark.parametrize(
    ("year", "kind", "other_key", "conflict"),
    [
        pytest.param(2026, S, "2026", True, id="2026-scrapping-after-scrapping"),
        pytest.param(2026, R, "2026", True, id="2026-replacement-after-scrapping"),
        pytest.param(2026, S, "2025-replacement", False, id="2026-after-2025"),
        pytest.param(2025, R, "2025-replacement", True, id="2025-second-replacement"),
        pytest.param(2025, S, "2025-replacement", False, id="2025-scrapping-has-no-limit"),
        pytest.param(2025, S, None, False, id="2025-unlimited-claims"),
        pytest.param(2024, R, None, False, id="2024-no-limit"),
    ],
)
def test_one_subsidy_per_person(year, kind, other_key, conflict):
    found = rules.claim_reasons(program(year, kind), None, None, [claim(key=other_key)])
    assert bool(found) is conflict


def test_the_quota_messages_name_the_program():
    (per_program,) = rules.claim_reasons(program(2026, R), None, None, [claim(key="2026")])
    assert render(per_program) == (
        "You already have application SUB-2026-000001 in the 2026 program; one subsidy per person."
    )
    (per_year,) = rules.claim_reasons(program(2025, R), None, None, [claim(key="2025-replacement")])
    assert per_year.params == {"number": "SUB-2026-000001", "year": 2025, "kind": "replacement"}
    assert "per calendar year" in per_year.message


def test_an_unrelated_claim_is_no_conflict():
    other = claim(old_vin="LFV3A23C0D3000001", new_vin="LFV3A23C0D3000002", key="2025-replacement")
    assert assess(program(), old=old_car(), new=new_car(), claims=[other]).eligible


# --- Zero-mileage flag (DOMAIN §1.5) ---


@pytest.mark.parametrize(("days", "flagged"), [(180, True), (181, False)], ids=["180", "181"])
def test_zero_mileage_flag(days, flagged):
    registered = date(2026, 1, 10)
    new = new_car(
        invoice_date=date(2026, 1, 8),
        registration_date=registered,
        transferred_on=registered + days * DAY,
    )
    result = assess(program(), old=old_car(), new=new)
    assert result.flags == ((Flag.ZERO_MILEAGE,) if flagged else ())
    assert result.eligible  # a flag asks for a second reviewer; it is not a reason


# --- Partial input and several failures ---


def test_old_car_only():
    result = assess(program(), old=old_car(first_registration=date(2014, 1, 1)))
    assert result.amount is None and not result.eligible
    assert messages(result) == [
        "First registered %(date)s, after the %(limit)s limit for petrol cars."
    ]


def test_nothing_entered_yet():
    result = assess(program(), old=None, new=None)
    assert result.reasons == () and result.amount is None and not result.eligible


def test_new_car_only_has_an_amount():
    result = assess(program(), new=new_car())
    assert result.amount.fen == 2_000_000 and result.reasons == ()


def test_every_failure_is_listed():
    old = old_car(held_since=date(2026, 2, 1), status=VehicleStatus.TRANSFERRING)
    new = petrol_car(
        2400,
        invoice_buyer_is_applicant=False,
        invoice_province_code=HUNAN,
        invoice_date=date(2025, 12, 31),
        registration_date=date(2026, 1, 3),
    )
    result = assess(program(), old=old, new=new, claims=[claim(old_vin=OLD_VIN, key="2026")])
    assert messages(result) == [
        "The old car has been in your name since %(date)s; the program requires before %(limit)s.",
        "The old car is %(status)s; only a registered or scrapped car qualifies.",
        "The new car's engine is %(ml)s ml, above the %(limit)s ml limit.",
        "The buyer ID on the invoice is not your ID number.",
        "Invoice dated %(date)s, before %(limit)s, the first day that counts.",
        "The invoice was issued in province %(code)s; the program requires %(required)s.",
        "The old car is already claimed in application %(number)s.",
        "You already have application %(number)s in the %(year)s program; one subsidy per person.",
    ]
    assert result.amount.fen == 1_500_000  # the amount is still shown
    assert not result.eligible


# --- The program window (DOMAIN §1.4, pause) ---

PAUSED = program(2026, S, pause_at=date(2026, 9, 28), grace_until=date(2026, 10, 20))


@pytest.mark.parametrize(
    ("today", "start", "submit"),
    [
        pytest.param(date(2025, 12, 31), "opens on", "opens on", id="before-opens"),
        pytest.param(date(2026, 1, 1), None, None, id="opens"),
        pytest.param(date(2026, 9, 27), None, None, id="day-before-pause"),
        pytest.param(date(2026, 9, 28), "paused since", None, id="pause-day"),
        pytest.param(date(2026, 10, 20), "paused since", None, id="grace-day"),
        pytest.param(date(2026, 10, 21), "paused since", "submit until", id="after-grace"),
        pytest.param(date(2027, 1, 1), "closed on", "closed on", id="after-closes"),
    ],
)
def test_pause_and_grace(today, start, submit):
    for found, expected in (
        (window.may_start(PAUSED, today), start),
        (window.may_submit(PAUSED, today), submit),
        (window.may_upload(PAUSED, today), submit),
    ):
        assert (found is None) if expected is None else (expected in found.message)


def test_the_grace_reason_names_the_grace_date():
    reason = window.may_submit(PAUSED, date(2026, 10, 21))
    assert reason.params == {"year": 2026, "pause": "2026-09-28", "date": "2026-10-20"}


@pytest.mark.parametrize(
    ("today", "allowed"),
    [(date(2026, 9, 28), True), (date(2026, 9, 29), False)],
    ids=["pause-day", "day-after"],
)
def test_without_a_grace_date_the_pause_day_ends_submissions(today, allowed):
    paused = program(2026, S, pause_at=date(2026, 9, 28))
    reason = window.may_submit(paused, today)
    assert (reason is None) is allowed
    assert window.may_upload(paused, today) == reason
    if reason is not None:
        assert reason.params["date"] == "2026-09-28"


def test_an_unpaused_program_takes_applications_all_year():
    prog = program()
    assert window.may_start(prog, date(2026, 12, 31)) is None
    assert window.may_submit(prog, date(2026, 12, 31)) is None


# --- The review clock (DOMAIN §1.4) ---


@pytest.mark.parametrize(
    ("start", "n", "expected"),
    [
        pytest.param(date(2026, 3, 6), 1, date(2026, 3, 9), id="friday-plus-1-is-monday"),
        pytest.param(date(2026, 3, 7), 1, date(2026, 3, 9), id="saturday-plus-1-is-monday"),
        pytest.param(date(2026, 3, 2), 15, date(2026, 3, 23), id="monday-plus-15"),
        pytest.param(date(2026, 3, 2), 30, date(2026, 4, 13), id="monday-plus-30"),
        pytest.param(date(2026, 3, 4), 0, date(2026, 3, 4), id="zero"),
        pytest.param(date(2026, 3, 9), -1, date(2026, 3, 6), id="monday-minus-1-is-friday"),
    ],
)
def test_add_working_days(start, n, expected):
    assert window.add_working_days(start, n) == expected


@pytest.mark.parametrize(
    ("today", "left"),
    [
        pytest.param(date(2026, 3, 2), 15, id="on-start"),
        pytest.param(date(2026, 3, 6), 11, id="first-friday"),
        pytest.param(date(2026, 3, 8), 11, id="first-sunday"),
        pytest.param(date(2026, 3, 23), 0, id="deadline"),
        pytest.param(date(2026, 3, 24), -1, id="day-after-deadline"),
        pytest.param(date(2026, 4, 6), -10, id="two-weeks-late"),
    ],
)
def test_working_days_left(today, left):
    assert window.working_days_left(date(2026, 3, 2), window.REVIEW_WORKING_DAYS, today) == left


def test_the_2026_review_target():
    assert window.REVIEW_WORKING_DAYS == 15


def test_program_limits_match_the_domain():
    assert {p.claim_limit for p in PROGRAMS.values() if p.year == 2024} == {ClaimLimit.NONE}
    assert all(
        (p.min_holding_months, p.max_displacement_ml, p.zero_mileage_days) == (12, 2000, 180)
        for p in PROGRAMS.values()
    )
