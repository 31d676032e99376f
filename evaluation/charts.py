"""Charts drawn on the server as SVG: no JavaScript, crisp in print and in a
PDF, and always shown beside a table of the same numbers (the table is what
a screen reader reads; the chart is hidden from it)."""

from __future__ import annotations

from decimal import Decimal

from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

WIDTH, HEIGHT, PAD = 240, 64, 6


def sparkline(values: list[Decimal | None], *, label: str) -> SafeString:
    """A small line chart of a series (oldest first); gaps where a value is
    missing. Decorative beside its data table, so hidden from assistive
    technology."""
    known = [float(v) for v in values if v is not None]
    if not known:
        return mark_safe("")
    low, high = min(known + [0.0]), max(known)
    span = (high - low) or 1.0
    step = (WIDTH - 2 * PAD) / max(len(values) - 1, 1)
    segments, current = [], []
    last_point = None
    for index, value in enumerate(values):
        if value is None:
            if current:
                segments.append(current)
            current = []
            continue
        x = PAD + index * step
        y = HEIGHT - PAD - (float(value) - low) / span * (HEIGHT - 2 * PAD)
        current.append(f"{x:.1f},{y:.1f}")
        last_point = (x, y)
    if current:
        segments.append(current)
    lines = "".join(
        f'<polyline class="abcd-chart__line" points="{" ".join(points)}"/>'
        for points in segments
    )
    dot = (
        f'<circle class="abcd-chart__dot" cx="{last_point[0]:.1f}" '
        f'cy="{last_point[1]:.1f}" r="3"/>'
        if last_point
        else ""
    )
    baseline = (
        f'<line class="abcd-chart__axis" x1="{PAD}" y1="{HEIGHT - PAD}" '
        f'x2="{WIDTH - PAD}" y2="{HEIGHT - PAD}"/>'
    )
    return mark_safe(
        f'<svg class="abcd-chart" viewBox="0 0 {WIDTH} {HEIGHT}" '
        f'width="100%" height="{HEIGHT}" preserveAspectRatio="none" '
        f'aria-hidden="true" focusable="false" data-label="{escape(label)}">'
        f"{baseline}{lines}{dot}</svg>"
    )


def bars(rows: list[tuple[str, int]], *, label: str) -> SafeString:
    """Horizontal bars, one per row (label, count), hidden from assistive
    technology because the table beside it holds the same numbers."""
    if not rows:
        return mark_safe("")
    top = max(count for _, count in rows) or 1
    bar_height, gap, text_width = 18, 8, 0
    height = len(rows) * (bar_height + gap)
    parts = []
    for index, (_name, count) in enumerate(rows):
        y = index * (bar_height + gap)
        width = max(2.0, (WIDTH - text_width - 40) * count / top)
        parts.append(
            f'<rect class="abcd-chart__bar" x="{text_width}" y="{y}" '
            f'width="{width:.1f}" height="{bar_height}"/>'
            f'<text class="abcd-chart__text" x="{text_width + width + 4:.1f}" '
            f'y="{y + bar_height - 4}">{count}</text>'
        )
    return mark_safe(
        f'<svg class="abcd-chart" viewBox="0 0 {WIDTH} {height}" width="100%" '
        f'height="{height}" aria-hidden="true" focusable="false" '
        f'data-label="{escape(label)}">{"".join(parts)}</svg>'
    )
