"""Fixtures: app, client (sends the CSRF token as the pages do), runner, auth, db session.

SQLite (default): the migrations run once into a template file; each test gets a copy.
PostgreSQL (TEST_DATABASE_URL): one database per test run, migrated once, and the
tables emptied before each test (the regions reference data is kept).

Under pytest-xdist (`make test` runs two workers) everything above is per worker: the
SQLite template sits in the worker's own temporary folder, and worker gwN on PostgreSQL
creates its own database, TEST_DATABASE_URL's name plus `_gwN`, and drops it at the end.
"""

import itertools
import os
import re
import secrets
import shutil

import pytest
from jinja2 import FileSystemBytecodeCache
from sqlalchemy import create_engine, make_url, text
from sqlmodel import Session, SQLModel

from portal import create_app, migrate, storage
from portal.db import transaction
from portal.registry import services as registry
from tests import servers
from tests.mail_server import MailServer

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
def database_template(tmp_path_factory, worker_id):
    """A migrated database with the regions loaded: a SQLite file, or the PostgreSQL URL."""
    url = os.environ.get("TEST_DATABASE_URL")
    own_database = bool(url) and worker_id != "master"
    if own_database:
        url = _worker_database(url, worker_id)
        _create_postgres(url)
    elif url:
        _reset_postgres(url)
    else:
        url = f"sqlite:///{tmp_path_factory.mktemp('db') / 'template.db'}"
    migrate.upgrade(url)
    engine = create_engine(url)
    with transaction(engine) as session:
        registry.load_regions(session)
    engine.dispose()
    yield url
    if own_database:
        _drop_postgres(url)


def _worker_database(url: str, worker_id: str) -> str:
    """The URL of this xdist worker's own database on the same server: <name>_gwN."""
    parsed = make_url(url)
    return parsed.set(database=f"{parsed.database}_{worker_id}").render_as_string(
        hide_password=False
    )


def _on_maintenance_database(url: str, statement: str) -> None:
    """Run CREATE or DROP DATABASE from the server's `postgres` database (outside a transaction)."""
    engine = create_engine(make_url(url).set(database="postgres"), isolation_level="AUTOCOMMIT")
    with engine.connect() as connection:
        connection.execute(text(statement))
    engine.dispose()


def _create_postgres(url: str) -> None:
    """A fresh, empty database; one an interrupted run left behind is dropped first."""
    _drop_postgres(url)
    _on_maintenance_database(url, f'CREATE DATABASE "{make_url(url).database}"')


def _drop_postgres(url: str) -> None:
    name = make_url(url).database
    _on_maintenance_database(url, f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


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


@pytest.fixture(scope="session")
def compiled_templates(tmp_path_factory):
    """Jinja's cache of compiled templates, keyed by their source, shared by the tests of a
    worker: each test's app would otherwise compile every template it renders again."""
    return FileSystemBytecodeCache(str(tmp_path_factory.mktemp("jinja")))


@pytest.fixture
def app(database_url, tmp_path, compiled_templates):
    app = create_app(
        {
            "TESTING": True,
            "DATABASE_URL": database_url,
            "UPLOAD_FOLDER": str(tmp_path / "uploads"),
            "MAIL_FOLDER": str(tmp_path / "mail"),
            "SECRET_KEY": "test-secret",
            "ID_HASH_KEY": "test-id-key",
            "HUEY_IMMEDIATE": True,
            "CLI_LOCALE": "en",
        }
    )
    app.jinja_env.bytecode_cache = compiled_templates
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
def smtp(app):
    """A real SMTP server on loopback (aiosmtpd); the app sends its email there."""
    server = MailServer()
    app.config.update(MAIL_SERVER="127.0.0.1", MAIL_PORT=server.port)
    yield server
    server.stop()


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


# --- S3-compatible storage: moto's server on loopback --------------------------------------


@pytest.fixture(scope="session")
def s3_endpoint(tmp_path_factory):
    """The S3 server's URL: `.ci/run`'s (TEST_S3_ENDPOINT_URL), or one this worker starts."""
    if url := os.environ.get("TEST_S3_ENDPOINT_URL"):
        yield url
        return
    server = servers.moto_server(tmp_path_factory.mktemp("moto"))
    yield server.url
    server.stop()


@pytest.fixture
def s3_bucket(s3_endpoint, monkeypatch, worker_id):
    """A new bucket for one test (workers, tests and runs never share one); boto3's
    credentials. The run's token matters: .ci/run's SQLite and PostgreSQL suites share one
    S3 server, and creating a bucket that exists in us-east-1 succeeds, keeping its files."""
    for name, value in servers.TEST_CREDENTIALS.items():
        monkeypatch.setenv(name, value)
    name = f"portal-{_RUN}-{worker_id}-{next(_buckets)}".lower()
    servers.new_bucket(s3_endpoint, name)
    return name


_buckets = itertools.count()
_RUN = secrets.token_hex(4)


@pytest.fixture
def s3_app(app, s3_endpoint, s3_bucket):
    """The app with its files in the test's bucket, under the prefix `files/`."""
    app.config.update(STORAGE_URL=f"s3://{s3_bucket}/files", S3_ENDPOINT_URL=s3_endpoint)
    app.extensions["storage"] = storage.from_config(app.config)
    return app
