import pytest
from django.core.cache import cache


@pytest.fixture(autouse=True)
def _empty_cache():
    # The login throttle lives in the (process-wide) cache: start every test clean.
    cache.clear()
    yield
    cache.clear()
