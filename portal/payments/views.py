"""Payment pages: pay by card, the status that refreshes, Stripe's webhook, and admin pages."""

from flask import (
    Blueprint,
    Response,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    stream_with_context,
    url_for,
)
from flask_babel import format_datetime
from flask_babel import gettext as _
from flask_login import login_required

from portal import audit, csvfiles, db, htmx, web
from portal.accounts.access import roles_required, signed_in_user
from portal.accounts.models import Role
from portal.accounts.redirects import safe_next
from portal.errors import Conflict, DomainError, translate
from portal.extensions import csrf
from portal.messages import N_
from portal.money import yuan, yuan_input
from portal.payments import fees, gateway, refunds, reports, rules, services, webhooks
from portal.payments.errors import RefundRefused
from portal.payments.forms import PaymentFilterForm, RefundForm, fee_form
from portal.payments.gateway import StripeConfig
from portal.payments.labels import payment_label
from portal.payments.rules import PaymentStatus

bp = Blueprint("payments", __name__, url_prefix="/payments")


@bp.app_context_processor
def helpers() -> dict:
    return {"payment_label": payment_label}


def _config() -> StripeConfig:
    return StripeConfig.from_app(current_app.config)


# --- the payer's pages ------------------------------------------------------------------


@bp.get("/<id:payment_id>")
@login_required
def pay(payment_id: int):
    payment = services.payment_for(db.session(), user=signed_in_user(), payment_id=payment_id)
    if payment.status not in (PaymentStatus.PENDING, PaymentStatus.FAILED):
        return redirect(url_for("payments.status", payment_id=payment.id))
    config = _config()
    gateway.require_configured(config)
    client_secret = None
    if payment.status is PaymentStatus.PENDING:
        if not payment.stripe_payment_intent_id:
            raise Conflict(N_("This payment cannot be paid by card. Please start it again."))
        intent = gateway.retrieve_intent(config, payment.stripe_payment_intent_id)
        if intent.status in ("succeeded", "processing"):  # paid; the webhook is on its way
            return redirect(url_for("payments.status", payment_id=payment.id))
        client_secret = intent.client_secret
    return render_template(
        "payments/pay.html", payment=payment, config=config, client_secret=client_secret
    )


@bp.post("/<id:payment_id>/retry")
@login_required
def retry(payment_id: int):
    payment = services.retry_payment(
        db.session(), user=signed_in_user(), payment_id=payment_id, stripe_config=_config()
    )
    return redirect(url_for("payments.pay", payment_id=payment.id), 303)


@bp.post("/<id:payment_id>/test-card")
@login_required
def pay_test_card(payment_id: int):
    config = _config()
    if not config.api_base:  # only against localstripe: the route does not exist otherwise
        abort(404)
    payment = services.pay_with_test_card(
        db.session(), user=signed_in_user(), payment_id=payment_id, stripe_config=config
    )
    return redirect(url_for("payments.status", payment_id=payment.id), 303)


@bp.get("/<id:payment_id>/status")
@login_required
def status(payment_id: int):
    payment = services.payment_for(db.session(), user=signed_in_user(), payment_id=payment_id)
    return htmx.render(
        "payments/status.html",
        "payments/_status.html",
        payment=payment,
        settled=payment.status in rules.SETTLED,
        return_path=safe_next(payment.return_path),
    )


@bp.post("/stripe/webhook")
@csrf.exempt
def webhook():
    outcome = webhooks.handle_webhook(
        db.session(),
        payload=request.get_data(cache=False),
        signature=request.headers.get("Stripe-Signature", ""),
        secret=_config().webhook_secret,
    )
    return {"received": True, "outcome": outcome}


# --- administration ---------------------------------------------------------------------


def _filters() -> tuple[PaymentFilterForm, reports.PaymentFilter]:
    form = PaymentFilterForm(reports.purpose_kinds(db.session()), formdata=request.args)
    form.validate()
    ok = {field.name: field.data for field in form if not field.errors}  # bad ones are ignored
    filters = reports.PaymentFilter(
        status=PaymentStatus(ok["status"]) if ok.get("status") else None,
        purpose_kind=ok.get("kind") or None,
        since=ok.get("since"),
        until=ok.get("until"),
    )
    return form, filters


def _filter_args() -> dict:
    return {
        k: v for k, v in request.args.items() if k in ("status", "kind", "since", "until") and v
    }


@bp.get("/admin")
@roles_required(Role.ADMIN)
def admin_list():
    form, filters = _filters()
    session = db.session()
    page = reports.list_payments(
        session, filters=filters, page=web.page_number(), page_size=current_app.config["PAGE_SIZE"]
    )
    return render_template(
        "payments/admin_list.html",
        form=form,
        page=page,
        totals=reports.totals(session, filters=filters),
        filter_args=_filter_args(),
    )


@bp.get("/admin/export.csv")
@roles_required(Role.ADMIN)
def admin_export():
    _form, filters = _filters()
    header = [_("Payment"), _("Created"), _("For"), _("Purpose id"), _("Description"),
              _("Payer"), _("Amount (yuan)"), _("Refunded (yuan)"), _("Status"),
              _("Stripe intent")]  # fmt: skip

    def rows():
        yield header
        for row in reports.export_rows(db.session(), filters=filters):
            p = row.payment
            yield [p.id, format_datetime(p.created_at, "yyyy-MM-dd HH:mm"),
                   p.purpose_kind, p.purpose_id, p.description, row.payer_email,
                   yuan_input(p.amount_fen), yuan_input(p.refunded_fen),
                   p.status.value, p.stripe_payment_intent_id or ""]  # fmt: skip

    return Response(
        stream_with_context(csvfiles.lines(rows())),
        mimetype="text/csv",
        headers={"Content-Disposition": "attachment; filename=payments.csv"},
    )


@bp.route("/admin/<id:payment_id>", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def admin_detail(payment_id: int):
    session = db.session()
    payment = services.get_payment(session, payment_id)
    form = RefundForm(payment)
    status_code = 200
    if form.validate_on_submit():
        try:
            refunds.refund(
                session,
                payment_id=payment.id,
                amount_fen=form.amount.fen,
                reason=form.reason.data.strip(),
                actor_id=signed_in_user().id,
                stripe_config=_config(),
            )
        except RefundRefused as error:
            form.amount.errors.append(translate(error))
        except DomainError as error:  # Stripe refused or is not configured: keep the form
            form.form_errors.append(translate(error))
            status_code = error.status
        else:
            flash(_("Refunded %(amount)s.", amount=yuan(form.amount.fen)), "success")
            return redirect(url_for("payments.admin_detail", payment_id=payment.id), 303)
    if status_code == 200 and (form.form_errors or any(field.errors for field in form)):
        status_code = 422
    page = render_template(
        "payments/admin_detail.html",
        payment=payment,
        form=form,
        refunds=refunds.refunds_of(session, payment.id),
        history=audit.history(session, "payment", payment.id),
    )
    return page, status_code


@bp.route("/admin/fees", methods=["GET", "POST"])
@roles_required(Role.ADMIN)
def admin_fees():
    session = db.session()
    form = fee_form(fees.fee_schedule(session))
    if form.validate_on_submit():
        changed = fees.update_fees(session, amounts=form.amounts, actor_id=signed_in_user().id)
        flash(_("Fee schedule saved: %(count)s changed.", count=len(changed)), "success")
        return redirect(url_for("payments.admin_fees"), 303)
    return render_template("payments/fees.html", form=form), 422 if form.errors else 200
