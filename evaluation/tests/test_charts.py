"""The server-drawn charts: where each point and bar goes, the gaps, and
that they stay hidden from assistive technology beside their tables."""

import re
from decimal import Decimal

import pytest
from django.utils.safestring import SafeString

from evaluation import charts

BOTTOM = charts.HEIGHT - charts.PAD  # where zero (or the lowest value) sits


def polylines(svg: str) -> list[list[tuple[float, float]]]:
    return [
        [tuple(map(float, point.split(","))) for point in points.split()]
        for points in re.findall(r'<polyline [^>]*points="([^"]*)"', svg)
    ]


def dot(svg: str) -> tuple[float, float] | None:
    found = re.search(r'<circle [^>]*cx="([\d.]+)" cy="([\d.]+)"', svg)
    return (float(found[1]), float(found[2])) if found else None


def bars(svg: str) -> list[tuple[float, float, str]]:
    """Each bar's top, width and the count written beside it."""
    return [
        (float(y), float(width), count)
        for y, width, count in re.findall(
            r'<rect [^>]*y="([\d.]+)" width="([\d.]+)"[^>]*/>'
            r"<text [^>]*>([^<]*)</text>",
            svg,
        )
    ]


# Sparklines -----------------------------------------------------------------


@pytest.mark.parametrize("values", [[], [None], [None, None, None]])
def test_a_sparkline_of_nothing_is_not_drawn(values):
    assert charts.sparkline(values, label="Conversations") == ""


def test_a_sparkline_runs_oldest_to_newest_from_zero_to_its_highest_value():
    svg = charts.sparkline([Decimal(0), Decimal(5), Decimal(10)], label="x")

    # Three points across the width (6 to 234), rising from the bottom
    # (zero) to the top (the highest value).
    assert polylines(svg) == [[(6.0, 58.0), (120.0, 32.0), (234.0, 6.0)]]
    assert dot(svg) == (234.0, 6.0)
    assert f'y1="{BOTTOM}"' in svg  # the axis along the bottom


def test_a_sparkline_of_positive_values_starts_its_scale_at_zero():
    svg = charts.sparkline([Decimal(20), Decimal(40)], label="x")

    assert polylines(svg) == [[(6.0, 32.0), (234.0, 6.0)]]


def test_a_sparkline_of_negative_values_starts_its_scale_at_the_lowest():
    svg = charts.sparkline([Decimal(-2), Decimal(2)], label="x")

    assert polylines(svg) == [[(6.0, 58.0), (234.0, 6.0)]]


def test_a_flat_sparkline_of_zeros_lies_on_the_axis():
    svg = charts.sparkline([Decimal(0), Decimal(0)], label="x")

    assert polylines(svg) == [[(6.0, BOTTOM), (234.0, BOTTOM)]]


def test_a_sparkline_of_one_value_is_a_point_at_the_left():
    svg = charts.sparkline([Decimal(7)], label="x")

    assert polylines(svg) == [[(6.0, 6.0)]]
    assert dot(svg) == (6.0, 6.0)


def test_a_missing_month_breaks_the_line_and_the_dot_marks_the_last_known():
    svg = charts.sparkline([Decimal(4), None, Decimal(2), Decimal(4), None], label="x")

    # Five months, 57 apart: the line stops at the gap and starts again.
    assert polylines(svg) == [[(6.0, 6.0)], [(120.0, 32.0), (177.0, 6.0)]]
    assert dot(svg) == (177.0, 6.0)


def test_a_sparkline_is_hidden_from_screen_readers_and_escapes_its_label():
    svg = charts.sparkline([Decimal(1)], label='Residents "met" <b>')

    assert isinstance(svg, SafeString)
    assert svg.startswith('<svg class="abcd-chart"')
    assert 'aria-hidden="true" focusable="false"' in svg
    assert 'data-label="Residents &quot;met&quot; &lt;b&gt;"' in svg
    assert "<b>" not in svg


# Bars -----------------------------------------------------------------------


def test_no_rows_draw_no_bars():
    assert charts.bars([], label="Applications by stage") == ""


def test_bars_are_as_long_as_their_count_against_the_largest():
    svg = charts.bars(
        [("Submitted", 10), ("Waiting", 5), ("Awarded", 0)], label="Stages"
    )

    # The largest bar is 200 long, the others in proportion; an empty stage
    # keeps a sliver so it still shows; each bar has its count beside it.
    assert bars(svg) == [(0.0, 200.0, "10"), (26.0, 100.0, "5"), (52.0, 2.0, "0")]
    assert 'height="78"' in svg  # three rows of 18 with gaps of 8


def test_bars_of_nothing_but_zeros_are_all_slivers():
    svg = charts.bars([("Submitted", 0), ("Awarded", 0)], label="Stages")

    assert [width for _, width, _ in bars(svg)] == [2.0, 2.0]


def test_bars_are_hidden_from_screen_readers_and_escape_their_label():
    svg = charts.bars([("Submitted", 3)], label="<Stages & more>")

    assert isinstance(svg, SafeString)
    assert 'aria-hidden="true" focusable="false"' in svg
    assert 'data-label="&lt;Stages &amp; more&gt;"' in svg
