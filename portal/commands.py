"""Command-line tools: `flask users create`, `flask registry import`, `flask seed`, `flask db`."""

import tempfile
from pathlib import Path

import click
from flask import current_app
from flask.cli import AppGroup

from portal import cards, csvfiles, db, migrate, storage, web
from portal.accounts import services as accounts
from portal.accounts.models import Role
from portal.audit import china_today
from portal.errors import DomainError, translate
from portal.imports import services as imports
from portal.payments import services as payments
from portal.registry import services as registry

users_cli = AppGroup("users", help="Manage accounts.")
keys_cli = AppGroup("keys", help="Keys that seal personal data at rest.")
registry_cli = AppGroup("registry", help="The vehicle registry.")


@users_cli.command("create")
@click.option("--email", required=True)
@click.option("--name", "display_name", required=True)
@click.option("--role", type=click.Choice([r.value for r in Role]), required=True)
@click.option("--province", "province_code", help="6-digit code, for reviewers and officers.")
@click.option("--dealer-uscc", help="The dealer company, for dealer staff.")
@click.password_option()
def create_user(email, display_name, role, province_code, dealer_uscc, password):
    """Create a staff or admin account."""
    role = Role(role)
    with db.transaction() as session:
        try:
            dealer_id = registry.dealer_id_for(session, dealer_uscc) if dealer_uscc else None
            accounts.create_user(
                session,
                email=email,
                password=password,
                display_name=display_name,
                role=role,
                province_code=province_code,
                dealer_id=dealer_id,
            )
        except DomainError as error:
            raise click.ClickException(translate(error)) from error
    click.echo(f"Created {role.value} {email}.")


@registry_cli.command("import")
@click.argument("path", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@click.option(
    "--errors",
    "errors_path",
    type=click.Path(dir_okay=False, path_type=Path),
    help="Where to write the refused rows (default: PATH.errors.csv).",
)
def import_registry(path: Path, errors_path: Path | None):
    """Import the authority's registry extract (CSV), with a progress bar."""
    job_id, total = _queue_import(path)
    with click.progressbar(length=total, label="Importing", show_pos=True) as bar:
        job = imports.run_import(
            db.engine(),
            job_id=job_id,
            files=storage.current(),
            key=web.id_hash_key(),
            progress=bar.update,
        )
    click.echo(
        f"{job.created} created, {job.updated} updated, {job.unchanged} unchanged, "
        f"{job.failed} refused."
    )
    if job.failed:
        errors_path = errors_path or path.with_suffix(".errors.csv")
        _write_problems(job.id, errors_path)
        click.echo(f"Refused rows: {errors_path}")


def _queue_import(path: Path) -> tuple[int, int]:
    with db.transaction() as session:
        try:
            job = imports.start_import(
                session,
                kind="registry",
                filename=path.name,
                content=path.read_bytes(),
                files=storage.current(),
                actor_id=None,
            )
        except DomainError as error:
            raise click.ClickException(translate(error)) from error
    with path.open("rb") as file:
        return job.id, max(sum(1 for _ in file) - 1, 0)


def _write_problems(job_id: int, errors_path: Path) -> None:
    """The refused rows (ID numbers masked when stored) in a file only this user reads."""
    with db.transaction() as session:
        rows = [["line", "vin", "field", "reason"], *imports.problem_rows(session, job_id)]
        content = csvfiles.text(rows, bom=False)
    storage.write_private_file(errors_path, content.encode())


seed_cli = AppGroup("seed", help="Load data: reference data, or demo data to try the portal.")


@seed_cli.command("reference")
def seed_reference():
    """Regions, the fee schedule, subsidy programs, the model catalog (safe in production)."""
    from portal.subsidy.programs import services as subsidies
    from portal.valuation import services as valuation

    with db.transaction() as session:
        cities = registry.load_regions(session)
        payments.ensure_fee_schedule(session)
        programs = subsidies.seed_programs(session)
        models = valuation.load_catalog(session)
    click.echo(f"Regions: {cities} cities. Subsidy programs: {programs} created.")
    click.echo(f"Model catalog: {models.created} created, {models.updated} updated.")


@seed_cli.command("demo")
@click.option("--vehicles", default=3000, show_default=True, type=click.IntRange(min=0))
def seed_demo(vehicles: int):
    """Demo cars, dealers and one account per role with a published password (not production)."""
    from portal import demo

    if current_app.config["PRODUCTION"]:
        raise click.ClickException(
            "Demo data has a published password: it is refused when PORTAL_ENV=production."
        )
    with tempfile.TemporaryDirectory() as folder:
        extract = Path(folder) / "demo-registry.csv"
        demo.write_extract(extract, vehicles)
        job_id, _total = _queue_import(extract)
    job = imports.run_import(
        db.engine(), job_id=job_id, files=storage.current(), key=web.id_hash_key()
    )
    click.echo(f"Vehicles: {job.created} created, {job.unchanged} unchanged.")
    with db.transaction() as session:
        for line in demo.create_accounts(session, key=web.id_hash_key()):
            click.echo(line)
        sales = demo.create_sales_history(session, today=china_today())
    click.echo(f"Completed transfers of the last year (valuation comparables): {sales} created.")


@keys_cli.command("rotate-cards")
def rotate_cards():
    """Re-seal every stored bank card under the first key of CARD_KEYS."""
    from portal.subsidy.payouts import card_store

    keys = web.card_keys()
    count = card_store.rotate(db.engine(), keys=keys)
    click.echo(f"{count} card numbers re-sealed under key {keys.current}.")


@keys_cli.command("new")
def new_card_key():
    """Print a fresh random key, to put first in CARD_KEYS as `id=key`."""
    click.echo(cards.new_key())


db_cli = AppGroup("db", help="The database schema (Alembic).")


@db_cli.command("upgrade")
def db_upgrade():
    """Apply every migration (once per deploy; other machines starting at once wait)."""
    migrate.upgrade(current_app.config["DATABASE_URL"])
    click.echo("Database is up to date.")


@db_cli.command("current")
def db_current():
    """Show the migration the database is at."""
    migrate.current(current_app.config["DATABASE_URL"])


@db_cli.command("history")
def db_history():
    """List the migrations, newest first, with the database's current one marked."""
    migrate.history(current_app.config["DATABASE_URL"])


@db_cli.command("downgrade", context_settings={"ignore_unknown_options": True})
@click.argument("revision")
def db_downgrade(revision: str):
    """Undo the migrations after REVISION (e.g. 0009_data_protection, or -1 for the last)."""
    migrate.downgrade(current_app.config["DATABASE_URL"], revision)
    click.echo(f"Database is at {revision}.")


@db_cli.command("revision")
@click.option("-m", "--message", required=True)
def db_revision(message: str):
    """Write a migration for what the models changed."""
    migrate.autogenerate(current_app.config["DATABASE_URL"], message)
