"""Issue 15 in Chromium: the owner types while the invoice is read; what they typed stays.

The reading is queued as the wizard queues it, the page polls it with htmx, the owner
types the model, then the job runs (here, in the test's thread, as the consumer would):
the step is swapped in place, the empty fields filled, the model left as typed.
"""

from portal import web
from portal.audit import china_today
from portal.reading import services
from portal.reading.terms import PaperKind
from portal.subsidy.apply import services as apply_services
from portal.subsidy.terms import Kind
from tests import papers
from tests import subsidy_helpers as subsidy
from tests.e2e.conftest import needs_chromium
from tests.test_reading_wizard import demo_invoice

pytestmark = needs_chromium

MARK = "Read from your invoice — check it."
DIFFERS = "Your value differs from what was read from your invoice — check it."


def test_a_reading_that_ends_while_the_owner_types_keeps_what_was_typed(app, session, journey):
    subsidy.seed(session)
    applicant = subsidy.Applicant(session)
    application = apply_services.start(
        session,
        user=applicant.user,
        kind=Kind.SCRAPPING,
        province_code=subsidy.GUANGDONG,
        today=china_today(),
    )
    invoice = demo_invoice(buyer_id=applicant.id_number, buyer_name=applicant.person.name)
    reading = services.start(
        session,
        user=applicant.user,
        kind=PaperKind.INVOICE,
        content=papers.invoice_pdf(invoice),
        files=app.extensions["storage"],
        application_id=application.id,
    )
    session.commit()

    owner = journey(locale="en")
    page = owner.page
    owner.sign_in(applicant.email)
    owner.open(f"/subsidies/{application.id}/step/new-car?reading={reading.id}")
    page.get_by_text("Reading your paper").wait_for()
    page.fill("#model", "汉 EV")

    with app.app_context():  # the consumer's job
        services.run(
            app.extensions["db_engine"],
            reading_id=reading.id,
            files=app.extensions["storage"],
            keys=web.card_keys(),
            id_key=web.id_hash_key(),
        )
    page.get_by_text(DIFFERS).wait_for()
    assert page.input_value("#model") == "汉 EV"
    assert page.input_value("#vin") == invoice.vin
    assert page.input_value("#invoice_number") == invoice.number
    assert page.get_by_text(MARK).count() >= 5
    assert page.url.endswith(f"/step/new-car?reading={reading.id}")
    page.screenshot(path="/tmp/reading-shots/typed-kept.png", full_page=True)
    owner.finish()
