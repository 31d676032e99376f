import pytest
from django.core.cache import cache
from django.test import RequestFactory

from core.ratelimit import Limit, client_address


def test_a_limit_counts_hits_per_key_and_stores_no_address_in_clear():
    limit = Limit("test", count=2, seconds=60)
    assert limit.hit("192.0.2.1")
    assert limit.hit("192.0.2.1")
    assert not limit.hit("192.0.2.1")
    assert limit.hit("192.0.2.2")
    keys = list(cache._cache.get_client().scan_iter("*ratelimit*"))
    assert keys
    assert not [k for k in keys if b"192.0.2" in k]


def test_a_cache_that_fails_lets_the_hit_through(monkeypatch):
    def broken(*args, **kwargs):
        raise ConnectionError("Redis is down")

    monkeypatch.setattr(cache, "add", broken)
    limit = Limit("test", count=1, seconds=60)
    assert limit.hit("a")
    assert limit.hit("a")


@pytest.mark.parametrize(
    ("proxies", "forwarded", "expected"),
    [
        (0, "203.0.113.9", "10.0.0.1"),  # no proxy: the header is the client's
        (1, "203.0.113.9", "203.0.113.9"),
        (1, "198.51.100.1, 203.0.113.9", "203.0.113.9"),  # a forged first entry
        (2, "198.51.100.1, 203.0.113.9, 10.0.0.7", "203.0.113.9"),
        (2, "203.0.113.9", "10.0.0.1"),  # fewer entries than proxies
        (1, "not-an-address", "10.0.0.1"),
        (1, "", "10.0.0.1"),
    ],
)
def test_the_client_address_trusts_only_our_own_proxies(
    settings, proxies, forwarded, expected
):
    settings.TRUSTED_PROXY_COUNT = proxies
    request = RequestFactory().get(
        "/", REMOTE_ADDR="10.0.0.1", HTTP_X_FORWARDED_FOR=forwarded
    )
    assert client_address(request) == expected
