"""Issue "Trade-in subsidies", done when: the demo owner's 2012 petrol car, scrapped for a
¥168,000 NEV in 2026, through every screen: apply, approve, pay in a batch."""

import io
import re

from portal.registry.demo import DEMO_OWNER
from tests.test_subsidy_apply import _fill, _start

EN = {"Accept-Language": "en"}
DEMO_PASSWORD = "portal-demo-2026"


class _Demo:
    id_number = DEMO_OWNER.id_number


def _as(client, email):
    client.post("/logout")
    response = client.post("/login", data={"email": email, "password": DEMO_PASSWORD})
    assert response.status_code == 303


def _page(client, url) -> str:
    response = client.get(url, headers=EN)
    assert response.status_code == 200, url
    return response.get_data(as_text=True)


def test_the_demo_owner_is_subsidised_for_scrapping_the_2012_car(client, runner):
    assert runner.invoke(args=["seed", "reference"]).exit_code == 0
    assert runner.invoke(args=["seed", "demo", "--vehicles", "30"]).exit_code == 0
    _as(client, "owner@demo.cn")
    old_car = re.search(
        r'name="vehicle_id" value="(\d+)"[^>]*>\s*<span>\s*<span class="plate[^"]*">[^<]*</span>\s*'
        r"<strong>Volkswagen Lavida</strong>",  # 大众 朗逸, in English
        _page(client, _start(client) + "/step/old-car"),
    )
    base = client.get("/subsidies/", headers=EN).get_data(as_text=True)
    base = re.search(r'href="(/subsidies/\d+)"', base).group(1)
    applicant = _Demo()
    applicant.old_car = type("Car", (), {"id": int(old_car.group(1))})
    _fill(client, base, applicant)

    review = _page(client, base + "/step/review")
    assert "¥20,000.00" in review  # 12 % of ¥168,000 is ¥20,160, capped at ¥20,000
    assert "12% of ¥168,000.00 = ¥20,160.00, capped at ¥20,000.00" in review
    assert client.post(base + "/step/review").status_code == 303
    status = _page(client, base)
    assert "Submitted, in review" in status
    number = re.search(r"GD2026S\d{8}", status).group(0)

    _as(client, "reviewer@demo.cn")
    assert number in _page(client, "/review/")
    application_id = base.rsplit("/", 1)[1]
    response = client.post(f"/review/{application_id}/approve")
    assert response.status_code == 303
    assert "Approved" in _page(client, f"/review/{application_id}")

    _as(client, "admin@demo.cn")
    response = client.post("/admin/subsidies/payouts", data={"province": "440000"})
    assert response.status_code == 303
    batch = response.headers["Location"]
    bank_file = client.get(batch + "/bank.csv").get_data(as_text=True)
    assert number in bank_file and "20000.00" in bank_file
    assert client.post(batch + "/sent").status_code == 303
    results = f"application,result,reason\n{number},paid,\n".encode()
    response = client.post(
        batch + "/results",
        data={"file": (io.BytesIO(results), "results.csv")},
        content_type="multipart/form-data",
        headers=EN,
    )
    assert response.status_code == 200

    _as(client, "owner@demo.cn")
    assert "Paid" in _page(client, base)
