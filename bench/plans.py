"""The query plans of the key pages on the national data set, fresh and as workers run them.

Usage: .venv/bin/python bench/plans.py --database postgresql+psycopg://…/portal_load

Run after `bench/load.py` built the data set. Each page is opened once through the Flask
test client (signed in as the role that uses it); every statement it sends is then
explained twice with EXPLAIN ANALYZE: with a custom plan for its values (what a fresh
connection runs) and with the generic plan PostgreSQL switches to once psycopg has
prepared the statement (after five runs), which is what a long-lived worker runs.
"""

import argparse
import json
import re
import sys
from pathlib import Path
from urllib.parse import quote

from psycopg import sql
from sqlalchemy import event, text

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import credentials, national  # noqa: E402
from portal import create_app  # noqa: E402

SKIPPED = ("user_account", "api_token", "SAVEPOINT", "RELEASE")


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--database", required=True)
    args = parser.parse_args()
    app = create_app(national.app_config(args.database) | {"RATELIMIT_ENABLED": False})
    from portal.accounts import services as accounts

    accounts.hasher = credentials.CHEAP
    engine = app.extensions["db_engine"]
    with engine.connect() as c:
        car = c.execute(
            text(
                "SELECT id, vin, plate, city_code FROM vehicle WHERE province_code = '440000'"
                " AND car_model_id IS NOT NULL ORDER BY id DESC LIMIT 1 OFFSET 200000"
            )
        ).first()
    owner = national.resident_id(car.id - 1, car.city_code)
    applicant = credentials.c_owner_id(app, 5001)
    reviewer = signed_in(app, "reviewer-440000@bench.cn")
    last = national.Layout(**layout_of(engine)).applications - 1
    pages = [
        ("public budget page (computed once)", None, "/subsidies/budget"),
        (
            "owner's application, queue place",
            signed_in(app, f"owner{last}@bench.cn"),
            f"/subsidies/{last + 1000}",
        ),
        ("valuation result by VIN", None, f"/valuation/result?vin={car.vin}&mileage=60000"),
        ("staff search, VIN prefix", reviewer, "/vehicles?q=" + car.vin[:10]),
        ("staff search, plate prefix", reviewer, "/vehicles?q=" + quote(car.plate[:5])),
        ("staff search, ID number", reviewer, "/vehicles?q=" + owner),
        ("vehicle page", reviewer, f"/vehicles/{car.id}"),
        ("reviewer queue, first page", reviewer, "/review/"),
        ("reviewer queue, by kind", reviewer, "/review/?kind=replacement"),
        ("reviewer queue, search", reviewer, "/review/?q=" + applicant),
        (
            "officer queue",
            signed_in(app, "officer-440000@bench.cn"),
            "/transfers/?direction=outgoing",
        ),
        ("dealer case list", signed_in(app, "dealer1@bench.cn"), "/transfers/"),
    ]
    seen: list[tuple[str, dict]] = []
    event.listen(engine, "before_cursor_execute", lambda c, cur, s, p, *a: seen.append((s, p)))
    for name, client, path in pages:
        seen.clear()
        client = client or app.test_client()
        status = client.get(path + "&province=440000&city=440300" if "vin=" in path else path)
        print(f"\n## {name} ({path[:60]}: {status.status_code})")
        for statement, params in list(seen):
            if statement.lstrip().startswith(SKIPPED) or "FROM user_account" in statement:
                continue
            explain(engine, statement, params)


def layout_of(engine) -> dict:
    """The sizes the data set was built with (load.py saves them beside it)."""
    with engine.connect() as c:
        return json.loads(c.execute(text("SELECT layout FROM bench_layout")).scalar())


def signed_in(app, email: str):
    client = app.test_client()
    signed = credentials.login(app, email)
    for part in signed["headers"]["Cookie"].split("; "):
        key, value = part.split("=", 1)
        client.set_cookie(key, value)
    return client


def explain(engine, statement: str, params: dict) -> None:
    """EXPLAIN ANALYZE with the values (custom plan), then as a prepared generic plan."""
    names = list(params or {})
    positional = re.sub(r"%\((\w+)\)s", lambda m: f"${names.index(m.group(1)) + 1}", statement)
    values = [params[n] for n in names]
    raw = engine.raw_connection()
    try:
        cursor = raw.cursor()
        for mode in ("force_custom_plan", "force_generic_plan"):
            cursor.execute(f"SET plan_cache_mode = {mode}")
            cursor.execute("DEALLOCATE ALL")
            cursor.execute(f"PREPARE q AS {positional}")
            arguments = sql.SQL(", ").join(sql.Literal(value) for value in values)
            execute = sql.SQL("EXPLAIN (ANALYZE, COSTS OFF) EXECUTE q({})").format(arguments)
            rows = cursor.execute(execute if values else "EXPLAIN (ANALYZE) EXECUTE q").fetchall()
            plan = [row[0] for row in rows]
            top = next((line for line in plan if "->" in line or line), plan[0])
            timing = [line for line in plan if "Execution Time" in line]
            print(f"- {mode.split('_')[1]}: {top.strip()[:90]} … {timing[0].strip()}")
            if mode == "force_generic_plan":
                print("  ```\n  " + "\n  ".join(plan[:14]) + "\n  ```")
    finally:
        raw.rollback()
        raw.close()
    print("  " + statement.split("FROM", 1)[-1][:160].replace("\n", " "))


if __name__ == "__main__":
    main()
