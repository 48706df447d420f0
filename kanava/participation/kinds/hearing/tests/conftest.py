import pytest
from django.core.cache import cache


@pytest.fixture(autouse=True)
def _empty_cache():
    # Rate limits and cached pages live in the cache; ids repeat between tests.
    cache.clear()
    yield
    cache.clear()
