"""One import job run by a real Huey consumer in another process (ARCHITECTURE, jobs).

The rest of the suite runs tasks in immediate mode; this test queues the task from one
process into Huey's SQLite storage and lets `huey_consumer` run it against the test
database, as `make run` and production do.
"""

import io
import os
import subprocess
import sys
import time
from pathlib import Path

from portal.accounts.models import Role
from portal.imports import services as imports
from portal.imports.models import ImportJob, JobStatus
from portal.registry.demo import demo_rows, write_csv
from tests import factories

BIN = Path(sys.executable).parent


def test_a_consumer_in_another_process_runs_a_queued_import(app, session, tmp_path):
    admin = factories.user(session, Role.ADMIN)
    extract = io.BytesIO()
    write_csv(demo_rows(25), extract)
    job = imports.start_import(
        session,
        kind="registry",
        filename="extract.csv",
        content=extract.getvalue(),
        files=app.extensions["storage"],
        actor_id=admin.id,
    )
    session.commit()
    env = os.environ | {
        "DATABASE_URL": app.config["DATABASE_URL"],
        "UPLOAD_FOLDER": app.config["UPLOAD_FOLDER"],
        "ID_HASH_KEY": app.config["ID_HASH_KEY"],
        "HUEY_SQLITE_PATH": str(tmp_path / "huey.db"),
    }
    env.pop("HUEY_REDIS_URL", None)
    queue = f"from portal.tasks import run_import; run_import({job.id})"
    subprocess.run([sys.executable, "-c", queue], env=env, check=True, timeout=60)
    log = tmp_path / "consumer.log"
    with log.open("wb") as output:
        consumer = subprocess.Popen(
            [str(BIN / "huey_consumer"), "portal.tasks.huey", "--workers", "1"],
            env=env,
            stdout=output,
            stderr=subprocess.STDOUT,
        )
        try:
            finished = _wait_for_job(session, job.id, timeout=60)
        finally:
            consumer.terminate()
            consumer.wait(10)
    assert finished.status is JobStatus.DONE, log.read_text()[-2000:]
    assert finished.created == 25


def _wait_for_job(session, job_id: int, timeout: float) -> ImportJob:
    deadline = time.monotonic() + timeout
    while True:
        session.commit()
        session.expire_all()
        job = session.get(ImportJob, job_id)
        if job.status in (JobStatus.DONE, JobStatus.FAILED) or time.monotonic() > deadline:
            return job
        time.sleep(0.2)
