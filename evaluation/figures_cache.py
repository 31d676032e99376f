"""The dashboard's figures (headlines, trend charts and the table of every
indicator) and its filter are drawn once and kept in the cache until
something they show changes. The figures are read from snapshots, so the key
names the scope, the day and when the scope's snapshots were last worked
out; anything else shown (an indicator's name, an outcome's title, a cohesion
question, the sites and wards in the filter) moves the generation on when it
is saved or deleted (evaluation.signals). Nothing personal is kept: the
figures are aggregates."""

from __future__ import annotations

from django.core.cache import cache
from django.db import transaction

GENERATION_KEY = "evaluation:figures:generation"
# A drawn fragment is dropped after a day even if nothing changed: the key
# moves on each night when the snapshots are worked out anyway.
TIMEOUT = 60 * 60 * 24


def generation() -> int:
    return cache.get_or_set(GENERATION_KEY, 1, timeout=None)


def _bump() -> None:
    try:
        cache.incr(GENERATION_KEY)
    except ValueError:  # not set yet (or evicted): any new value will do
        cache.set(GENERATION_KEY, 2, timeout=None)


def figures_changed(**_kwargs) -> None:
    """A signal receiver: drawn figures are stale once this commits."""
    transaction.on_commit(_bump)
