"""What the valuation pages show: the form's inputs valued, and the result panel built.

`views.py` has the routes; this builds what they render. `value_form` checks the form,
finds the car and values it, keeping what is still missing or wrong in an `Outcome`;
`page_context` and `result_context` are what the templates show (prices, grade, steps,
the depreciation chart, a sentence for screen readers); the template filters show prices,
months and distances as the pages write them.
"""

from dataclasses import dataclass, field
from datetime import date
from types import SimpleNamespace

from babel.dates import format_skeleton
from flask import current_app, url_for
from flask_babel import format_decimal, get_locale
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user
from wtforms.fields.choices import SelectChoice

from portal.accounts.access import signed_in_user
from portal.audit import china_today
from portal.errors import NotFound, translate
from portal.registry.models import Vehicle
from portal.valuation import chart, services
from portal.valuation.errors import InvalidValuationInput
from portal.valuation.forms import CONDITION_HINTS, FIELD_OF, ValuationForm
from portal.valuation.models import CarModel, ValuationRecord
from portal.valuation.names import brand_name, car_name, series_name
from portal.valuation.rules.facts import DEFAULT_SETTINGS
from portal.valuation.terms import Condition, Grade

# DOMAIN §3.2, in a line each.
GRADE_MEANINGS = {
    Grade.I: _l("90 points or more: in very good order."),
    Grade.II: _l("60 to 89 points: normal wear, in good order."),
    Grade.III: _l("20 to 59 points: worn, needs repairs."),
    Grade.IV: _l("Under 20 points: in poor order."),
    Grade.V: _l("Structural accident damage, whatever the score."),
}
REPORT_ENDPOINT = "valuation_report.buy"


@dataclass
class Outcome:
    """What valuing the form gave: a result, or what is still missing or wrong."""

    result: services.Result | None = None
    vehicle: Vehicle | None = None  # the registry's car, when the VIN named one
    model: CarModel | None = None  # the catalog trim, from the registry or the lists
    vin_checked: bool = False  # a valid VIN was looked up in the registry
    missing: list = field(default_factory=list)  # fields still empty (preview only)
    problems: list = field(default_factory=list)  # (field or None, message)

    @property
    def invalid(self) -> bool:
        return bool(self.problems)


def value_form(session, form: ValuationForm, *, preview: bool, keep: bool) -> Outcome:
    """Check the form, find the car, and value it; errors go next to their fields."""
    form.validate()
    outcome = Outcome()
    if form.vin.data and not form.vin.errors:
        outcome.vehicle = services.vehicle_by_vin(session, form.vin.data)
        outcome.vin_checked = True
    vehicle = outcome.vehicle
    model = outcome.model = _chosen_model(session, form, vehicle, preview=preview)
    catalog_choices(session, form)
    registered = vehicle.first_registration if vehicle else form.registered.data
    if vehicle is None and form.registered.data is None and not form.registered.errors:
        form.registered.errors.append(_("Enter the month of first registration."))
    if not _collect(form, outcome, preview):
        inputs = services.ValuationInput(
            car_model_id=model.id,
            first_registration=registered,
            mileage_km=form.mileage.data,
            city_code=form.city.data,
            condition=Condition(form.condition.data),
            inspection=form.inspection(),
            battery_health_pct=form.battery.data if model.fuel_type.new_energy else None,
            vin=vehicle.vin if vehicle else None,
            vehicle_id=vehicle.id if vehicle else None,
        )
        user = signed_in_user() if current_user.is_authenticated else None
        try:
            outcome.result = services.value_car(
                session,
                inputs=inputs,
                on=china_today(),
                user=user,
                keep=keep and user is not None,
            )
        except InvalidValuationInput as error:
            name = FIELD_OF.get(error.field)
            (form[name].errors if name else form.form_errors).append(translate(error))
            _collect(form, outcome, preview)
    return outcome


def _chosen_model(
    session, form: ValuationForm, vehicle: Vehicle | None, *, preview: bool
) -> CarModel | None:
    """The registry car's catalog trim, else the one picked from the lists."""
    if vehicle is not None and vehicle.car_model_id is not None:
        model = services.car_model(session, vehicle.car_model_id)
    else:
        raw = (form.model.data or "").strip()
        if not raw:
            form.model.errors.append(_("Choose the model year and trim."))
            return None
        if not raw.isdigit() or len(raw) > 9:
            form.model.errors.append(_("Choose a model from the list."))
            return None
        try:
            model = services.car_model(session, int(raw))
        except NotFound as error:
            form.model.errors.append(translate(error))
            return None
        picked = (form.brand.data or model.brand, form.series.data or model.series)
        if picked != (model.brand, model.series):
            if preview:  # the brand or series just changed; its trims are on their way
                form.model.raw_data = []
            form.model.errors.append(_("Choose a model of the chosen series."))
            return None
    form.brand.data, form.series.data, form.model.data = model.brand, model.series, str(model.id)
    return model


def _collect(form: ValuationForm, outcome: Outcome, preview: bool) -> bool:
    """Gather the errors; a preview leaves empty fields out (the person is still typing)."""
    outcome.missing, outcome.problems = [], []
    for item in form:
        if not item.errors:
            continue
        empty = not (item.raw_data and item.raw_data[0].strip())
        if preview and empty:
            outcome.missing.append(item)
            item.errors = []
        else:
            outcome.problems += [(item, message) for message in item.errors]
    outcome.problems += [(None, message) for message in form.form_errors]
    return bool(outcome.missing or outcome.problems)


def catalog_choices(session, form: ValuationForm) -> None:
    """The form's brand, series and trim choices, as far as it names a brand and series."""
    brand, series = form.brand.data, form.series.data
    form.set_catalog(
        # The Chinese names are the values (the registry's and the papers'); the reader's
        # language names the options.
        [SelectChoice(name, brand_name(name)) for name in services.brands(session)],
        [
            SelectChoice(name, series_name(brand, name))
            for name in (services.series_of(session, brand) if brand else [])
        ],
        services.trims_of(session, brand, series) if brand and series else [],
    )


def page_context(form: ValuationForm, outcome: Outcome) -> dict:
    """Everything the form page and its partials show."""
    context = dict(
        form=form,
        outcome=outcome,
        vehicle=outcome.vehicle,
        condition_hints=CONDITION_HINTS,
        announcement=_announcement(outcome),
    )
    if outcome.result is not None:
        context.update(
            result_context(
                outcome.result, on=china_today(), from_registry=outcome.vehicle is not None
            )
        )
    return context


def _announcement(outcome: Outcome) -> str:
    """One sentence for screen readers when the panel changes."""
    if outcome.result is not None:
        price = outcome.result.valuation.private
        return _("Private sale about %(price)s.", price=_yuan(price.mid_fen))
    if outcome.problems:
        return _("%(count)s entries need correcting.", count=len(outcome.problems))
    return ""


def result_context(found: services.Result, *, on: date, from_registry: bool = False) -> dict:
    """The result panel: prices, grade, method, inputs, steps, curve, comparable sales."""
    valuation, model = found.valuation, found.model
    steps = [
        (translate(SimpleNamespace(message=step.label, params=step.params)), step.result)
        for step in valuation.steps
    ]
    report_url = None
    if found.record_id is not None and REPORT_ENDPOINT in current_app.view_functions:
        report_url = url_for(REPORT_ENDPOINT, record_id=found.record_id)
    return dict(
        result=found,
        valuation=valuation,
        model=model,
        from_registry=from_registry,
        grade_meaning=GRADE_MEANINGS[valuation.grade],
        steps=steps,
        chart=_chart(found),
        curve=found.curve,
        report_url=report_url,
        age_years=_years(valuation.months_in_service),
        valued_on=on,
        annual_km=DEFAULT_SETTINGS.annual_km,
    )


def _chart(found: services.Result):
    valuation, model = found.valuation, found.model
    points = found.curve
    words = chart.Words(
        title=_(
            "Private price of a %(model)s by age",
            model=f"{car_name(model.brand, model.series)} {model.model_year}",
        ),
        description=_(
            "Today's price of the same car at each age from new to %(last)s years,"
            " driven %(km)s km a year: %(new)s new, %(old)s at %(last)s years."
            " Your car: %(price)s at %(age)s years.",
            last=points[-1][0],
            km=format_decimal(DEFAULT_SETTINGS.annual_km),
            new=_yuan(points[0][1]),
            old=_yuan(points[-1][1]),
            price=_yuan(valuation.private.mid_fen),
            age=_years(valuation.months_in_service),
        ),
        years=_("Years since first registration"),
        marker=_("Your car"),
    )
    return chart.depreciation(
        points,
        words,
        age_years=valuation.months_in_service / 12,
        price_fen=valuation.private.mid_fen,
        amount=_axis_amount,
    )


def _yuan(fen: int) -> str:
    """A price as the page shows it: whole yuan."""
    return f"¥{fen // 100:,}"


def _axis_amount(fen: int) -> str:
    """An amount on the chart's axis: 12万 in Chinese, ¥120,000 otherwise."""
    whole = fen // 100
    if str(get_locale()).startswith("zh"):
        return f"{whole / 10_000:g}万" if whole else "0"
    return f"¥{whole:,}"


def _years(months: int) -> str:
    return format_decimal(round(months / 12, 1))


def whole_yuan(fen: int | None) -> str:
    """A price in whole yuan (valuations are rounded to the yuan)."""
    return "—" if fen is None else _yuan(fen)


def month_year(value: date | None) -> str:
    """A month as people write it: May 2020, 2020年5月."""
    return format_skeleton("yMMM", value, locale=get_locale()) if value else "—"


def kilometres(value: int | None) -> str:
    """A distance in km with the locale's digit grouping."""
    return "—" if value is None else _("%(km)s km", km=format_decimal(value))


def inputs_of(kept: ValuationRecord, model: CarModel) -> dict:
    """The query string that fills the form with a kept valuation's inputs."""
    inputs = {
        "vin": kept.vin,
        "brand": model.brand,
        "series": model.series,
        "model": kept.car_model_id,
        "registered": kept.first_registration.strftime("%Y-%m"),
        "mileage": kept.mileage_km,
        "city": kept.city_code,  # the form finds its province
        "condition": (kept.condition or Condition.GOOD).value,
        "battery": kept.battery_health_pct,
        **(kept.inspection or {}),
    }
    return {name: value for name, value in inputs.items() if value is not None}
