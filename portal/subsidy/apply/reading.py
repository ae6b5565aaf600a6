"""The wizard's papers to read (issue 15): which reading a step shows, and what it fills.

The routes are the wizard's own (`views.read`, `views.reading_status`); the reading itself
is `portal.reading`'s job. A finished reading of the step's paper fills the step's form
for the owner to check and correct (portal/reading/wizard.py).
"""

from portal import db, web
from portal.accounts.access import signed_in_user
from portal.errors import NotFound
from portal.labels import label
from portal.messages import N_
from portal.reading import services, wizard
from portal.reading.models import DocumentReading
from portal.reading.terms import PaperKind, Problem, ReadingStatus
from portal.reading.wizard import STEP_OF
from portal.subsidy import applications
from portal.subsidy.terms import DocumentKind

# The application paper an uploaded paper also is; the old car's licence is only read.
KEPT_AS = {PaperKind.INVOICE: DocumentKind.NEW_CAR_INVOICE}


def paper_kind(kind: str) -> PaperKind:
    if kind not in PaperKind._value2member_map_:
        raise NotFound(N_("There is no such paper."))
    return PaperKind(kind)


def reading_of(application_id: int, reading_id: int) -> DocumentReading:
    """The owner's reading of this application's paper; 404 otherwise."""
    session, user = db.session(), signed_in_user()
    applications.application_for(session, user=user, application_id=application_id)
    reading = services.reading_for(session, user=user, reading_id=reading_id)
    if reading.application_id != application_id:
        raise NotFound(N_("There is no such reading, or you cannot see it."))
    return reading


def step_context(
    application_id: int, step: str, form, *, reading_id: str | None, fill: bool
) -> dict:
    """What a wizard step shows of a reading: its progress, or the fields it filled.

    A finished reading of the step's paper fills the form around what the owner typed
    (portal/reading/wizard.py `around_typed`); `read_marks` names the fields it filled
    and `read_differs` those the owner typed otherwise, so the page marks both.
    """
    context = {
        "reading": None,
        "read_marks": frozenset(),
        "read_differs": frozenset(),
        "read_problems": [],
    }
    if not reading_id or not reading_id.isdigit() or step not in STEP_OF.values():
        return context
    number = web.row_id(reading_id)
    if number is None:  # digits no id column holds (10,000 of them would not even convert)
        raise NotFound(N_("There is no such reading, or you cannot see it."))
    reading = reading_of(application_id, number)
    if STEP_OF[reading.kind] != step:
        return context
    context["reading"] = reading
    context["read_problems"] = [label(Problem(code)) for code in reading.problems]
    if reading.status is not ReadingStatus.DONE:
        return context
    filled = _filled_around_typed(reading, form)
    if fill:
        for name, value in filled.values.items():
            form[name].data, form[name].raw_data = value, None
    context["read_marks"], context["read_differs"] = filled.marked, filled.differs
    return context


def _filled_around_typed(reading: DocumentReading, form) -> wizard.Filled:
    earlier = services.earlier_than(db.session(), reading)
    filled = _filled(reading, form)
    return wizard.around_typed(filled, _typed(form), _filled(earlier, form) if earlier else None)


def _filled(reading: DocumentReading, form) -> wizard.Filled:
    fields = services.fields_of(reading, web.card_keys())
    if reading.kind is PaperKind.INVOICE:
        return wizard.invoice_values(fields)
    return wizard.licence_choice(fields, form.cars)


def _typed(form) -> dict:
    """The form's values as the owner left them: what was typed, even if it is not valid."""
    return {field.name: field.raw_data[0] if field.raw_data else field.data for field in form}
