import datetime
import importlib

import pytest
from django.apps import apps
from django.core.exceptions import ValidationError
from django.db.models import Count
from django.utils import timezone

from communities.models import (
    Consent,
    Conversation,
    Introduction,
    Resident,
    ResidentTag,
)
from evaluation import indicators, reads
from evaluation import services as evaluation_services
from evaluation.models import (
    CohesionQuestion,
    Indicator,
    Outcome,
    Snapshot,
    Story,
    SurveyResponse,
)
from grants.models import Application
from trust import services
from trust.models import Erasure, RecordAccess, event_model
from trust.subject_access import subject_access_report

from .factories import make_site

pytestmark = pytest.mark.django_db

# The month the trust world's conversations, introductions and stories fall in.
MONTH = datetime.date(2026, 5, 1)
leeds = importlib.import_module("evaluation.migrations.0002_seed_leeds_framework")


@pytest.fixture(autouse=True)
def framework(db):
    """Leeds' outcomes and indicators, as the data migration seeds them
    (seeded again: a browser test may have emptied the reused database)."""
    leeds.seed(apps, None)


def tell_stories_and_survey(world) -> None:
    """Evidence that involves the resident to be erased: a story linked to
    her, a survey in her ward, and the month's snapshots."""
    evaluation_services.story_record(
        title="Baking for the bus stop",
        text="A street that never spoke now bakes together.",
        told_by=f"{world.alice.first_name}, a resident",
        teller=Story.Teller.RESIDENT,
        told_on=MONTH.replace(day=3),
        outcomes=[Outcome.objects.get(code="better-connected")],
        consent_to_publish=True,
        is_anonymous=True,
        recorded_by=world.builder,
        site=world.site,
        area=world.alice.area,
        resident=world.alice,
    )
    evaluation_services.survey_response_record(
        area=world.alice.area,
        site=world.site,
        wave=SurveyResponse.Wave.BASELINE,
        completed_on=MONTH.replace(day=4),
        swemwbs=[4] * 7,
        ons4={"life_satisfaction": 8},
        cohesion={CohesionQuestion.objects.active().first().pk: 4},
        entered_by=world.builder,
    )
    evaluation_services.snapshot_compute(month=MONTH)


def indicator_figures() -> dict:
    """Every indicator's value and base for the month, for the programme,
    each site and each ward, worked out afresh through
    evaluation.indicators."""
    end = indicators.next_month(MONTH)
    return {
        indicator.code: indicators.spec_for(indicator).compute_all(MONTH, end)
        for indicator in Indicator.objects.select_related("outcome", "question")
    }


def stored_snapshots() -> dict:
    return {
        (code, month, site, area): (value, base)
        for code, month, site, area, value, base in Snapshot.objects.values_list(
            "indicator__code", "month", "site", "area", "value", "base"
        )
    }


def report_figures() -> dict:
    """What the dashboard (all figures) and cabinet's reports (headline
    figures, small numbers suppressed) show, read from the snapshots."""
    return {
        public: [
            (row.indicator.code, [(p.month, p.shown) for p in row.points])
            for row in reads.indicator_rows(last_month=MONTH, public=public)
        ]
        for public in (False, True)
    }


def programme_figures() -> dict:
    """Every count the programme reports: per site and overall, the figures
    the dashboard, snapshots and the annual review are built from, and
    every evaluation indicator worked out afresh."""
    return {
        "indicators": indicator_figures(),
        "snapshots": stored_snapshots(),
        "reports": report_figures(),
        "residents": Resident.objects.count(),
        "connectors": Resident.objects.connectors().count(),
        "residents_per_site": dict(
            Resident.objects.values_list("site__name").annotate(Count("pk"))
        ),
        "residents_per_ward": dict(
            Resident.objects.values_list("area__name").annotate(Count("pk"))
        ),
        "conversations": Conversation.objects.count(),
        "residents_in_conversations": Conversation.residents.through.objects.count(),
        "introductions": dict(
            Introduction.objects.values_list("status").annotate(Count("pk"))
        ),
        "introductions_per_site": dict(
            Introduction.objects.values_list("site__name").annotate(Count("pk"))
        ),
        "residents_with_an_introduction": Resident.objects.filter(
            introductions_made__isnull=False
        )
        .distinct()
        .count(),
        "gifts_and_interests": sorted(
            ResidentTag.objects.values_list("tag__key", "kind").annotate(Count("pk"))
        ),
        "group_members": dict(
            Resident.objects.values_list("groups__name").annotate(Count("pk"))
        ),
        "applications": dict(
            Application.objects.values_list("status").annotate(Count("pk"))
        ),
        "amount_requested": sorted(
            Application.objects.exclude(amount_requested=None).values_list(
                "amount_requested", flat=True
            )
        ),
    }


def test_erasure_removes_personal_data_and_changes_no_figure(officer):
    a = make_site("A")
    make_site("B")
    tell_stories_and_survey(a)
    before = programme_figures()
    # The figures rest on the records the erasure touches.
    assert before["indicators"]["conversations"][indicators.ALL].base == 2
    assert before["indicators"]["residents-introduced"][("site", a.site.pk)].base == 2
    assert before["snapshots"][("swemwbs", MONTH, None, None)][1] == 1
    stories = before["indicators"]["stories-better-connected"]
    assert stories[("site", a.site.pk)].base == 1

    services.resident_erase(
        resident=a.alice, erased_by=officer, confirm_name="aliciaa  QuartermainA"
    )

    assert programme_figures() == before
    # Tonight's recomputation of the month gives the same figures too.
    evaluation_services.snapshot_compute(month=MONTH)
    assert programme_figures() == before
    alice = Resident.objects.get(pk=a.alice.pk)
    assert str(alice) == services.ERASED_NAME
    assert (alice.phone, alice.email, alice.street, alice.postcode) == ("", "", "", "")
    assert alice.cares_about == ""
    # Gifts and interests stay, as anonymous counts on the anonymised row.
    assert set(alice.tags.values_list("tag__key", flat=True)) == {
        "cooking",
        "gardening",
    }
    a.conversation.refresh_from_db()
    a.introduction.refresh_from_db()
    assert a.conversation.what_matters == "" and a.introduction.notes == ""
    assert not Consent.objects.filter(resident=alice, withdrawn_at__isnull=True)
    a.application.refresh_from_db()
    assert "Alicia" not in a.application.contact_name
    assert "alicia" not in a.application.email
    # The audit trail keeps no copy of what was erased.
    events = event_model("Resident").objects.filter(pgh_obj_id=alice.pk)
    assert events.count() >= 2
    assert not events.exclude(first_name=services.ERASED_NAME).exists()
    assert not events.exclude(email="").exists()
    assert not event_model("Application").objects.filter(email__icontains="aliciaa")
    assert Erasure.objects.get(resident=alice).erased_by == officer
    # Bob, the other site's residents and their notes are untouched.
    a.bob.refresh_from_db()
    assert a.bob.first_name == "BarnabyA"


def test_erasure_needs_the_right_name_and_happens_once(officer):
    a = make_site("A")
    with pytest.raises(ValidationError, match="exactly"):
        services.resident_erase(resident=a.alice, erased_by=officer, confirm_name="Bob")
    a.alice.refresh_from_db()
    assert a.alice.first_name == "AliciaA"
    assert not Erasure.objects.exists()

    services.resident_erase(
        resident=a.alice, erased_by=officer, confirm_name="AliciaA QuartermainA"
    )
    with pytest.raises(ValidationError, match="already been erased"):
        services.resident_erase(
            resident=a.alice, erased_by=officer, confirm_name=services.ERASED_NAME
        )


def test_subject_access_holds_everything_and_names_no_other_resident(officer):
    a = make_site("A")
    services.record_access_log(
        resident_id=a.alice.pk, user=officer, action=RecordAccess.Action.VIEWED
    )
    report = subject_access_report(resident=a.alice)

    details = {d["field"]: d["value"] for d in report["resident"]["details"]}
    assert details["First name"] == "AliciaA"
    assert details["Phone"] == a.alice.phone
    assert {g["name"] for g in report["gifts_and_interests"]} == {
        "cooking",
        "gardening",
    }
    assert len(report["consents"]) == 2
    assert report["conversations"][0]["what_matters"].endswith("bus stop")
    assert report["introductions"][0]["to"] == "Another resident"
    assert report["groups"][0]["interest"] == "cooking"
    assert report["grant_applications"][0]["reference"] == a.application.reference
    assert any(e["what"] == "Their record created" for e in report["changes"])
    assert any(e["what"] == "An introduction created" for e in report["changes"])
    assert report["record_accesses"][0]["who"] == str(officer)
    assert "BarnabyA" not in str(report)


def test_retention_dry_run_lists_and_changes_nothing_then_applies_once(settings):
    settings.RETENTION_RESIDENT_INACTIVE_DAYS = 365
    settings.RETENTION_DRAFT_APPLICATION_DAYS = 30
    a = make_site("A")
    quiet = Resident.objects.create(
        first_name="Quiet", site=a.site, created_by=a.builder
    )
    draft = a.application.__class__.objects.create(
        fund=a.application.fund,
        applicant_type="individual",
        contact_name="Drafty McDraft",
        email="drafty@example.org",
    )
    later = timezone.localdate() + datetime.timedelta(days=400)

    plan = services.retention_apply(dry_run=True, today=later)

    assert {r.pk for r in plan.residents} == {quiet.pk, a.alice.pk, a.bob.pk}
    assert [x.pk for x in plan.draft_applications] == [draft.pk]
    assert any("Would anonymise resident" in line for line in plan.lines())
    assert not Erasure.objects.exists()
    assert Application.objects.filter(pk=draft.pk).exists()

    # Activity within the period keeps a resident.
    near = timezone.localdate() + datetime.timedelta(days=40)
    plan = services.retention_apply(dry_run=True, today=near)
    assert plan.residents == [] and [x.pk for x in plan.draft_applications] == [
        draft.pk
    ]

    before = programme_figures()
    services.retention_apply(dry_run=False, today=later)
    assert Erasure.objects.filter(reason="retention").count() == 3
    assert not Application.objects.filter(pk=draft.pk).exists()
    assert not event_model("Application").objects.filter(email="drafty@example.org")
    after = programme_figures()
    after["applications"]["draft"] = after["applications"].get("draft", 0) + 1
    assert after == before
    # Idempotent: nothing is due the second time.
    assert services.retention_apply(dry_run=False, today=later).lines() == [
        "Nothing is due under the retention schedule."
    ]


def test_erasure_takes_the_teller_off_their_stories_and_keeps_the_count(officer):
    from evaluation.models import Story
    from evaluation.tests.factories import StoryFactory

    world = make_site("A")
    resident = world.alice
    named = StoryFactory(
        resident=resident,
        told_by=f"{resident.first_name}, a resident of Matson",
        is_anonymous=False,
        text=f"{resident.first_name} started the walking group.",
        selected_for_report=True,
    )
    anonymous = StoryFactory(resident=resident, told_by="Someone on our street")
    stories_before = Story.objects.count()

    services.resident_erase(
        resident=resident, erased_by=officer, confirm_name=str(resident)
    )

    named.refresh_from_db()
    anonymous.refresh_from_db()
    assert Story.objects.count() == stories_before
    assert named.told_by == ""
    assert named.is_anonymous
    assert resident.first_name not in named.text
    assert not named.selected_for_report
    assert named.resident is None
    assert anonymous.told_by == ""
    assert anonymous.text == "We met at the bench and now we walk together."


def test_subject_access_includes_the_stories_they_told(officer):
    from evaluation.tests.factories import StoryFactory

    world = make_site("A")
    StoryFactory(resident=world.alice, title="The walking group")
    report = subject_access_report(resident=world.alice)
    (section,) = report["other_records"]
    assert section["title"] == "Stories they told"
    assert section["items"][0]["Title"] == "The walking group"
