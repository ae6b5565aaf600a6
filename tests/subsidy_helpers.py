"""Arranging subsidy applications for tests: programs, an applicant with an old car, and
applications taken to any state through the services (the HTTP tests walk the pages)."""

from dataclasses import replace
from datetime import date, timedelta

from sqlmodel import Session

from portal.accounts.models import Role
from portal.audit import china_today
from portal.cards import DEV_CARD_KEYS, CardKeys
from portal.identifiers import resident_id_hash
from portal.registry.terms import BodyType, FuelType
from portal.storage import Storage
from portal.subsidy import program_lookup
from portal.subsidy.apply import services, submission
from portal.subsidy.models import Application, Program
from portal.subsidy.programs import services as administration
from portal.subsidy.review import services as review
from portal.subsidy.rules.papers import required_documents
from portal.subsidy.terms import Kind
from tests import factories
from tests.factories import KEY

CARD_KEYS = CardKeys.parse(DEV_CARD_KEYS)  # the app's default in the tests

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
GUANGDONG = "440000"
CARD = "6217000010000000003"  # passes the Luhn check


def seed(session: Session, *provinces: str) -> None:
    """The national programs of the given provinces (Guangdong by default)."""
    administration.seed_programs(session, list(provinces) or [GUANGDONG])
    session.commit()


def program(session: Session, kind: Kind = Kind.SCRAPPING, province: str = GUANGDONG) -> Program:
    """This year's program of that kind in the province (seeded)."""
    return program_lookup.current_program(
        session, province_code=province, kind=kind, today=china_today()
    )


class Applicant:
    """An owner account linked to a registry person who holds an old petrol car."""

    def __init__(self, session: Session, *, id_number: str | None = None, **old_car):
        self.id_number = id_number or factories.resident_id()
        self.person = factories.person(session, name="陈建华", id_number=self.id_number)
        self.user = factories.user(session, Role.OWNER, person_row=self.person)
        defaults = dict(first_registration=date(2012, 9, 18), city_code="440100")
        self.old_car = factories.vehicle(
            session, owner=self.person, plate=None, **(defaults | old_car)
        )
        session.commit()

    @property
    def email(self) -> str:
        return self.user.email


def new_car_entry(applicant: Applicant, **changes) -> services.NewCarEntry:
    """A new BYD NEV at ¥168,000 bought and registered in Guangzhou a few days ago."""
    today = china_today()
    entry = services.NewCarEntry(
        vin=factories.vin(wmi="LC0"),
        plate=f"粤AD{factories.next_serial() % 100000:05d}",
        brand="比亚迪",
        model="海豹",
        body_type=BodyType.SEDAN,
        seats=5,
        fuel_type=FuelType.BEV,
        displacement_ml=None,
        registration_date=today - timedelta(days=2),
        invoice_number="44001234",
        invoice_date=today - timedelta(days=5),
        invoice_price_fen=16_800_000,
        invoice_city_code="440100",
        invoice_buyer_id_hash=resident_id_hash(applicant.id_number, KEY),
    )
    return replace(entry, **changes)


def draft(
    session: Session,
    applicant: Applicant,
    *,
    kind: Kind = Kind.SCRAPPING,
    province: str = GUANGDONG,
    entry: services.NewCarEntry | None = None,
    files: Storage,
) -> Application:
    """A draft with every step filled and every paper uploaded, ready to submit."""
    today = china_today()
    application = services.start(
        session, user=applicant.user, kind=kind, province_code=province, today=today
    )
    services.choose_old_car(session, application=application, vehicle_id=applicant.old_car.id)
    services.save_new_car(session, application=application, entry=entry or new_car_entry(applicant))
    services.save_bank_card(
        session, application=application, card=CARD, bank="中国工商银行", keys=CARD_KEYS
    )
    for paper in required_documents(kind):
        services.upload_document(
            session,
            user=applicant.user,
            application=application,
            kind=paper,
            filename=f"{paper.value}.pdf",
            content=PDF,
            files=files,
            today=today,
        )
    session.commit()
    return application


def submitted(session: Session, applicant: Applicant, *, files: Storage, **options) -> Application:
    """An application submitted and waiting in the province's queue."""
    application = draft(session, applicant, files=files, **options)
    submission.submit(session, user=applicant.user, application=application, today=china_today())
    session.commit()
    return application


def approved(session: Session, applicant: Applicant, reviewer, *, files: Storage, **options):
    """An application approved by reviewer (its amount reserved)."""
    application = submitted(session, applicant, files=files, **options)
    review.approve(session, user=reviewer, application=application, today=china_today())
    session.commit()
    return application
