"""The Content-Security-Policy in Chromium: htmx pages work and nothing is refused."""

from portal.accounts.models import Role
from portal.valuation import services as valuation
from tests import factories
from tests.e2e.conftest import needs_chromium

pytestmark = needs_chromium


def _watch(page) -> list[str]:
    """Console messages about refused content (Chromium logs each CSP violation)."""
    refused = []
    page.on(
        "console",
        lambda message: (
            refused.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    return refused


def test_htmx_pages_run_under_the_policy(live_server, browser, session):
    valuation.load_catalog(session)
    factories.user(session, Role.ADMIN, email="admin@example.cn")
    session.commit()
    page = browser.new_page(locale="en")
    refused = _watch(page)

    page.goto(live_server + "/valuation/")
    with page.expect_response(lambda r: "/valuation/series" in r.url):
        page.select_option("#brand", "大众")  # htmx fills the series list
    assert page.locator("#series option").count() > 1

    page.goto(live_server + "/login")
    page.fill("#email", "admin@example.cn")
    page.fill("#password", factories.PASSWORD)
    page.click("form button.button")
    page.goto(live_server + "/transfers/emission-rules?province=440000")
    with page.expect_navigation():
        page.select_option("#province", "330000")  # static/js/autosubmit.js, no inline handler
    assert "province=330000" in page.url
    assert refused == []
    page.close()
