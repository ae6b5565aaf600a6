"""Test data: valid identifiers and registry rows, made through the real models and services."""

import itertools
from datetime import date

from sqlmodel import Session, select

from portal.accounts import privacy
from portal.accounts import services as accounts
from portal.accounts.models import Role, User
from portal.identifiers import (
    mask_resident_id,
    resident_id_check_char,
    resident_id_hash,
    uscc_check_char,
    vin_check_digit,
)
from portal.registry.models import Dealer, Ownership, Person, Vehicle
from portal.registry.terms import (
    Acquisition,
    BodyType,
    EmissionStandard,
    FuelType,
    Usage,
    VehicleStatus,
)
from portal.transfer.models import TransferCase
from portal.transfer.terms import BuyerKind, TransferStatus

KEY = b"test-id-key"
PASSWORD = "correct-horse-battery"
_serial = itertools.count(1)


def next_serial() -> int:
    """A number no other factory call in this run has used."""
    return next(_serial)


def vin(serial: int | None = None, wmi: str = "LSV") -> str:
    """A valid Chinese VIN, unique per serial."""
    body = f"{wmi}AB21X0N{(serial or next(_serial)):07d}"[:17]
    body = body[:8] + "0" + body[9:]
    return body[:8] + vin_check_digit(body) + body[9:]


def resident_id(serial: int | None = None, region: str = "440106", born: str = "19850312") -> str:
    """A valid resident ID number, unique per serial (up to 999)."""
    first17 = f"{region}{born}{(serial or next(_serial)) % 1000:03d}"
    return first17 + resident_id_check_char(first17)


def uscc(serial: int | None = None, region: str = "440100") -> str:
    """A valid Unified Social Credit Code."""
    first17 = f"91{region}MA{(serial or next(_serial)):07d}"[:17]
    return first17 + uscc_check_char(first17)


def person(session: Session, name: str = "张伟", id_number: str | None = None) -> Person:
    id_number = id_number or resident_id()
    row = Person(
        name=name, id_hash=resident_id_hash(id_number, KEY), id_masked=mask_resident_id(id_number)
    )
    session.add(row)
    session.flush()
    return row


def dealer(
    session: Session, name: str = "广州测试二手车有限公司", city_code: str = "440100"
) -> Dealer:
    row = Dealer(
        uscc=uscc(region=city_code),
        name=name,
        province_code=city_code[:2] + "0000",
        city_code=city_code,
    )
    session.add(row)
    session.flush()
    return row


def vehicle(
    session: Session,
    *,
    owner: Person | Dealer | None = None,
    city_code: str = "440300",
    plate: str | None = None,
    **overrides,
) -> Vehicle:
    serial = next(_serial)
    fields = (
        dict(
            vin=vin(serial),
            plate=plate or f"粤B{serial:05d}",
            brand="大众",
            model="朗逸",
            body_type=BodyType.SEDAN,
            fuel_type=FuelType.PETROL,
            emission_standard=EmissionStandard.CN6B,
            displacement_ml=1498,
            seats=5,
            usage=Usage.PRIVATE,
            first_registration=date(2020, 5, 1),
            province_code=city_code[:2] + "0000",
            city_code=city_code,
            status=VehicleStatus.REGISTERED,
        )
        | overrides
    )
    row = Vehicle(**fields)
    session.add(row)
    session.flush()
    if owner is not None:
        session.add(
            Ownership(
                vehicle_id=row.id,
                start=row.first_registration,
                acquired=Acquisition.NEW,
                person_id=owner.id if isinstance(owner, Person) else None,
                dealer_id=owner.id if isinstance(owner, Dealer) else None,
            )
        )
        session.flush()
    return row


def user(
    session: Session,
    role: Role = Role.OWNER,
    *,
    email: str | None = None,
    province_code: str | None = None,
    dealer_row: Dealer | None = None,
    person_row: Person | None = None,
    consented: bool = True,
) -> User:
    row = accounts.create_user(
        session,
        email=email or f"{role.value}{next(_serial)}@example.cn",
        password=PASSWORD,
        display_name="测试用户",
        role=role,
        province_code=province_code or ("440000" if role.province_scoped else None),
        dealer_id=dealer_row.id if dealer_row else None,
    )
    if person_row is not None:
        row.person_id = person_row.id
        session.flush()
    if consented:  # as after sign-up; an account an administrator made has not yet
        privacy.consent(session, user_id=row.id)
    return row


def transfer_case(
    session: Session,
    vehicle: Vehicle,
    *,
    price_fen: int,
    mileage_km: int,
    sale_date: date,
    status: TransferStatus = TransferStatus.COMPLETED,
    buyer: Person | Dealer | None = None,
    destination_city_code: str = "510100",
) -> TransferCase:
    """A case selling the car from its current owner, filed by a new dealer's clerk."""
    seller = session.exec(
        select(Ownership).where(Ownership.vehicle_id == vehicle.id, Ownership.end.is_(None))
    ).one()
    clerk_dealer = dealer(session)
    clerk = user(session, Role.DEALER, dealer_row=clerk_dealer)
    buyer = buyer or person(session, name="李娜")
    company = isinstance(buyer, Dealer)
    case = TransferCase(
        number=f"TR44{next(_serial):012d}",
        dealer_id=clerk_dealer.id,
        created_by=clerk.id,
        vehicle_id=vehicle.id,
        seller_ownership_id=seller.id,
        buyer_kind=BuyerKind.COMPANY if company else BuyerKind.PERSON,
        buyer_name=buyer.name,
        buyer_id_hash=None if company else buyer.id_hash,
        buyer_id_masked=None if company else buyer.id_masked,
        buyer_uscc=buyer.uscc if company else None,
        origin_province_code=vehicle.province_code,
        origin_city_code=vehicle.city_code,
        destination_province_code=destination_city_code[:2] + "0000",
        destination_city_code=destination_city_code,
        price_fen=price_fen,
        sale_date=sale_date,
        mileage_km=mileage_km,
        vehicle_brand=vehicle.brand,
        vehicle_model=vehicle.model,
        vehicle_registered=vehicle.first_registration,
        status=status,
    )
    session.add(case)
    session.flush()
    return case


def find_user(session: Session, email: str) -> User:
    """The account with this email (fresh from the database)."""
    session.commit()  # end the read transaction: see what others committed
    session.expire_all()
    return session.exec(select(User).where(User.email == email)).one()


def image(image_format: str = "PNG", *, size=(24, 16), exif=None, **options) -> bytes:
    """A real (decodable) PNG or JPEG, optionally with EXIF, as a phone would send it."""
    import io

    from PIL import Image

    out = io.BytesIO()
    extra = {"exif": exif} if exif is not None else {}
    Image.new("RGB", size, (200, 40, 40)).save(out, image_format, **extra, **options)
    return out.getvalue()
