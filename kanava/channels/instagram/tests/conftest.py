"""Instagram speaks to the same local Graph API as Facebook: the fixtures are shared."""

import pytest

from kanava.channels.facebook.tests.conftest import (  # noqa: F401 (fixtures)
    connected,
    in_english,
    meta,
    meta_server,
    public_site,
    publish,
)


@pytest.fixture
def account(cast, meta):
    """The organisation's Instagram professional account, linked to its Facebook Page."""
    return connected(cast, meta, "instagram", "Instagram")
