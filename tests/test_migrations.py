"""The migrations are the schema: after upgrading, autogenerate finds nothing to add."""

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import create_engine
from sqlmodel import SQLModel

import portal.models  # noqa: F401


def test_models_and_migrations_agree(database_template):
    engine = create_engine(database_template)
    with engine.connect() as connection:
        context = MigrationContext.configure(connection, opts={"compare_type": True})
        differences = compare_metadata(context, SQLModel.metadata)
    engine.dispose()
    assert differences == []


def test_regions_are_loaded(session):
    from sqlmodel import func, select

    from portal.registry.models import City, Province

    assert session.exec(select(func.count()).select_from(Province)).one() == 31
    assert session.get(City, "440300").plate_prefixes == "粤B"
