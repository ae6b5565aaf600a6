"""Bad input: a NUL or another control character anywhere a person types is a 422 with a
message, never a 500. The pages are crawled as each role and every form is posted back
with a NUL in every field, and every route is asked with a NUL in its query string."""

import re
from html.parser import HTMLParser

import pytest

from portal.accounts.models import Role
from tests import factories
from tests import subsidy_helpers as h
from tests.conftest import FormClient

HOSTILE = "ab\x00cd"
EN = {"Accept-Language": "en"}
MESSAGE = "Remove the control characters (such as NUL)"


class Forms(HTMLParser):
    """The forms of a page: action, method and the names of their typed fields."""

    def __init__(self):
        super().__init__()
        self.forms, self.current = [], None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "form":
            self.current = {
                "action": attrs.get("action") or "",
                "method": (attrs.get("method") or "get").lower(),
                "fields": set(),
            }
            self.forms.append(self.current)
        elif tag in ("input", "select", "textarea") and self.current is not None:
            name, kind = attrs.get("name"), attrs.get("type", "text")
            if name and name != "csrf_token" and kind not in ("file", "submit"):
                self.current["fields"].add(name)

    def handle_endtag(self, tag):
        if tag == "form":
            self.current = None


def forms_of(page: str) -> list[dict]:
    parser = Forms()
    parser.feed(page)
    return [form for form in parser.forms if form["fields"]]


def get_urls(app) -> list[str]:
    """Every GET route, with 1 for each argument and a plain word for words."""
    urls = set()
    for rule in app.url_map.iter_rules():
        if "GET" in rule.methods and rule.endpoint != "static":
            urls.add(re.sub(r"<(?:int[^:]*:)?[^>]+>", "1", rule.rule))
    return sorted(urls)


@pytest.fixture
def world(app, session):
    """One account per role, an application and a transfer case, so pages have content."""
    h.seed(session)
    applicant = h.Applicant(session)
    h.draft(session, applicant, files=app.extensions["storage"])
    dealer = factories.dealer(session)
    factories.user(session, Role.DEALER, email="dealer@example.cn", dealer_row=dealer)
    factories.user(session, Role.REVIEWER, email="reviewer@example.cn")
    factories.user(session, Role.OFFICER, email="officer@example.cn")
    factories.user(session, Role.ADMIN, email="admin@example.cn")
    car = factories.vehicle(session, owner=factories.person(session))
    factories.transfer_case(session, car, price_fen=1, mileage_km=1, sale_date=h.date(2026, 1, 2))
    session.commit()
    return [None, applicant.email, "dealer@example.cn", "reviewer@example.cn"] + [
        "officer@example.cn",
        "admin@example.cn",
    ]


def _as(app, email) -> FormClient:
    client = FormClient(app.test_client())
    if email:
        client.post("/login", data={"email": email, "password": factories.PASSWORD})
    return client


def test_a_nul_in_any_field_of_any_form_is_refused_not_a_500(app, world):
    tried, failures = 0, []
    for email in world:
        client = _as(app, email)
        token = client.csrf_token()
        for url in get_urls(app):
            page = client.get(url, headers=EN)
            if page.status_code != 200 or "html" not in page.content_type:
                continue
            for form in forms_of(page.get_data(as_text=True)):
                action = form["action"] or url
                data = dict.fromkeys(form["fields"], HOSTILE)
                if form["method"] == "post":
                    answer = client.client.post(
                        action, data=data | {"csrf_token": token}, headers=EN
                    )
                else:
                    answer = client.get(action, query_string=data, headers=EN)
                tried += 1
                text = answer.get_data(as_text=True)
                if answer.status_code == 429 and action == "/login":
                    continue  # the sign-in limit, keyed on the same nonsense address
                if answer.status_code != 422 or MESSAGE not in text:
                    failures.append((email, form["method"], action, answer.status_code))
    assert tried > 40
    assert failures == [], "\n".join(map(str, sorted(set(failures), key=str)))


def test_a_nul_in_the_query_string_of_any_route_is_a_422(app, world):
    failures = []
    for email in world:
        client = _as(app, email)
        for url in get_urls(app):
            answer = client.get(url, query_string={"q": HOSTILE, "page": "1"}, headers=EN)
            if answer.status_code != 422:
                failures.append((email, url, answer.status_code))
    assert failures == []


@pytest.mark.parametrize(
    ("url", "data"),
    [
        ("/login", {"email": HOSTILE, "password": HOSTILE}),
        ("/signup", {"display_name": HOSTILE, "email": "a@b.cn", "password": HOSTILE}),
    ],
)
def test_the_reported_pages_answer_422_next_to_the_field(client, url, data):
    response = client.post(url, data=data, headers=EN)
    assert response.status_code == 422
    assert MESSAGE in response.get_data(as_text=True)


def test_the_reported_series_list_answers_422(client):
    response = client.get("/valuation/series?brand=ab%00cd", headers=EN | {"HX-Request": "true"})
    assert response.status_code == 422
    assert "“brand”" in response.get_data(as_text=True)
