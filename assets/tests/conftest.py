import pytest
from django.core.cache import cache


@pytest.fixture(autouse=True)
def _empty_cache():
    # The map is cached in Redis; each test starts from an empty cache.
    cache.clear()
    yield
    cache.clear()
