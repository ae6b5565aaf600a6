"""Bulk filing: a dealer's CSV of sales becomes one draft case per row, through open_case.

Runs on the import machinery (admin/services.py): progress, per-row problems, a report.
Each row is filed in its own savepoint, so one refused row leaves the others filed.
"""

from dataclasses import dataclass, replace
from datetime import date

from sqlmodel import Session

from portal.accounts.models import User
from portal.db import savepoint
from portal.errors import DomainError
from portal.identifiers import InvalidIdentifier, parse_vin
from portal.messages import N_
from portal.money import FEN_PER_YUAN, InvalidAmount, parse_yuan
from portal.registry.importing import BatchResult
from portal.registry.rules import RowProblem, RowReader
from portal.transfer import rules, services
from portal.transfer.errors import FilingRefused
from portal.transfer.terms import BuyerKind

HEADER = (
    "vin", "seller_name", "seller_id", "buyer_type", "buyer_name", "buyer_id",
    "destination_city_code", "price_yuan", "sale_date", "mileage_km", "dealer_temporary",
)  # fmt: skip


@dataclass(frozen=True)
class BulkRow:
    vin: str
    filing: services.Filing  # vehicle_id 0: resolved from the VIN when written


def parse_row(row: dict[str, str], today: date) -> BulkRow | list[RowProblem]:
    """Check the form of one row (the registry checks come when it is filed)."""
    r = RowReader(row)
    vin = r.identifier("vin", parse_vin)
    seller_name, seller_id = r.text("seller_name", max_length=128), r.text("seller_id")
    buyer_type = r.text("buyer_type", max_length=8)
    if buyer_type not in (None, *BuyerKind):
        r.fail("buyer_type", N_("Enter person or company."))
    buyer_name, buyer_id = r.text("buyer_name", max_length=128), r.text("buyer_id")
    city = r.text("destination_city_code", max_length=6)
    price = _price(r)
    sale_date = r.day("sale_date", today)
    problem = rules.sale_date_problem(sale_date, today) if sale_date else None
    if problem:
        r.fail("sale_date", problem)
    mileage = r.integer("mileage_km", 0, rules.MAX_ODOMETER_KM)
    temporary = r.flag("dealer_temporary")
    if r.problems:
        return r.problems
    buyer = services.Buyer(kind=BuyerKind(buyer_type), name=buyer_name, identifier=buyer_id)
    filing = services.Filing(
        vehicle_id=0,
        seller_name=seller_name,
        seller_identifier=seller_id,
        buyer=buyer,
        destination_city_code=city,
        price_fen=price,
        sale_date=sale_date,
        mileage_km=mileage,
        dealer_temporary=temporary,
    )
    return BulkRow(vin=vin.value, filing=filing)


def _price(r: RowReader) -> int | None:
    text = r.text("price_yuan", max_length=20)
    if text is None:
        return None
    try:
        fen = parse_yuan(text)
    except InvalidAmount as error:
        r.fail("price_yuan", error.message, **error.params)
        return None
    if not rules.MIN_PRICE_YUAN * FEN_PER_YUAN <= fen <= rules.MAX_PRICE_YUAN * FEN_PER_YUAN:
        r.fail("price_yuan", N_("Enter a price from 1 to 100,000,000 yuan."))
        return None
    return fen


def apply(
    session: Session, records: list[tuple[int, BulkRow]], *, key: bytes, actor_id: int
) -> BatchResult:
    """File each row as a draft case of the dealer who uploaded the file."""
    user = session.get(User, actor_id)
    result = BatchResult()
    for line, record in records:
        try:
            with savepoint(session):
                vehicle = services.vehicle_to_file(session, query=record.vin)
                filing = replace(record.filing, vehicle_id=vehicle.id)
                services.open_case(session, user=user, filing=filing, key=key)
        except FilingRefused as refused:
            result.problems += [
                (line, RowProblem("vin", p.message, p.params)) for p in refused.problems
            ]
        except (DomainError, InvalidIdentifier) as error:
            result.problems.append((line, RowProblem("vin", error.message, error.params)))
        else:
            result.created += 1
    return result
