"""Issue 13, done when: the demo owner submits, sees her place and the due dates, finds the
money left without signing in; the reviewer returns it; she reads why in the inbox and by
email (from a loopback SMTP server), corrects it; it is approved and paid through a payout
whose first attempt fails; each step arrives as a notice."""

import io
import re
from datetime import date

from portal.registry.demo import DEMO_OWNER
from tests.mail_server import text_of
from tests.test_subsidy_apply import _fill, _start
from tests.test_subsidy_done_when import _as, _page

EN = {"Accept-Language": "en"}


class _Demo:
    id_number = DEMO_OWNER.id_number


def _bank(client, number: str, result: str, reason: str = "") -> str:
    """A batch of the province's approved applications, sent, and the bank's answer read."""
    _as(client, "admin@demo.cn")
    batch = client.post("/admin/subsidies/payouts", data={"province": "440000"})
    assert batch.status_code == 303
    url = batch.headers["Location"]
    assert client.post(url + "/sent").status_code == 303
    results = f"application,result,reason\n{number},{result},{reason}\n".encode()
    answer = client.post(
        url + "/results",
        data={"file": (io.BytesIO(results), "results.csv")},
        content_type="multipart/form-data",
    )
    assert answer.status_code == 200
    return url


def test_the_owner_always_knows_where_she_stands(client, runner, smtp):
    assert runner.invoke(args=["seed", "reference"]).exit_code == 0
    assert runner.invoke(args=["seed", "demo", "--vehicles", "30"]).exit_code == 0
    _as(client, "owner@demo.cn")
    client.post("/language", data={"locale": "en", "next": "/"})  # her account reads English
    base = _start(client)
    old_car = re.search(
        r'name="vehicle_id" value="(\d+)"[^>]*>\s*<span>\s*<span class="plate[^"]*">[^<]*</span>\s*'
        r"<strong>Volkswagen Lavida</strong>",  # 大众 朗逸, in English
        _page(client, base + "/step/old-car"),
    )
    applicant = _Demo()
    applicant.old_car = type("Car", (), {"id": int(old_car.group(1))})
    _fill(client, base, applicant)
    assert client.post(base + "/step/review").status_code == 303

    status = _page(client, base)
    number = re.search(r"GD2026S\d{8}", status).group(0)
    assert "Place in the queue" in status and "0 applications are ahead of yours" in status
    assert "Decision due by" in status
    assert client.get(base + "/receipt.pdf").headers["Content-Type"] == "application/pdf"
    [received] = [m for m in smtp.to("owner@demo.cn") if number in m["Subject"]]
    assert received["Subject"] == f"Application {number} submitted"
    assert "number 1 in the queue" in text_of(received)

    client.post("/logout")
    money = _page(client, "/subsidies/budget")  # no sign-in
    assert "Guangdong" in money and "Scrapping renewal" in money and "Left" in money

    _as(client, "reviewer@demo.cn")
    application_id = base.rsplit("/", 1)[1]
    answer = client.post(
        f"/review/{application_id}/return", data={"return-note": "发票照片模糊，请重新上传"}
    )
    assert answer.status_code == 303

    _as(client, "owner@demo.cn")
    assert 'aria-label="2 unread"' in _page(client, "/")  # submitted, returned
    inbox = _page(client, "/inbox")
    assert f"Application {number} returned for correction" in inbox
    assert "发票照片模糊，请重新上传" in inbox
    returned = [m for m in smtp.to("owner@demo.cn") if "returned" in m["Subject"]]
    assert "发票照片模糊，请重新上传" in text_of(returned[0])
    assert client.post(base + "/step/review").status_code == 303  # corrected, resubmitted
    assert "it kept its original place" in _page(client, base)

    _as(client, "reviewer@demo.cn")
    assert client.post(f"/review/{application_id}/approve").status_code == 303

    _bank(client, number, "failed", "账户已冻结")
    _as(client, "owner@demo.cn")
    status = _page(client, base)
    assert "The bank could not pay to your card" in status and "账户已冻结" in status
    _as(client, "admin@demo.cn")
    batches = client.get("/admin/subsidies/payouts").get_data(as_text=True)
    first_batch = re.search(r'href="(/admin/subsidies/payouts/\d+)"', batches).group(1)
    retry = client.post(f"{first_batch}/applications/{application_id}/retry", data={"note": ""})
    assert retry.status_code == 303
    _bank(client, number, "paid")

    _as(client, "owner@demo.cn")
    assert "Paid" in _page(client, base)
    inbox = _page(client, "/inbox")
    for title in (
        f"Application {number} submitted",
        f"Application {number} returned for correction",
        f"Application {number} approved",
        f"Payment of application {number} sent to the bank",
        f"The bank could not pay application {number}",
        f"Application {number} paid",
    ):
        assert title in inbox, title
    subjects = [m["Subject"] for m in smtp.to("owner@demo.cn")]
    assert f"Application {number} paid" in subjects
    assert any("账户已冻结" in text_of(m) for m in smtp.to("owner@demo.cn"))


def test_the_api_says_where_an_application_stands(app, client, session):
    from portal.accounts import tokens
    from tests import subsidy_helpers as h

    h.seed(session)
    first = h.submitted(session, h.Applicant(session), files=app.extensions["storage"])
    applicant = h.Applicant(session)
    second = h.submitted(session, applicant, files=app.extensions["storage"])
    _token, secret = tokens.create_token(session, user=applicant.user, name="test")
    session.commit()
    answer = client.get(
        f"/api/v1/subsidy/applications/{second.id}", headers={"Authorization": f"Bearer {secret}"}
    )
    body = answer.get_json()
    assert body["queue_position"] == 2 and first.id < second.id
    assert date.fromisoformat(body["decision_due"]) > date.fromisoformat(body["submitted_at"][:10])
    assert body["payout_due"] is None and body["due_estimated"] in (True, False)


def test_the_budget_api_needs_no_token(app, client, session):
    from tests import subsidy_helpers as h

    h.seed(session)
    session.commit()
    body = client.get("/api/v1/subsidy/budget").get_json()
    guangdong = [p for p in body["programs"] if p["province_code"] == "440000"]
    assert guangdong and all(
        p["left_fen"] == p["budget_fen"] - p["reserved_fen"] - p["paid_fen"] for p in guangdong
    )
