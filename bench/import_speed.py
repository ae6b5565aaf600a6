"""The registry import at national size, against COPY of the same rows into the same tables."""

import time
from pathlib import Path

from sqlalchemy import text

from bench import national
from bench.registry_import import timed_import
from portal import storage

# --- the import ----------------------------------------------------------------------------


def measure_import(app, folder: Path, rows: int = 100_000) -> dict:
    """Import `rows` new registry rows into the national registry, beside COPY of the same.

    Each run imports an extract of its own (the demo generator with the run's number as
    its seed, cached in /tmp), so its rows are new to the registry. The yardstick COPYs
    the same rows into vehicle, person, ownership and audit_event, with all their indexes,
    and rolls back.
    """
    from portal.registry.demo import demo_rows, write_csv

    engine = app.extensions["db_engine"]
    with engine.connect() as c:
        seed = 100 + c.execute(text("SELECT count(*) FROM import_job")).scalar()
    extract = Path(f"/tmp/portal-load-extract-{rows}-{seed}.csv")
    if not extract.exists():
        print(f"Writing a {rows:,}-row extract (seed {seed}) ...")
        generated = demo_rows(rows, seed=seed)
        write_csv(generated, extract)
    copy_rows, copy_seconds = copy_yardstick(engine, extract)
    app.extensions["storage"] = storage.Folder(str(folder / "uploads"))
    with app.app_context():
        job, seconds = timed_import(app, extract)
    result = {"rows": rows, "seconds": seconds, "copy_rate": copy_rows / copy_seconds}
    result |= {"created": job.created, "failed": job.failed}
    print(
        f"Import of {rows:,} rows: {seconds:.1f} s ({job.created:,} created, {job.failed:,}"
        f" refused); COPY of the same rows: {copy_rows:,} in {copy_seconds:.1f} s"
    )
    return result


def copy_yardstick(engine, extract: Path) -> tuple[int, float]:
    """Rows and seconds to COPY the extract's cars, owners, ownerships and the audit event
    the import must write with each car (DOMAIN §6: every change audited), rolled back."""
    import csv

    from portal.identifiers import mask_resident_id

    with extract.open(encoding="utf-8") as file:
        rows = list(csv.DictReader(file))
    raw = engine.raw_connection()
    try:
        cursor = raw.cursor()
        # Plates the registry gave other cars would stop COPY: leave those rows out.
        plates = [row["plate"] for row in rows if row["plate"]]
        taken = {
            p
            for (p,) in cursor.execute("SELECT plate FROM vehicle WHERE plate = ANY(%s)", [plates])
        }
        rows = [row for row in rows if row["plate"] not in taken]
        first = cursor.execute("SELECT max(id) FROM vehicle").fetchone()[0] + 1
        person = cursor.execute("SELECT max(id) FROM person").fetchone()[0] + 1
        started = time.perf_counter()
        with cursor.copy(
            f"COPY vehicle ({', '.join(national.VEHICLE_COLUMNS)}) FROM STDIN"
        ) as copy:
            for n, row in enumerate(rows):
                copy.write_row(
                    (first + n, row["vin"], row["plate"] or None, row["brand"], row["model"])
                    + (row["body_type"], row["fuel_type"], row["emission_standard"] or None)
                    + (row["displacement_ml"] or None, row["battery_kwh"] or None, row["seats"])
                    + (row["usage"], row["first_registration"], "440000", row["city_code"])
                    + (row["status"], row["mortgaged"] == "1", row["seized"] == "1")
                    + (row["unpaid_violations"], "now", "now", None)
                )
        with cursor.copy(
            "COPY person (id, name, id_hash, id_masked, created_at) FROM STDIN"
        ) as copy:
            for n, row in enumerate(rows):
                number = row["owner_id"]
                masked = mask_resident_id(number) if len(number) == 18 else number[:18]
                copy.write_row((person + n, row["owner_name"], f"copy{n}", masked, "now"))
        columns = ", ".join(f'"{c}"' for c in national.OWNERSHIP_COLUMNS)
        with cursor.copy(f"COPY ownership ({columns}) FROM STDIN") as copy:
            for n, row in enumerate(rows):
                copy.write_row(
                    (first + n, first + n, person + n, None, row["owner_since"], None, "new", "now")
                )
        audit = "COPY audit_event (at, entity, entity_id, action, to_state) FROM STDIN"
        with cursor.copy(audit) as copy:
            for n, row in enumerate(rows):
                copy.write_row(("now", "vehicle", first + n, "imported", row["status"]))
        seconds = time.perf_counter() - started
    finally:
        raw.rollback()
        raw.close()
    return len(rows), seconds
