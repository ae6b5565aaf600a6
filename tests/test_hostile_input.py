"""The failures tests/test_hostile_sweep.py found, each pinned on its own: wrong, oversized
or hostile input answers 4xx with a message, never 500."""

import pytest

from portal.accounts.models import Role
from tests import factories

EN = {"Accept-Language": "en"}


@pytest.mark.parametrize("url", ["/transfers/{}", "/subsidies/{}", "/vehicles/{}", "/payments/{}"])
def test_an_id_past_64_bits_in_a_page_address_is_not_found(client, auth, session, url):
    """SQLite cannot bind it (OverflowError) and PostgreSQL's integer column refuses it."""
    admin = factories.user(session, Role.ADMIN)
    session.commit()
    auth.login(admin.email)
    assert client.get(url.format(2**63), headers=EN).status_code == 404
