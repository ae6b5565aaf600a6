"""The database engine, one session per request, and a transaction helper for CLI and jobs.

Services take the session as an argument and only flush; the request commits once
after the view returned a success, and rolls back on any exception or error response.
"""

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass

from flask import Flask, current_app, g, has_app_context
from sqlalchemy import Integer, bindparam, event, func, select, text
from sqlalchemy.engine import Engine
from sqlalchemy.exc import IntegrityError
from sqlmodel import Session, create_engine


def make_engine(url: str) -> Engine:
    """Create the engine; SQLite gets WAL, foreign keys and a busy timeout.

    hide_parameters: a failed statement's error (and so the log) shows the SQL without
    its values, which may be a password hash or a sealed card (docs/security.md).
    """
    if url.startswith("sqlite"):
        engine = create_engine(url, connect_args={"timeout": 30}, hide_parameters=True)
        event.listen(engine, "connect", _configure_sqlite)
        return engine
    return create_engine(
        url, pool_pre_ping=True, pool_size=10, max_overflow=20, hide_parameters=True
    )


def _configure_sqlite(dbapi_connection, _record) -> None:
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA cache_size=-65536")  # 64 MiB: imports touch many index pages
    cursor.close()


def init_app(app: Flask) -> None:
    """Attach an engine to the app and commit or roll back the request's session."""
    app.extensions["db_engine"] = make_engine(app.config["DATABASE_URL"])
    app.after_request(_commit_on_success)
    # On the app context, not the request: a job or an email rendered outside a request
    # (the signed-in user loaded by a template) opens a session too, and must not leave
    # its connection idle in a transaction.
    app.teardown_appcontext(_close_session)


def engine() -> Engine:
    """The current app's engine."""
    return current_app.extensions["db_engine"]


def session() -> Session:
    """The request's session, opened on first use."""
    if "db_session" not in g:
        g.db_session = Session(engine(), expire_on_commit=False)
        g.after_commit = []
    return g.db_session


def after_commit(callback: Callable[[], None]) -> None:
    """Run callback once the request's changes are committed (e.g. to enqueue a job)."""
    session()
    g.after_commit.append(callback)


def on_outcome(
    db_session: Session, *, committed: Callable[[], None], rolled_back: Callable[[], None]
) -> None:
    """Run committed once the session's transaction commits, rolled_back if it does not.

    For things outside the database that must follow it, such as files: a replaced upload
    is deleted only once its replacement is committed, and a new upload is deleted if the
    transaction that named it rolls back. Works in requests, jobs and the CLI alike.
    """
    db_session.info.setdefault(_OUTCOMES, []).append((committed, rolled_back))


_OUTCOMES = "portal.outcomes"


def once_committed(db_session: Session, callback: Callable[[], None]) -> None:
    """Run callback once db_session's changes are committed (e.g. to queue a job).

    For the request's session, after the request commits, when its connection is back
    in the pool: a job run at once (tests run them so) then never holds a second one.
    """
    if has_app_context() and g.get("db_session") is db_session:
        after_commit(callback)
    else:
        on_outcome(db_session, committed=callback, rolled_back=_nothing)


def _nothing() -> None:
    """Nothing outside the database to undo."""


@event.listens_for(Session, "after_commit")
def _run_committed(db_session: Session) -> None:
    if db_session.in_nested_transaction():  # a savepoint released: not committed yet
        return
    for committed, _rolled_back in db_session.info.pop(_OUTCOMES, []):
        committed()


@event.listens_for(Session, "after_transaction_end")
def _run_rolled_back(db_session: Session, transaction) -> None:
    if transaction.parent is None:  # the whole transaction ended without a commit
        for _committed, rolled_back in db_session.info.pop(_OUTCOMES, []):
            rolled_back()


def rollback_request() -> None:
    """Undo the request's writes now, so an error page can still read (e.g. the user)."""
    db_session = g.get("db_session")
    if db_session is not None:
        db_session.rollback()


def _commit_on_success(response):
    db_session = g.get("db_session")
    if db_session is None:
        return response
    if response.status_code < 400:
        db_session.commit()
        for callback in g.pop("after_commit"):
            callback()
    else:
        db_session.rollback()
    return response


def _close_session(_exc) -> None:
    db_session = g.pop("db_session", None)
    if db_session is not None:
        db_session.rollback()
        db_session.close()


@contextmanager
def transaction(bind: Engine | None = None) -> Iterator[Session]:
    """A session that commits at the end of the block, for CLI commands and jobs."""
    with Session(bind or engine(), expire_on_commit=False) as db_session:
        try:
            yield db_session
            db_session.commit()
        except BaseException:
            db_session.rollback()
            raise


@contextmanager
def unique_or(db_session: Session, error: Exception) -> Iterator[None]:
    """Raise error instead of an IntegrityError from the writes made inside the block.

    A savepoint keeps the rest of the transaction usable (PostgreSQL aborts the whole
    transaction on a failed statement otherwise).
    """
    try:
        with savepoint(db_session):
            yield
    except IntegrityError as integrity_error:
        raise error from integrity_error


@contextmanager
def savepoint(db_session: Session) -> Iterator[None]:
    """A nested transaction: an exception inside undoes only the block's writes.

    Every loaded object is then read again on its next use: a conditional UPDATE in the
    block changed rows behind the objects' backs, so a page shown after the refusal would
    otherwise show them half-changed. This is how a service refuses cleanly; views never
    roll back (the request's single commit point, STYLE 4).
    """
    _begin_on_sqlite(db_session)
    try:
        with db_session.begin_nested():
            yield
    except BaseException:
        db_session.expire_all()
        raise


def _begin_on_sqlite(db_session: Session) -> None:
    """Open SQLite's transaction before a SAVEPOINT, so RELEASE does not commit it.

    pysqlite begins a transaction only at the first write, which keeps reads free of
    locks (no deadlock when two requests read and then write); but a SAVEPOINT outside
    a transaction starts one of its own, and releasing it would commit the request early.
    IMMEDIATE takes the write lock now, waiting out the busy timeout: a deferred BEGIN
    would pin a read snapshot, and a write after another request's commit would then fail
    at once with "database is locked" (two reviewers bulk-approving at the same moment).
    """
    connection = db_session.connection()
    raw = connection.connection.dbapi_connection
    if connection.dialect.name == "sqlite" and not raw.in_transaction:
        connection.exec_driver_sql("BEGIN IMMEDIATE")


def ping() -> None:
    """Ask the database for a trivial answer (health checks)."""
    session().exec(text("SELECT 1"))


def page_of(statement, page: int, page_size: int):
    """One page of the statement's rows, and one row more to tell whether a next exists."""
    return statement.offset(inline((page - 1) * page_size)).limit(inline(page_size + 1))


# A count a person reads on a page stops here ("1,000+"): past it the exact figure helps
# nobody, and counting a province's queue of 100,000 per request would scan it.
COUNT_CAP = 1000


def capped_count(db_session: Session, statement, cap: int = COUNT_CAP) -> int:
    """How many rows the statement finds, reading at most cap + 1 of them (over its index).

    More than cap comes back as cap + 1, which the `count` filter shows as "1,000+".
    """
    found = statement.limit(inline(cap + 1)).subquery()
    return db_session.scalar(select(func.count()).select_from(found))


@dataclass(frozen=True)
class Page:
    """One page of a list: its rows, its number, and whether a next page exists."""

    rows: list
    number: int
    has_next: bool


def fetch_page(db_session: Session, statement, page: int, page_size: int, row=None) -> Page:
    """One page of the statement's results, each made row(*result) when row is given.

    Whether a next page exists comes from the one row more of `page_of`, never from a
    count of the table (DOMAIN §1.6).
    """
    found = db_session.exec(page_of(statement, page, page_size)).all()
    shown = found[:page_size]
    rows = [row(*result) for result in shown] if row else list(shown)
    return Page(rows=rows, number=page, has_next=len(found) > page_size)


def inline(value, type_=Integer):
    """A value (or a list, for IN) written into the SQL rather than sent as a parameter.

    PostgreSQL plans a prepared statement once for any values (the generic plan a
    long-lived worker runs after five executions): with LIMIT unknown it plans for every
    row (a parallel sort of the whole queue where twenty-one rows were wanted), and a
    partial index serves only a condition whose values it can see.
    """
    many = isinstance(value, list | tuple)
    return bindparam(None, value, type_=type_, literal_execute=True, expanding=many)
