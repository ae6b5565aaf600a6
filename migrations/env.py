"""Alembic environment: the target is SQLModel's metadata with every model imported."""

from alembic import context
from sqlalchemy import create_engine, text
from sqlmodel import SQLModel

import portal.models  # noqa: F401  (fills SQLModel.metadata)
from portal.migrate import MIGRATION_LOCK

config = context.config
target_metadata = SQLModel.metadata


def run_migrations_offline() -> None:
    context.configure(
        url=config.get_main_option("sqlalchemy.url"),
        target_metadata=target_metadata,
        literal_binds=True,
        compare_type=True,
        render_as_batch=True,
    )
    with context.begin_transaction():
        context.run_migrations()


def run_migrations_online() -> None:
    engine = create_engine(config.get_main_option("sqlalchemy.url"))
    with engine.connect() as connection:
        context.configure(
            connection=connection,
            target_metadata=target_metadata,
            compare_type=True,
            # SQLite cannot ALTER most things; batch mode rebuilds the table instead.
            render_as_batch=True,
        )
        with context.begin_transaction():
            wait_for_other_migrations(connection)
            context.run_migrations()
    engine.dispose()


def wait_for_other_migrations(connection) -> None:
    """Take PostgreSQL's advisory lock for migrations until this transaction ends.

    Several machines may run `flask db upgrade` at once when a deploy starts them; the
    others wait here and then find the version the first one committed, so the schema is
    migrated once (without it, the second failed creating what the first had created).
    SQLite has no such lock and serves one machine.
    """
    if connection.dialect.name == "postgresql":
        connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": MIGRATION_LOCK})


if context.is_offline_mode():
    run_migrations_offline()
else:
    run_migrations_online()
