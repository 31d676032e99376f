"""Gloucester demo data for small sparks: two funds and fifty applications
at every stage, from half-finished drafts to paid grants with a story.

Built through the services, so every total and rule holds as it would in
use; no emails are sent. Idempotent: each application has a fixed demo
reference, and one that exists is left alone.
"""

from __future__ import annotations

import datetime
import random
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from communities.models import Area, User
from core.dates import financial_year_of
from grants import services
from grants.models import Application, Fund

FUNDS = (
    {
        "name": "Barton and Tredworth small sparks",
        "description": "Small grants for residents and groups in Barton and "
        "Tredworth and Moreland. A panel of local residents decides.",
        "budget": Decimal("8000.00"),
        "minimum_award": Decimal("50.00"),
        "maximum_award": Decimal("500.00"),
        "decision_method": Fund.DecisionMethod.PANEL,
        "anonymous_review": True,
        "wards": ("E05010953", "E05010962"),  # Barton and Tredworth, Moreland
        "criteria": (
            "Brings neighbours together",
            "Led by local people",
            "Good value for money",
        ),
    },
    {
        "name": "Gloucester city small sparks",
        "description": "Small grants anywhere in the city for ideas that make "
        "a street or a neighbourhood a better place to live.",
        "budget": Decimal("6000.00"),
        "minimum_award": Decimal("50.00"),
        "maximum_award": Decimal("400.00"),
        "decision_method": Fund.DecisionMethod.OFFICER,
        "anonymous_review": False,
        "wards": (),
        "criteria": ("Benefits the whole area", "Good value for money"),
    },
)

IDEAS = (
    (
        "Street party for the coronation of spring",
        "A street party with games and food shared by every house.",
        "Everyone on our street, especially families new to the area.",
    ),
    (
        "Knit and natter",
        "A weekly knitting circle in the community centre.",
        "Older neighbours who live alone.",
    ),
    (
        "Repair café",
        "A monthly repair café where neighbours fix each other's things.",
        "Anyone with something broken, and people who like fixing.",
    ),
    (
        "Seed swap",
        "A spring seed swap and planting day in the park.",
        "Gardeners new and old.",
    ),
    (
        "Football for girls",
        "Saturday football sessions for girls aged 8 to 14.",
        "Girls who do not play sport at school.",
    ),
    (
        "Community fridge",
        "A fridge outside the chapel where shops leave surplus food.",
        "Families on low incomes, and anyone who hates waste.",
    ),
    (
        "Bulbs on the verges",
        "Planting 2,000 daffodil bulbs along the main road.",
        "Everyone who walks to school or work along it.",
    ),
    (
        "Dads and toddlers",
        "A Saturday morning play session for dads and toddlers.",
        "New dads who do not know other parents.",
    ),
    (
        "Litter pick and picnic",
        "A monthly litter pick that ends with a picnic.",
        "Neighbours on the estate.",
    ),
    (
        "Homework club",
        "An after-school homework club run by retired teachers.",
        "Children who have nowhere quiet to work.",
    ),
)

SURNAMES = (
    "Ahmed",
    "Brown",
    "Clarke",
    "Davies",
    "Evans",
    "Fernandes",
    "Green",
    "Hussain",
    "Jones",
    "Kowalski",
)
FIRST_NAMES = (
    "Aisha",
    "Ben",
    "Chloe",
    "Dev",
    "Ella",
    "Femi",
    "Grace",
    "Hamza",
    "Iris",
    "Jan",
)

# (stage, how many) for each fund: fifty applications in all.
STAGES = (
    ("draft", 3, 2),
    ("submitted", 4, 3),
    ("ineligible", 2, 2),
    ("in_review", 4, 2),
    ("scored", 5, 3),
    ("declined", 4, 4),
    ("awarded", 2, 2),
    ("withdrawn", 1, 0),
    ("paid", 3, 2),
    ("reported", 1, 1),
)


def reference(n: int) -> str:
    return f"SPK-DEMO-{n:04d}"


@transaction.atomic
def seed_grants() -> dict[str, int]:
    officer = User.objects.get(username="officer")
    panel = User.objects.get(username="panel")
    today = timezone.localdate()
    funds = [_fund(spec, today) for spec in FUNDS]
    rng = random.Random(2026)
    made = 0
    n = 0
    for stage, *counts in STAGES:
        for fund, count in zip(funds, counts, strict=True):
            for _ in range(count):
                n += 1
                if Application.objects.filter(reference=reference(n)).exists():
                    continue
                _application(
                    n, stage, fund, officer=officer, panel=panel, rng=rng, today=today
                )
                made += 1
    return {"funds": len(funds), "applications": n, "new": made}


def _fund(spec: dict, today: datetime.date) -> Fund:
    fund = Fund.objects.filter(name=spec["name"]).first()
    if fund is not None:
        return fund
    year = financial_year_of(today)
    fund = Fund(
        name=spec["name"],
        description=spec["description"],
        financial_year=year,
        budget=spec["budget"],
        minimum_award=spec["minimum_award"],
        maximum_award=spec["maximum_award"],
        decision_method=spec["decision_method"],
        anonymous_review=spec["anonymous_review"],
        opens_on=datetime.date(year, 4, 1),
        closes_on=datetime.date(year + 1, 3, 31),
    )
    wards = Area.objects.wards().filter(ons_code__in=spec["wards"])
    return services.fund_save(fund=fund, criteria=spec["criteria"], areas=wards)


def _application(n, stage, fund, *, officer, panel, rng, today):
    title, idea, who = IDEAS[n % len(IDEAS)]
    group = n % 3 != 0
    first, last = FIRST_NAMES[n % 10], SURNAMES[(n * 7) % 10]
    wards = list(fund.eligible_wards())
    amount = Decimal(
        rng.randrange(int(fund.minimum_award) + 50, int(fund.maximum_award) + 1, 10)
    )
    application = Application.objects.create(
        fund=fund,
        reference=reference(n),
        applicant_type="group" if group else "individual",
        contact_name=f"{first} {last}",
        email=f"{first.lower()}.{last.lower()}@example.com",
        group_name=f"{title.split()[0]} {('Friends', 'Group', 'Club')[n % 3]}"
        if group
        else "",
        title=title,
        idea=idea,
        who_it_helps=who,
        people_expected=rng.randrange(8, 80),
        area=wards[n % len(wards)],
        amount_requested=amount,
        spending_plan="Materials, room hire and refreshments.",
    )
    if stage == "draft":
        Application.objects.filter(pk=application.pk).update(
            spending_plan="", amount_requested=None
        )
        return
    services.application_submit(application=application, notify=False)
    sent_days_ago = rng.randrange(20, 120)
    _backdate(application, submitted=sent_days_ago)
    if stage == "submitted":
        _backdate(application, submitted=rng.randrange(1, 14))
        return
    if stage == "ineligible":
        services.application_screen(
            application=application,
            officer=officer,
            eligible=False,
            notes="This would pay for a business's running costs, which the fund cannot.",
            notify=False,
        )
        _backdate(
            application,
            submitted=sent_days_ago,
            decided=sent_days_ago - rng.randrange(2, 10),
        )
        return
    services.application_screen(
        application=application, officer=officer, eligible=True, notify=False
    )
    services.panel_assign(application=application, members=[panel], officer=officer)
    _backdate(application, submitted=sent_days_ago)
    if stage == "in_review":
        return
    scores = {c.pk: (rng.randrange(2, 6), "") for c in fund.criteria.all()}
    on_paper = n % 2 == 0
    services.scores_record(
        application=application,
        member=panel,
        scores=scores,
        entered_by=officer if on_paper else panel,
    )
    if stage == "scored":
        return
    decided = sent_days_ago - rng.randrange(5, 20)
    if stage == "declined":
        services.application_decline(
            application=application,
            decided_by=officer,
            reason="The panel liked the idea but others scored higher this round. Please apply again.",
            notify=False,
        )
        _backdate(application, submitted=sent_days_ago, decided=decided)
        return
    award = services.award_make(
        application=application,
        amount=min(amount, fund.maximum_award),
        decided_by=officer,
        reason="Scored well on bringing neighbours together.",
        awarded_on=today - datetime.timedelta(days=decided),
        notify=False,
    )
    _backdate(application, submitted=sent_days_ago, decided=decided)
    if stage == "awarded":
        return
    if stage == "withdrawn":
        services.award_withdraw(
            award=award,
            reason="The group could not find a venue and asked us to withdraw it.",
            withdrawn_by=officer,
        )
        return
    services.payment_record(
        award=award,
        amount=award.amount,
        paid_on=today - datetime.timedelta(days=max(decided - 3, 0)),
        method="bank_transfer" if n % 2 else "prepaid_card",
        recorded_by=officer,
    )
    if stage == "paid" and n % 4 == 0:
        services.repayment_record(
            award=award,
            amount=Decimal("20.00"),
            returned_on=today,
            reason="Underspent on refreshments.",
            recorded_by=officer,
        )
    if stage == "reported":
        services.report_record(
            award=award,
            what_happened=f"{title}: about {application.people_expected} neighbours came. "
            "People who had lived on the same street for years met for the first "
            "time, and a group now meets every month.",
            people_taken_part=application.people_expected,
            may_share=True,
            recorded_by=officer,
        )


def _backdate(application, *, submitted: int, decided: int | None = None) -> None:
    """Demo applications arrive over months, and decisions take days."""
    now = timezone.now()
    fields = {"submitted_at": now - datetime.timedelta(days=submitted)}
    if decided is not None:
        fields["decided_at"] = now - datetime.timedelta(days=max(decided, 0))
    Application.objects.filter(pk=application.pk).update(**fields)
    # Checked for eligibility the day after it arrived.
    Application.objects.filter(pk=application.pk, screened_at__isnull=False).update(
        screened_at=now - datetime.timedelta(days=max(submitted - 1, 0))
    )
