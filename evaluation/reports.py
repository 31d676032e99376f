"""The figures in a report and how they are drawn: the annual review cabinet
reads and the monthly programme report for officers.

Every figure comes from the indicator definitions (evaluation.indicators):
a month's figures are read from its snapshots, and a year's are the same
definitions worked out over the whole year (so a resident met in May and in
June counts once). Everything is suppressed with the one small-number rule
(core.suppression) before it is stored, because a report leaves the
building. ``gather`` returns plain JSON, stored on the run; the web page and
the PDF are both drawn from it, so they always agree.
"""

from __future__ import annotations

import copy
import datetime
import math
from decimal import Decimal

from django.conf import settings
from django.db import transaction
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe

from communities.models import Site, SiteFinance, WardMeasure
from core.dates import financial_year, financial_year_label, financial_year_of
from core.suppression import SUPPRESSION_THRESHOLD, is_suppressed, suppress

from . import charts, indicators, reads
from .models import Indicator, Outcome, ReportRun, Snapshot, Story

# The columns of the ward table and the figures the summary speaks of.
WARD_COLUMNS = (
    "conversations",
    "residents-met",
    "residents-introduced",
    "groups-formed",
    "sparks-awarded",
)
INTRODUCTIONS = ("introductions-by-builders", "introductions-by-connectors")
SPARKS = ("sparks-awarded", "sparks-amount", "sparks-resident-led-share")


# Periods --------------------------------------------------------------------


def month_period(month: datetime.date) -> tuple[datetime.date, datetime.date]:
    start = indicators.month_start(month)
    return start, indicators.next_month(start) - datetime.timedelta(days=1)


def period_for(kind: str, start: datetime.date) -> tuple[datetime.date, datetime.date]:
    if kind == ReportRun.Kind.ANNUAL:
        return financial_year(start.year)
    return month_period(start)


def months_in(start: datetime.date, end: datetime.date) -> list[datetime.date]:
    months, month = [], indicators.month_start(start)
    while month <= end:
        months.append(month)
        month = indicators.next_month(month)
    return months


# Figures --------------------------------------------------------------------


def _shown(spec, measure: indicators.Measure) -> str:
    return reads.format_value(spec, measure.value, measure.base, public=True)


def _is_hidden(spec, measure: indicators.Measure) -> bool:
    tested = measure.base if spec.suppress_on == "base" else measure.value
    return is_suppressed(None if tested is None else int(tested))


def _plain(spec, measure: indicators.Measure) -> str | None:
    """The value, only when it may be published (for charts and
    comparisons): a suppressed figure is never stored unsuppressed."""
    if measure.value is None or _is_hidden(spec, measure):
        return None
    return str(measure.value)


def _change(spec, now: indicators.Measure, before: indicators.Measure) -> str:
    if before.value is None and now.value is None:
        return "No figures in either period"
    if before.value is None:
        return "No figure before"
    if now.value is None:
        return "No figure this period"
    if _is_hidden(spec, before) or _is_hidden(spec, now):
        return "Too few to compare"
    difference = Decimal(now.value) - Decimal(before.value)
    if difference == 0:
        return "No change"
    word = "Up" if difference > 0 else "Down"
    shown = reads.format_value(spec, abs(difference), 10**6, public=False)
    return f"{word} {shown}"


def _year_results(indicator_list, start, end) -> dict[int, indicators.Results]:
    """Each indicator over [start, end), by its definition, for every scope."""
    with transaction.atomic():
        indicators.plan_for_lookups()
        return {
            i.pk: indicators.spec_for(i).compute_all(start, end) for i in indicator_list
        }


def _month_results(indicator_list, month) -> dict[int, indicators.Results]:
    """A month's figures as its snapshots hold them."""
    results: dict[int, indicators.Results] = {i.pk: {} for i in indicator_list}
    for snapshot in Snapshot.objects.in_month(month).only(
        "indicator_id", "site_id", "area_id", "value", "base"
    ):
        if snapshot.site_id:
            key = ("site", snapshot.site_id)
        elif snapshot.area_id:
            key = ("area", snapshot.area_id)
        else:
            key = indicators.ALL
        if snapshot.indicator_id in results:
            results[snapshot.indicator_id][key] = indicators.Measure(
                snapshot.value, snapshot.base
            )
    return results


def _measure(results, indicator, key=indicators.ALL) -> indicators.Measure:
    return results[indicator.pk].get(key, indicators.spec_for(indicator).empty)


def _money(value) -> str:
    return f"£{Decimal(value):,.0f}"


def gather(*, kind: str, start: datetime.date, end: datetime.date) -> dict:
    """Every section's figures for one report, as JSON."""
    annual = kind == ReportRun.Kind.ANNUAL
    today = timezone.localdate()
    after = end + datetime.timedelta(days=1)
    indicator_list = list(Indicator.objects.in_framework_order())
    by_code = {i.code: i for i in indicator_list}
    if annual:
        before_start = financial_year(start.year - 1)[0]
        current = _year_results(indicator_list, start, after)
        before = _year_results(indicator_list, before_start, start)
        before_label = financial_year_label(start.year - 1)
    else:
        previous = indicators.month_start(start - datetime.timedelta(days=1))
        current = _month_results(indicator_list, start)
        before = _month_results(indicator_list, previous)
        before_label = f"{previous:%B %Y}"
    trend_rows = {
        row.indicator.pk: row
        for row in reads.indicator_rows(
            last_month=indicators.month_start(min(end, today)), months=12, public=True
        )
    }

    numbers, outcomes = [], {}
    for indicator in indicator_list:
        spec = indicators.spec_for(indicator)
        now, then = _measure(current, indicator), _measure(before, indicator)
        trend = trend_rows.get(indicator.pk)
        months = [
            {
                "month": point.month.isoformat(),
                "label": f"{point.month:%b %Y}",
                "shown": point.shown,
                "value": _plain(spec, indicators.Measure(point.value, point.base)),
            }
            for point in (trend.points if trend else [])
        ]
        figure = {
            "code": indicator.code,
            "name": indicator.name,
            "outcome": indicator.outcome.title,
            "definition": spec.definition,
            "unit": spec.unit,
            "shown": _shown(spec, now),
            "value": _plain(spec, now),
            "baseline_shown": _shown(spec, then),
            "change": _change(spec, now, then),
            "months": months,
        }
        numbers.append(figure)
        outcomes.setdefault(indicator.outcome_id, []).append(figure)

    wards = list(reads.programme_wards())
    # The council's needs measures beside deprivation, ward by ward.
    measures = WardMeasure.objects.beside(wards)
    ward_columns = [by_code[c] for c in WARD_COLUMNS if c in by_code]
    ward_rows = []
    for ward in wards:
        cells = [
            _shown(indicators.spec_for(i), _measure(current, i, ("area", ward.pk)))
            for i in ward_columns
        ]
        ward_rows.append(
            {
                "name": str(ward),
                "imd_decile": ward.imd_decile,
                # Counts of LSOAs, not of people: never suppressed.
                "most_deprived_10": (
                    f"{ward.imd_lsoas_most_deprived_10} of {ward.imd_lsoa_count}"
                    if ward.imd_lsoa_count
                    else ""
                ),
                "measures": ward.measure_cells,
                "cells": cells,
            }
        )
    release = reads.deprivation_release()
    met = by_code.get("residents-met")
    ward_map = (
        ward_map_svg(
            wards,
            {
                ward.pk: _measure(current, met, ("area", ward.pk)).value
                for ward in wards
            },
        )
        if met
        else ""
    )

    sites = []
    finance_year = financial_year_of(start)
    finances = {f.site_id: f for f in SiteFinance.objects.in_year(finance_year)}
    for site in Site.objects.all():
        key = ("site", site.pk)
        made = sum(
            int(_measure(current, by_code[c], key).value or 0)
            for c in INTRODUCTIONS
            if c in by_code
        )
        formed = (
            int(_measure(current, by_code["groups-formed"], key).value or 0)
            if "groups-formed" in by_code
            else 0
        )
        finance = finances.get(site.pk)
        row = {
            "name": site.name,
            "introductions": suppress(made),
            "groups": suppress(formed),
            "budget": None,
            "spend": None,
            "per_introduction": None,
            "per_group": None,
        }
        if finance is not None and annual:
            row.update(
                budget=_money(finance.budget_total),
                spend=_money(finance.spend_total),
                per_introduction=_cost_per(finance.spend_total, made),
                per_group=_cost_per(finance.spend_total, formed),
            )
        sites.append(row)
    totals = None
    if annual and finances:
        money = SiteFinance.objects.in_year(finance_year).totals()
        made = sum(
            int(_measure(current, by_code[c]).value or 0)
            for c in INTRODUCTIONS
            if c in by_code
        )
        formed = int(_measure(current, by_code["groups-formed"]).value or 0)
        totals = {
            "budget": _money(money["budget"]),
            "spend": _money(money["spend"]),
            "introductions": suppress(made),
            "groups": suppress(formed),
            "per_introduction": _cost_per(money["spend"], made),
            "per_group": _cost_per(money["spend"], formed),
        }

    sparks = [f for f in numbers if f["code"] in SPARKS]
    stories = [
        {
            "title": story.title,
            "text": story.text,
            "attribution": story.attribution,
            "told_on": f"{story.told_on:%B %Y}",
            "outcomes": [o.title for o in story.outcomes.all()],
        }
        for story in Story.objects.selected()
        .told_between(start, end)
        .with_outcomes()
        .order_by("told_on", "pk")[:12]
    ]
    outcome_list = [
        {
            "title": outcome.title,
            "description": outcome.description,
            "indicators": outcomes.get(outcome.pk, []),
        }
        for outcome in Outcome.objects.all()
        if outcome.pk in outcomes
    ]
    by_name = {f["code"]: f for f in numbers}
    return {
        "kind": kind,
        "period_start": start.isoformat(),
        "period_end": end.isoformat(),
        "complete": end < today,
        "council": settings.COUNCIL_NAME,
        "generated_at": timezone.localtime().isoformat(timespec="minutes"),
        "before_label": before_label,
        "threshold": SUPPRESSION_THRESHOLD,
        "summary": _summary(by_name, len(sites), annual=annual),
        "numbers": numbers,
        "outcomes": outcome_list,
        "ward_columns": [i.name for i in ward_columns],
        "measure_columns": [m.heading for m in measures],
        "measure_sources": [
            {
                "name": m.name,
                "source": m.source,
                "higher_is_more_need": m.higher_is_more_need,
            }
            for m in measures
        ],
        "wards": ward_rows,
        "deprivation": (
            {
                "name": release.name,
                "short_name": release.short_name,
                "lsoas_in_england": release.lsoas_in_england,
            }
            if release
            else None
        ),
        "ward_map": ward_map,
        "sites": sites,
        "finance_totals": totals,
        "sparks": sparks,
        "stories": stories,
    }


def _cost_per(spend, count: int) -> str:
    """Spend divided by a count; not shown when the count is too small to
    publish (the division would give it away)."""
    if is_suppressed(count):
        return "Not shown"
    return f"£{Decimal(spend) / count:,.0f}"


def _summary(figures: dict, site_count: int, *, annual: bool) -> list[str]:
    def shown(code: str) -> str:
        return figures[code]["shown"] if code in figures else "no figures for"

    period = "the year" if annual else "the month"
    sites = f"{site_count} pathfinder site{'s' if site_count != 1 else ''}"
    lines = [
        (
            f"In {period}, the Community Builders of {sites} held "
            f"{shown('conversations')} conversations and met "
            f"{shown('residents-met')} different residents."
        ),
        (
            f"{shown('residents-introduced')} residents made or received an "
            f"introduction, and {shown('groups-formed')} groups formed around a "
            "shared interest."
        ),
    ]
    amount = figures.get("sparks-amount")
    if amount and amount["value"] is not None:
        lines.append(
            f"{shown('sparks-awarded')} small sparks grants were awarded, "
            f"{amount['shown']} in all."
        )
    else:
        lines.append(f"{shown('sparks-awarded')} small sparks grants were awarded.")
    return [line[0].upper() + line[1:] for line in lines]


# The ward map ---------------------------------------------------------------

MAP_WIDTH, MAP_HEIGHT = 480, 360
# Light to dark: fewer than 5 (or none), then three bands of the rest.
MAP_FILLS = ("#f3f2f1", "#bfd8ee", "#5694ca", "#1d4f7a")


def _rings(geometry: dict):
    kind, coordinates = geometry.get("type"), geometry.get("coordinates") or []
    polygons = [coordinates] if kind == "Polygon" else coordinates
    for polygon in polygons if kind in ("Polygon", "MultiPolygon") else []:
        yield from polygon


def ward_map_svg(wards, values: dict[int, Decimal | None]) -> str:
    """The wards the programme works in, shaded by how many residents were
    met (suppressed counts in the lightest shade). An SVG image with a text
    alternative; the ward table beside it holds the same numbers."""
    shapes = [w for w in wards if w.boundary]
    if not shapes:
        return ""
    points = [p for w in shapes for ring in _rings(w.boundary) for p in ring]
    if not points:
        return ""
    lons, lats = [p[0] for p in points], [p[1] for p in points]
    squash = math.cos(math.radians((min(lats) + max(lats)) / 2))
    width = (max(lons) - min(lons)) * squash or 1
    height = (max(lats) - min(lats)) or 1
    scale = min((MAP_WIDTH - 20) / width, (MAP_HEIGHT - 20) / height)
    shown = sorted(
        int(v) for v in values.values() if v is not None and not is_suppressed(int(v))
    )
    top = shown[-1] if shown else 1
    paths = []
    for ward in shapes:
        value = values.get(ward.pk)
        if value is None or is_suppressed(int(value)):
            fill = MAP_FILLS[0]
        else:
            fill = MAP_FILLS[min(3, 1 + int(3 * int(value) / (top + 1)))]
        d = " ".join(
            "M"
            + " L".join(
                f"{10 + (lon - min(lons)) * squash * scale:.1f},"
                f"{10 + (max(lats) - lat) * scale:.1f}"
                for lon, lat in ring
            )
            + " Z"
            for ring in _rings(ward.boundary)
        )
        paths.append(
            f'<path d="{d}" fill="{fill}" stroke="#0b0c0c" stroke-width="0.8">'
            f"<title>{escape(ward.name)}</title></path>"
        )
    return (
        f'<svg class="abcd-report-map" viewBox="0 0 {MAP_WIDTH} {MAP_HEIGHT}" '
        f'width="100%" role="img" aria-label="Map of the wards the programme '
        f'works in, shaded by residents met: the ward table gives the figures">'
        f"{''.join(paths)}</svg>"
    )


# Drawing --------------------------------------------------------------------


# The PDF draws SVG without the site's stylesheet: the charts carry their
# colours as attributes (the stylesheet still wins on the web page).
CHART_ATTRIBUTES = {
    'class="abcd-chart__line"': 'fill="none" stroke="#1d70b8" stroke-width="2"',
    'class="abcd-chart__dot"': 'fill="#1d70b8"',
    'class="abcd-chart__axis"': 'stroke="#b1b4b6" stroke-width="1"',
}


def _chart(values, *, label: str) -> SafeString:
    svg = str(charts.sparkline(values, label=label))
    for name, attributes in CHART_ATTRIBUTES.items():
        svg = svg.replace(name, f"{name} {attributes}")
    # Built from numbers and an escaped label.
    return mark_safe(svg)


def context_for(run: ReportRun) -> dict:
    """What the web page and the PDF draw. The charts are drawn here, on a
    copy: the stored figures stay plain data."""
    figures = copy.deepcopy(run.figures or {})
    for outcome in figures.get("outcomes", []):
        for figure in outcome["indicators"]:
            figure["chart"] = _chart(
                [
                    None if m["value"] is None else Decimal(m["value"])
                    for m in figure["months"]
                ],
                label=figure["name"],
            )
    return {
        "run": run,
        "f": figures,
        "council_name": settings.COUNCIL_NAME,
        "service_name": settings.SERVICE_NAME,
        "recommendations": [
            line.strip() for line in run.recommendations.splitlines() if line.strip()
        ],
    }


def render_pdf(run: ReportRun) -> bytes:
    """The report as a tagged PDF (PDF/UA-1): headings, tables and the
    reading order survive for screen readers."""
    # The one import in evaluation made inside a function, and no cycle
    # needs it: WeasyPrint (with Pango beneath it) is the largest thing the
    # app could load, and only a worker building a report or an officer
    # saving recommendations draws a PDF. Every web worker and command would
    # pay for it at start otherwise (docs/scaling.md).
    import weasyprint

    html = render_to_string("evaluation/report/pdf.html", context_for(run))
    return weasyprint.HTML(string=html, base_url=str(settings.BASE_DIR)).write_pdf(
        pdf_variant="pdf/ua-1"
    )
