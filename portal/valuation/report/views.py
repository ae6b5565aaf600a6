"""The detailed valuation report: bought through the payments feature, downloaded as PDF."""

from flask import Blueprint, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import login_required

from portal import db
from portal.accounts.access import signed_in_user
from portal.audit import utcnow
from portal.payments.gateway import StripeConfig
from portal.valuation.report import pdf
from portal.valuation.report import services as reports

bp = Blueprint("valuation_report", __name__, url_prefix="/valuation/reports")


@bp.route("/<id:record_id>", methods=["GET", "POST"])
@login_required
def buy(record_id: int):
    session, user = db.session(), signed_in_user()
    offer = reports.offer_for(session, user=user, record_id=record_id)
    if request.method == "POST":
        if offer.may_download:  # paid meanwhile (another tab), or free: nothing to pay
            return redirect(url_for(".download", record_id=record_id), 303)
        payment = reports.start_report_payment(
            session,
            user=user,
            record_id=record_id,
            stripe_config=StripeConfig.from_app(current_app.config),
        )
        return redirect(url_for("payments.pay", payment_id=payment.id), 303)
    return render_template("valuation/report.html", offer=offer)


@bp.get("/<id:record_id>/report.pdf")
@login_required
def download(record_id: int):
    session, user = db.session(), signed_in_user()
    offer = reports.offer_for(session, user=user, record_id=record_id)
    if not offer.may_download:
        flash(_("Pay for the report first, then download it."), "error")
        return redirect(url_for(".buy", record_id=record_id))
    record = offer.record
    on = reports.valued_on(record)
    document = pdf.report_pdf(record, reports.rerun(session, record), on=on, generated_at=utcnow())
    response = current_app.response_class(document, mimetype="application/pdf")
    response.headers["Content-Disposition"] = (
        f"attachment; filename=valuation-report-{record.id}.pdf"
    )
    response.headers["Cache-Control"] = "private, no-store"  # a bought, personal document
    return response
