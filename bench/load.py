"""Opening day at national size: the portal's key pages under load, beside bare Flask.

Usage:
    .venv/bin/python bench/load.py --database postgresql+psycopg://postgres@127.0.0.1/portal_load
        [--rebuild] [--rounds 3] [--duration 8] [--connections 32] [--only NAME ...]

It builds the national data set of `bench/national.py` in that database (once: a later
run reuses it unless --rebuild or the sizes differ), starts the portal (`wsgi:app`) and
`bench/bare_app.py` under the same gunicorn settings (2 sync workers, as many as this
machine has cores), and measures each page with wrk, alternating portal and bare pages
over several rounds. Each figure is the median of the rounds, printed with the machine's
load average when it was taken and its share of the bare page of the same kind (a Jinja
table for pages, a JSON POST for the API, a one-row insert for filings). The registry
import of 100,000 rows is timed against COPY of the same rows into the same tables. The
last line says how many measures reached their goal (docs/benchmarks.md lists them).
"""

import argparse
import json
import os
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path
from urllib.parse import quote

from sqlalchemy import create_engine, make_url, text

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import national  # noqa: E402
from bench.credentials import (  # noqa: E402
    CHEAP,
    c_owner_id,
    dealer_token,
    filing_lines,
    login,
    q,
    submission_lines,
    with_type,
)
from bench.import_speed import measure_import  # noqa: E402
from bench.wrk import Measure, run_rounds, server, worker_memory  # noqa: E402
from portal import create_app, migrate  # noqa: E402


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--database", required=True, help="a PostgreSQL URL (psycopg)")
    parser.add_argument("--cars", type=int, default=1_000_000)
    parser.add_argument("--applications", type=int, default=100_000)
    parser.add_argument("--transfers", type=int, default=100_000)
    parser.add_argument("--rebuild", action="store_true")
    parser.add_argument("--rounds", type=int, default=3)
    parser.add_argument("--duration", type=int, default=8, help="seconds per measure")
    parser.add_argument("--connections", type=int, default=32)
    parser.add_argument("--only", nargs="*", help="measure only these (name substrings)")
    parser.add_argument("--skip-import", action="store_true")
    args = parser.parse_args()
    if not shutil.which("wrk"):
        sys.exit("wrk is not installed: apt-get install wrk")
    started = time.time()
    layout = national.Layout(args.cars, args.applications, args.transfers)
    # One client address stands for the country: the per-address API limits would refuse it.
    config = national.app_config(args.database) | {
        "API_RATE_LIMIT": "1000000 per minute",
        "VALUATION_API_ANON_LIMIT": "1000000 per minute",
    }
    os.environ["CARD_KEYS"] = national.CARD_KEYS  # migration 0009 seals cards with it
    ensure_database(args.database)
    app = create_app(config | {"RATELIMIT_ENABLED": False})
    ensure_data(app, layout, args.rebuild)
    with tempfile.TemporaryDirectory() as folder:
        measures = prepare(app, layout, Path(folder))
        if args.only:
            measures = [m for m in measures if any(o in m.name for o in args.only)]
        env = os.environ | {k: str(v) for k, v in config.items()} | {"PORTAL_ENV": "production"}
        env["UPLOAD_FOLDER"] = str(Path(folder) / "uploads")
        with server(["wsgi:app"], env) as portal, server(["bench.bare_app:app"], env) as bare:
            run_rounds(measures, portal, bare, args, Path(folder))
            memory = {"portal": worker_memory(portal.process), "bare": worker_memory(bare.process)}
        import_result = None if args.skip_import else measure_import(app, Path(folder))
    check_integrity(app)
    report(measures, memory, import_result, time.time() - started)


# --- the data set ------------------------------------------------------------------------


def ensure_database(url: str) -> None:
    """Create the benchmark's PostgreSQL database when the server does not have it yet."""
    address = make_url(url)
    admin = create_engine(address.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as connection:
        exists = connection.execute(
            text("SELECT 1 FROM pg_database WHERE datname = :name"), {"name": address.database}
        ).scalar()
        if not exists:
            connection.execute(text(f'CREATE DATABASE "{address.database}"'))
    admin.dispose()


def ensure_data(app, layout: national.Layout, rebuild: bool) -> None:
    """Build the data set unless the database already holds one of this layout."""
    engine = app.extensions["db_engine"]
    wanted = json.dumps(layout.__dict__, sort_keys=True)
    with engine.connect() as connection:
        try:
            built = connection.execute(text("SELECT layout FROM bench_layout")).scalar()
        except Exception:
            built = None
    if built == wanted and not rebuild:
        print(f"Reusing the data set in the database ({wanted}); migrating it to the code's.")
        migrate.upgrade(app.config["DATABASE_URL"])
        return
    print(f"Building the data set: {wanted}")
    started = time.time()
    national.build(app, layout)
    with engine.begin() as connection:
        connection.execute(text("CREATE TABLE bench_layout (layout text)"))
        connection.execute(text("INSERT INTO bench_layout VALUES (:l)"), {"l": wanted})
        connection.execute(text("CREATE TABLE bench_bare (id serial PRIMARY KEY, payload text)"))
    print(f"Built in {time.time() - started:.0f} s.")


# --- the requests --------------------------------------------------------------------------


def prepare(app, layout: national.Layout, folder: Path) -> list[Measure]:
    """Every measure with its URL and credentials (cookies from signing in, a token)."""
    from portal.accounts import services as accounts

    accounts.hasher = CHEAP  # the data set's hashes are cheap; signing in stays fast here
    engine = app.extensions["db_engine"]
    with engine.connect() as c:
        car = c.execute(
            text(
                "SELECT id, vin, plate FROM vehicle WHERE province_code = '440000'"
                " AND id > :g AND id <= :cars ORDER BY id"
            ),
            {"g": layout.general_from + layout.transfers + national.OPEN_TRANSFERS * 3}
            | {"cars": layout.cars},
        ).first()
        drafts = c.execute(
            text(
                "SELECT a.id, u.email FROM subsidy_application a JOIN user_account u"
                " ON u.id = a.applicant_id WHERE a.status = 'draft' ORDER BY a.id LIMIT 5000"
            )
        ).all()
        sellers = c.execute(
            text(
                "SELECT v.id, v.vin FROM vehicle v WHERE v.id > :first AND v.id <= :last"
                " AND NOT EXISTS (SELECT 1 FROM transfer_case t WHERE t.vehicle_id = v.id)"
                " ORDER BY v.id LIMIT 5000"
            ),
            {"first": layout.sellers_from, "last": layout.general_from},
        ).all()
        model_id = c.execute(
            text("SELECT id FROM car_model WHERE series = '朗逸' LIMIT 1")
        ).scalar()
    applicant = c_owner_id(app, 5001)  # the 5,001st applicant (of the 5,001st car), by ID
    owner_id = c_owner_id(app, car.id)
    reviewer = login(app, "reviewer-440000@bench.cn")
    officer = login(app, "officer-440000@bench.cn")
    dealer = login(app, "dealer1@bench.cn")
    # The last applicant of the queue: her place counts the half of it in her program.
    last = layout.applications - 1
    waiting = login(app, f"owner{last}@bench.cn")
    token = dealer_token(app)
    form = "application/x-www-form-urlencoded"
    valuation = {"vin": car.vin, "mileage": "60000", "condition": "good"}
    valuation |= {"province": "440000", "city": "440300"}
    by_model = {"car_model_id": model_id, "first_registration": "2021-03"}
    by_model |= {"mileage_km": 45000, "city_code": "440100"}
    html = "html"
    measures = [
        Measure("home", html, "share 0.40", "/"),
        # Opening day's other crowd (DOMAIN §1.4): the money left, from the shared cache.
        Measure("public budget page", html, "share 0.40", "/subsidies/budget"),
        Measure("GET /api/v1/subsidy/budget", "json", "share 0.40", "/api/v1/subsidy/budget"),
        Measure(
            "owner's application, queue place",
            html,
            "share 0.40",
            f"/subsidies/{last + 1000}",
            headers=waiting["headers"],
        ),
        Measure("valuation result by VIN", html, "share 0.40", "/valuation/result?" + q(valuation)),
        Measure(
            "staff search, VIN prefix",
            html,
            "share 0.40",
            "/vehicles?q=" + car.vin[:10],
            headers=reviewer["headers"],
        ),
        Measure(
            "staff search, plate prefix",
            html,
            "share 0.40",
            "/vehicles?q=" + quote(car.plate[:5]),
            headers=reviewer["headers"],
        ),
        Measure(
            "staff search, ID number",
            html,
            "share 0.40",
            "/vehicles",
            "POST",
            body=q({"q": owner_id, "csrf_token": reviewer["csrf"]}),
            **with_type(reviewer, form),
        ),
        Measure(
            "vehicle page", html, "share 0.40", f"/vehicles/{car.id}", headers=reviewer["headers"]
        ),
        Measure(
            "reviewer queue, first page",
            html,
            "share 0.40",
            "/review/",
            headers=reviewer["headers"],
        ),
        Measure(
            "reviewer queue, by kind",
            html,
            "share 0.40",
            "/review/?kind=replacement",
            headers=reviewer["headers"],
        ),
        Measure(
            "reviewer queue, search",
            html,
            "share 0.40",
            "/review/",
            "POST",
            body=q({"q": applicant, "csrf_token": reviewer["csrf"]}),
            **with_type(reviewer, form),
        ),
        Measure(
            "officer queue, outgoing",
            html,
            "share 0.40",
            "/transfers/?direction=outgoing",
            headers=officer["headers"],
        ),
        Measure("dealer case list", html, "share 0.40", "/transfers/", headers=dealer["headers"]),
        Measure("GET /api/v1/models", "json", "share 0.40", "/api/v1/models?q=" + quote("大众")),
        Measure(
            "POST /api/v1/valuations",
            "json",
            "share 0.40",
            "/api/v1/valuations",
            "POST",
            {"Content-Type": "application/json"},
            json.dumps(by_model),
        ),
        Measure(
            "subsidy submission",
            "write",
            "share 0.25",
            lines=submission_lines(app, drafts),
        ),
        Measure(
            "transfer filing (API)",
            "write",
            "share 0.25",
            lines=filing_lines(app, sellers, token),
        ),
        Measure(
            "VIN exact lookup, one user",
            html,
            "p50 10",
            "/vehicles?q=" + car.vin,
            one_user=True,
            headers=reviewer["headers"],
        ),
        Measure(
            "reviewer queue, one user",
            html,
            "p50 50",
            "/review/",
            one_user=True,
            headers=reviewer["headers"],
        ),
    ]
    return measures


def check_integrity(app) -> None:
    """No car in two open cases, no person with two live claims, no program overspent."""
    with app.extensions["db_engine"].connect() as c:
        twice = c.execute(
            text(
                "SELECT count(*) FROM (SELECT vehicle_id FROM transfer_case WHERE status NOT IN"
                " ('completed', 'rejected', 'withdrawn') GROUP BY vehicle_id HAVING count(*) > 1) d"
            )
        ).scalar()
        claims = c.execute(
            text(
                "SELECT count(*) FROM (SELECT person_id FROM subsidy_application WHERE status"
                " NOT IN ('draft', 'rejected', 'withdrawn', 'payout_cancelled')"
                " GROUP BY person_id, claim_key HAVING count(*) > 1) d"
            )
        ).scalar()
        overspent = c.execute(
            text("SELECT count(*) FROM subsidy_program WHERE reserved_fen + paid_fen > budget_fen")
        ).scalar()
    print(f"Duplicates: {twice} cars in two open cases, {claims} double claims.")
    print(f"Overspend: {overspent} programs over budget.")


# --- the report ----------------------------------------------------------------------------


def report(measures, memory, import_result, seconds: float) -> None:
    print()
    print("| measure | portal | bare | share | p50 ms | load | goal | met |")
    print("|---|---:|---:|---:|---:|---:|---|---|")
    met, total = 0, len(measures)
    for measure in measures:
        rps = statistics.median(r["rps"] for r in measure.results)
        p50 = statistics.median(r["p50"] for r in measure.results)
        loads = "/".join(r["load"] for r in measure.results)
        bad = sum(r["bad"] for r in measure.results)
        share = rps / measure.baseline if measure.baseline else 0.0
        kind, target = measure.goal.split()
        ok = share >= float(target) if kind == "share" else p50 < float(target)
        ok = ok and bad == 0
        met += ok
        verdict = ("yes" if ok else "no") + (f" ({bad} errors)" if bad else "")
        print(
            f"| {measure.name} | {rps:.1f} | {measure.baseline:.1f} | {share:.1%} | {p50:.1f}"
            f" | {loads} | {measure.goal} | {verdict} |"
        )
    print()
    print(f"Memory per worker after the run (MB): portal {memory['portal']}, bare {memory['bare']}")
    if import_result:
        rate = import_result["rows"] / import_result["seconds"]
        copy_rate = import_result["copy_rate"]
        share = rate / copy_rate
        met += share >= 0.5
        total += 1
        print(
            f"Registry import: {rate:,.0f} rows/s; COPY {copy_rate:,.0f} rows/s; share"
            f" {share:.1%} (goal 50 %): {'yes' if share >= 0.5 else 'no'}"
        )
    print(f"Whole run: {seconds / 60:.1f} minutes")
    print(f"at goal: {met} of {total}")


if __name__ == "__main__":
    main()
