"""The valuation endpoints of /api/v1: value a car by VIN or by model, search the catalog.

Registered on the API blueprint of `blueprint.py`. Anyone may call them without a token; a
token sent must be valid (any role), and then the valuation is kept in its user's history
as on the page. They call the valuation services the pages call (`value_car`,
`vehicle_by_vin`, `search_models`), so the rules are the engine's (DOMAIN §3).

Anonymous calls share one budget per client address (`VALUATION_API_ANON_LIMIT`); calls
with a token spend the token's budget for the whole API (`API_RATE_LIMIT`).
"""

from dataclasses import asdict
from datetime import date

from flask import current_app, request
from flask_babel import gettext
from flask_limiter.util import get_remote_address

from portal import db
from portal.api import auth, problems
from portal.api.blueprint import bp
from portal.api.common import InvalidRequest, json_response, parse_body
from portal.api.problems import MESSAGES
from portal.api.schemas import FieldError
from portal.api.valuation_schemas import (
    CatalogModelOut,
    CatalogPage,
    CatalogQuery,
    ModelRef,
    ValuationCreate,
    ValuationOut,
)
from portal.audit import china_today
from portal.errors import NotFound, translate
from portal.extensions import limiter
from portal.messages import N_
from portal.valuation import services
from portal.valuation.errors import InvalidValuationInput
from portal.valuation.rules.inspection import INSPECTION_PARTS
from portal.valuation.terms import Condition


def anonymous_limit() -> str:
    """Calls one address may make without a token (config.py; tests reach it quickly)."""
    return current_app.config["VALUATION_API_ANON_LIMIT"]


def _anonymous_key() -> str:
    return "api-anonymous:" + (get_remote_address() or "")


# Both endpoints share the anonymous budget; a call with a token is exempt from it and
# spends the blueprint's per-token budget instead (override_defaults=False keeps that).
anonymous_budget = limiter.shared_limit(
    anonymous_limit,
    scope="api-anonymous",
    key_func=_anonymous_key,
    exempt_when=lambda: auth.bearer_secret() is not None,
    override_defaults=False,
)


@bp.errorhandler(InvalidValuationInput)
def _refused_input(error: InvalidValuationInput):
    # The engine refuses what it cannot value (a first registration after today, ...).
    if error.field in INSPECTION_PARTS:
        field = f"inspection.{error.field}"
    elif error.field in ValuationCreate.model_fields:
        field = error.field
    else:
        field = None  # a catalog value such as the guide price, not one of the request's
    return problems.invalid([FieldError(field=field, message=translate(error), type="refused")])


@bp.post("/valuations")
@auth.anonymous_allowed
@anonymous_budget
def create_valuation():
    body = parse_body(ValuationCreate, lambda model: model.model_validate_json(request.get_data()))
    _one_way_to_the_car(body)
    session, user, today = db.session(), auth.optional_api_user(), china_today()
    result = services.value_car(
        session, inputs=_inputs(body), on=today, user=user, keep=user is not None
    )
    return json_response(_valuation_out(result, today))


def _one_way_to_the_car(body: ValuationCreate) -> None:
    """A VIN alone, or car_model_id with first_registration; a condition or an inspection."""
    errors = []
    if body.vin is not None:
        errors += [
            FieldError(
                field=name,
                message=gettext("Leave this out when you give a VIN: the registry's is used."),
                type="not_with_vin",
            )
            for name in ("car_model_id", "first_registration")
            if getattr(body, name) is not None
        ]
    elif body.car_model_id is None and body.first_registration is None:
        message = gettext("Give the VIN of a registry car, or car_model_id and first_registration.")
        errors.append(FieldError(field=None, message=message, type="missing"))
    else:
        errors += [
            FieldError(field=name, message=gettext(MESSAGES["missing"]), type="missing")
            for name in ("car_model_id", "first_registration")
            if getattr(body, name) is None
        ]
    if body.condition is not None and body.inspection is not None:
        message = gettext("Give either a condition or an inspection, not both.")
        errors.append(FieldError(field="inspection", message=message, type="not_with_condition"))
    if errors:
        raise InvalidRequest(errors)


def _inputs(body: ValuationCreate) -> services.ValuationInput:
    """The service's inputs: the registry's car for a VIN, else the catalog trim named."""
    session = db.session()
    inputs = {
        "mileage_km": body.mileage_km,
        "city_code": body.city_code,
        "condition": None if body.inspection else (body.condition or Condition.GOOD),
        "inspection": body.inspection.model_dump() if body.inspection else None,
        "battery_health_pct": body.battery_health_pct,
    }
    if body.vin is None:
        try:
            services.car_model(session, body.car_model_id)
        except NotFound as error:
            # A value in the body that names nothing: fix the field (as an unknown city).
            field = FieldError(field="car_model_id", message=translate(error), type="not_found")
            raise InvalidRequest([field]) from error
        return services.ValuationInput(
            car_model_id=body.car_model_id, first_registration=body.first_registration, **inputs
        )
    vehicle = services.vehicle_by_vin(session, body.vin)
    if vehicle is None:
        raise NotFound(
            N_("The registry has no car with this VIN. Send car_model_id and first_registration.")
        )
    if vehicle.car_model_id is None:
        raise NotFound(
            N_(
                "The catalog has no model for this registry car. "
                "Send car_model_id and first_registration."
            )
        )
    return services.ValuationInput(
        car_model_id=vehicle.car_model_id,
        first_registration=vehicle.first_registration,
        vin=vehicle.vin,
        vehicle_id=vehicle.id,
        **inputs,
    )


def _valuation_out(result: services.Result, on: date) -> ValuationOut:
    valuation, model = result.valuation, result.model
    return ValuationOut.model_validate(
        {
            "method": valuation.method,
            "grade": valuation.grade,
            "score": valuation.score,
            "prices": {
                "dealer_buy": asdict(valuation.dealer_buy),
                "private": asdict(valuation.private),
                "retail": asdict(valuation.retail),
            },
            "steps": [
                {
                    "text": gettext(step.label) % step.params,
                    "template": step.label,
                    "params": step.params,
                    "result": step.result,
                }
                for step in valuation.steps
            ],
            "comparables": [
                {
                    "price_fen": sale.price_fen,
                    "first_registration": sale.first_registration,
                    "mileage_km": sale.mileage_km,
                    "sold_on": sale.sold_on,
                }
                for sale in valuation.comparables_used
            ],
            "model": model.model_dump(include=set(ModelRef.model_fields)),
            "first_registration": result.inputs.first_registration,
            "valued_on": on,
            "record_id": result.record_id,
        }
    )


@bp.get("/models")
@auth.anonymous_allowed
@anonymous_budget
def search_models():
    query = parse_body(CatalogQuery, lambda model: model.model_validate(request.args.to_dict()))
    found = services.search_models(
        db.session(), query=query.q, page=query.page, page_size=query.page_size
    )
    return json_response(
        CatalogPage(
            items=[CatalogModelOut.model_validate(row.model_dump()) for row in found.rows],
            page=found.number,
            page_size=query.page_size,
            has_next=found.has_next,
        )
    )
