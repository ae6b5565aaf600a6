"""Credentials and prepared requests of the load benchmark: cookies from signing in through
the app, a dealer's API token, one submission per draft and one filing per seller's car."""

import json
import re
import time
from urllib.parse import urlencode

from argon2 import PasswordHasher
from sqlalchemy import text

from bench import national

# The data set's accounts share one cheap hash (national.py): signing thousands in is quick.
CHEAP = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)


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


def signed_in_client(app, email: str):
    """A test client of the app (in this process), signed in as that account."""
    client = app.test_client()
    page = client.get("/login").get_data(as_text=True)
    answer = client.post(
        "/login", data={"email": email, "password": national.PASSWORD, "csrf_token": _csrf(page)}
    )
    assert answer.status_code == 303, (email, answer.status_code)
    return client


def login(app, email: str) -> dict:
    """Sign in through the app (in this process) and keep the cookie and a CSRF token."""
    client = signed_in_client(app, email)
    csrf = _csrf(client.get("/account").get_data(as_text=True))
    cookies = "; ".join(f"{c.key}={c.value}" for c in client._cookies.values())
    return {"headers": {"Cookie": cookies}, "csrf": csrf}


def _csrf(page: str) -> str:
    return re.search(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"', page).group(1)


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
