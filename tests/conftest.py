"""Fixtures: app, client (sends the CSRF token as the pages do), runner, auth, db session.

SQLite (default): the migrations run once into a template file; each test gets a copy.
PostgreSQL (TEST_DATABASE_URL): one database per test run, migrated once, and the
tables emptied before each test (the regions reference data is kept).
"""

import os
import re
import shutil

import pytest
from sqlalchemy import create_engine, text
from sqlmodel import Session, SQLModel

from portal import create_app, migrate
from portal.db import transaction
from portal.registry import services as registry

PASSWORD = "correct-horse-battery"
REFERENCE_TABLES = {"province", "city", "alembic_version"}


@pytest.fixture(autouse=True, scope="session")
def fast_password_hashing():
    """Argon2 with the smallest cost: the suite hashes hundreds of passwords."""
    from argon2 import PasswordHasher

    from portal.accounts import services

    services.hasher = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)
    services._DUMMY_HASH = services.hasher.hash("not-a-real-password")


@pytest.fixture(scope="session")
def database_template(tmp_path_factory):
    """A migrated database with the regions loaded: a SQLite file, or the PostgreSQL URL."""
    url = os.environ.get("TEST_DATABASE_URL")
    if url:
        _reset_postgres(url)
    else:
        url = f"sqlite:///{tmp_path_factory.mktemp('db') / 'template.db'}"
    migrate.upgrade(url)
    engine = create_engine(url)
    with transaction(engine) as session:
        registry.load_regions(session)
    engine.dispose()
    return url


def _reset_postgres(url: str) -> None:
    engine = create_engine(url)
    with engine.begin() as connection:
        connection.execute(text("DROP SCHEMA public CASCADE"))
        connection.execute(text("CREATE SCHEMA public"))
    engine.dispose()


@pytest.fixture
def database_url(database_template, tmp_path):
    """A clean database for one test."""
    if database_template.startswith("sqlite"):
        copy = tmp_path / "test.db"
        shutil.copy(database_template.removeprefix("sqlite:///"), copy)
        return f"sqlite:///{copy}"
    engine = create_engine(database_template)
    tables = [t.name for t in SQLModel.metadata.sorted_tables if t.name not in REFERENCE_TABLES]
    with engine.begin() as connection:
        connection.execute(text(f"TRUNCATE {', '.join(tables)} RESTART IDENTITY CASCADE"))
    engine.dispose()
    return database_template


@pytest.fixture
def app(database_url, tmp_path):
    app = create_app(
        {
            "TESTING": True,
            "DATABASE_URL": database_url,
            "UPLOAD_FOLDER": str(tmp_path / "uploads"),
            "SECRET_KEY": "test-secret",
            "ID_HASH_KEY": "test-id-key",
            "HUEY_IMMEDIATE": True,
            "CLI_LOCALE": "en",
        }
    )
    yield app
    app.extensions["db_engine"].dispose()


class FormClient:
    """Wraps the test client; form posts carry the CSRF token read from a page."""

    TOKEN = re.compile(r'name="csrf_token" (?:type="hidden" )?value="([^"]+)"')

    def __init__(self, client):
        self.client = client

    def __getattr__(self, name):
        return getattr(self.client, name)

    def csrf_token(self) -> str:
        page = self.client.get("/").get_data(as_text=True)
        return self.TOKEN.search(page).group(1)

    def post(self, url, data=None, **kwargs):
        data = dict(data or {})
        data.setdefault("csrf_token", self.csrf_token())
        return self.client.post(url, data=data, **kwargs)


@pytest.fixture
def client(app):
    return FormClient(app.test_client())


@pytest.fixture
def runner(app):
    return app.test_cli_runner()


@pytest.fixture
def db(app):
    """A session on the test database that commits at the end of each block it opens."""
    with app.app_context():
        yield lambda: transaction(app.extensions["db_engine"])


class Auth:
    def __init__(self, client):
        self.client = client

    def login(self, email: str, password: str = PASSWORD):
        response = self.client.post("/login", data={"email": email, "password": password})
        assert response.status_code == 303, response.get_data(as_text=True)
        return response

    def logout(self):
        return self.client.post("/logout")


@pytest.fixture
def auth(client):
    return Auth(client)


@pytest.fixture
def session(app):
    """A plain session for arranging and checking data; commit explicitly."""
    with Session(app.extensions["db_engine"], expire_on_commit=False) as db_session:
        yield db_session
