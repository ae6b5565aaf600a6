"""An administrator imports a new model catalog through the import machinery."""

import csv
import io

import pytest
from sqlmodel import func, select

from portal.accounts.models import Role
from portal.valuation import catalog
from portal.valuation import services as valuation
from portal.valuation.models import CarModel
from tests import factories

EN = {"Accept-Language": "en"}
NEW_TRIM = {
    "brand": "比亚迪",
    "series": "秦L",
    "model_year": "2026",
    "trim": "DM-i 120km 领先型",
    "body_type": "sedan",
    "fuel_type": "phev",
    "displacement_ml": "1498",
    "battery_kwh": "15.9",
    "emission_standard": "CN6b",
    "launch_price_yuan": "99800",
    "current_price_yuan": "99800",
    "nev_catalogue": "1",
    "source": "",
    "vehicle_class": "compact_car",
    "curb_weight_kg": "1600",
    "brand_en": "BYD",
    "series_en": "Qin L",
}


def catalog_csv(*rows: dict, header: tuple[str, ...] = catalog.HEADER) -> bytes:
    lines = [",".join(header)] + [",".join(row[c] for c in header) for row in rows]
    return ("\n".join(lines) + "\n").encode()


@pytest.fixture
def admin(client, auth, session):
    valuation.load_catalog(session)
    factories.user(session, Role.ADMIN, email="admin@example.cn")
    session.commit()
    auth.login("admin@example.cn")
    return client


def upload(client, content: bytes):
    return client.post(
        "/admin/catalog",
        data={"file": (io.BytesIO(content), "models.csv")},
        content_type="multipart/form-data",
        headers=EN,
    )


def models(session) -> int:
    session.commit()
    return session.exec(select(func.count()).select_from(CarModel)).one()


def test_a_new_catalog_adds_trims_and_reports_refused_rows(admin, session):
    before = models(session)
    bad = NEW_TRIM | {"trim": "错误燃料", "fuel_type": "coal"}
    response = upload(admin, catalog_csv(NEW_TRIM, bad))
    assert response.status_code == 303
    page = admin.get(response.headers["Location"], headers=EN).get_data(as_text=True)
    assert "Finished" in page and "2 of 2 rows" in page
    assert models(session) == before + 1
    report = admin.get(response.headers["Location"] + "/problems.csv", headers=EN)
    assert "coal is not a fuel type" in report.get_data(as_text=True)
    again = upload(admin, catalog_csv(NEW_TRIM))
    assert again.status_code == 303
    assert models(session) == before + 1  # the same file again changes nothing


def test_a_changed_price_updates_the_trim(admin, session):
    upload(admin, catalog_csv(NEW_TRIM))
    upload(admin, catalog_csv(NEW_TRIM | {"current_price_yuan": "89800"}))
    session.commit()
    trim = session.exec(select(CarModel).where(CarModel.trim == NEW_TRIM["trim"])).one()
    assert trim.current_price_fen == 8_980_000


def test_a_catalog_with_the_wrong_header_is_refused_next_to_the_field(admin):
    response = upload(admin, b"brand,series\n")
    assert response.status_code == 422
    assert "The first line must name the columns" in response.get_data(as_text=True)


def test_the_catalog_upload_asks_for_a_catalog_not_a_registry_extract(admin):
    """The catalog page's file field was labelled as the registry import's."""
    english = admin.get("/admin/catalog", headers=EN).get_data(as_text=True)
    assert '<label for="file">Model catalog (CSV, UTF-8)</label>' in english
    assert "Registry extract" not in english
    chinese = admin.get("/admin/catalog", headers={"Accept-Language": "zh-CN"}).get_data(
        as_text=True
    )
    assert "车型库文件（CSV格式，UTF-8编码）" in chinese and "登记数据文件" not in chinese
    registry = admin.get("/admin/imports", headers=EN).get_data(as_text=True)
    assert '<label for="file">Registry extract (CSV, UTF-8)</label>' in registry


@pytest.mark.parametrize("role", [Role.OWNER, Role.REVIEWER, Role.OFFICER])
def test_only_admins_import_catalogs(client, auth, session, role):
    factories.user(session, role, email="someone@example.cn")
    session.commit()
    auth.login("someone@example.cn")
    assert client.get("/admin/catalog").status_code == 403
    assert upload(client, catalog_csv(NEW_TRIM)).status_code == 403


def test_a_registry_job_is_not_shown_as_a_catalog_job(admin):
    assert admin.get("/admin/catalog/4242").status_code == 404


def test_registry_cars_imported_later_are_linked_to_their_trim(admin, session):
    from portal.registry.demo import demo_rows, write_csv
    from portal.registry.models import Vehicle

    extract = io.BytesIO()
    write_csv(demo_rows(12), extract)
    response = admin.post(
        "/admin/imports",
        data={"file": (io.BytesIO(extract.getvalue()), "extract.csv")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 303
    session.commit()
    linked = session.exec(select(Vehicle.car_model_id)).all()
    assert len(linked) == 12 and all(linked)


# --- English names (issue 14, point 10) -------------------------------------------------


def test_imported_english_names_show_in_english_and_chinese_stays_in_chinese(admin, session):
    assert upload(admin, catalog_csv(NEW_TRIM)).status_code == 303
    query = {"brand": "比亚迪", "series": "秦L"}
    english = admin.get("/valuation/", query_string=query, headers=EN).get_data(as_text=True)
    assert '<option selected value="秦L">Qin L</option>' in english
    assert '<option selected value="比亚迪">BYD</option>' in english
    chinese = admin.get(
        "/valuation/", query_string=query, headers={"Accept-Language": "zh-CN"}
    ).get_data(as_text=True)
    assert '<option selected value="秦L">秦L</option>' in chinese and "Qin L" not in chinese


def test_an_older_file_without_english_columns_imports_and_keeps_the_names(admin, session):
    form = admin.get("/admin/catalog", headers=EN).get_data(as_text=True)
    assert "brand_en and series_en" in form and "A file without these two columns" in form
    upload(admin, catalog_csv(NEW_TRIM))
    older = catalog.HEADERS[1]
    assert "brand_en" not in older
    cheaper = NEW_TRIM | {"current_price_yuan": "89800"}
    response = upload(admin, catalog_csv(cheaper, header=older))
    assert response.status_code == 303
    page = admin.get(response.headers["Location"], headers=EN).get_data(as_text=True)
    assert "Finished" in page and "1 of 1 rows" in page
    session.commit()
    trim = session.exec(select(CarModel).where(CarModel.trim == NEW_TRIM["trim"])).one()
    assert trim.current_price_fen == 8_980_000
    assert (trim.brand_en, trim.series_en) == ("BYD", "Qin L")  # not wiped by the older file


@pytest.mark.parametrize(
    "name",
    ["<script>alert(1)</script>", "=HYPERLINK(1)", "+1 Qin", "Qin\x07L", "Q" * 65],
)
def test_a_hostile_or_oversized_english_name_is_refused_next_to_its_row(admin, session, name):
    before = models(session)
    response = upload(admin, catalog_csv(NEW_TRIM | {"series_en": name}))
    assert response.status_code == 303
    page = admin.get(response.headers["Location"], headers=EN).get_data(as_text=True)
    assert "<script>alert" not in page
    report = admin.get(response.headers["Location"] + "/problems.csv", headers=EN)
    assert report.mimetype == "text/csv" and "attachment" in report.headers["Content-Disposition"]
    (line,) = list(csv.DictReader(io.StringIO(report.get_data(as_text=True).lstrip("\ufeff"))))
    refused = list(line.values())
    assert refused[0] == "2" and "series_en" in refused  # its line of the file, its column
    assert "does not allow" in refused[-1] or "longer than 64" in refused[-1]
    assert models(session) == before


def test_a_brand_as_wide_as_its_column_imports_and_a_wider_one_is_refused(admin, session):
    before = models(session)
    widest, wider = "B" * 32, "B" * 33  # car_model.brand is varchar(32)
    response = upload(admin, catalog_csv(NEW_TRIM | {"brand": widest}, NEW_TRIM | {"brand": wider}))
    report = admin.get(response.headers["Location"] + "/problems.csv", headers=EN)
    (line,) = list(csv.DictReader(io.StringIO(report.get_data(as_text=True).lstrip("\ufeff"))))
    assert list(line.values())[0] == "3" and "longer than 32" in list(line.values())[-1]
    assert models(session) == before + 1
