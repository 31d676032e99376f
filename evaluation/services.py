"""Every write in evaluation that is more than a form save, but a report
run's (evaluation.report_runs): snapshots, the framework, surveys and
stories.

Keyword-only, atomic and validated: bad input raises ValidationError with a
plain-English message and changes nothing.
"""

from __future__ import annotations

import datetime
from collections.abc import Iterable, Mapping

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.text import slugify

from communities.models import Area, Consent, Resident, Site

from . import indicators, instruments
from .models import (
    CohesionAnswer,
    CohesionQuestion,
    Indicator,
    Outcome,
    Snapshot,
    Story,
    SurveyResponse,
)

# Snapshots ------------------------------------------------------------------


def snapshot_compute(
    *,
    month: datetime.date,
    indicator_set: Iterable[Indicator] | None = None,
    now: datetime.datetime | None = None,
) -> int:
    """Compute every indicator for one month, for the whole programme, each
    site and each ward, and store the values. Idempotent: the month's old
    rows are replaced in the same transaction, so a rerun (or a retried
    task) leaves exactly one row per indicator, month and scope.

    Returns how many values were stored."""
    if not isinstance(month, datetime.date):
        raise ValidationError("Give the month as a date.")
    start = indicators.month_start(month)
    end = indicators.next_month(start)
    now = now or timezone.now()
    chosen = list(
        indicator_set
        if indicator_set is not None
        else Indicator.objects.with_outcome_and_question()
    )
    with transaction.atomic():
        indicators.plan_for_lookups()
        scopes = indicators.every_scope()
        rows = []
        for indicator in chosen:
            spec = indicators.spec_for(indicator)
            results = spec.compute_all(start, end)
            for scope in scopes:
                measure = results.get(scope.key, spec.empty)
                rows.append(
                    Snapshot(
                        indicator=indicator,
                        month=start,
                        site=scope.site,
                        area=scope.area,
                        value=measure.value,
                        base=measure.base,
                        computed_at=now,
                    )
                )
        Snapshot.objects.filter(month=start, indicator__in=chosen).delete()
        Snapshot.objects.bulk_create(rows)
    return len(rows)


# The framework --------------------------------------------------------------


@transaction.atomic
def outcome_save(
    *,
    title: str,
    description: str = "",
    position: int = 0,
    outcome: Outcome | None = None,
) -> Outcome:
    title = " ".join(title.split())
    if not title:
        raise ValidationError({"title": "Enter the outcome."})
    if outcome is None:
        code = slugify(title)[:40] or "outcome"
        base, n = code, 2
        while Outcome.objects.filter(code=code).exists():
            code = f"{base[:36]}-{n}"
            n += 1
        outcome = Outcome(code=code)
    outcome.title = title
    outcome.description = description.strip()
    outcome.position = position
    outcome.full_clean()
    outcome.save()
    return outcome


@transaction.atomic
def indicator_update(
    *,
    indicator: Indicator,
    name: str,
    outcome: Outcome,
    position: int = 0,
    is_headline: bool = False,
) -> Indicator:
    """Rename an indicator, move it to another outcome or make it a
    headline. What it counts never changes here: that is its definition."""
    name = " ".join(name.split())
    if not name:
        raise ValidationError({"name": "Enter the indicator's name."})
    if indicator.kind == Indicator.Kind.STORIES and outcome != indicator.outcome:
        raise ValidationError(
            {
                "outcome": "Stories are counted by their outcome, so this indicator "
                "stays with its outcome."
            }
        )
    indicator.name = name
    indicator.outcome = outcome
    indicator.position = position
    indicator.is_headline = is_headline
    indicator.full_clean()
    indicator.save()
    return indicator


@transaction.atomic
def story_indicator_ensure(*, outcome: Outcome) -> Indicator:
    """Every outcome has a count of the stories that speak to it."""
    indicator, _ = Indicator.objects.get_or_create(
        code=f"stories-{outcome.code}"[:60],
        defaults={
            "kind": Indicator.Kind.STORIES,
            "outcome": outcome,
            "name": f"Stories of change: {outcome.title}",
            "position": 90,
        },
    )
    return indicator


@transaction.atomic
def cohesion_question_save(
    *,
    text: str,
    outcome: Outcome,
    is_active: bool = True,
    position: int = 0,
    question: CohesionQuestion | None = None,
) -> CohesionQuestion:
    """Add or reword a cohesion question; each has its indicator, the
    percentage who agree."""
    text = " ".join(text.split())
    if not text:
        raise ValidationError(
            {"text": "Enter the statement residents agree or disagree with."}
        )
    clash = CohesionQuestion.objects.filter(text__iexact=text)
    if question is not None:
        clash = clash.exclude(pk=question.pk)
    if clash.exists():
        raise ValidationError({"text": "There is already a question with these words."})
    question = question or CohesionQuestion()
    question.text = text
    question.is_active = is_active
    question.position = position
    question.full_clean()
    question.save()
    indicator = Indicator.objects.filter(question=question).first()
    if indicator is None:
        code = f"cohesion-{question.pk}"
        Indicator.objects.create(
            code=code,
            kind=Indicator.Kind.SURVEY,
            outcome=outcome,
            name=f"Residents who agree: “{text}”",
            position=60 + position,
            question=question,
        )
    return question


# Surveys --------------------------------------------------------------------


@transaction.atomic
def survey_response_record(
    *,
    area: Area,
    wave: str,
    completed_on: datetime.date,
    swemwbs: list[int | None],
    ons4: Mapping[str, int | None],
    cohesion: Mapping[int, int | None],
    site: Site | None = None,
    entered_by=None,
) -> SurveyResponse:
    """Keep one resident's survey answers. SWEMWBS needs all seven answers
    or none; its raw total and metric score are worked out here. Any
    question may be left blank, but not every one of them."""
    swemwbs = list(swemwbs or [None] * 7)
    if len(swemwbs) != 7:
        raise ValidationError("SWEMWBS has seven statements.")
    given = [a for a in swemwbs if a is not None]
    ons_given = {k: v for k, v in (ons4 or {}).items() if v is not None}
    cohesion_given = {k: v for k, v in (cohesion or {}).items() if v is not None}
    if not given and not ons_given and not cohesion_given:
        raise ValidationError("Answer at least one question.")
    if completed_on > timezone.localdate():
        raise ValidationError({"completed_on": "The date cannot be in the future."})
    if site is not None and not site.areas.filter(pk=area.pk).exists():
        raise ValidationError({"site": f"{site} does not work in {area}."})
    response = SurveyResponse(
        area=area,
        site=site,
        wave=wave,
        completed_on=completed_on,
        entered_via=(
            SurveyResponse.EnteredVia.STAFF
            if entered_by
            else SurveyResponse.EnteredVia.LINK
        ),
        entered_by=entered_by,
    )
    for name, answer in zip(SurveyResponse.SWEMWBS_FIELDS, swemwbs, strict=True):
        setattr(response, name, answer)
    if given:
        if len(given) != 7:
            raise ValidationError(
                "Answer all seven wellbeing statements, or leave them all blank."
            )
        try:
            response.swemwbs_raw = instruments.swemwbs_raw(given)
        except ValueError as error:
            raise ValidationError(str(error)) from error
        response.swemwbs_metric = instruments.swemwbs_metric(response.swemwbs_raw)
    for key in instruments.ONS4_KEYS:
        value = ons_given.get(key)
        if value is not None and not 0 <= value <= 10:
            raise ValidationError({key: "Choose a number from 0 to 10."})
        setattr(response, key, value)
    response.full_clean()
    response.save()
    questions = CohesionQuestion.objects.in_bulk(list(cohesion_given))
    for question_id, answer in cohesion_given.items():
        if question_id not in questions:
            raise ValidationError("That question is no longer asked.")
        if answer not in range(1, 6):
            raise ValidationError("Choose how much you agree.")
        CohesionAnswer.objects.create(
            response=response, question=questions[question_id], answer=answer
        )
    return response


# Stories --------------------------------------------------------------------


@transaction.atomic
def story_record(
    *,
    title: str,
    text: str,
    told_by: str,
    teller: str,
    told_on: datetime.date,
    outcomes: Iterable[Outcome],
    consent_to_publish: bool,
    is_anonymous: bool,
    recorded_by,
    site: Site | None = None,
    area: Area | None = None,
    resident=None,
    group=None,
    award=None,
    story: Story | None = None,
) -> Story:
    """Keep a story, or change one. A story names its teller only when they
    agreed: a linked resident must have agreed to be named in stories."""
    title, text, told_by = title.strip(), text.strip(), told_by.strip()
    outcomes = list(outcomes)
    errors = {}
    if not title:
        errors["title"] = "Give the story a title."
    if not text:
        errors["text"] = "Enter the story."
    if not told_by:
        errors["told_by"] = "Enter who told the story."
    if not outcomes:
        errors["outcomes"] = "Choose at least one outcome the story speaks to."
    if told_on and told_on > timezone.localdate():
        errors["told_on"] = "The date cannot be in the future."
    if (
        resident is not None
        and not is_anonymous
        and not Resident.objects.filter(pk=resident.pk)
        .consented(Consent.Purpose.STORY)
        .exists()
    ):
        errors["is_anonymous"] = (
            f"{resident.first_name} has not agreed to be named in stories: "
            "tell it without their name."
        )
    if errors:
        raise ValidationError(errors)
    story = story or Story(recorded_by=recorded_by)
    story.title = title
    story.text = text
    story.told_by = told_by
    story.teller = teller
    story.told_on = told_on
    story.consent_to_publish = consent_to_publish
    story.is_anonymous = is_anonymous
    story.site = site
    story.area = area
    story.resident = resident
    story.group = group
    story.award = award
    if not consent_to_publish:
        # A story nobody may publish cannot stay in a report.
        story.selected_for_report = False
        story.selected_by = None
    story.full_clean()
    story.save()
    story.outcomes.set(outcomes)
    return story


@transaction.atomic
def story_from_grant_report(
    *, report, outcomes: Iterable[Outcome], recorded_by
) -> Story:
    """Turn an end-of-grant report into a story (once per grant): only a
    report the grant holder agreed may be shared, and told without a name."""
    if not report.may_share:
        raise ValidationError(
            "The grant holder did not agree that this report may be shared."
        )
    existing = Story.objects.filter(award=report.award).first()
    if existing is not None:
        return existing
    told = report.as_story()
    application = report.award.application
    return story_record(
        title=told["title"] or "A small sparks grant",
        text=told["text"],
        told_by=f"A small sparks grant holder in {told['ward']}"
        if told["ward"]
        else "A small sparks grant holder",
        teller=Story.Teller.GRANT_HOLDER,
        told_on=told["date"],
        outcomes=outcomes,
        consent_to_publish=True,
        is_anonymous=True,
        recorded_by=recorded_by,
        site=application.fund.site,
        area=application.area,
        award=report.award,
    )


@transaction.atomic
def story_select(*, story: Story, selected: bool, selected_by) -> Story:
    """Choose a story for reports, or take it out."""
    if selected and not story.consent_to_publish:
        raise ValidationError(
            "Only a story the teller agreed may be published can go in a report."
        )
    story.selected_for_report = selected
    story.selected_by = selected_by if selected else None
    story.full_clean()
    story.save(update_fields=["selected_for_report", "selected_by"])
    return story
