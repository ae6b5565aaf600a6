"""Importing the authority's registry extract: from the command line and the admin page."""

import csv
import io

import pytest
from sqlmodel import func, select

from portal.accounts.models import Role
from portal.audit import AuditEvent
from portal.registry.demo import HEADER, demo_rows
from portal.registry.models import Ownership, Vehicle
from portal.registry.services import plate_history
from tests import factories


def extract(rows) -> bytes:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=HEADER)
    writer.writeheader()
    writer.writerows(rows)
    return buffer.getvalue().encode()


def bad_rows(good):
    """Rows with one fault each, built from good ones; lines 2.. of the file."""
    base = good[0]
    return [
        base | {"vin": base["vin"][:8] + ("0" if base["vin"][8] != "0" else "1") + base["vin"][9:]},
        base | {"vin": "LSVAB21X0N000000I"},
        good[1] | {"plate": "粤Z12345"},
        good[2] | {"first_registration": "2031-01-01"},
        good[3] | {"fuel_type": "steam"},
        good[4] | {"owner_id": "44010619850312001"},
        good[5] | {"city_code": "999999"},
        good[6] | {"seats": "-2"},
    ]


def count(session, model):
    return session.exec(select(func.count()).select_from(model)).one()


def test_cli_import_keeps_good_rows_and_reports_bad_ones(runner, session, tmp_path):
    good = demo_rows(60)
    path = tmp_path / "extract.csv"
    path.write_bytes(extract(good[8:] + bad_rows(good) + [good[9]]))
    result = runner.invoke(args=["registry", "import", str(path)])
    assert result.exit_code == 0, result.output
    assert "52 created, 0 updated, 0 unchanged, 9 refused." in result.output
    report = list(csv.DictReader(io.StringIO((tmp_path / "extract.errors.csv").read_text())))
    reasons = {(row["line"], row["field"]): row["reason"] for row in report}
    assert "should be" in reasons[("54", "vin")]  # the check digit, with the expected value
    assert "letter I" in reasons[("55", "vin")]
    assert reasons[("56", "plate")] == "粤Z is not a city's plate prefix."
    assert ("57", "first_registration") in reasons
    assert "steam" in reasons[("58", "fuel_type")]
    assert ("59", "owner_id") in reasons
    assert ("60", "city_code") in reasons
    assert ("61", "seats") in reasons
    assert reasons[("62", "vin")] == "Appears already on line 3."
    assert count(session, Vehicle) == 52


def test_reimporting_the_same_file_changes_nothing(runner, session, tmp_path):
    path = tmp_path / "extract.csv"
    path.write_bytes(extract(demo_rows(40)))
    runner.invoke(args=["registry", "import", str(path)])
    events = count(session, AuditEvent)
    result = runner.invoke(args=["registry", "import", str(path)])
    assert "0 created, 0 updated, 40 unchanged, 0 refused." in result.output
    assert count(session, AuditEvent) == events + 2  # the second job's queued and finished
    assert count(session, Vehicle) == 40
    assert count(session, Ownership) == 40


def test_a_new_owner_in_a_later_extract_extends_the_history(runner, session, tmp_path):
    rows = demo_rows(20)
    path = tmp_path / "extract.csv"
    path.write_bytes(extract(rows))
    runner.invoke(args=["registry", "import", str(path)])
    moved = rows[0] | {
        "owner_name": "赵敏",
        "owner_id": factories.resident_id(),
        "owner_since": "2026-06-01",
        "owner_type": "person",
        "mortgaged": "1",
    }
    path.write_bytes(extract([moved]))
    result = runner.invoke(args=["registry", "import", str(path)])
    assert "0 created, 1 updated" in result.output
    vehicle = session.exec(select(Vehicle).where(Vehicle.vin == rows[0]["vin"])).one()
    assert vehicle.mortgaged
    periods = session.exec(
        select(Ownership).where(Ownership.vehicle_id == vehicle.id).order_by(Ownership.start)
    ).all()
    assert [str(p.end) for p in periods] == ["2026-06-01", "None"]


def test_cli_refuses_a_file_with_the_wrong_header(runner, tmp_path):
    path = tmp_path / "wrong.csv"
    path.write_text("vin,plate\nLSV,粤B1\n")
    result = runner.invoke(args=["registry", "import", str(path)])
    assert result.exit_code != 0
    assert "The first line must name the columns" in result.output


@pytest.fixture
def admin(client, auth, session):
    factories.user(session, Role.ADMIN, email="admin@example.cn")
    session.commit()
    auth.login("admin@example.cn")
    return client


def upload(client, content: bytes, name="extract.csv"):
    return client.post(
        "/admin/imports",
        data={"file": (io.BytesIO(content), name)},
        content_type="multipart/form-data",
        headers={"Accept-Language": "en"},
    )


def test_admin_upload_runs_the_import_and_shows_progress(admin, session):
    good = demo_rows(30)
    response = upload(admin, extract(good + bad_rows(good)[:2]))
    assert response.status_code == 303
    job_page = admin.get(response.headers["Location"], headers={"Accept-Language": "en"})
    page = job_page.get_data(as_text=True)
    assert "Finished" in page
    assert "32 of 32 rows" in page
    assert "every 1s" not in page  # a finished job stops polling
    assert count(session, Vehicle) == 30
    report = admin.get(
        response.headers["Location"] + "/problems.csv", headers={"Accept-Language": "en"}
    )
    assert report.mimetype == "text/csv"
    lines = report.get_data(as_text=True).lstrip("\ufeff").splitlines()
    assert lines[0].split(",")[:2] == ["Line", "VIN"]
    assert lines[1].startswith("32,") or lines[1].startswith("31,")


def test_running_job_partial_polls(admin, session):
    from portal.imports.models import ImportJob, JobStatus

    job = ImportJob(
        kind="registry",
        filename="x.csv",
        stored_name="x.csv",
        status=JobStatus.RUNNING,
        total_rows=100,
        processed_rows=40,
    )
    session.add(job)
    session.commit()
    response = admin.get(f"/admin/imports/{job.id}", headers={"HX-Request": "true"})
    page = response.get_data(as_text=True)
    assert "<html" not in page
    assert 'hx-trigger="every 1s"' in page
    assert 'value="40"' in page


@pytest.mark.parametrize(
    ("content", "name", "message"),
    [
        (b"vin,plate\n", "extract.csv", "The first line must name the columns"),
        ("vin,plate\n".encode("gbk") + "粤".encode("gbk"), "extract.csv", "UTF-8"),
        (b"", "extract.txt", "Only .csv files can be imported."),
    ],
)
def test_admin_upload_refuses_bad_files_next_to_the_field(admin, content, name, message):
    response = upload(admin, content, name)
    assert response.status_code == 422
    assert message in response.get_data(as_text=True)


def test_admin_upload_without_a_file(admin):
    response = admin.post("/admin/imports", data={}, headers={"Accept-Language": "en"})
    assert response.status_code == 422
    assert "Choose a CSV file." in response.get_data(as_text=True)


def test_oversized_upload_is_refused(app, admin):
    app.config["MAX_CONTENT_LENGTH"] = 1024
    response = upload(admin, b"x" * 4096)
    assert response.status_code == 413


@pytest.mark.parametrize("role", [Role.OWNER, Role.OFFICER, Role.DEALER])
def test_only_admins_import(client, auth, session, role):
    dealer = factories.dealer(session) if role is Role.DEALER else None
    factories.user(session, role, email="someone@example.cn", dealer_row=dealer)
    session.commit()
    auth.login("someone@example.cn")
    assert client.get("/admin/imports").status_code == 403
    assert upload(client, extract(demo_rows(5))).status_code == 403


def test_problem_report_of_a_missing_job(admin):
    assert admin.get("/admin/imports/4242/problems.csv").status_code == 404


def test_a_row_refused_while_writing_names_its_vin_in_the_report(admin):
    first, second = demo_rows(2)[:2]
    upload(admin, extract([first]))
    taken = second | {"plate": first["plate"]}  # a plate the registry gave another car
    response = upload(admin, extract([taken]))
    report = admin.get(
        response.headers["Location"] + "/problems.csv", headers={"Accept-Language": "en"}
    )
    lines = report.get_data(as_text=True).lstrip("\ufeff").splitlines()
    assert len(lines) == 2, lines
    assert lines[1].startswith(f"2,{taken['vin']},"), lines[1]


def test_the_refused_rows_report_runs_no_formula(admin, session):
    """A typed `=HYPERLINK(…)` comes back as text, in problems.csv and the CLI's report."""
    good = demo_rows(3)
    hostile = '=HYPERLINK("http://evil.example","x")'
    response = upload(admin, extract(good + [good[0] | {"vin": hostile}]))
    report = admin.get(response.headers["Location"] + "/problems.csv")
    rows = list(csv.reader(io.StringIO(report.get_data(as_text=True).lstrip("\ufeff"))))
    cells = [cell for row in rows for cell in row]
    assert any(cell.upper().startswith("'=HYPERLINK(") for cell in cells)  # shown, not run
    assert not any(cell.startswith(("=", "+", "-", "@")) for cell in cells)


def test_a_new_plate_in_a_later_extract_extends_the_plate_history(runner, session, tmp_path):
    """DOMAIN §2.3: the registry keeps every plate a car has had, whoever changed it."""
    rows = demo_rows(20)
    path = tmp_path / "extract.csv"
    path.write_bytes(extract(rows))
    runner.invoke(args=["registry", "import", str(path)])
    renumbered = rows[0] | {"plate": rows[0]["plate"][:2] + "9Z999"}
    path.write_bytes(extract([renumbered]))
    assert "0 created, 1 updated" in runner.invoke(args=["registry", "import", str(path)]).output
    vehicle = session.exec(select(Vehicle).where(Vehicle.vin == rows[0]["vin"])).one()
    history = plate_history(session, vehicle.id)  # newest first
    assert [(h.plate, h.end is None) for h in history] == [
        (renumbered["plate"], True),
        (rows[0]["plate"], False),
    ]
