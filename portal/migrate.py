"""Alembic, driven from the app: the migrations in migrations/ are the only schema source."""

from alembic import command
from alembic.config import Config

from portal.config import PROJECT_ROOT


def alembic_config(url: str) -> Config:
    """An Alembic configuration for the database at url."""
    config = Config()
    config.set_main_option("script_location", str(PROJECT_ROOT / "migrations"))
    config.set_main_option("sqlalchemy.url", url.replace("%", "%%"))
    return config


def upgrade(url: str, revision: str = "head") -> None:
    """Apply the migrations up to revision."""
    command.upgrade(alembic_config(url), revision)


def autogenerate(url: str, message: str) -> None:
    """Write a new migration from the difference between the models and the database."""
    command.revision(alembic_config(url), message=message, autogenerate=True)
