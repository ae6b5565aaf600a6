"""Security headers on a sample page of every blueprint, and pages free of inline code."""

import re

import pytest

from portal import create_app
from portal.accounts.models import Role
from portal.config import PROJECT_ROOT
from tests import factories

EXPECTED = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
}


def _check_headers(response) -> None:
    for name, value in EXPECTED.items():
        assert response.headers.get(name) == value, (response.request.path, name)
    policy = response.headers["Content-Security-Policy"]
    assert "unsafe-inline" not in policy and "unsafe-eval" not in policy
    directives = dict(part.strip().split(" ", 1) for part in policy.split(";"))
    assert directives["frame-ancestors"] == "'none'"
    assert directives["script-src"] == "'self' https://js.stripe.com"
    assert directives["style-src"] == "'self'"
    assert "camera=()" in response.headers["Permissions-Policy"]


def _sample_urls(app) -> dict[str, str]:
    """One GET address per blueprint: the first rule, with 1 for any argument."""
    urls = {}
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: (len(r.arguments), r.rule)):
        blueprint = rule.endpoint.rpartition(".")[0]
        if not blueprint or blueprint in urls or "GET" not in rule.methods:
            continue
        urls[blueprint] = re.sub(r"<(?:[^:>]+:)?[^>]+>", "1", rule.rule)
    return urls


def test_every_blueprint_sends_the_security_headers(app, client, auth, session):
    factories.user(session, Role.ADMIN, email="admin@example.cn")
    session.commit()
    auth.login("admin@example.cn")
    urls = _sample_urls(app)
    assert len(urls) >= 13, urls
    for url in urls.values():
        response = client.get(url)
        assert response.status_code < 500, url
        _check_headers(response)


@pytest.mark.parametrize("url", ["/", "/login", "/signup", "/valuation/", "/nowhere", "/account"])
def test_pages_for_anyone_send_the_headers(client, url):
    _check_headers(client.get(url))


def _answer(settings: dict, url: str = "/login"):
    """GET url from an app built with these settings (its engine closed afterwards)."""
    app = create_app(settings)
    try:
        return app.test_client().get(url)
    finally:
        app.extensions["db_engine"].dispose()


def test_hsts_only_in_production(database_url, tmp_path):
    settings = {"DATABASE_URL": database_url, "UPLOAD_FOLDER": str(tmp_path), "TESTING": True}
    assert "Strict-Transport-Security" not in _answer(settings).headers
    production = _answer(settings | {"PRODUCTION": True})
    assert production.headers["Strict-Transport-Security"].startswith("max-age=31536000")


def test_the_stripe_js_origin_follows_the_setting(database_url, tmp_path):
    settings = {"DATABASE_URL": database_url, "UPLOAD_FOLDER": str(tmp_path), "TESTING": True}
    local = "http://127.0.0.1:8420/js.stripe.com/v3/"
    response = _answer(settings | {"STRIPE_JS_URL": local}, "/")
    assert "script-src 'self' http://127.0.0.1:8420;" in response.headers["Content-Security-Policy"]


INLINE = re.compile(
    r"<script(?![^>]*\bsrc=)[^>]*>|\son[a-z]+\s*=|\sstyle\s*=|[\"'=]\s*javascript:", re.I
)


def test_no_template_carries_inline_script_or_style():
    """The CSP refuses inline code, so none may be in a template (it would silently fail)."""
    found = [
        f"{path.relative_to(PROJECT_ROOT)}: {match.group(0)}"
        for path in (PROJECT_ROOT / "templates").rglob("*.html")
        for match in INLINE.finditer(path.read_text())
    ]
    assert found == []
