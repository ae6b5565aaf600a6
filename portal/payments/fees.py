"""The fee schedule: the amounts features charge, editable by admins, always the server's."""

from sqlmodel import Session, select

from portal import audit
from portal.audit import utcnow
from portal.errors import Conflict
from portal.payments import rules
from portal.payments.models import FeeItem


def ensure_fee_schedule(session: Session) -> int:
    """Insert the default fees that are missing (idempotent); how many were added."""
    present = set(session.exec(select(FeeItem.code)))
    missing = [code for code in rules.DEFAULT_FEES if code not in present]
    for code in missing:
        session.add(FeeItem(code=code, amount_fen=rules.DEFAULT_FEES[code]))
    session.flush()
    return len(missing)


def fee_schedule(session: Session) -> dict[str, int]:
    """Every fee code with its amount in fen, in the schedule's order."""
    stored = {item.code: item.amount_fen for item in session.exec(select(FeeItem))}
    return {code: stored.get(code, default) for code, default in rules.DEFAULT_FEES.items()}


def fee_amount(session: Session, code: str) -> int:
    """The amount in fen that the schedule charges for code (KeyError for an unknown code)."""
    if code not in rules.DEFAULT_FEES:
        raise KeyError(code)
    amount = session.exec(select(FeeItem.amount_fen).where(FeeItem.code == code)).first()
    # Before `flask seed reference` has stored the schedule, its defaults apply.
    return rules.DEFAULT_FEES[code] if amount is None else amount


def update_fees(session: Session, *, amounts: dict[str, int], actor_id: int) -> list[str]:
    """Store new amounts; each change is audited. The codes that changed."""
    ensure_fee_schedule(session)
    items = {item.code: item for item in session.exec(select(FeeItem))}
    changed = []
    for code, amount_fen in amounts.items():
        refusal = rules.fee_refusal(amount_fen)
        if refusal is not None:
            raise Conflict(refusal[0], **refusal[1])
        item = items[code]
        if item.amount_fen == amount_fen:
            continue
        audit.record(
            session,
            actor_id=actor_id,
            entity="fee_item",
            entity_id=item.id,
            action="amount_changed",
            from_state=str(item.amount_fen),
            to_state=str(amount_fen),
            detail={"code": code},
        )
        item.amount_fen, item.updated_at, item.updated_by = amount_fen, utcnow(), actor_id
        changed.append(code)
    session.flush()
    return changed
