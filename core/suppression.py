"""Small-number suppression: the one rule for every figure that a cabinet
member or the public sees.

A count under the threshold can point at a person ("the two residents in
one ward who knit"), so it is shown as "fewer than 5" instead. Staff who
need the exact figure see it on their own screens; anything published goes
through here.
"""

from __future__ import annotations

SUPPRESSION_THRESHOLD = 5
FEWER_THAN = f"fewer than {SUPPRESSION_THRESHOLD}"


def is_suppressed(count: int | None, threshold: int = SUPPRESSION_THRESHOLD) -> bool:
    """True when a count (or the number of people behind a figure) is too
    small to publish. A missing count is treated as too small."""
    return count is None or count < threshold


def suppress(count: int | None, threshold: int = SUPPRESSION_THRESHOLD) -> str:
    """A count as it may be published: "fewer than 5" under the threshold,
    otherwise the number with thousands separators."""
    if is_suppressed(count, threshold):
        return f"fewer than {threshold}"
    return f"{int(count):,}"
