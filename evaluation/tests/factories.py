import datetime

import factory

from communities.models import Conversation, SiteFinance
from communities.tests.factories import (
    GroupFactory,
    SiteFactory,
    UserFactory,
    WardFactory,
)
from core.roles import Role
from evaluation.models import Outcome, Story


class OutcomeFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Outcome
        django_get_or_create = ("code",)

    code = factory.Sequence(lambda n: f"outcome-{n}")
    title = factory.Sequence(lambda n: f"Outcome {n}")


class StoryFactory(factory.django.DjangoModelFactory):
    """A publishable, anonymous story told in March 2026."""

    class Meta:
        model = Story
        skip_postgeneration_save = True

    title = factory.Sequence(lambda n: f"Story {n}")
    text = "We met at the bench and now we walk together."
    told_by = "Jean, a resident of Matson"
    teller = Story.Teller.RESIDENT
    told_on = datetime.date(2026, 3, 10)
    consent_to_publish = True
    is_anonymous = True
    recorded_by = factory.SubFactory(UserFactory)

    @factory.post_generation
    def outcomes(self, create, extracted, **kwargs):
        if create and extracted:
            self.outcomes.set(extracted)


def annual_programme():
    """A small programme in the financial year 2025/26 (and a little of
    2024/25 for the baseline): one site in Matson with 7 conversations
    (5 the year before), 6 groups formed, £21,000 spent and a story chosen
    for reports. Returns the site."""
    builder = UserFactory(role=Role.BUILDER, username="ben")
    ward = WardFactory(name="Matson", imd_decile=2)
    site = SiteFactory(name="Matson and Robinswood", areas=[ward], builders=[builder])
    for day in range(7):
        Conversation.objects.create(
            builder=builder,
            site=site,
            area=ward,
            held_on=datetime.date(2025, 5, 1 + day),
        )
    for day in range(5):
        Conversation.objects.create(
            builder=builder,
            site=site,
            area=ward,
            held_on=datetime.date(2024, 6, 1 + day),
        )
    for n in range(6):
        GroupFactory(
            site=site,
            area=ward,
            founded_on=datetime.date(2025, 9, 1 + n),
            name=f"Walking group {n}",
        )
    SiteFinance.objects.create(
        site=site,
        financial_year=2025,
        budget_builder_posts=20000,
        budget_small_sparks=5000,
        spend_builder_posts=18000,
        spend_small_sparks=3000,
    )
    StoryFactory(
        title="The bench that started a walking group",
        outcomes=[Outcome.objects.get(code="better-connected")],
        told_on=datetime.date(2025, 10, 2),
        selected_for_report=True,
    )
    return site
