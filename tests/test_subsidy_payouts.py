"""Payout batches through the administrator's pages: batch, bank file, sent, results, failures."""

import csv
import io
import re

import pytest
from sqlmodel import select

from portal.accounts.models import Role
from portal.identifiers import mask_bank_card
from portal.subsidy import budget
from portal.subsidy.models import Application, PayoutBatch, PayoutLine, Program
from portal.subsidy.payouts import views as payout_views
from portal.subsidy.payouts.services import EXPORT_HEADER
from portal.subsidy.terms import BatchStatus, PayoutResult, Status
from tests import factories
from tests import subsidy_helpers as h

EN = {"Accept-Language": "en"}
ADMIN = "admin@example.cn"
PAYOUTS = "/admin/subsidies/payouts"


@pytest.fixture
def approved(app, session):
    """Two applications of two owners approved in Guangdong (¥20,000 each, reserved)."""
    h.seed(session)
    reviewer = factories.user(session, Role.REVIEWER, province_code=h.GUANGDONG)
    files = app.extensions["storage"]
    applicants = [h.Applicant(session), h.Applicant(session)]
    applications = [h.approved(session, a, reviewer, files=files) for a in applicants]
    return list(zip(applicants, applications, strict=True))


@pytest.fixture
def admin(client, auth, session, approved):
    factories.user(session, Role.ADMIN, email=ADMIN)
    session.commit()
    auth.login(ADMIN)
    return client


def fresh(session, row):
    """The row as the requests left it."""
    session.commit()  # end the read transaction: see what others committed
    session.expire_all()
    return session.get(type(row), row.id)


def make_batch(client) -> str:
    """Make Guangdong's batch; the batch page's URL."""
    response = client.post(PAYOUTS, data={"province": h.GUANGDONG})
    assert response.status_code == 303, response.get_data(as_text=True)
    return response.headers["Location"]


def results_file(*rows, header="application,result,reason", name="results.csv", bom=True):
    text = "\n".join([header, *(",".join(row) for row in rows)]) + "\n"
    content = ("\ufeff" if bom else "") + text
    return {"file": (io.BytesIO(content.encode()), name)}


def upload(client, batch_url: str, data: dict):
    return client.post(
        f"{batch_url}/results", data=data, content_type="multipart/form-data", headers=EN
    )


def sent_with_results(client, approved, *, reason="Account closed"):
    """A batch sent to the bank and its results read: the first paid, the second failed."""
    batch_url = make_batch(client)
    assert client.post(f"{batch_url}/sent").status_code == 303
    (_, first), (_, second) = approved
    response = upload(
        client,
        batch_url,
        results_file((first.number, "paid", ""), (second.number, "failed", reason)),
    )
    assert response.status_code == 200, response.get_data(as_text=True)
    return batch_url, response


def test_the_bank_file_runs_no_formula(admin, session, approved):
    (applicant, application), _second = approved
    applicant.person.name = "=1+2"
    row = fresh(session, application)
    row.bank_name = "-SUM(A1)"
    session.add_all([applicant.person, row])
    session.commit()
    bank = admin.get(f"{make_batch(admin)}/bank.csv")
    rows = list(csv.reader(io.StringIO(bank.data.decode("utf-8-sig"))))
    line = next(r for r in rows if r[-1] == application.number)
    assert (line[0], line[3]) == ("'=1+2", "'-SUM(A1)")


def program_of(session) -> Program:
    return fresh(session, h.program(session))


def test_the_whole_payout_path(admin, session, approved):
    (first_applicant, first), (_, second) = approved
    page = admin.get(PAYOUTS, headers=EN).get_data(as_text=True)
    assert re.search(r"Guangdong</td>\s*<td[^>]*>2</td>\s*<td[^>]*>¥40,000.00<", page)

    batch_url = make_batch(admin)
    assert all(fresh(session, a).status is Status.PAYING for a in (first, second))
    batch = session.exec(select(PayoutBatch)).one()
    assert (batch.status, batch.line_count, batch.total_fen) == (BatchStatus.OPEN, 2, 4_000_000)
    page = admin.get(batch_url, headers=EN).get_data(as_text=True)
    assert batch.number in page and mask_bank_card(h.CARD) in page and h.CARD not in page
    assert first_applicant.person.id_masked in page

    bank = admin.get(f"{batch_url}/bank.csv")
    assert bank.status_code == 200
    assert bank.mimetype == "text/csv"
    assert bank.headers["Content-Disposition"] == f"attachment; filename={batch.number}.csv"
    assert bank.headers["Cache-Control"] == "no-store"
    assert bank.data.startswith(b"\xef\xbb\xbf")  # UTF-8 BOM: spreadsheets read Chinese
    rows = list(csv.reader(io.StringIO(bank.data.decode("utf-8-sig"))))
    assert tuple(rows[0]) == EXPORT_HEADER
    assert rows[1] == [
        "陈建华",
        first_applicant.person.id_masked,
        h.CARD,
        "中国工商银行",
        "20000.00",
        first.number,
    ]
    assert [row[5] for row in rows[1:]] == [first.number, second.number]

    early = upload(admin, batch_url, results_file((first.number, "paid", "")))
    assert early.status_code == 409
    assert "Mark the batch as sent" in early.get_data(as_text=True)
    assert fresh(session, first).status is Status.PAYING

    assert admin.post(f"{batch_url}/sent").status_code == 303
    assert fresh(session, batch).status is BatchStatus.SENT
    again = admin.post(f"{batch_url}/sent", headers=EN)
    assert again.status_code == 409 and "already sent" in again.get_data(as_text=True)

    response = upload(
        admin,
        batch_url,
        results_file((first.number, "paid", ""), (second.number, "failed", "Account closed")),
    )
    report = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Paid: 1. Failed: 1. Lines not applied: 0." in report
    assert fresh(session, first).status is Status.PAID
    assert fresh(session, second).status is Status.PAYOUT_FAILED
    assert fresh(session, batch).status is BatchStatus.SETTLED
    program = program_of(session)
    assert (program.reserved_fen, program.paid_fen) == (2_000_000, 2_000_000)
    assert budget.balance(session, program.id).matches(program)
    assert "Account closed" in report and "Retry" in report


def test_the_same_results_twice_change_nothing(admin, session, approved):
    (_, first), (_, second) = approved
    batch_url, _ = sent_with_results(admin, approved)
    before = program_of(session)
    lines_before = session.exec(select(PayoutLine.result, PayoutLine.settled_at)).all()
    response = upload(
        admin,
        batch_url,
        results_file((first.number, "paid", ""), (second.number, "failed", "Account closed")),
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Paid: 0. Failed: 0. Lines not applied: 2." in page
    assert f"Line 2: {first.number} is not a pending line of this batch." in page
    assert f"Line 3: {second.number} is not a pending line of this batch." in page
    after = program_of(session)
    assert (after.reserved_fen, after.paid_fen) == (before.reserved_fen, before.paid_fen)
    assert session.exec(select(PayoutLine.result, PayoutLine.settled_at)).all() == lines_before
    assert fresh(session, first).status is Status.PAID
    assert fresh(session, second).status is Status.PAYOUT_FAILED


def test_unknown_numbers_and_bad_results_are_reported_by_line(admin, session, approved):
    (_, first), (_, second) = approved
    batch_url = make_batch(admin)
    admin.post(f"{batch_url}/sent")
    response = upload(
        admin,
        batch_url,
        results_file(
            ("GD2026S99999999", "paid", ""),
            (first.number, "maybe", ""),
            (second.number, "PAID", ""),
            ("<script>alert(1)</script>", "paid", ""),
        ),
    )
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "Paid: 1. Failed: 0. Lines not applied: 3." in page
    assert "Line 2: GD2026S99999999 is not a pending line of this batch." in page
    assert "Line 3: The result must be paid or failed, not maybe." in page
    assert "Line 5: &lt;script&gt;alert(1)&lt;/script&gt; is not a pending line" in page
    assert "<script>alert(1)" not in page
    assert fresh(session, first).status is Status.PAYING  # still waiting for the bank
    assert fresh(session, second).status is Status.PAID
    assert fresh(session, session.exec(select(PayoutBatch)).one()).status is BatchStatus.SENT


@pytest.mark.parametrize(
    ("data", "message"),
    [
        pytest.param(
            {"file": (io.BytesIO("编号,结果\n".encode("gb18030")), "r.csv")},
            "must be CSV text in UTF-8",
            id="not-utf8",
        ),
        pytest.param(
            {"file": (io.BytesIO(b"%PDF-1.4\x00\x01\x02"), "r.csv")},
            "must be CSV text in UTF-8",
            id="binary",
        ),
        pytest.param(
            results_file(("x", "paid", ""), header="number,status,why"),
            "must start with the columns application, result, reason",
            id="wrong-header",
        ),
        pytest.param(
            {"file": (io.BytesIO(b""), "r.csv")},
            "must start with the columns",
            id="empty",
        ),
        pytest.param(
            results_file(("x", "paid", ""), name="results.xlsx"),
            "Only .csv files can be read.",
            id="not-csv-name",
        ),
        pytest.param({}, "Choose the results file.", id="no-file"),
    ],
)
def test_a_file_that_is_not_the_banks_csv_is_refused(admin, session, approved, data, message):
    batch_url = make_batch(admin)
    admin.post(f"{batch_url}/sent")
    response = upload(admin, batch_url, data)
    assert response.status_code == 422
    help_text = re.search(r'<div id="file-help">(.*?)</div>', response.get_data(as_text=True), re.S)
    assert message in help_text.group(1)
    assert all(fresh(session, a).status is Status.PAYING for _, a in approved)


def test_a_broken_file_applies_none_of_its_lines(admin, session, approved):
    (_, first), (_, second) = approved
    batch_url = make_batch(admin)
    admin.post(f"{batch_url}/sent")
    huge = "x" * 200_000  # beyond the csv module's field limit
    response = upload(
        admin, batch_url, results_file((first.number, "paid", ""), (second.number, "failed", huge))
    )
    assert response.status_code == 422
    assert "not a CSV file the portal can read" in response.get_data(as_text=True)
    assert all(fresh(session, a).status is Status.PAYING for _, a in approved)
    assert program_of(session).paid_fen == 0


def test_a_results_file_over_the_limit_is_refused(admin, session, approved, monkeypatch):
    # A small limit stands in for 5 MB: the test client spools big uploads to files.
    monkeypatch.setattr(payout_views, "MAX_RESULTS_BYTES", 100)
    batch_url = make_batch(admin)
    admin.post(f"{batch_url}/sent")
    big = b"application,result,reason\n" + b"GD," * 40
    response = upload(admin, batch_url, {"file": (io.BytesIO(big), "r.csv")})
    assert response.status_code == 422
    assert "larger than 5 MB" in response.get_data(as_text=True)


def test_retry_puts_the_payment_back_in_the_queue_for_a_new_batch(admin, session, approved):
    (_, first), (_, second) = approved
    batch_url, _ = sent_with_results(admin, approved)
    response = admin.post(f"{batch_url}/applications/{second.id}/retry", headers=EN)
    assert response.status_code == 303
    assert fresh(session, second).status is Status.APPROVED
    page = admin.get(response.headers["Location"], headers=EN).get_data(as_text=True)
    assert "is approved again and goes into the next batch" in page

    second_batch = make_batch(admin)
    assert second_batch != batch_url
    batch = session.exec(select(PayoutBatch).order_by(PayoutBatch.id.desc())).first()
    assert (batch.line_count, batch.total_fen) == (1, 2_000_000)
    assert fresh(session, second).status is Status.PAYING
    assert fresh(session, first).status is Status.PAID
    # Retrying again is refused: the payment is no longer failed.
    again = admin.post(f"{batch_url}/applications/{second.id}/retry", headers=EN)
    assert again.status_code == 409


def test_return_to_the_applicant_who_fixes_the_card(admin, auth, client, session, approved):
    (_, first), (second_applicant, second) = approved
    batch_url, _ = sent_with_results(admin, approved)
    refused = admin.post(
        f"{batch_url}/applications/{second.id}/return_account", data={"note": "  "}, headers=EN
    )
    page = refused.get_data(as_text=True)
    assert refused.status_code == 422
    note_help = re.search(rf'<div id="note-{second.id}-help">(.*?)</div>', page, re.S).group(1)
    assert "Give the reason" in note_help
    assert fresh(session, second).status is Status.PAYOUT_FAILED

    note = "The card is closed <b>; give another one."
    response = admin.post(
        f"{batch_url}/applications/{second.id}/return_account", data={"note": note}
    )
    assert response.status_code == 303
    returned = fresh(session, second)
    assert returned.status is Status.ACCOUNT_RETURNED
    assert returned.decision_note == note

    auth.logout()
    auth.login(second_applicant.email)
    new_card = "6222020200000000006"
    fixed = client.post(f"/subsidies/{second.id}/card", data={"card": new_card, "bank": "中国银行"})
    assert fixed.status_code == 303, fixed.get_data(as_text=True)
    corrected = fresh(session, second)
    assert (corrected.status, corrected.bank_card_masked, corrected.bank_name) == (
        Status.APPROVED,
        "6222 **** **** 0006",
        "中国银行",
    )
    program = program_of(session)
    assert program.reserved_fen == 2_000_000  # still reserved, waiting for the next batch
    assert budget.balance(session, program.id).matches(program)


def test_cancel_releases_the_reservation(admin, session, approved):
    (_, first), (_, second) = approved
    batch_url, _ = sent_with_results(admin, approved)
    refused = admin.post(f"{batch_url}/applications/{second.id}/cancel_payout", headers=EN)
    assert refused.status_code == 422
    assert fresh(session, second).status is Status.PAYOUT_FAILED

    response = admin.post(
        f"{batch_url}/applications/{second.id}/cancel_payout",
        data={"note": "The applicant died; the estate applies again."},
    )
    assert response.status_code == 303
    assert fresh(session, second).status is Status.PAYOUT_CANCELLED
    program = program_of(session)
    assert (program.reserved_fen, program.paid_fen) == (0, 2_000_000)
    assert budget.balance(session, program.id).matches(program)


def test_actions_only_for_failed_lines_of_this_batch(admin, session, approved):
    (_, first), (_, second) = approved
    batch_url, _ = sent_with_results(admin, approved)
    paid = admin.post(f"{batch_url}/applications/{first.id}/retry", headers=EN)
    assert paid.status_code == 409
    assert fresh(session, first).status is Status.PAID
    assert admin.post(f"{batch_url}/applications/{second.id}/pay").status_code == 404
    assert admin.post(f"{PAYOUTS}/999/applications/{second.id}/retry").status_code == 404
    assert admin.post(f"{batch_url}/applications/999999/retry").status_code == 404


def test_a_batch_needs_approved_applications(admin, session, approved):
    make_batch(admin)
    response = admin.post(PAYOUTS, data={"province": h.GUANGDONG}, headers=EN)
    page = response.get_data(as_text=True)
    assert response.status_code == 400
    assert "No approved application in this province is waiting" in page
    assert session.exec(select(PayoutBatch)).all() != []
    assert len(session.exec(select(PayoutBatch)).all()) == 1
    bad = admin.post(PAYOUTS, data={"province": "<script>"}, headers=EN)
    assert bad.status_code == 422 and "<script>" not in bad.get_data(as_text=True)


def test_recent_batches_are_paginated(app, admin, session, approved):
    app.config["PAGE_SIZE"] = 1
    make_batch(admin)
    (_, first), (_, second) = approved
    page = admin.get(PAYOUTS, headers=EN).get_data(as_text=True)
    assert "No approved application is waiting for payment." in page
    assert "/admin/subsidies/payouts/1" in page and "Next" not in page
    assert admin.get(f"{PAYOUTS}?page=2", headers=EN).status_code == 200
    assert admin.get(f"{PAYOUTS}?province=440000").status_code == 200
    assert admin.get(f"{PAYOUTS}/999").status_code == 404
    assert admin.get(f"{PAYOUTS}/99999999999").status_code == 404
    assert session.exec(select(Application).where(Application.status == Status.PAYING)).all()
    assert all(fresh(session, a).status is Status.PAYING for a in (first, second))
    assert PayoutResult.PENDING in session.exec(select(PayoutLine.result)).all()
