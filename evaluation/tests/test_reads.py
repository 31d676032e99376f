import datetime
from decimal import Decimal

import pytest
from django.db import connection, transaction
from django.utils import timezone

from communities.tests.factories import SiteFactory, WardFactory
from evaluation import reads
from evaluation.indicators import SPECS
from evaluation.models import Indicator, Snapshot

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("code", "value", "base", "public", "shown"),
    [
        ("conversations", Decimal(3), 3, True, "fewer than 5"),
        ("conversations", Decimal(0), 0, True, "fewer than 5"),
        ("conversations", Decimal(5), 5, True, "5"),
        ("conversations", Decimal(3), 3, False, "3"),
        ("conversations", Decimal(1234), 1234, False, "1,234"),
        ("swemwbs", Decimal("22.14"), 4, True, "Not shown (fewer than 5 behind it)"),
        ("swemwbs", Decimal("22.14"), 5, True, "22.1"),
        ("swemwbs", Decimal("22.14"), 2, False, "22.1"),
        ("swemwbs", None, 0, True, "No data"),
        (
            "sparks-amount",
            Decimal("500.50"),
            2,
            True,
            "Not shown (fewer than 5 behind it)",
        ),
        ("sparks-amount", Decimal("1500.50"), 6, True, "£1,500"),
        ("sparks-resident-led-share", Decimal("100.00"), 7, True, "100%"),
    ],
)
def test_figures_are_suppressed_only_where_the_public_sees_them(
    code, value, base, public, shown
):
    assert reads.format_value(SPECS[code], value, base, public=public) == shown


def test_indicator_rows_read_twelve_months_of_snapshots_for_the_scope():
    ward = WardFactory()
    indicator = Indicator.objects.get(code="conversations")
    today = timezone.localdate().replace(day=1)
    now = timezone.now()
    Snapshot.objects.create(
        indicator=indicator, month=today, value=7, base=7, computed_at=now
    )
    Snapshot.objects.create(
        indicator=indicator, month=today, area=ward, value=2, base=2, computed_at=now
    )
    old = (today - datetime.timedelta(days=400)).replace(day=1)
    Snapshot.objects.create(
        indicator=indicator, month=old, value=99, base=99, computed_at=now
    )

    rows = reads.indicator_rows(last_month=today)
    row = next(r for r in rows if r.indicator == indicator)
    assert len(row.points) == 12
    assert row.latest.value == 7
    assert [p.value for p in row.points[:-1]] == [None] * 11

    ward_row = next(
        r
        for r in reads.indicator_rows(area=ward, last_month=today, public=True)
        if r.indicator == indicator
    )
    assert ward_row.latest.shown == "fewer than 5"
    assert (
        reads.indicator_rows(site=SiteFactory(), last_month=today)[0].latest.value
        is None
    )


def test_the_dashboard_says_when_each_scopes_figures_were_last_worked_out():
    site, ward = SiteFactory(), WardFactory()
    indicator = Indicator.objects.get(code="conversations")
    month = timezone.localdate().replace(day=1)
    now = timezone.now()
    for n, scope in enumerate([{}, {"site": site}, {"area": ward}]):
        for hours in (5, 1 + n, 9):
            Snapshot.objects.create(
                indicator=indicator,
                month=(month - datetime.timedelta(days=40 * hours)).replace(day=1),
                value=1,
                base=1,
                computed_at=now - datetime.timedelta(hours=hours),
                **scope,
            )

    def last_computed(**scope):
        return Snapshot.objects.for_scope(**scope).last_computed()

    assert last_computed() == now - datetime.timedelta(hours=1)
    assert last_computed(site=site) == now - datetime.timedelta(hours=2)
    assert last_computed(area=ward) == now - datetime.timedelta(hours=3)
    assert last_computed(site=SiteFactory()) is None


@pytest.mark.parametrize("scope", ["city", "site", "ward"])
def test_the_newest_snapshot_is_read_from_the_index_without_sorting(scope):
    """With sorting made as costly as PostgreSQL allows, the plan for the
    newest snapshot of a scope still has no sort: the index is in order."""
    kwargs = {
        "city": {},
        "site": {"site": SiteFactory()},
        "ward": {"area": WardFactory()},
    }
    newest = (
        Snapshot.objects.for_scope(**kwargs[scope])
        .newest_computed_first()
        .only("computed_at")[:1]
    )
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL enable_sort = off")
        cursor.execute("SET LOCAL enable_seqscan = off")
        plan = newest.explain()
    assert "Sort" not in plan, plan
    assert "Index" in plan, plan
