"""The owner's subsidy endpoints of /api/v1: check eligibility, list and read applications.

Registered on the API blueprint (`blueprint.py`) and marked for owners' tokens (other roles
get 403). They call the services the subsidy pages call (`apply.eligibility.check`,
`my_applications`, `application_for`), so scope and rules are the pages' (DOMAIN §1).
"""

from flask import request, url_for

from portal import db, web
from portal.accounts.models import Role
from portal.api import auth
from portal.api.blueprint import bp
from portal.api.common import json_response, parse_body
from portal.api.subsidy_schemas import (
    ApplicationOut,
    ApplicationPage,
    ApplicationSummary,
    CompareCheck,
    CompareOut,
    CompareSide,
    EligibilityCheck,
    EligibilityOut,
    NewCarIn,
    ReasonOut,
    SubsidyListQuery,
)
from portal.audit import china_today, history
from portal.errors import NotFound, translate
from portal.formatting import message
from portal.identifiers import resident_id_hash
from portal.labels import label
from portal.limits import MAX_ID
from portal.messages import N_
from portal.subsidy import applications
from portal.subsidy.apply import eligibility, services
from portal.subsidy.compare import services as compare
from portal.subsidy.labels import EVENT
from portal.subsidy.models import Application
from portal.subsidy.programs import services as programs
from portal.subsidy.rules import facts
from portal.subsidy.terms import Kind

APPLICATION = "/subsidy/applications/<int:application_id>"
# What a list shows of an application; the detail adds DETAIL_FIELDS and more.
SUMMARY_FIELDS = {
    "id",
    "number",
    "status",
    "amount_fen",
    "old_vin",
    "new_vin",
    "submitted_at",
    "decided_at",
}
DETAIL_FIELDS = {
    "province_code",
    "new_plate",
    "new_brand",
    "new_model",
    "new_fuel_type",
    "invoice_date",
    "invoice_price_fen",
    "reject_reason",
    "decision_note",
    "bank_name",
    "created_at",
    "updated_at",
    "paid_at",
}


@bp.post("/subsidy/eligibility")
@auth.for_role(Role.OWNER)
def check_eligibility():
    body = parse_body(EligibilityCheck, lambda model: model.model_validate_json(request.get_data()))
    assessment = eligibility.check(
        db.session(),
        user=auth.api_user(),
        kind=body.kind,
        province_code=body.province_code,
        old_vin=body.old_vin,
        new=_new_car_entry(body.new_car) if body.new_car else None,
        today=china_today(),
        program_year=body.program_year,
    )
    return json_response(_eligibility_out(assessment))


@bp.post("/subsidy/compare")
@auth.for_role(Role.OWNER)
def compare_choices():
    """Scrap or sell (DOMAIN §3.5): the page's comparison, for the old car of the body."""
    body = parse_body(CompareCheck, lambda model: model.model_validate_json(request.get_data()))
    session, user, today = db.session(), auth.api_user(), china_today()
    vehicle = _held_car(session, user, body.old_vin)
    price, fuel = body.new_car_price_fen, body.new_car_fuel_type
    if body.new_car is not None:
        price, fuel = body.new_car.invoice_price_fen, body.new_car.fuel_type
    found = compare.compare(
        session,
        user=user,
        vehicle=vehicle,
        province_code=body.province_code,
        new_car=compare.new_car_of(
            session, user=user, vehicle=vehicle, price_fen=price, fuel_type=fuel
        ),
        mileage_km=(
            compare.average_mileage(vehicle, today) if body.mileage_km is None else body.mileage_km
        ),
        today=today,
        program_year=body.program_year,
    )
    return json_response(_compare_out(found))


def _held_car(session, user, vin: str):
    """The owner's car with this VIN; NotFound for any other (DOMAIN §1.1)."""
    for car in compare.held_cars(session, user=user):
        if car.vin == vin:
            return car
    raise NotFound(N_("This car is not one of yours in the registry."))


def _compare_out(found: compare.Comparison) -> CompareOut:
    def side(kind: Kind, chosen: compare.Side) -> CompareSide:
        option = chosen.option
        return CompareSide(
            kind=kind,
            total_fen=option.total_fen,
            subsidy_fen=option.subsidy_fen,
            subsidy_explanation=translate(chosen.amount.explanation) if chosen.amount else None,
            car_fen=option.car_fen,
            car_explanation=translate(chosen.car_explanation) if chosen.car_explanation else None,
            reasons=[_reason_out(reason) for reason in chosen.reasons],
        )

    vehicle = found.vehicle
    return CompareOut(
        new_car_price_fen=found.new_car.price_fen,
        new_car_fuel_type=found.new_car.fuel_type,
        new_car_price_source=found.new_car.source,
        mileage_km=found.mileage_km,
        scrapping=side(Kind.SCRAPPING, found.scrapping),
        replacement=side(Kind.REPLACEMENT, found.replacement),
        better=found.better,
        valuation_url=url_for(
            "valuation.result",
            vin=vehicle.vin,
            mileage=found.mileage_km,
            province=vehicle.province_code,
            city=vehicle.city_code,
            condition="good",
            _external=True,
        )
        if found.model is not None
        else None,
    )


def _reason_out(reason) -> ReasonOut:
    return ReasonOut(message=translate(reason), template=reason.message, params=reason.params)


def _new_car_entry(car: NewCarIn) -> services.NewCarEntry:
    """The checked body as the service takes it; the buyer's ID number only as its hash."""
    fields = car.model_dump(exclude={"invoice_buyer_id_number"})
    key = web.id_hash_key()
    return services.NewCarEntry(
        **fields, invoice_buyer_id_hash=resident_id_hash(car.invoice_buyer_id_number, key)
    )


def _eligibility_out(assessment: facts.Assessment) -> EligibilityOut:
    amount = assessment.amount
    return EligibilityOut(
        eligible=assessment.eligible,
        amount_fen=amount.fen if amount else None,
        amount_explanation=translate(amount.explanation) if amount else None,
        reasons=[_reason_out(reason) for reason in assessment.reasons],
        flags=list(assessment.flags),
    )


@bp.get("/subsidy/applications")
@auth.for_role(Role.OWNER)
def list_applications():
    query = parse_body(SubsidyListQuery, lambda model: model.model_validate(request.args.to_dict()))
    found = services.my_applications(
        db.session(), user=auth.api_user(), page=query.page, page_size=query.page_size
    )
    return json_response(
        ApplicationPage(
            items=[ApplicationSummary.model_validate(_summary(row)) for row in found.rows],
            page=found.number,
            page_size=query.page_size,
            has_next=found.has_next,
        )
    )


@bp.get(APPLICATION)
@auth.for_role(Role.OWNER)
def get_application(application_id: int):
    session = db.session()
    # The bound is checked here, not by the URL converter (see views._case_for).
    if application_id > MAX_ID:
        raise NotFound(N_("There is no such application, or you cannot see it."))
    found = applications.application_for(
        session, user=auth.api_user(), application_id=application_id
    )
    program = programs.program(session, found.program_id)
    events = history(session, applications.ENTITY, found.id)
    return json_response(
        ApplicationOut.model_validate(
            {
                **_summary(found),
                **found.model_dump(include=DETAIL_FIELDS),
                "year": program.year,
                "amount_explanation": message(found.amount_note) if found.amount_note else None,
                "flags": found.flag_list,
                "bank_card": found.bank_card_masked,
                "timeline": [
                    {
                        "at": event.at,
                        "action": event.action,
                        "label": str(label(event.action, EVENT)),
                        "from_status": event.from_state,
                        "to_status": event.to_state,
                    }
                    for event in events
                ],
            }
        )
    )


def _summary(application: Application) -> dict:
    """The list fields; the kind is the program's (programs are few: the session caches them)."""
    program = programs.program(db.session(), application.program_id)
    return {**application.model_dump(include=SUMMARY_FIELDS), "kind": program.kind}
