"""Alembic, driven from the app: the migrations in migrations/ are the only schema source."""

import sys

from alembic import command
from alembic.config import Config

from portal.config import PROJECT_ROOT

# The key of PostgreSQL's advisory lock that `db upgrade` holds (migrations/env.py).
MIGRATION_LOCK = int.from_bytes(b"portal-m")


def alembic_config(url: str) -> Config:
    """An Alembic configuration for the database at url, printing to the current stdout."""
    config = Config(stdout=sys.stdout)
    config.set_main_option("script_location", str(PROJECT_ROOT / "migrations"))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def upgrade(url: str, revision: str = "head") -> None:
    """Apply the migrations up to revision."""
    command.upgrade(alembic_config(url), revision)


def downgrade(url: str, revision: str) -> None:
    """Undo the migrations after revision."""
    command.downgrade(alembic_config(url), revision)


def current(url: str) -> None:
    """Print the revision the database is at."""
    command.current(alembic_config(url), verbose=False)


def history(url: str) -> None:
    """Print the migrations, newest first, marking the database's current one."""
    command.history(alembic_config(url), indicate_current=True)


def autogenerate(url: str, message: str) -> None:
    """Write a new migration from the difference between the models and the database."""
    command.revision(alembic_config(url), message=message, autogenerate=True)
