"""Personal data at rest: sealed cards and key rotation, private files, clean uploads, no-store."""

import io
import stat
from pathlib import Path

import pytest
from PIL import Image
from sqlalchemy import text
from sqlmodel import select

from portal.cards import DEV_CARD_KEYS, new_key
from portal.subsidy.models import Application, ApplicationDocument
from portal.transfer.models import TransferDocument
from tests import subsidy_helpers as h
from tests.test_subsidy_apply import _new_car_form, _start
from tests.test_subsidy_payouts import admin, approved, make_batch  # noqa: F401  (fixtures)
from tests.test_transfers import EN, PDF, open_case, world  # noqa: F401  (fixtures)

CARD = h.CARD


@pytest.fixture
def applicant(session):
    h.seed(session)
    return h.Applicant(session)


def stored_cards(session) -> list[tuple[str, str]]:
    """The card columns as the database holds them."""
    session.commit()
    query = "SELECT bank_card_sealed, bank_card_masked FROM subsidy_application"
    return [tuple(row) for row in session.execute(text(query))]


def draft_with_card(client, auth, applicant) -> str:
    auth.login(applicant.email)
    base = _start(client)
    client.post(f"{base}/step/old-car", data={"vehicle_id": applicant.old_car.id})
    client.post(f"{base}/step/new-car", data=_new_car_form(applicant))
    response = client.post(f"{base}/step/bank", data={"card": CARD, "bank": "中国工商银行"})
    assert response.status_code == 303, response.get_data(as_text=True)
    return base


# --- bank cards ---------------------------------------------------------------------


def test_a_card_is_stored_sealed_and_shown_masked(client, auth, session, applicant):
    base = draft_with_card(client, auth, applicant)
    [(sealed, masked)] = stored_cards(session)
    assert sealed.startswith("dev:") and CARD not in sealed and CARD[-8:] not in sealed
    assert masked == f"{CARD[:4]} **** **** {CARD[-4:]}"
    page = client.get(f"{base}/step/review", headers=EN).get_data(as_text=True)
    assert masked in page and CARD not in page


def test_a_sealed_card_does_not_open_on_another_row(session, applicant, app):
    from portal.cards import CardKeyError, CardKeys, unseal

    files = app.extensions["storage"]
    first = h.draft(session, applicant, files=files)
    session.commit()
    with pytest.raises(CardKeyError):
        unseal(CardKeys.parse(DEV_CARD_KEYS), first.bank_card_sealed, row_id=first.id + 1)


def test_rotation_reseals_every_card_and_the_bank_file_still_reads(
    app,
    runner,
    admin,  # noqa: F811
    session,
    approved,  # noqa: F811
):
    fresh_keys = f"k2026={new_key()}"
    app.config["CARD_KEYS"] = f"{fresh_keys},{DEV_CARD_KEYS}"
    result = runner.invoke(args=["keys", "rotate-cards"])
    assert result.exit_code == 0, result.output
    assert "2 card numbers re-sealed under key k2026" in result.output
    assert all(sealed.startswith("k2026:") for sealed, _ in stored_cards(session))
    again = runner.invoke(args=["keys", "rotate-cards"])
    assert "0 card numbers" in again.output

    app.config["CARD_KEYS"] = fresh_keys  # the old key is retired
    bank = admin.get(f"{make_batch(admin)}/bank.csv")
    assert bank.status_code == 200
    assert bank.get_data(as_text=True).count(CARD) == 2
    assert bank.headers["Cache-Control"] == "no-store"


def test_production_needs_card_keys():
    from portal.config import from_environment

    environment = {"PORTAL_ENV": "production", "SECRET_KEY": "s", "ID_HASH_KEY": "i"}
    environment["RATELIMIT_STORAGE_URI"] = "redis://127.0.0.1:6379/0"
    with pytest.raises(RuntimeError, match="CARD_KEYS"):
        from_environment(environment)
    assert from_environment(environment | {"CARD_KEYS": f"a={new_key()}"})["PRODUCTION"]


# A fixed well-formed key (not new_key()), so every pytest-xdist worker collects the same ids.
WELL_FORMED_KEY = "A" * 43 + "="


@pytest.mark.parametrize(
    "value", ["nokey", "a=short", "a=" + "x" * 44, "bad id=" + WELL_FORMED_KEY]
)
def test_a_malformed_card_key_stops_the_app(database_url, value):
    from portal import create_app
    from portal.cards import CardKeyError

    with pytest.raises(CardKeyError):
        create_app({"DATABASE_URL": database_url, "CARD_KEYS": value})


# --- files on disk ------------------------------------------------------------------


def modes_under(folder: Path) -> set[tuple[str, int]]:
    """(kind, permission bits) of everything under folder, the folder included."""
    paths = [folder, *folder.rglob("*")]
    return {("dir" if p.is_dir() else "file", stat.S_IMODE(p.stat().st_mode)) for p in paths}


def test_uploaded_papers_are_private_to_the_portal(app, client, auth, session, applicant):
    base = draft_with_card(client, auth, applicant)
    response = client.post(
        f"{base}/step/documents",
        data={"kind": "resident_id", "file": (io.BytesIO(h.PDF), "id.pdf")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 303
    assert modes_under(Path(app.config["UPLOAD_FOLDER"])) == {("dir", 0o700), ("file", 0o600)}


def upload_paper(client, base, content, name, kind="resident_id"):
    return client.post(
        f"{base}/step/documents",
        data={"kind": kind, "file": (io.BytesIO(content), name)},
        content_type="multipart/form-data",
    )


def download(client, url):
    """A file response, read and closed (send_file keeps the file open until then)."""
    response = client.get(url)
    response.get_data()
    response.close()
    return response


GPS_EXIF = Image.Exif()
GPS_EXIF[0x010F] = "PhoneMaker"
GPS_EXIF[0x0112] = 6  # rotated: the stored image must come out upright
GPS_EXIF[0x8825] = {1: "N", 2: (23.0, 7.0, 30.0), 3: "E", 4: (113.0, 15.0, 10.0)}


@pytest.mark.parametrize("image_format", ["JPEG", "PNG"])
def test_photos_lose_their_exif_and_gps(client, auth, session, applicant, image_format):
    base = draft_with_card(client, auth, applicant)
    photo = h.factories.image(image_format, size=(40, 20), exif=GPS_EXIF)
    assert b"PhoneMaker" in photo
    assert upload_paper(client, base, photo, "id.jpg").status_code == 303
    served = download(client, f"{base.replace('/step', '')}/documents/resident_id").data
    assert b"PhoneMaker" not in served and b"Exif" not in served
    image = Image.open(io.BytesIO(served))
    assert not image.getexif() and image.size == (20, 40)  # turned upright


def test_an_unreadable_image_is_refused_next_to_the_field(app, client, auth, world):  # noqa: F811
    # The transfer page: the subsidy papers step's refusals are issue 10's "bad input" part.
    case_url = open_case(client, auth, world)
    response = client.post(
        case_url + "/documents",
        data={"kind": "seller_id", "file": (io.BytesIO(b"\xff\xd8\xff\xe0" + bytes(40)), "a.jpg")},
        content_type="multipart/form-data",
        headers=EN,
    )
    assert response.status_code == 422
    assert "The image cannot be read" in response.get_data(as_text=True)
    assert stored_files(app) == set()


HOSTILE_NAME = "invoice\u202egpj.exe\x07\t.pdf"


def test_a_paper_named_with_direction_characters_is_stored_clean(client, auth, session, applicant):
    base = draft_with_card(client, auth, applicant)
    assert upload_paper(client, base, h.PDF, HOSTILE_NAME).status_code == 303
    session.commit()
    paper = session.exec(select(ApplicationDocument)).one()
    assert paper.filename == "invoicegpj.exe.pdf"
    response = download(client, f"{base.replace('/step', '')}/documents/resident_id")
    assert "\u202e" not in response.headers["Content-Disposition"]


def stored_files(app) -> set[str]:
    folder = Path(app.config["UPLOAD_FOLDER"])
    return {path.name for path in folder.rglob("*") if path.is_file()}


def test_a_new_paper_replaces_the_old_file(app, client, auth, session, applicant):
    base = draft_with_card(client, auth, applicant)
    upload_paper(client, base, h.PDF, "first.pdf")
    upload_paper(client, base, h.PDF + b"%second", "second.pdf")
    session.commit()
    paper = session.exec(select(ApplicationDocument)).one()
    assert stored_files(app) == {paper.stored_name}


def test_a_refused_upload_leaves_no_file(app, client, auth, session, applicant):
    base = draft_with_card(client, auth, applicant)
    upload_paper(client, base, h.PDF, "first.pdf")
    before = stored_files(app)
    response = upload_paper(client, base, h.PDF, "x.pdf", kind="no-such-kind")
    assert response.status_code == 422
    assert stored_files(app) == before


def test_a_new_transfer_document_replaces_the_old_file(app, client, auth, session, world):  # noqa: F811
    case_url = open_case(client, auth, world)
    for name in ("seller.pdf", HOSTILE_NAME):
        response = client.post(
            case_url + "/documents",
            data={"kind": "seller_id", "file": (io.BytesIO(PDF), name)},
            content_type="multipart/form-data",
        )
        assert response.status_code == 303
    session.commit()
    document = session.exec(select(TransferDocument)).one()
    assert document.filename == "invoicegpj.exe.pdf"
    assert stored_files(app) == {document.stored_name}
    assert modes_under(Path(app.config["UPLOAD_FOLDER"])) == {("dir", 0o700), ("file", 0o600)}


# --- caches -------------------------------------------------------------------------


def test_personal_pages_and_downloads_are_not_stored_by_caches(client, auth, session, applicant):
    assert "no-store" not in client.get("/valuation/").headers.get("Cache-Control", "")
    base = draft_with_card(client, auth, applicant)
    static = download(client, "/static/css/portal.css")  # signed in: still cacheable
    assert "no-store" not in static.headers.get("Cache-Control", "")
    upload_paper(client, base, h.PDF, "id.pdf")
    application = base.replace("/step", "")
    for url in ("/account", "/subsidies/", f"{base}/step/review", "/my/vehicles"):
        response = client.get(url)
        assert response.status_code == 200, url
        assert response.headers["Cache-Control"] == "no-store", url
    paper = download(client, f"{application}/documents/resident_id")
    assert paper.headers["Cache-Control"] == "no-store"


def test_an_application_row_keeps_no_clear_card_anywhere(client, auth, session, applicant):
    draft_with_card(client, auth, applicant)
    session.commit()
    row = session.exec(select(Application)).one()
    assert CARD not in repr(row.model_dump())


def test_the_migration_seals_cards_stored_in_clear(app, session, applicant, monkeypatch):
    from alembic import command

    from portal.cards import CardKeys, unseal
    from portal.migrate import alembic_config, upgrade

    draft = h.draft(session, applicant, files=app.extensions["storage"])
    session.commit()
    session.close()
    url = app.config["DATABASE_URL"]
    app.extensions["db_engine"].dispose()
    migration_keys = f"m1={new_key()}"
    monkeypatch.setenv("CARD_KEYS", f"{migration_keys},{DEV_CARD_KEYS}")  # m1 seals
    try:
        command.downgrade(alembic_config(url), "0008")  # back to cards in clear
        clear = session.execute(text("SELECT bank_card FROM subsidy_application")).scalar_one()
        assert clear == CARD
        session.rollback()
        session.close()
    finally:
        upgrade(url)
    [(sealed, masked)] = stored_cards(session)
    assert sealed.startswith("m1:") and CARD not in sealed
    assert unseal(CardKeys.parse(migration_keys), sealed, row_id=draft.id) == CARD
    assert masked == f"{CARD[:4]} **** **** {CARD[-4:]}"
