"""Logs and audit details carry no personal data; stalled imports end and resume; the audit
table refuses changes in the database itself."""

import logging
from datetime import timedelta
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from sqlmodel import select

from portal.accounts.models import Role
from portal.audit import AuditEvent, utcnow
from portal.identifiers import mask_resident_id
from portal.imports import services as imports
from portal.imports.models import ImportJob, ImportProblem, JobStatus
from portal.registry.demo import demo_rows
from portal.registry.models import Vehicle
from tests import factories
from tests import subsidy_helpers as h
from tests.test_registry_import import admin, extract, upload  # noqa: F401  (fixtures)
from tests.test_subsidy_apply import _new_car_form, _start
from tests.test_transfers import as_user, open_case, upload_all, world  # noqa: F401

EN = {"Accept-Language": "en"}


# --- database errors: nothing personal in the log or on the page ----------------------


@pytest.fixture
def failing(session):
    """Make the database refuse writes to a table (a real error, raised by a trigger)."""
    made = []

    def refuse(table: str, verb: str) -> None:
        name = f"refuse_{table}_{verb.lower()}"
        if session.bind.dialect.name == "postgresql":
            session.execute(
                text(
                    f"CREATE FUNCTION {name}() RETURNS trigger LANGUAGE plpgsql AS $$ "
                    "BEGIN RAISE EXCEPTION 'refused for the test'; END $$"
                )
            )
            session.execute(
                text(
                    f"CREATE TRIGGER {name} BEFORE {verb} ON {table} "
                    f"FOR EACH ROW EXECUTE FUNCTION {name}()"
                )
            )
        else:
            session.execute(
                text(
                    f"CREATE TRIGGER {name} BEFORE {verb} ON {table} "
                    "BEGIN SELECT RAISE(ABORT, 'refused for the test'); END"
                )
            )
        session.commit()
        made.append((name, table))

    yield refuse
    session.rollback()
    for name, table in made:  # PostgreSQL keeps one database for the whole run
        if session.bind.dialect.name == "postgresql":
            session.execute(text(f"DROP TRIGGER {name} ON {table}"))
            session.execute(text(f"DROP FUNCTION {name}()"))
        else:
            session.execute(text(f"DROP TRIGGER {name}"))
    session.commit()


@pytest.fixture
def errors_as_pages(app):
    """Answer an unexpected error with the 500 page, as production does (not re-raise)."""
    app.config["PROPAGATE_EXCEPTIONS"] = False
    return app


def test_a_database_error_on_a_password_change_logs_no_password_hash(
    client, auth, session, failing, errors_as_pages, caplog
):
    factories.user(session, Role.OWNER, email="wang@example.cn")
    session.commit()
    auth.login("wang@example.cn")
    failing("user_account", "UPDATE")
    new_password = "another-long-passphrase-2026"
    with caplog.at_level(logging.INFO):
        response = client.post(
            "/account/password",
            data={"current": factories.PASSWORD, "new": new_password, "confirm": new_password},
            headers=EN,
        )
    assert response.status_code == 500
    assert "refused for the test" in caplog.text  # the error was logged, with its reason
    assert "$argon2" not in caplog.text and new_password not in caplog.text
    assert "parameters hidden" in caplog.text
    page = response.get_data(as_text=True)
    assert "$argon2" not in page and "refused for the test" not in page


def test_a_database_error_on_the_bank_step_logs_no_card(
    client, auth, session, failing, errors_as_pages, caplog
):
    h.seed(session)
    applicant = h.Applicant(session)
    auth.login(applicant.email)
    base = _start(client)
    client.post(f"{base}/step/old-car", data={"vehicle_id": applicant.old_car.id})
    client.post(f"{base}/step/new-car", data=_new_car_form(applicant))
    failing("subsidy_application", "UPDATE")
    with caplog.at_level(logging.INFO):
        response = client.post(f"{base}/step/bank", data={"card": h.CARD, "bank": "工商银行"})
    assert response.status_code == 500
    assert "refused for the test" in caplog.text
    assert h.CARD not in caplog.text and h.CARD not in response.get_data(as_text=True)


def test_log_lines_are_redacted_whoever_writes_them(app, caplog):
    id_number, card = factories.resident_id(), h.CARD
    with caplog.at_level(logging.INFO):
        logging.getLogger("anything").warning("person %s paid to %s", id_number, card)
        try:
            raise ValueError(f"token pt_abcdefghijklmnop for {id_number}")
        except ValueError:
            logging.getLogger("portal").exception("failed")
    assert id_number not in caplog.text and card not in caplog.text
    assert "pt_abcdefghijklmnop" not in caplog.text
    assert mask_resident_id(id_number) in caplog.text and f"{card[:4]} **** **** " in caplog.text


def test_an_id_number_typed_into_a_reason_is_masked_in_the_audit_log(
    client,
    auth,
    session,
    world,  # noqa: F811
):
    case_url = open_case(client, auth, world)
    upload_all(client, case_url)
    client.post(case_url + "/submit")
    as_user(client, auth, "gd@example.cn")
    reason = f"卖方身份证 {world['seller_id']} 照片模糊"
    assert client.post(case_url + "/return", data={"reason": reason}).status_code == 303
    session.commit()
    event = session.exec(select(AuditEvent).where(AuditEvent.action == "return")).one()
    assert event.detail["reason"] == f"卖方身份证 {mask_resident_id(world['seller_id'])} 照片模糊"


# --- import files -------------------------------------------------------------------


def import_files(app) -> list[Path]:
    folder = Path(app.config["UPLOAD_FOLDER"]) / "imports"
    return list(folder.glob("*")) if folder.exists() else []


def test_an_import_deletes_its_upload_and_masks_id_numbers_in_the_report(app, admin):  # noqa: F811
    good = demo_rows(5)
    id_number, card = factories.resident_id(), h.CARD[:16]
    # A file whose columns slipped: an ID number where the VIN goes, a card in `usage`.
    bad = [good[0] | {"vin": id_number}, good[1] | {"usage": card}]
    response = upload(admin, extract(good[2:] + bad))
    assert response.status_code == 303
    assert import_files(app) == []  # finished: the clear ID numbers are gone from disk
    report = admin.get(response.headers["Location"] + "/problems.csv", headers=EN)
    content = report.get_data(as_text=True)
    assert id_number not in content and card not in content
    assert mask_resident_id(id_number) in content and f"{card[:4]} **** **** {card[-4:]}" in content
    assert report.headers["Cache-Control"] == "no-store"


def test_a_failed_import_deletes_its_upload_too(app, admin, session, failing):  # noqa: F811
    failing("vehicle", "INSERT")
    assert upload(admin, extract(demo_rows(3))).status_code == 303
    job = session.exec(select(ImportJob)).one()
    assert (job.status, job.stored_name) == (JobStatus.FAILED, "")
    assert import_files(app) == []


def test_the_cli_report_is_private(runner, tmp_path):
    path = tmp_path / "extract.csv"
    path.write_bytes(extract([demo_rows(1)[0] | {"seats": "-1"}]))
    assert runner.invoke(args=["registry", "import", str(path)]).exit_code == 0
    assert (tmp_path / "extract.errors.csv").stat().st_mode & 0o777 == 0o600


# --- stalled imports ------------------------------------------------------------------


def stalled_job(app, session, rows: int = 4, *, silent_for=timedelta(hours=1)) -> ImportJob:
    """A job whose consumer died mid-way: running, file kept, last heartbeat long ago."""
    with app.app_context(), app.test_request_context():
        job = imports.start_import(
            session,
            kind="registry",
            filename="extract.csv",
            content=extract(demo_rows(rows)),
            files=app.extensions["storage"],
            actor_id=None,
        )
    job.status, job.total_rows, job.processed_rows = JobStatus.RUNNING, rows, 2
    job.heartbeat_at = utcnow() - silent_for
    session.add(ImportProblem(job_id=job.id, line=2, field="vin", message="x", params={}))
    session.commit()
    return job


def test_a_silent_job_is_marked_failed_and_resumes_from_the_start(app, admin, session):  # noqa: F811
    job = stalled_job(app, session)
    page = admin.get(f"/admin/imports/{job.id}", headers=EN).get_data(as_text=True)
    assert "stopped answering" in page and "Resume the import" in page
    assert "every 1s" not in page
    session.expire_all()
    assert session.get(ImportJob, job.id).status is JobStatus.FAILED
    assert len(import_files(app)) == 1  # kept for the resume

    response = admin.post(f"/admin/imports/{job.id}/resume")
    assert response.status_code == 303
    session.expire_all()
    resumed = session.get(ImportJob, job.id)
    assert (resumed.status, resumed.attempt, resumed.processed_rows) == (JobStatus.DONE, 1, 4)
    assert resumed.created == 4 and resumed.failed == 0  # the old run's problems went
    assert len(session.exec(select(Vehicle)).all()) == 4
    assert import_files(app) == []
    actions = session.exec(
        select(AuditEvent.action).where(AuditEvent.entity == "import_job").order_by(AuditEvent.id)
    ).all()
    assert actions == ["queued", "stalled", "resumed", "finished"]
    assert admin.post(f"/admin/imports/{job.id}/resume").status_code == 409


def test_a_job_with_a_recent_heartbeat_keeps_running(app, admin, session):  # noqa: F811
    job = stalled_job(app, session, silent_for=timedelta(seconds=5))
    page = admin.get(f"/admin/imports/{job.id}", headers=EN).get_data(as_text=True)
    assert "every 1s" in page and "Resume" not in page
    assert admin.post(f"/admin/imports/{job.id}/resume").status_code == 409


def test_a_job_left_running_before_heartbeats_existed_is_marked_too(app, admin, session):  # noqa: F811
    job = stalled_job(app, session)
    job.heartbeat_at, job.created_at = None, utcnow() - timedelta(days=3)
    session.commit()
    page = admin.get("/admin/imports", headers=EN).get_data(as_text=True)
    assert "Failed" in page
    session.expire_all()
    assert session.get(ImportJob, job.id).resumable


def test_a_stalled_job_can_be_given_up_and_its_file_deleted(app, admin, session):  # noqa: F811
    job = stalled_job(app, session)
    admin.get("/admin/imports")  # the list marks it too
    assert admin.post(f"/admin/imports/{job.id}/discard").status_code == 303
    session.expire_all()
    assert session.get(ImportJob, job.id).stored_name == ""
    assert import_files(app) == []
    assert admin.post(f"/admin/imports/{job.id}/resume").status_code == 409


def test_a_superseded_run_stops_without_writing(app, session):
    job = stalled_job(app, session)
    job.status = JobStatus.FAILED  # marked stalled while its consumer was only slow
    session.commit()
    with app.app_context():
        run = ImportJob.model_validate(job.model_dump())
        run.status, run.attempt = JobStatus.RUNNING, job.attempt
        batch = [(2, demo_rows(1)[0])]
        engine = app.extensions["db_engine"]
        from portal.db import transaction

        with pytest.raises(imports.Superseded), transaction(engine) as batch_session:
            imports._run_batch(batch_session, imports.IMPORTERS["registry"], run, batch, {}, b"k")
    assert session.exec(select(Vehicle)).all() == []


@pytest.mark.parametrize("role", [Role.OWNER, Role.REVIEWER, Role.DEALER])
def test_only_administrators_resume_registry_imports(app, client, auth, session, role):
    job = stalled_job(app, session)
    dealer = factories.dealer(session) if role is Role.DEALER else None
    factories.user(session, role, email="someone@example.cn", dealer_row=dealer)
    session.commit()
    auth.login("someone@example.cn")
    assert client.post(f"/admin/imports/{job.id}/resume").status_code == 403
    assert client.post(f"/transfers/bulk/{job.id}/resume").status_code in (403, 404)


def test_resume_of_an_unknown_job_is_404(admin):  # noqa: F811
    assert admin.post("/admin/imports/4242/resume").status_code == 404
    assert admin.post("/admin/catalog/4242/discard").status_code == 404
    assert admin.post("/admin/other/1/resume").status_code == 404


# --- the audit table ------------------------------------------------------------------


def test_the_audit_table_refuses_updates_and_deletes(admin, session):  # noqa: F811
    upload(admin, extract(demo_rows(2)))
    session.commit()
    assert session.exec(select(AuditEvent)).all()
    for statement in (
        "UPDATE audit_event SET action = 'forged'",
        "DELETE FROM audit_event",
    ):
        with pytest.raises(DBAPIError, match="append-only"):
            session.execute(text(statement))
        session.rollback()
    session.add(AuditEvent(entity="test", entity_id=1, action="inserted"))
    session.commit()  # inserting stays allowed
