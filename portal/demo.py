"""Demo data for `flask seed demo`: a registry extract, its people, one account per role."""

from pathlib import Path

from sqlmodel import Session, select

from portal.accounts import services as accounts
from portal.accounts.models import Role, User
from portal.identifiers import mask_resident_id, resident_id_hash
from portal.registry import services as registry
from portal.registry.demo import DEALERS, DEMO_OWNER, demo_rows, write_csv
from portal.transfer import demo as transfer_demo

DEMO_PASSWORD = "portal-demo-2026"
GUANGDONG = "440000"
ZHEJIANG = "330000"

# email, name, role, province, dealer USCC
DEMO_ACCOUNTS = (
    ("owner@demo.cn", DEMO_OWNER.name, Role.OWNER, None, None),
    ("dealer@demo.cn", "黄晓明", Role.DEALER, None, DEALERS[0].uscc),
    ("reviewer@demo.cn", "林芳", Role.REVIEWER, GUANGDONG, None),
    ("officer@demo.cn", "陈建国", Role.OFFICER, GUANGDONG, None),
    ("officer-zj@demo.cn", "周海涛", Role.OFFICER, ZHEJIANG, None),
    ("admin@demo.cn", "管理员", Role.ADMIN, None, None),
)


def write_extract(path: Path, count: int) -> None:
    """Write the demo registry extract to path."""
    write_csv(demo_rows(count), path)


def ensure_holders(session: Session, *, key: bytes) -> None:
    """The demo owner and dealers in the registry, even when the extract had none of their
    cars (a small `--vehicles`), so that their accounts can be linked to them."""
    registry.holder_for_buyer(
        session,
        kind="person",
        name=DEMO_OWNER.name,
        id_hash=resident_id_hash(DEMO_OWNER.id_number, key),
        id_masked=mask_resident_id(DEMO_OWNER.id_number),
        uscc=None,
        city_code=DEMO_OWNER.city_code,
    )
    for dealer in DEALERS:
        registry.holder_for_buyer(
            session,
            kind="dealer",
            name=dealer.name,
            id_hash=None,
            id_masked=None,
            uscc=dealer.uscc,
            city_code=dealer.city_code,
        )


def create_accounts(session: Session, *, key: bytes) -> list[str]:
    """Create the demo accounts that do not exist yet; the owner is linked to their person."""
    ensure_holders(session, key=key)
    lines = []
    for email, name, role, province_code, uscc in DEMO_ACCOUNTS:
        if session.exec(select(User.id).where(User.email == email)).first() is not None:
            continue
        dealer_id = registry.dealer_id_for(session, uscc) if uscc else None
        user = accounts.create_user(
            session,
            email=email,
            password=DEMO_PASSWORD,
            display_name=name,
            role=role,
            province_code=province_code,
            dealer_id=dealer_id,
        )
        if role is Role.OWNER:
            accounts.link_person(
                session, user=user, name=DEMO_OWNER.name, id_number=DEMO_OWNER.id_number, key=key
            )
        lines.append(f"Account {email} ({role.value}), password {DEMO_PASSWORD}")
    return lines


def create_sales_history(session: Session, *, today) -> int:
    """The last year's completed transfers of resold demo cars, filed by the demo dealer."""
    clerk_id = session.exec(select(User.id).where(User.email == "dealer@demo.cn")).one()
    return transfer_demo.create_sales_history(
        session, dealer_uscc=DEALERS[0].uscc, clerk_id=clerk_id, today=today
    )
