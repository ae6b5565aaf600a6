"""The migrations are the schema: after upgrading, autogenerate finds nothing to add."""

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import create_engine
from sqlmodel import SQLModel

import portal.models  # noqa: F401
from portal import create_app, migrate


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


def test_db_current_history_downgrade_and_upgrade_again(app, tmp_path):
    fresh = create_app(dict(app.config) | {"DATABASE_URL": f"sqlite:///{tmp_path / 'fresh.db'}"})
    runner = fresh.test_cli_runner()

    def db(*args) -> str:
        result = runner.invoke(args=["db", *args])
        assert result.exit_code == 0, result.output
        return result.output

    db("upgrade")
    script = ScriptDirectory.from_config(migrate.alembic_config("sqlite://"))
    head = script.get_current_head()
    assert f"{head} (head)" in db("current")
    history = db("history")
    assert f"-> {head} (head) (current)" in history and "<base> -> 0001," in history
    assert "is at -1" in db("downgrade", "-1")
    assert db("current").startswith(script.get_revision(head).down_revision)
    db("upgrade")
    assert f"{head} (head)" in db("current")
    fresh.extensions["db_engine"].dispose()
