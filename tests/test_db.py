"""The transaction helpers keep one request one transaction, on SQLite too."""

import pytest
from sqlmodel import Session, select

from portal.db import unique_or
from portal.errors import Conflict
from portal.registry.models import Person


def test_a_savepoint_as_first_write_is_rolled_back_with_the_request(app):
    engine = app.extensions["db_engine"]
    with Session(engine) as session:
        with unique_or(session, Conflict("taken")):
            session.add(Person(name="甲", id_hash="h1", id_masked="m"))
        session.rollback()
    with Session(engine) as session:
        assert session.exec(select(Person)).all() == []


def test_a_duplicate_becomes_the_domain_error_and_the_transaction_goes_on(app):
    engine = app.extensions["db_engine"]
    with Session(engine) as session:
        session.add(Person(name="甲", id_hash="h1", id_masked="m"))
        session.flush()
        with pytest.raises(Conflict), unique_or(session, Conflict("taken")):
            session.add(Person(name="乙", id_hash="h1", id_masked="m"))
        session.add(Person(name="丙", id_hash="h2", id_masked="m"))
        session.commit()
    with Session(engine) as session:
        assert sorted(p.id_hash for p in session.exec(select(Person))) == ["h1", "h2"]
