"""Benchmark: import a registry extract of N rows into a fresh database, then again.

Usage: .venv/bin/python bench/registry_import.py [--rows 100000] [--database-url URL]
Without --database-url, a temporary SQLite file is used. Prints rows per second for the
first import (all new) and the re-import (all unchanged). The generated extract is cached
in the temporary folder (demo_rows is deterministic and takes ~40 s for 100,000 rows);
--fresh generates it again.
"""

import argparse
import shutil
import tempfile
import time
from pathlib import Path

from sqlalchemy import create_engine, text

from portal import create_app, migrate
from portal.db import transaction
from portal.imports import services as imports
from portal.registry import services as registry
from portal.registry.demo import demo_rows, write_csv


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=100_000)
    parser.add_argument("--database-url")
    parser.add_argument("--fresh", action="store_true", help="do not reuse a cached extract")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as folder:
        url = args.database_url or f"sqlite:///{folder}/bench.db"
        if args.database_url:
            reset(url)
        migrate.upgrade(url)
        app = create_app({"DATABASE_URL": url, "UPLOAD_FOLDER": folder})
        extract = Path(folder) / "extract.csv"
        shutil.copyfile(cached_extract(args.rows, fresh=args.fresh), extract)
        with app.app_context():
            with transaction() as session:
                registry.load_regions(session)
            for label in ("first import", "re-import"):
                run(app, extract, label, args.rows)


def cached_extract(rows: int, *, fresh: bool) -> Path:
    """The demo extract of that many rows, generated once and kept in the temp folder."""
    path = Path(tempfile.gettempdir()) / f"portal-registry-extract-{rows}.csv"
    if fresh or not path.exists():
        started = time.perf_counter()
        partial = path.with_suffix(".partial")  # an interrupted run leaves no half file
        write_csv(demo_rows(rows), partial)
        partial.replace(path)
        print(f"generated {rows} rows in {time.perf_counter() - started:.1f} s")
    return path


def reset(url: str) -> None:
    engine = create_engine(url)
    with engine.begin() as connection:
        connection.execute(text("DROP SCHEMA public CASCADE"))
        connection.execute(text("CREATE SCHEMA public"))
    engine.dispose()


def run(app, extract: Path, label: str, rows: int) -> None:
    job, seconds = timed_import(app, extract)
    print(
        f"{label}: {seconds:.1f} s, {rows / seconds:,.0f} rows/s "
        f"({job.created} created, {job.updated} updated, {job.unchanged} unchanged, "
        f"{job.failed} refused)"
    )


def timed_import(app, extract: Path):
    """Queue the extract as an administrator would and run it; the job and its seconds."""
    with transaction() as session:
        job = imports.start_import(
            session,
            kind="registry",
            filename=extract.name,
            content=extract.read_bytes(),
            files=app.extensions["storage"],
            actor_id=None,
        )
    started = time.perf_counter()
    job = imports.run_import(
        app.extensions["db_engine"],
        job_id=job.id,
        files=app.extensions["storage"],
        key=app.config["ID_HASH_KEY"].encode(),
    )
    return job, time.perf_counter() - started


if __name__ == "__main__":
    main()
