import re

import pytest
from django.core.cache import cache

from kanava.audience.models import Subscriber


@pytest.fixture(autouse=True)
def _clean_cache():
    # Rate limits and resend cool-downs live in the cache; tests start fresh.
    cache.clear()
    yield
    cache.clear()


def subscribe(organisation, address, language="fi", state=Subscriber.State.CONFIRMED, **extra):
    return Subscriber.objects.create(organisation=organisation, kind="email", address=address,
                                     language=language, state=state, **extra)


def link_in(body: str, path_part: str) -> str:
    """The path of the first link in a text whose URL contains ``path_part``."""
    url = re.search(rf"https?://[^\s]*{re.escape(path_part)}[^\s]*", body).group(0)
    return "/" + url.split("/", 3)[3]
