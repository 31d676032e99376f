"""5,000 synthetic small sparks applications over five years for the
city-scale benchmark: a fund per site per financial year, applications at
every stage, awards within each fund's budget and paid. Loaded with COPY;
each fund's committed total is the sum of its awards, as the services keep
it."""

from __future__ import annotations

import datetime
import random
from collections import defaultdict
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from communities.models import Site, User
from core.dates import financial_year_label, financial_year_of
from demo.bulk import copy_rows, reserve_ids, skip_audit_triggers
from grants.models import Application, Award, Fund, Payment, new_nonce, new_reference

STATUSES = (
    ("awarded", 55), ("declined", 20), ("ineligible", 5),
    ("in_review", 5), ("submitted", 5), ("draft", 10),
)  # fmt: skip


@transaction.atomic
def seed_city_grants(*, total: int = 5_000, years: int = 5) -> int:
    skip_audit_triggers()
    sites = list(
        Site.objects.filter(name__startswith="Leeds pathfinder").order_by("pk")
    )
    if not sites or Fund.objects.filter(site__in=sites).exists():
        return 0
    rng = random.Random(55)
    officer = User.objects.get(username="city-officer")
    today = timezone.localdate()
    this_year = financial_year_of(today)
    funds = []
    for site in sites:
        for year in range(this_year - years + 1, this_year + 1):
            funds.append(
                Fund.objects.create(
                    name=f"{site.name} small sparks {financial_year_label(year)}",
                    site=site,
                    financial_year=year,
                    budget=Decimal("30000.00"),
                    minimum_award=Decimal("50.00"),
                    maximum_award=Decimal("500.00"),
                    opens_on=datetime.date(year, 4, 1),
                    closes_on=datetime.date(year + 1, 3, 31),
                    decision_method=rng.choice(("officer", "panel")),
                )
            )
    wards = {s.pk: list(s.areas.values_list("pk", flat=True)) for s in sites}
    statuses = [s for s, weight in STATUSES for _ in range(weight)]
    app_ids = reserve_ids(Application, total)
    now = timezone.now()
    app_rows, awards = [], []
    committed = defaultdict(Decimal)
    for app_id in app_ids:
        fund = funds[app_id % len(funds)]
        status = rng.choice(statuses)
        requested = Decimal(rng.randrange(50, 501, 10))
        opened = datetime.datetime.combine(
            fund.opens_on, datetime.time(12), tzinfo=datetime.UTC
        )
        submitted = min(opened + datetime.timedelta(days=rng.randint(0, 300)), now)
        decided = (
            submitted + datetime.timedelta(days=rng.randint(5, 40))
            if status in ("awarded", "declined", "ineligible")
            else None
        )
        if status == "awarded":
            if committed[fund.pk] + requested <= fund.budget:
                committed[fund.pk] += requested
                awards.append((app_id, fund.pk, requested, decided.date()))
            else:
                status = "declined"  # the fund had run out, as it would in use
        group = rng.random() < 0.6
        app_rows.append(
            (app_id, fund.pk, new_reference(), status, new_nonce(),
             "group" if group else "individual", f"Applicant {app_id}",
             f"applicant{app_id}@example.org", "", f"Group {app_id}" if group else "",
             f"Idea {app_id}", "A street party and shared meal.", "Neighbours",
             rng.randint(5, 80), rng.choice(wards[fund.site_id]), requested,
             "Food, hire of tables", submitted, submitted,
             None if status == "draft" else submitted,
             decided, officer.pk if decided else None, "",
             decided, officer.pk if decided else None,
             "officer" if decided else "", "Good value" if decided else "", None, None)
        )  # fmt: skip
    copy_rows(
        Application,
        ("id", "fund", "reference", "status", "resume_nonce", "applicant_type",
         "contact_name", "email", "phone", "group_name", "title", "idea",
         "who_it_helps", "people_expected", "area", "amount_requested",
         "spending_plan", "created_at", "updated_at", "submitted_at",
         "screened_at", "screened_by", "screening_notes", "decided_at",
         "decided_by", "decision_maker", "decision_reason",
         "submitted_email_sent_at", "decision_email_sent_at"),
        app_rows,
    )  # fmt: skip
    award_ids = reserve_ids(Award, len(awards))
    copy_rows(
        Award,
        ("id", "application", "fund", "amount", "awarded_on", "committed",
         "withdrawn_at", "withdrawn_by", "withdrawal_reason"),
        (
            (award_id, app_id, fund_id, amount, day, amount, None, None, "")
            for award_id, (app_id, fund_id, amount, day) in zip(award_ids, awards, strict=True)
        ),
    )  # fmt: skip
    copy_rows(
        Payment,
        ("award", "paid_on", "amount", "method", "recorded_by", "recorded_at"),
        (
            (award_id, day + datetime.timedelta(days=7), amount, "bank_transfer",
             officer.pk, now)
            for award_id, (_a, _f, amount, day) in zip(award_ids, awards, strict=True)
        ),
    )  # fmt: skip
    for fund in funds:
        Fund.objects.filter(pk=fund.pk).update(committed=committed[fund.pk])
    return len(app_rows)
