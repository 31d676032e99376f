import datetime
import io

import pypdf
import pytest

from communities.models import Conversation, SiteFinance
from communities.tests.factories import SiteFactory
from core.dates import financial_year, financial_year_of
from evaluation import reports, services
from evaluation.models import ReportRun
from evaluation.tests.factories import annual_programme

pytestmark = pytest.mark.django_db

FY2025 = financial_year(2025)


def figure(figures, code):
    return next(f for f in figures["numbers"] if f["code"] == code)


def pdf_text(data: bytes) -> str:
    reader = pypdf.PdfReader(io.BytesIO(data))
    return "\n".join(page.extract_text() for page in reader.pages)


def test_a_financial_year_runs_from_1_april_to_31_march():
    assert financial_year(2026) == (
        datetime.date(2026, 4, 1),
        datetime.date(2027, 3, 31),
    )
    assert financial_year_of(datetime.date(2027, 3, 31)) == 2026
    assert financial_year_of(datetime.date(2026, 4, 1)) == 2026


def test_the_year_s_figures_follow_the_indicator_definitions_against_the_year_before():
    annual_programme()

    figures = reports.gather(kind=ReportRun.Kind.ANNUAL, start=FY2025[0], end=FY2025[1])

    conversations = figure(figures, "conversations")
    assert conversations["shown"] == "7"
    assert conversations["baseline_shown"] == "5"
    assert conversations["change"] == "Up 2"
    assert "logged as held" in conversations["definition"]
    assert figure(figures, "groups-formed")["shown"] == "6"
    assert figures["before_label"] == "2024/25"
    assert figures["complete"] is True


def test_small_numbers_are_suppressed_everywhere_in_the_report():
    site = annual_programme()
    Conversation.objects.filter(held_on__year=2025).exclude(
        pk__in=Conversation.objects.filter(held_on__year=2025).values("pk")[:3]
    ).delete()

    figures = reports.gather(kind=ReportRun.Kind.ANNUAL, start=FY2025[0], end=FY2025[1])

    assert figure(figures, "conversations")["shown"] == "fewer than 5"
    assert figure(figures, "conversations")["value"] is None
    assert figure(figures, "conversations")["change"] == "Too few to compare"
    matson = next(w for w in figures["wards"] if w["name"] == "Matson")
    assert matson["cells"][0] == "fewer than 5"
    assert figure(figures, "sparks-awarded")["shown"] == "fewer than 5"
    row = next(s for s in figures["sites"] if s["name"] == site.name)
    # No introductions: a cost per introduction would give the count away.
    assert row["introductions"] == "fewer than 5"
    assert row["per_introduction"] == "Not shown"


def test_sites_and_finance_give_cost_per_group_formed():
    annual_programme()

    figures = reports.gather(kind=ReportRun.Kind.ANNUAL, start=FY2025[0], end=FY2025[1])

    row = figures["sites"][0]
    assert row["budget"] == "£25,000"
    assert row["spend"] == "£21,000"
    assert row["groups"] == "6"
    assert row["per_group"] == "£3,500"
    assert figures["finance_totals"]["per_group"] == "£3,500"


def test_the_finance_totals_add_up_every_site_s_lines_for_the_year():
    annual_programme()
    other = SiteFactory(name="Podsmead")
    SiteFinance.objects.create(
        site=other, financial_year=2025, budget_other=1000, spend_other=500
    )
    SiteFinance.objects.create(site=other, financial_year=2024, budget_other=9000)

    figures = reports.gather(kind=ReportRun.Kind.ANNUAL, start=FY2025[0], end=FY2025[1])

    assert figures["finance_totals"]["budget"] == "£26,000"
    assert figures["finance_totals"]["spend"] == "£21,500"
    podsmead = next(s for s in figures["sites"] if s["name"] == "Podsmead")
    assert (podsmead["budget"], podsmead["spend"]) == ("£1,000", "£500")


def test_the_ward_table_and_map_cover_the_programme_s_wards():
    annual_programme()

    figures = reports.gather(kind=ReportRun.Kind.ANNUAL, start=FY2025[0], end=FY2025[1])

    assert [w["name"] for w in figures["wards"]] == ["Matson"]
    assert figures["wards"][0]["imd_decile"] == 2
    assert figures["ward_map"].startswith("<svg")
    assert 'role="img"' in figures["ward_map"]


def test_the_ward_table_puts_the_councils_needs_measures_beside_deprivation():
    from django.template.loader import render_to_string

    from communities import measures as places
    from communities.models import Area

    annual_programme()
    matson = Area.objects.get(name="Matson")
    places.load_ward_measure(
        [["Ward code", "Score"], [matson.ons_code, "71.25"]],
        name="Community Needs Index",
        source="OCSI, 2023",
        higher_is_more_need=True,
    )

    figures = reports.gather(kind=ReportRun.Kind.ANNUAL, start=FY2025[0], end=FY2025[1])

    assert figures["measure_columns"] == ["Community Needs Index"]
    assert figures["wards"][0]["measures"] == ["71.25"]
    run = ReportRun(
        kind=ReportRun.Kind.ANNUAL,
        period_start=FY2025[0],
        period_end=FY2025[1],
        figures=figures,
    )
    html = render_to_string("evaluation/report/_body.html", {"run": run, "f": figures})
    assert "Community Needs Index: OCSI, 2023; higher values mean more need." in html
    assert ">71.25</td>" in html


def test_only_stories_chosen_for_reports_and_told_in_the_year_are_included():
    annual_programme()

    figures = reports.gather(kind=ReportRun.Kind.ANNUAL, start=FY2025[0], end=FY2025[1])

    assert [s["title"] for s in figures["stories"]] == [
        "The bench that started a walking group"
    ]
    assert figures["stories"][0]["attribution"] == "A resident"


def test_a_monthly_report_reads_the_month_s_snapshots():
    annual_programme()
    services.snapshot_compute(month=datetime.date(2025, 5, 1))
    # Records changed after the snapshot are not in the figures until the
    # month is worked out again: the report and the dashboard agree.
    Conversation.objects.filter(held_on__month=5).delete()

    start, end = reports.month_period(datetime.date(2025, 5, 1))
    figures = reports.gather(kind=ReportRun.Kind.MONTHLY, start=start, end=end)

    assert figure(figures, "conversations")["shown"] == "7"
    assert figures["before_label"] == "April 2025"


def test_the_pdf_is_tagged_and_holds_the_figures():
    annual_programme()
    run = ReportRun(
        kind=ReportRun.Kind.ANNUAL,
        period_start=FY2025[0],
        period_end=FY2025[1],
        figures=reports.gather(
            kind=ReportRun.Kind.ANNUAL, start=FY2025[0], end=FY2025[1]
        ),
        recommendations="Fund two more sites\nKeep the small sparks pot",
    )

    data = reports.render_pdf(run)

    reader = pypdf.PdfReader(io.BytesIO(data))
    root = reader.trailer["/Root"]
    assert "/StructTreeRoot" in root
    assert root["/Lang"] == "en-GB"
    assert root["/MarkInfo"]["/Marked"]
    assert reader.metadata.title == "Community Building annual review 2025/26"
    text = pdf_text(data)
    assert "held 7 conversations" in text
    assert "Fund two more sites" in text
    assert "£3,500" in text
    assert "Draft: not yet published" in text
    assert "The bench that started a walking group" in text


def test_drawing_a_report_leaves_its_stored_figures_plain_data():
    annual_programme()
    services.snapshot_compute(month=datetime.date(2025, 5, 1))
    figures = reports.gather(kind=ReportRun.Kind.ANNUAL, start=FY2025[0], end=FY2025[1])
    run = ReportRun(
        kind=ReportRun.Kind.ANNUAL,
        period_start=FY2025[0],
        period_end=FY2025[1],
        figures=figures,
    )

    context = reports.context_for(run)

    trends = [f for o in context["f"]["outcomes"] for f in o["indicators"]]
    trend = next(f for f in trends if f["code"] == "conversations")
    assert str(trend["chart"]).startswith("<svg")
    assert "chart" not in figures["outcomes"][0]["indicators"][0]
    assert "chart" not in figures["numbers"][0]
