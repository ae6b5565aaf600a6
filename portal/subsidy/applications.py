"""Everyone's view of an application: who may see it, who may move it, the move, the audit.

The owner's draft steps (`apply`), the reviewer's decisions (`review`) and the payout
batches (`payouts`) all fetch an application through `application_for`, ask the
workflow through `allowed` and change its status through `move`, the one conditional
UPDATE they share; each change writes its audit event here.
"""

from sqlalchemy import update
from sqlmodel import Session, select

from portal import audit
from portal.accounts.models import Role, User
from portal.audit import utcnow
from portal.errors import Conflict, DomainError, NotFound
from portal.messages import N_
from portal.registry.models import Vehicle
from portal.subsidy import workflow
from portal.subsidy.models import Application, ApplicationDocument
from portal.subsidy.rules import facts
from portal.subsidy.terms import DocumentKind, Status
from portal.subsidy.workflow import Action, Actor
from portal.workflow import IllegalTransition

ENTITY = "subsidy_application"

# --- scope ------------------------------------------------------------------------------


def in_scope(user: User):
    """The condition on applications this user may see (ARCHITECTURE, Roles)."""
    if user.role is Role.ADMIN:
        return True
    if user.role is Role.OWNER:
        return Application.applicant_id == user.id
    if user.role is Role.REVIEWER:
        # Drafts are the applicant's own business until they are submitted.
        return (Application.province_code == user.province_code) & (
            Application.status != Status.DRAFT
        )
    return False


def application_for(session: Session, *, user: User, application_id: int) -> Application:
    """The application if the user may see it; NotFound otherwise (ARCHITECTURE, Roles)."""
    application = session.exec(
        select(Application).where(Application.id == application_id, in_scope(user))
    ).first()
    if application is None:
        raise NotFound(N_("There is no such application, or you cannot see it."))
    return application


def actors_for(user: User, application: Application) -> set[Actor]:
    """The workflow roles this user holds on this application."""
    if user.role is Role.OWNER and user.id == application.applicant_id:
        return {Actor.APPLICANT}
    if user.role is Role.REVIEWER and user.province_code == application.province_code:
        return {Actor.REVIEWER}
    if user.role is Role.ADMIN:
        return {Actor.ADMIN}
    return set()


# --- what the pages show of it ----------------------------------------------------------


def documents_of(
    session: Session, application: Application
) -> dict[DocumentKind, ApplicationDocument]:
    """The current paper of each kind uploaded to the application."""
    rows = session.exec(
        select(ApplicationDocument).where(ApplicationDocument.application_id == application.id)
    ).all()
    return {row.kind: row for row in rows}


def old_vehicle(session: Session, application: Application) -> Vehicle | None:
    """The registry's record of the old car, for the pages that show its facts."""
    return session.get(Vehicle, application.old_vehicle_id) if application.old_vehicle_id else None


# --- moves ------------------------------------------------------------------------------


def refuse_if(reason: facts.Reason | None) -> None:
    """Turn a rule's refusal (a window that is shut) into the domain error the pages show."""
    if reason is not None:
        raise DomainError(reason.message, **reason.params)


def allowed(action: Action, application: Application, user: User, reason: str = "") -> Status:
    """The status action leads to, or a Conflict saying why the user cannot take it."""
    try:
        return workflow.next_status(
            action, application.status, actors_for(user, application), reason=reason
        )
    except IllegalTransition as error:
        raise Conflict(error.message, **error.params) from error


def move(
    session: Session,
    *,
    user: User | None,
    application: Application,
    target: Status,
    action: str,
    **values,
) -> None:
    """One conditional UPDATE from the status it had to target, and its audit event."""
    before = application.status
    moved = session.execute(
        update(Application)
        .where(Application.id == application.id, Application.status == before)
        .values(status=target, updated_at=utcnow(), **values)
    )
    if moved.rowcount != 1:
        raise Conflict(N_("Someone else changed this application just now. Reload and try again."))
    session.refresh(application)
    audit_event(session, user, application, action, before, target)


# --- audit ------------------------------------------------------------------------------


def audit_event(session, user, application, action, from_state=None, to_state=None, detail=None):
    """One audit event on the application, by user (None for the system)."""
    audit.record(
        session,
        actor_id=user.id if user else None,
        entity=ENTITY,
        entity_id=application.id,
        action=action,
        from_state=from_state.value if from_state else None,
        to_state=to_state.value if to_state else None,
        detail=detail,
    )
