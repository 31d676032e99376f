"""Rate limits on what the public can make the service do, counted in the
cache (Redis, shared by every worker), and the page that says "too many".

A limit counts hits on a key (a client's address, an email address) in a
fixed window. Keys are stored as keyed hashes, so the cache never holds an
address in clear. If the cache cannot be reached the hit is allowed and
logged: a public form stays usable while Redis is down.
"""

from __future__ import annotations

import hashlib
import hmac
import ipaddress
import logging
from dataclasses import dataclass

from django.conf import settings
from django.core.cache import cache
from django.shortcuts import render

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Limit:
    """At most ``count`` hits in ``seconds`` for one key; a count of 0
    turns the limit off."""

    name: str
    count: int
    seconds: int

    def _key(self, value: str) -> str:
        digest = hmac.new(
            settings.SECRET_KEY.encode(),
            f"{self.name}:{value}".encode("utf-8", "surrogatepass"),
            hashlib.sha256,
        ).hexdigest()
        return f"ratelimit:{self.name}:{digest[:32]}"

    def hit(self, value: str) -> bool:
        """Count one hit for ``value``; True while it is within the limit."""
        if self.count <= 0:
            return True
        key = self._key(value)
        try:
            cache.add(key, 0, timeout=self.seconds)
            try:
                hits = cache.incr(key)
            except ValueError:  # expired between add and incr
                cache.set(key, 1, timeout=self.seconds)
                hits = 1
        except Exception:  # noqa: BLE001 - any cache failure lets the hit through
            logger.warning("Rate limit %s not checked: the cache failed", self.name)
            return True
        return hits <= self.count


def client_address(request) -> str:
    """The address the request came from. Behind ``TRUSTED_PROXY_COUNT``
    proxies (each adding the address it saw to X-Forwarded-For), it is the
    one the outermost of ours saw; anything a client wrote before that is
    ignored, so it cannot be forged."""
    remote = request.META.get("REMOTE_ADDR", "")
    proxies = settings.TRUSTED_PROXY_COUNT
    if proxies <= 0:
        return remote
    forwarded = [
        part.strip()
        for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
        if part.strip()
    ]
    if len(forwarded) < proxies:
        return remote
    candidate = forwarded[-proxies]
    try:
        return str(ipaddress.ip_address(candidate))
    except ValueError:
        return remote


def too_many_requests(request, *, limit: Limit, what: str, template: str = "429.html"):
    """The GOV.UK-style page that says to wait, with status 429 and a
    Retry-After header. ``what`` completes "Too many ..." in the heading;
    ``template`` may extend 429.html to say more."""
    minutes = max(1, round(limit.seconds / 60))
    response = render(request, template, {"what": what, "minutes": minutes}, status=429)
    response["Retry-After"] = str(limit.seconds)
    return response
