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
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import tempfile
import time
import urllib.request
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import quote, urlencode

from argon2 import PasswordHasher
from sqlalchemy import create_engine, make_url, text

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import national  # noqa: E402
from portal import create_app, migrate  # noqa: E402

ROOT = Path(__file__).resolve().parent.parent
GUNICORN = [sys.executable, "-m", "gunicorn", "--workers", "2", "--worker-class", "sync"]
CHEAP = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)


@dataclass
class Measure:
    """One line of the table: a request (or a stream of them) and its goal."""

    name: str
    kind: str  # "html", "json" or "write": which bare page it is compared with
    goal: str  # "share 0.40", "p50 10" (ms, one user) ...
    url: str = ""
    method: str = "GET"
    headers: dict = field(default_factory=dict)
    body: str = ""
    lines: list[str] = field(default_factory=list)  # one request each, for writes
    one_user: bool = False
    baseline: float = 0.0
    results: list[dict] = field(default_factory=list)


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
    config = {
        "DATABASE_URL": args.database,
        "SECRET_KEY": national.SECRET_KEY,
        "ID_HASH_KEY": national.KEY.decode(),
        "CARD_KEYS": national.CARD_KEYS,
        "RATELIMIT_STORAGE_URI": "redis://127.0.0.1:6379/15",
        "CACHE_URL": "redis://127.0.0.1:6379/14",
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
    token = dealer_token(app)
    form = "application/x-www-form-urlencoded"
    valuation = {"vin": car.vin, "mileage": "60000", "condition": "good"}
    valuation |= {"province": "440000", "city": "440300"}
    by_model = {"car_model_id": model_id, "first_registration": "2021-03"}
    by_model |= {"mileage_km": 45000, "city_code": "440100"}
    html = "html"
    measures = [
        Measure("home", html, "share 0.40", "/"),
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


def q(params: dict) -> str:
    return urlencode(params)


def with_type(credentials: dict, content_type: str) -> dict:
    headers = credentials["headers"] | {"Content-Type": content_type}
    return {"headers": headers}


def c_owner_id(app, vehicle_id: int) -> str:
    """The clear ID number of a vehicle's owner: persons are numbered like their cars."""
    with app.extensions["db_engine"].connect() as c:
        city = c.execute(
            text("SELECT city_code FROM vehicle WHERE id = :id"), {"id": vehicle_id}
        ).scalar()
    return national.resident_id(vehicle_id - 1, city)


def login(app, email: str) -> dict:
    """Sign in through the app (in this process) and keep the cookie and a CSRF token."""
    client = app.test_client()
    page = client.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"', page).group(1)
    answer = client.post(
        "/login", data={"email": email, "password": national.PASSWORD, "csrf_token": token}
    )
    assert answer.status_code == 303, (email, answer.status_code)
    page = client.get("/account").get_data(as_text=True)
    csrf = re.search(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"', page).group(1)
    cookies = "; ".join(f"{c.key}={c.value}" for c in client._cookies.values())
    return {"headers": {"Cookie": cookies}, "csrf": csrf}


def dealer_token(app) -> str:
    from portal.accounts.models import User
    from portal.accounts.tokens import create_token
    from portal.db import transaction

    with app.app_context(), transaction() as session:
        user = session.get(User, 1)
        _, secret = create_token(session, user=user, name=f"bench {time.time():.0f}")
    return secret


def submission_lines(app, drafts) -> list[str]:
    """One submit per complete draft, each with its owner's cookie and CSRF token."""
    lines = []
    for application_id, email in drafts:
        owner = login(app, email)
        body = q({"csrf_token": owner["csrf"]})
        cookie = owner["headers"]["Cookie"]
        lines.append(f"POST\t/subsidies/{application_id}/step/review\t{cookie}\tform\t{body}")
    return lines


def filing_lines(app, sellers, token: str) -> list[str]:
    """One case per seller car: to Chengdu, for a buyer with a valid ID number."""
    from portal.audit import china_today

    today = china_today().isoformat()
    lines = []
    with app.extensions["db_engine"].connect() as c:
        for vehicle_id, vin in sellers:
            city = c.execute(
                text("SELECT city_code FROM vehicle WHERE id = :id"), {"id": vehicle_id}
            ).scalar()
            body = {
                "vin": vin,
                "seller_name": national.person_name(vehicle_id - 1),
                "seller_id": national.resident_id(vehicle_id - 1, city),
                "buyer": {
                    "type": "person",
                    "name": "李建国",
                    "id": national.resident_id(vehicle_id + 500_000, "510100"),
                },
                "destination_city_code": "510100",
                "price_fen": 6_800_000,
                "sale_date": today,
                "mileage_km": 80_000,
            }
            auth = f"Bearer {token}"
            lines.append(f"POST\t/api/v1/transfers\t{auth}\tjson\t{json.dumps(body)}")
    return lines


# --- the servers --------------------------------------------------------------------------


@dataclass
class Server:
    process: subprocess.Popen
    url: str


class server:
    """A gunicorn server on a free loopback port, stopped on leaving the block."""

    def __init__(self, target: list[str], env: dict):
        self.target, self.env = target, env

    def __enter__(self) -> Server:
        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = s.getsockname()[1]
        command = [*GUNICORN, "--bind", f"127.0.0.1:{port}", "--log-level", "warning"]
        self.process = subprocess.Popen([*command, *self.target], cwd=ROOT, env=self.env)
        url = f"http://127.0.0.1:{port}"
        for _ in range(100):
            try:
                urllib.request.urlopen(url + "/", timeout=2).read()
                break
            except Exception:
                time.sleep(0.2)
        return Server(self.process, url)

    def __exit__(self, *exc) -> None:
        self.process.send_signal(signal.SIGTERM)
        self.process.wait(timeout=30)


def worker_memory(process: subprocess.Popen) -> list[int]:
    """Resident memory of each gunicorn worker, in MB."""
    children = Path(f"/proc/{process.pid}/task/{process.pid}/children").read_text().split()
    sizes = []
    for pid in children:
        status = Path(f"/proc/{pid}/status").read_text()
        sizes.append(int(re.search(r"VmRSS:\s+(\d+)", status).group(1)) // 1024)
    return sizes


# --- measuring ------------------------------------------------------------------------------

LUA = """
local counter = 0
local threads = {}
function setup(thread)
  thread:set("tid", counter)
  counter = counter + 1
  table.insert(threads, thread)
end
function init(args)
  lines = {}
  local file = os.getenv("BENCH_LINES")
  if file and file ~= "" then
    for line in io.lines(file) do table.insert(lines, line) end
  end
  index = tid + 1
  bad = 0
end
function request()
  if #lines == 0 then return wrk.request() end
  local line = lines[index]
  index = index + 2
  if line == nil then
    return wrk.format("GET", "/healthz")
  end
  local field = "([^\\t]*)\\t"
  local method, path, credential, kind, body = line:match(field:rep(4) .. "(.*)")
  local headers = {}
  if kind == "json" then
    headers["Content-Type"] = "application/json"
    headers["Authorization"] = credential
  else
    headers["Content-Type"] = "application/x-www-form-urlencoded"
    headers["Cookie"] = credential
  end
  return wrk.format(method, path, headers, body)
end
function response(status, headers, body)
  if status >= 400 then bad = bad + 1 end
end
function done(summary, latency, requests)
  local total, last = 0, 0
  for _, thread in ipairs(threads) do
    total = total + thread:get("bad")
    last = math.max(last, thread:get("index"))
  end
  io.write(string.format("bad_answers %d\\nlines_used %d\\n", total, last))
end
"""


def run_rounds(measures, portal: Server, bare: Server, args, folder: Path) -> None:
    lua = folder / "bench.lua"
    lua.write_text(LUA)
    bare_measures = {
        "html": Measure("bare page", "html", "", "/"),
        "json": Measure(
            "bare JSON POST", "json", "", "/json", "POST", {"Content-Type": "application/json"}
        ),
        "write": Measure(
            "bare insert", "write", "", "/insert", "POST", {"Content-Type": "application/json"}
        ),
    }
    bare_measures["json"].body = json.dumps({"car_model_id": 1, "mileage_km": 45000})
    bare_measures["write"].body = json.dumps({"payload": "one row"})
    for measure in [*measures, *bare_measures.values()]:  # warm both servers up
        measure_once(measure, portal if measure.name[:4] != "bare" else bare, lua, folder, 1)
        measure.results.clear()
    for round_number in range(1, args.rounds + 1):
        print(f"Round {round_number} of {args.rounds}")
        # Each round measures the bare pages of the kinds it needs, then the portal's pages:
        # the rounds alternate the two servers (once per page took the run past 15 minutes).
        for kind in dict.fromkeys(m.kind for m in measures if not m.one_user):
            measure_once(bare_measures[kind], bare, lua, folder, args.duration, args.connections)
        for measure in measures:
            result = measure_once(measure, portal, lua, folder, args.duration, args.connections)
            print(
                f"  {measure.name:32} {result['rps']:8.1f} req/s  p50 {result['p50']:7.1f} ms"
                f"  load {result['load']}"
            )
    for kind, bare_measure in bare_measures.items():
        if bare_measure.results:
            rps = statistics.median(r["rps"] for r in bare_measure.results)
            print(f"bare {kind}: {rps:.1f} req/s")
    html = bare_measures["html"].results
    for measure in measures:
        results = bare_measures[measure.kind].results or html
        measure.baseline = statistics.median(r["rps"] for r in results) if results else 0.0


def measure_once(
    measure: Measure, target: Server, lua: Path, folder: Path, duration: int, connections=32
) -> dict:
    """Run wrk once; record requests/s, the median latency and the load average."""
    connections, threads = (1, 1) if measure.one_user else (connections, 2)
    command = ["wrk", f"-t{threads}", f"-c{connections}", f"-d{duration}s", "--latency"]
    command += ["-s", str(lua), "--timeout", "30s"]
    for name, value in measure.headers.items():
        command += ["-H", f"{name}: {value}"]
    env = os.environ.copy()
    if measure.lines:
        lines = folder / "lines.tsv"
        lines.write_text("\n".join(measure.lines) + "\n")
        env["BENCH_LINES"] = str(lines)
    else:
        env["BENCH_LINES"] = ""
    if measure.method != "GET":
        script = folder / f"{abs(hash(measure.name))}.lua"
        body = json.dumps(measure.body)
        script.write_text(
            LUA.replace(
                "return wrk.request()", f"return wrk.format('{measure.method}', nil, nil, {body})"
            )
        )
        command[command.index(str(lua))] = str(script)
    load = Path("/proc/loadavg").read_text().split()[0]
    output = subprocess.run(
        [*command, target.url + (measure.url or "/")], capture_output=True, text=True, env=env
    ).stdout
    result = {
        "rps": float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1)),
        "p50": _ms(re.search(r"50%\s+([\d.]+\w+)", output).group(1)),
        "requests": int(re.search(r"(\d+) requests in", output).group(1)),
        "bad": int(re.search(r"bad_answers (\d+)", output).group(1)),
        "load": load,
    }
    if measure.lines:  # each write is made once: drop the lines this run used
        used = int(re.search(r"lines_used (\d+)", output).group(1))
        if used > len(measure.lines):
            print(f"  ({measure.name}: ran out of prepared requests; figure too high)")
        measure.lines = measure.lines[used:]
    measure.results.append(result)
    return result


def _ms(value: str) -> float:
    number, unit = re.match(r"([\d.]+)(\w+)", value).groups()
    return float(number) * {"us": 0.001, "ms": 1, "s": 1000, "m": 60000}[unit]


# --- the import ----------------------------------------------------------------------------


def measure_import(app, folder: Path, rows: int = 100_000) -> dict:
    """Import `rows` new registry rows into the national registry, beside COPY of the same.

    Each run imports an extract of its own (the demo generator with the run's number as
    its seed, cached in /tmp), so its rows are new to the registry. The yardstick COPYs
    the same rows into vehicle, person and ownership, with all their indexes, and rolls
    back.
    """
    from portal.admin import services as imports
    from portal.db import transaction
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
    app.config["UPLOAD_FOLDER"] = str(folder / "uploads")
    with app.app_context():
        with transaction() as session:
            job = imports.start_import(
                session,
                kind="registry",
                filename=extract.name,
                content=extract.read_bytes(),
                folder=app.config["UPLOAD_FOLDER"],
                actor_id=None,
            )
        started = time.perf_counter()
        job = imports.run_import(
            engine, job_id=job.id, folder=app.config["UPLOAD_FOLDER"], key=national.KEY
        )
        seconds = time.perf_counter() - started
    result = {"rows": rows, "seconds": seconds, "copy_rate": copy_rows / copy_seconds}
    result |= {"created": job.created, "failed": job.failed}
    print(
        f"Import of {rows:,} rows: {seconds:.1f} s ({job.created:,} created, {job.failed:,}"
        f" refused); COPY of the same rows: {copy_rows:,} in {copy_seconds:.1f} s"
    )
    return result


def copy_yardstick(engine, extract: Path) -> tuple[int, float]:
    """Rows and seconds to COPY the extract's cars, owners and ownerships (rolled back)."""
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
        seconds = time.perf_counter() - started
    finally:
        raw.rollback()
        raw.close()
    return len(rows), seconds


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
