"""End to end in headless Chromium: sign in, search as you type (htmx), open a vehicle."""

import shutil
import threading

import pytest
from werkzeug.serving import make_server

from portal.accounts.models import Role
from tests import factories

CHROMIUM = shutil.which("chromium") or "/usr/bin/chromium"
pytestmark = pytest.mark.skipif(
    shutil.which("chromium") is None, reason="Chromium is not installed (.ci/run installs it)"
)


@pytest.fixture
def live_server(app):
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    thread.join()


@pytest.fixture
def browser():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        chromium = playwright.chromium.launch(
            executable_path=CHROMIUM,
            args=[
                "--no-sandbox",
                "--disable-gpu",
                "--disable-background-networking",
                "--disable-component-update",
                "--no-first-run",
            ],
        )
        yield chromium
        chromium.close()


def test_admin_finds_a_vehicle_as_they_type_on_a_phone(live_server, browser, session):
    owner = factories.person(session, name="李娜")
    car = factories.vehicle(session, owner=owner, plate="粤B12345")
    factories.vehicle(session, owner=owner, plate="粤B99999", vin=factories.vin(wmi="LFV"))
    factories.user(session, Role.ADMIN, email="admin@example.cn")
    session.commit()

    page = browser.new_page(viewport={"width": 390, "height": 844}, locale="zh-CN")
    page.goto(live_server + "/login")
    page.fill("#email", "admin@example.cn")
    page.fill("#password", factories.PASSWORD)
    page.click("form button.button")
    page.goto(live_server + "/vehicles")
    page.type("#q", "粤B123", delay=50)
    page.wait_for_function("document.querySelectorAll('#results .vin').length === 1")
    assert page.inner_text("#results .vin") == car.vin
    assert "q=%E7%B2%A4B123" in page.url  # the search is in the address, for back and reload
    page.click("#results a")
    page.wait_for_url(f"**/vehicles/{car.id}")
    assert "李娜" in page.inner_text(".timeline")
    page.close()
