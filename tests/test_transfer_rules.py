"""The transfer state machine and filing rules, as pure functions (DOMAIN §2)."""

import random
from datetime import date

import pytest

from portal.identifiers import parse_plate
from portal.registry.terms import EmissionStandard, FuelType, VehicleStatus
from portal.transfer import rules
from portal.transfer.terms import BuyerKind, DocumentKind, EmissionAcceptance
from portal.transfer.terms import TransferStatus as S
from portal.transfer.workflow import Action, Actor, available_actions, next_status
from portal.workflow import IllegalTransition

DEALER, ORIGIN, DESTINATION = {Actor.DEALER}, {Actor.ORIGIN_OFFICER}, {Actor.DESTINATION_OFFICER}


def move(action, status, actors, complete=True, reason=""):
    return next_status(action, status, actors, documents_complete=complete, reason=reason)


def test_the_happy_path():
    steps = [
        (Action.SUBMIT, DEALER, S.SUBMITTED),
        (Action.PAY, {Actor.PAYMENT}, S.FEE_PAID),
        (Action.INSPECT, ORIGIN, S.INSPECTED),
        (Action.RELEASE, ORIGIN, S.RELEASED),
        (Action.REGISTER, DESTINATION, S.REGISTERED),
        (Action.COMPLETE, DESTINATION, S.COMPLETED),
    ]
    status = S.DRAFT
    for action, actors, expected in steps:
        status = move(action, status, actors)
        assert status is expected


@pytest.mark.parametrize(
    ("action", "status", "actors", "message"),
    [
        (Action.INSPECT, S.SUBMITTED, ORIGIN, "not possible now"),  # fee first
        (Action.INSPECT, S.FEE_PAID, DESTINATION, "You may not"),
        (Action.INSPECT, S.FEE_PAID, DEALER, "You may not"),
        (Action.REGISTER, S.RELEASED, ORIGIN, "You may not"),
        (Action.PAY, S.SUBMITTED, DEALER, "You may not"),  # only the webhook pays
        (Action.COMPLETE, S.RELEASED, DESTINATION, "not possible now"),
        (Action.WITHDRAW, S.INSPECTED, DEALER, "not possible now"),
        (Action.SUBMIT, S.COMPLETED, DEALER, "not possible now"),
    ],
)
def test_illegal_transitions_say_why(action, status, actors, message):
    with pytest.raises(IllegalTransition) as caught:
        move(action, status, actors)
    assert message in str(caught.value)


def test_submission_needs_every_document():
    with pytest.raises(IllegalTransition, match="Upload every required document"):
        move(Action.SUBMIT, S.DRAFT, DEALER, complete=False)


@pytest.mark.parametrize("action", [Action.RETURN, Action.REJECT])
def test_returning_or_rejecting_needs_a_reason(action):
    with pytest.raises(IllegalTransition, match="Give the reason"):
        move(action, S.SUBMITTED, ORIGIN, reason="  ")
    assert move(action, S.SUBMITTED, ORIGIN, reason="照片不清晰") in (S.RETURNED, S.REJECTED)


def test_a_returned_case_is_corrected_and_submitted_again():
    assert move(Action.SUBMIT, S.RETURNED, DEALER) is S.SUBMITTED


def test_available_actions_follow_the_role():
    assert available_actions(S.DRAFT, DEALER) == [Action.SUBMIT, Action.WITHDRAW]
    assert available_actions(S.FEE_PAID, ORIGIN) == [Action.INSPECT, Action.RETURN, Action.REJECT]
    assert available_actions(S.FEE_PAID, DESTINATION) == [Action.REJECT]
    assert available_actions(S.COMPLETED, DEALER | ORIGIN | DESTINATION) == []


def facts(**overrides):
    values = (
        dict(
            status=VehicleStatus.REGISTERED,
            mortgaged=False,
            seized=False,
            unpaid_violations=0,
            fuel_type=FuelType.PETROL,
            emission_standard=EmissionStandard.CN6B,
            province_code="440000",
        )
        | overrides
    )
    return rules.VehicleFacts(**values)


def problems(
    vehicle, acceptance=EmissionAcceptance.ANY, seller=True, open_case=None, destination="330000"
):
    return [
        p.message % p.params
        for p in rules.filing_problems(
            vehicle,
            seller_matches=seller,
            destination_province=destination,
            acceptance=acceptance,
            open_case_number=open_case,
        )
    ]


def test_a_clean_car_may_be_filed():
    assert problems(facts()) == []


@pytest.mark.parametrize(
    ("overrides", "kwargs", "expected"),
    [
        ({}, {"seller": False}, "not the registered owner"),
        ({"status": VehicleStatus.SCRAPPED}, {}, "The vehicle is scrapped."),
        ({"mortgaged": True}, {}, "mortgaged"),
        ({"seized": True}, {}, "seized"),
        ({"unpaid_violations": 3}, {}, "3 unpaid traffic violations"),
        ({}, {"open_case": "TR44202600001"}, "already in transfer case TR44202600001"),
        ({}, {"destination": "440000"}, "same province"),
    ],
)
def test_each_filing_problem_is_named(overrides, kwargs, expected):
    found = problems(facts(**overrides), **kwargs)
    assert len(found) == 1
    assert expected in found[0]


def test_all_problems_are_listed_at_once():
    found = problems(facts(mortgaged=True, unpaid_violations=1), seller=False)
    assert len(found) == 3


@pytest.mark.parametrize(
    ("standard", "fuel", "acceptance", "accepted"),
    [
        (EmissionStandard.CN4, FuelType.PETROL, EmissionAcceptance.ANY, True),
        (EmissionStandard.CN4, FuelType.PETROL, EmissionAcceptance.CN5_OR_BETTER, False),
        (EmissionStandard.CN3, FuelType.DIESEL, EmissionAcceptance.CN5_OR_BETTER, False),
        (EmissionStandard.CN5, FuelType.PETROL, EmissionAcceptance.CN5_OR_BETTER, True),
        (EmissionStandard.CN6A, FuelType.PHEV, EmissionAcceptance.CN5_OR_BETTER, True),
        (None, FuelType.BEV, EmissionAcceptance.CN5_OR_BETTER, True),
    ],
)
def test_destination_emission_rules(standard, fuel, acceptance, accepted):
    vehicle = facts(emission_standard=standard, fuel_type=fuel)
    assert rules.emission_accepted(vehicle, acceptance) is accepted


def test_only_key_region_cities_may_refuse_national_iv():
    assert rules.strictest_allowed(True) is EmissionAcceptance.CN5_OR_BETTER
    assert rules.strictest_allowed(False) is EmissionAcceptance.ANY


def test_a_sale_may_be_filed_for_30_days():
    """DOMAIN §2.2: the new owner registers within 30 days of the sale."""
    today = date(2026, 3, 31)
    assert rules.earliest_sale_date(today) == date(2026, 3, 1)
    assert rules.earliest_sale_date(date(2026, 3, 1)) == date(2026, 1, 30)  # across February


def test_document_checklist_depends_on_the_case():
    person_sale = rules.required_documents(
        buyer_kind=BuyerKind.PERSON, seller_is_person=True, dealer_temporary=False
    )
    assert DocumentKind.SELLER_ID in person_sale and DocumentKind.BUYER_ID in person_sale
    assert DocumentKind.DEALER_LICENCE not in person_sale
    company_sale = rules.required_documents(
        buyer_kind=BuyerKind.COMPANY, seller_is_person=False, dealer_temporary=True
    )
    assert DocumentKind.BUYER_ID not in company_sale
    assert company_sale.count(DocumentKind.DEALER_LICENCE) == 1


@pytest.mark.parametrize(
    ("fuel", "length", "letter"),
    [(FuelType.PETROL, 7, None), (FuelType.BEV, 8, "D"), (FuelType.PHEV, 8, "F")],
)
def test_new_plates_follow_the_destination_format(fuel, length, letter):
    rng = random.Random(7)
    for _ in range(50):
        plate = rules.new_plate("浙A", fuel, rng)
        parsed = parse_plate(plate)
        assert len(plate) == length and parsed.city_code == "330100"
        assert parsed.new_energy is (letter is not None)
        if letter:
            assert plate[2] == letter and plate[3:].isdigit()
        else:
            serial = plate[2:]
            assert sum(c.isalpha() for c in serial) <= 2 and not set(serial) & set("IO")
