"""Hostile input, swept over every route of the pages: no 500, no traceback, no personal data.

The page routes come from the Flask url_map, one test per blueprint (a world serves all
its routes). Each route is first posted (or fetched) once as each account, and the
request records which form fields and query parameters the view looked up: that is how
the sweep learns a form's fields, including those a view reads by hand. Then:

- the accounts the route served (not 401/403/404, not sent to sign in) get every payload
  in every field at once, and payloads mixed across the fields;
- every other account (anonymous, the other roles, staff of another province) gets a few;
- the path's ids are replaced by unknown ones (0, past 32 bits, past 64 bits) and its
  words by hostile ones;
- a form post without a body, and one with a forged CSRF token, are refused with a 400;
  a 600 kB field is posted too, and htmx requests get a few payloads.

Each answer must be below 500, carry no traceback, show none of the world's resident ID
or bank card numbers (the batch's bank file may show cards: it is for the bank), a page
that shows a field error must say so with a 4xx, an account the route refused stays
refused whatever it posts, and staff of another province never get past the door of an
application or a case. The one 5xx allowed is the payment page's 503 "not configured"
(no Stripe keys in the tests, by design).

The JSON API (fuzzed against its OpenAPI document in test_api_fuzz.py with one token) is
swept here as every role's token, none and a forged one, with hostile JSON bodies and ids.
"""

import io
import re
import traceback
from contextlib import contextmanager
from dataclasses import dataclass, field

import pytest
from flask import Request
from sqlmodel import select
from werkzeug.datastructures import ImmutableMultiDict

from portal import create_app
from portal.accounts import tokens
from portal.accounts.models import Role, User
from portal.payments.models import Payment
from portal.subsidy.models import PayoutLine
from portal.subsidy.payouts import services as payouts
from portal.valuation.report import services as report_services
from tests import factories
from tests import subsidy_helpers as h
from tests.conftest import FormClient
from tests.test_valuation_report import keep_valuation

EN = {"Accept-Language": "en"}
OTHER_PROVINCE = "330000"  # Zhejiang: the world's cars and cases never touch it

# Values typed into every field at once. Keys name them in failure messages.
PAYLOADS = {
    "empty": "",
    "10k chars": "字" * 10_000,
    "10k digits": "9" * 10_000,
    "controls": "ab\x00cd\x1b[31m\x7f\x9b",
    "script": "<script>alert(1)</script>",
    "sql": "' OR '1'='1'; DROP TABLE \"user\"; --",
    "huge int": str(2**63),
    "negative": str(-(2**31) - 1),
    "zero": "0",
    "float": "1e309",
    "bad date": "2026-02-30",
}
# Kept short for the accounts a route refuses: the check there is the refusal itself.
REFUSED_PAYLOADS = ("empty", "10k chars", "huge int")
# Ids no row has: zero, the first past a 32-bit column, the first past 64 bits.
UNKNOWN_IDS = ("0", str(2**31), str(2**63))
HOSTILE_WORDS = ("%00", "<script>'", "x" * 300)
# Real values of the path's words, so the routes reach past their own 404.
WORDS = {
    "step": "new-car",
    "kind": "new_car_invoice",
    "action": "return",
    "which": "application",
    "token": "not-a-token",
}
TRACEBACK = re.compile(r"Traceback \(most recent call last\)|File \"[^\"]+\.py\", line \d+")
FIELD_ERROR = 'class="error"'
BANK_FILE = "/admin/subsidies/payouts/<id:batch_id>/bank.csv"
# The one 5xx by design: without Stripe keys (the embedded default, and these tests) a
# payment page says payments are switched off (portal/payments/errors.py, NotConfigured).
PAYMENTS_OFF = "Card payments are not set up on this portal yet."


def _rules():
    """Every page route (method, rule, endpoint), read from an app with no database."""
    app = create_app({"TESTING": True, "DATABASE_URL": "sqlite://", "SECRET_KEY": "x"})
    found = []
    for rule in app.url_map.iter_rules():
        if rule.endpoint == "static" or rule.rule.startswith("/api/"):
            continue
        for method in sorted(rule.methods & {"GET", "POST"}):
            found.append((method, rule.rule, rule.endpoint))
    return sorted(found)


RULES = _rules()


# --- recording which fields a view reads ---------------------------------------------------


class Looked:
    """The names a view looked up in the query string and the form during one request."""

    names: set[str] = set()


class RecordingMultiDict(ImmutableMultiDict):
    """Query and form data that note every name a view (or WTForms) asks for."""

    def __contains__(self, key):
        Looked.names.add(key)
        return super().__contains__(key)

    def __getitem__(self, key):
        Looked.names.add(key)
        return super().__getitem__(key)

    def get(self, key, default=None, type=None):
        Looked.names.add(key)
        return super().get(key, default=default, type=type)

    def getlist(self, key, type=None):
        Looked.names.add(key)
        return super().getlist(key, type=type)


class RecordingRequest(Request):
    parameter_storage_class = RecordingMultiDict


@contextmanager
def recording():
    Looked.names = set()
    yield Looked.names
    Looked.names.discard("csrf_token")


# --- the world -----------------------------------------------------------------------------


@dataclass
class World:
    """Accounts of every role, the objects they work on, and the numbers nobody may see."""

    accounts: dict[str, str | None]
    ids: dict[str, int]
    id_numbers: list[str]
    cards: list[str]

    def secrets(self, rule: str) -> tuple[str, ...]:
        """What no answer of this route may show. The batch's bank file is the one place a
        card number is opened, for the bank to pay it (docs/security.md, data at rest)."""
        if rule == BANK_FILE:
            return tuple(self.id_numbers)
        return tuple(self.id_numbers + self.cards)


@pytest.fixture
def world(app, session) -> World:
    h.seed(session, h.GUANGDONG, OTHER_PROVINCE)
    applicant = h.Applicant(session)
    application = h.submitted(session, applicant, files=app.extensions["storage"])
    drafter = h.Applicant(session)
    h.draft(session, drafter, files=app.extensions["storage"])
    seller = factories.person(session)
    car = factories.vehicle(session, owner=seller)
    case = factories.transfer_case(
        session, car, price_fen=1, mileage_km=1, sale_date=h.date(2026, 1, 2)
    )
    clerk = session.get(factories.User, case.created_by)
    accounts = {
        "anonymous": None,
        "owner": applicant.email,
        "owner of a draft": drafter.email,
        "dealer": clerk.email,
        "reviewer": factories.user(session, Role.REVIEWER).email,
        "officer": factories.user(session, Role.OFFICER).email,
        "admin": factories.user(session, Role.ADMIN).email,
        "reviewer elsewhere": factories.user(
            session, Role.REVIEWER, province_code=OTHER_PROVINCE
        ).email,
        "officer elsewhere": factories.user(
            session, Role.OFFICER, province_code=OTHER_PROVINCE
        ).email,
    }
    reviewer = session.exec(select(User).where(User.email == accounts["reviewer"])).one()
    admin = session.exec(select(User).where(User.email == accounts["admin"])).one()
    paid = h.Applicant(session)
    h.approved(session, paid, reviewer, files=app.extensions["storage"])
    batch = payouts.make_batch(session, user=admin, province_code=h.GUANGDONG)
    record = keep_valuation(session, applicant.user, applicant.old_car)
    payment = Payment(
        purpose_kind=report_services.PURPOSE,
        purpose_id=record.id,
        amount_fen=990,
        payer_id=applicant.user.id,
        description="report",
        return_path="/valuation/history",
    )
    token, _secret = tokens.create_token(session, user=clerk, name="sweep")
    session.add(payment)
    session.commit()
    ids = {
        "application_id": application.id,
        "case_id": case.id,
        "vehicle_id": car.id,
        "program_id": application.program_id,
        "batch_id": batch.id,
        "record_id": record.id,
        "payment_id": payment.id,
        "token_id": token.id,
        "paid_application_id": session.exec(select(PayoutLine.application_id)).first(),
    }
    id_numbers = [applicant.id_number, drafter.id_number, paid.id_number]
    cards = [applicant.card, drafter.card, paid.card]
    return World(accounts=accounts, ids=ids, id_numbers=id_numbers, cards=cards)


def _client(app, email: str | None) -> FormClient:
    client = FormClient(app.test_client())
    if email:
        answer = client.post("/login", data={"email": email, "password": factories.PASSWORD})
        assert answer.status_code == 303
    client.token = client.csrf_token()
    return client


# --- asking and judging --------------------------------------------------------------------


@dataclass
class Sweep:
    method: str
    secrets: tuple[str, ...]
    failures: list[str] = field(default_factory=list)
    asked: int = 0

    def ask(
        self, client, url: str, what: str, *, data=None, query=None, raw=None, csrf=True, htmx=False
    ):
        """One request; any 500, traceback, leak or unreported refusal is noted under `what`."""
        self.asked += 1
        headers = EN | ({"HX-Request": "true"} if htmx else {})
        kwargs: dict = {"headers": headers, "query_string": query}
        try:
            if self.method == "GET":
                answer = client.client.get(url, **kwargs)
            elif raw is not None:
                answer = client.client.post(
                    url, data=raw, content_type="application/x-www-form-urlencoded", **kwargs
                )
            elif csrf:
                data = {"csrf_token": client.token} | dict(data or {})
                answer = client.client.post(url, data=data, **kwargs)
            else:
                answer = client.client.post(url, data=data, **kwargs)
        except Exception as error:  # TESTING propagates what would be a 500
            where = _portal_frame(error)
            self.failures.append(
                f"{what}: raised {type(error).__name__} at {where}: {error!s:.200}"
            )
            return None
        self.judge(answer, what)
        return answer

    def judge(self, answer, what: str) -> None:
        status = answer.status_code
        # A stream read to its end, as a server does; PDFs and CSVs read as text too.
        body = answer.get_data().decode("utf-8", "replace")
        answer.close()
        seen = body + " ".join(f"{k}: {v}" for k, v in answer.headers.items())
        if status >= 500 and not (status == 503 and PAYMENTS_OFF in body):
            self.failures.append(f"{what}: {status}")
        if TRACEBACK.search(body):
            self.failures.append(f"{what}: traceback in the answer")
        for secret in self.secrets:
            if secret in seen:
                self.failures.append(f"{what}: shows {secret[:4]}…")
        # A form post refused next to a field says so in its status. (A list's GET filter
        # may mark a bad filter and show the list unfiltered: that is a 200.)
        posted = self.method == "POST"
        if posted and FIELD_ERROR in body and status < 400 and "html" in answer.content_type:
            self.failures.append(f"{what}: a field error answered {status}")


def _portal_frame(error: Exception) -> str:
    """The last line of the portal's own code the exception passed through."""
    frames = [f for f in traceback.extract_tb(error.__traceback__) if "/portal/" in f.filename]
    return f"{frames[-1].filename.split('/portal/')[-1]}:{frames[-1].lineno}" if frames else "?"


def _url(rule: str, values: dict[str, str]) -> str:
    return re.sub(r"<(?:[^:>]+:)?([^>]+)>", lambda m: values[m.group(1)], rule)


def _path_values(rule: str, world: World) -> dict[str, str]:
    names = re.findall(r"<(?:[^:>]+:)?([^>]+)>", rule)
    values = {}
    for name in names:
        if name in WORDS:
            values[name] = WORDS[name]
        elif rule.startswith("/admin/subsidies/payouts") and name == "application_id":
            values[name] = str(world.ids["paid_application_id"])  # the one in the batch
        else:
            values[name] = str(world.ids.get(name, 1))
    if "any(imports, catalog):kind" in rule:
        values["kind"] = "imports"
    return values


def _served(answer) -> bool:
    """The account got past the door: not refused, not hidden, not sent to sign in."""
    if answer is None:
        return True
    if answer.status_code in (401, 403, 404):
        return False
    return not (answer.status_code in (302, 303) and "/login" in answer.headers["Location"])


def _let_in(answer) -> bool:
    return answer.status_code < 400 and _served(answer)


def _mixed(names: list[str], shift: int) -> dict[str, str]:
    """Each field a different payload, rotating, so no field always gets the same one."""
    values = list(PAYLOADS.values())
    return {name: values[(i + shift) % len(values)] for i, name in enumerate(names)}


def _groups() -> dict[str, list[tuple[str, str, str]]]:
    """The rules by blueprint: one test each, so a world serves a blueprint's routes. Signing
    out goes last, since it ends the session the other routes use."""
    groups: dict[str, list] = {}
    for method, rule, endpoint in sorted(RULES, key=lambda r: (r[2].endswith("logout"), r)):
        groups.setdefault(endpoint.split(".")[0], []).append((method, rule, endpoint))
    return groups


GROUPS = _groups()


@pytest.mark.parametrize("blueprint", sorted(GROUPS))
def test_no_route_answers_500_or_leaks_to_hostile_input(app, world, blueprint):
    app.request_class = RecordingRequest
    app.config["STRIPE_WEBHOOK_SECRET"] = "whsec_test"  # else the webhook answers 503 by design
    clients = {role: _client(app, email) for role, email in world.accounts.items()}
    failures, asked = [], 0
    for method, rule, _endpoint in GROUPS[blueprint]:
        sweep = Sweep(method, secrets=world.secrets(rule))
        _sweep_route(sweep, clients, rule, world)
        asked += sweep.asked
        failures += [f"{method} {rule}: {failure}" for failure in sweep.failures]
    assert asked > 0
    assert failures == [], "\n".join(failures[:60])


def _sweep_route(sweep: "Sweep", clients: dict, rule: str, world: World) -> None:
    method = sweep.method
    values = _path_values(rule, world)
    url = _url(rule, values)

    # Learn the fields (and who gets past the door) from one plain request per account.
    fields: set[str] = set()
    served = []
    for role, client in clients.items():
        with recording() as names:
            probe = {"_": "1"}
            answer = sweep.ask(client, url, f"{role} plain", data=probe, query=probe)
        fields |= names - {"_"}
        if _served(answer):
            served.append(role)
    names = sorted(fields)
    if "application_id" in values or "case_id" in values:  # ARCHITECTURE, Roles: 404
        for role in set(served) & {"reviewer elsewhere", "officer elsewhere"}:
            sweep.failures.append(f"{role} got past the door of another province's object")
    if not served:
        served = ["anonymous"]  # nobody gets past the door: sweep it from outside
    first, payloads = served[0], list(PAYLOADS)

    # The first account served gets every payload; the others a rotating sample, so each
    # payload meets several roles without the whole cross product.
    for turn, (role, client) in enumerate(clients.items()):
        if role == first and (names or method == "POST"):
            chosen = payloads
        else:
            chosen = [payloads[turn % len(payloads)]]
        for payload in chosen:
            filled = dict.fromkeys(names or ["q"], PAYLOADS[payload])
            what = f"{role}, every field {payload}"
            answer = sweep.ask(client, url, what, data=filled, query=filled)
            # Still refused: a 4xx (the query's control characters are refused before the
            # door, 422) or sent to sign in; never a page or a done deed.
            if role not in served and answer is not None and _let_in(answer):
                sweep.failures.append(f"{what}: refused plainly, but let in ({answer.status_code})")
        if role != first:
            continue
        for shift in range(2 if names else 0):
            mixed = _mixed(names or ["q"], shift)
            sweep.ask(client, url, f"{role}, mixed {mixed}"[:300], data=mixed, query=mixed)
        if method == "POST":
            raw = b"&".join(f"{name}=".encode() + b"%FF%FE\xff\xc3(" for name in names or ["q"])
            sweep.ask(client, url, f"{role}, non-UTF-8 bytes", raw=raw)
            files = {name: (io.BytesIO(b"\x00\xff<script>"), "../../x\x00.pdf") for name in names}
            sweep.ask(client, url, f"{role}, files in every field", data=files or {"q": "1"})
            _csrf_refused(sweep, client, url, role)
            _too_large_posted(sweep, client, url, role, names)
        # htmx asks for partials, and its errors take another path (portal.errors).
        for payload in ("empty", "10k chars"):
            filled = dict.fromkeys(names or ["q"], PAYLOADS[payload])
            what = f"{role}, htmx, every field {payload}"
            sweep.ask(client, url, what, data=filled, query=filled, htmx=True)

    # Unknown ids and hostile words in the path: as the first account served, and as one
    # it did not serve (its 404 must not differ in kind).
    outsider = next((role for role in clients if role not in served), None)
    for role in filter(None, (first, outsider)):
        for name in values:
            for other in UNKNOWN_IDS if values[name].isdigit() else HOSTILE_WORDS:
                hostile = _url(rule, values | {name: other})
                sweep.ask(clients[role], hostile, f"{role}, {name}={other[:20]}", data={})


def _too_large_posted(sweep: Sweep, client, url: str, role: str, names: list[str]) -> None:
    """A typed field of 600 kB (werkzeug parses it whole): judged like any other answer."""
    big = {(names or ["q"])[0]: "字" * 200_000}
    sweep.ask(client, url, f"{role}, a field of 600 kB", data=big)


def _csrf_refused(sweep: Sweep, client, url: str, role: str) -> None:
    """A form post with no token, or a forged one, is a 400 (when the route checks CSRF)."""
    if url == "/payments/stripe/webhook":  # Stripe signs its posts; no browser sends them
        return
    for what, data in (("no body", None), ("forged CSRF", {"csrf_token": "forged"})):
        answer = sweep.ask(client, url, f"{role}, {what}", data=data, csrf=False)
        if answer is not None and answer.status_code != 400:
            sweep.failures.append(f"{role}, {what}: {answer.status_code}, not 400")


# --- the JSON API as every role ------------------------------------------------------------

API_BODIES = {
    "no body": None,
    "not JSON": b"\xff\xfe{not json",
    "a JSON list": b"[1, 2, 3]",
    "a JSON string": b'"x"',
    "deep nesting": b"[" * 5000 + b"]" * 5000,
}


def _api_operations(app) -> list[tuple[str, str, set[str]]]:
    """(method, path, body properties) of every operation the OpenAPI document lists."""
    document = app.test_client().get("/api/v1/openapi.json").json
    found = []
    for path, operations in document["paths"].items():
        for method, operation in operations.items():
            content = operation.get("requestBody", {}).get("content", {})
            schema = content.get("application/json", {}).get("schema", {})
            if "$ref" in schema:
                schema = document["components"]["schemas"][schema["$ref"].split("/")[-1]]
            found.append((method.upper(), path, set(schema.get("properties", {}))))
    return found


def test_no_api_operation_answers_500_or_leaks_to_any_token(app, world, session):
    from tests.test_api_subsidy import token_of

    users = {
        role: session.exec(select(User).where(User.email == email)).one()
        for role, email in world.accounts.items()
        if email
    }
    headers = {role: token_of(session, user) for role, user in users.items()}
    headers |= {"no token": {}, "forged token": {"Authorization": "Bearer pt_forged"}}
    # Generous budgets: the sweep is about the answers past the limits, not the limits.
    app.config["VALUATION_API_ANON_LIMIT"] = app.config["API_RATE_LIMIT"] = "100000 per minute"
    client = app.test_client()
    failures, asked = [], 0
    for method, path, properties in _api_operations(app):
        real = world.ids["case_id"] if "transfers" in path else world.ids["application_id"]
        for id_ in (str(real), *UNKNOWN_IDS):
            url = path.replace("{id}", id_)
            for role, auth in headers.items():
                bodies = dict(API_BODIES) if method == "POST" else {"no body": None}
                for payload in REFUSED_PAYLOADS if id_ == str(real) else ():
                    bodies[f"every field {payload}"] = dict.fromkeys(
                        properties or ["q"], PAYLOADS[payload]
                    )
                for what, body in bodies.items():
                    asked += 1
                    sweep = Sweep(method, secrets=world.secrets(path))
                    kwargs = {"json": body} if isinstance(body, dict) else {"data": body}
                    try:
                        answer = client.open(url, method=method, headers=auth | EN, **kwargs)
                    except Exception as error:
                        where = _portal_frame(error)
                        failures.append(f"{method} {url} {role} {what}: raised at {where}")
                        continue
                    sweep.judge(answer, f"{method} {url} {role} {what}")
                    failures += sweep.failures
                    if answer.status_code >= 400 and not answer.is_json:
                        failures.append(f"{method} {url} {role} {what}: not problem+json")
    assert asked > 100
    assert failures == [], "\n".join(failures[:60])
