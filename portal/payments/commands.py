"""`flask payments reconcile`: compare local payments with Stripe's PaymentIntents."""

import click
from flask import current_app
from flask.cli import AppGroup

from portal import db
from portal.errors import DomainError, translate
from portal.payments import reports
from portal.payments.gateway import StripeConfig

payments_cli = AppGroup("payments", help="Stripe payments.")


@payments_cli.command("reconcile")
@click.option(
    "--since",
    type=click.DateTime(formats=["%Y-%m-%d"]),
    help="Only payments created from this day on (China time).",
)
def reconcile(since):
    """List payments whose status, amount or refunds differ from Stripe's; exit 1 if any."""
    config = StripeConfig.from_app(current_app.config)
    with db.transaction() as session:
        try:
            differences = reports.reconcile(
                session, stripe_config=config, since=since.date() if since else None
            )
        except DomainError as error:
            raise click.ClickException(translate(error)) from error
    for d in differences:
        where = f"payment {d.payment_id} ({d.intent_id})"
        click.echo(f"{where}: {d.field} is {d.local} here, {d.stripe} at Stripe")
    click.echo(f"{len(differences)} differences.")
    if differences:
        raise SystemExit(1)
