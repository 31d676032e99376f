import datetime
from decimal import Decimal

import factory
from django.db.models import F
from django.utils import timezone

from communities.tests.factories import UserFactory, WardFactory
from core.roles import Role
from grants.models import Application, Award, Criterion, Fund


class FundFactory(factory.django.DjangoModelFactory):
    """An open fund with two criteria, £50 to £500 awards."""

    class Meta:
        model = Fund
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Small sparks fund {n}")
    financial_year = 2026
    budget = Decimal("5000.00")
    minimum_award = Decimal("50.00")
    maximum_award = Decimal("500.00")
    opens_on = factory.LazyFunction(
        lambda: timezone.localdate() - datetime.timedelta(days=30)
    )
    closes_on = factory.LazyFunction(
        lambda: timezone.localdate() + datetime.timedelta(days=60)
    )

    @factory.post_generation
    def criteria(self, create, extracted, **kwargs):
        if not create:
            return
        titles = extracted or ["Brings neighbours together", "Good value for money"]
        for position, title in enumerate(titles):
            Criterion.objects.create(fund=self, title=title, position=position)

    @factory.post_generation
    def areas(self, create, extracted, **kwargs):
        if create and extracted:
            self.areas.set(extracted)


class ApplicationFactory(factory.django.DjangoModelFactory):
    """A finished application, sent and waiting to be checked. Pass
    status="draft" for an unsent one, or "in_review" for one checked."""

    class Meta:
        model = Application

    fund = factory.SubFactory(FundFactory)
    status = Application.Status.SUBMITTED
    applicant_type = Application.ApplicantType.INDIVIDUAL
    contact_name = factory.Faker("name", locale="en_GB")
    email = factory.Sequence(lambda n: f"applicant{n}@example.com")
    phone = "07700 900123"
    title = factory.Sequence(lambda n: f"Street garden {n}")
    idea = "Plant bulbs and herbs in the planters on our street, with neighbours."
    who_it_helps = "Neighbours on our street, especially older people."
    people_expected = 20
    area = factory.SubFactory(WardFactory)
    amount_requested = Decimal("300.00")
    spending_plan = "£200 for plants and compost, £100 for tools."
    submitted_at = factory.LazyAttribute(
        lambda a: None if a.status == Application.Status.DRAFT else timezone.now()
    )


class AwardFactory(factory.django.DjangoModelFactory):
    """An award made directly (bypassing the service), for read-side tests."""

    class Meta:
        model = Award
        skip_postgeneration_save = True

    application = factory.SubFactory(
        ApplicationFactory,
        status=Application.Status.AWARDED,
        decided_at=factory.LazyFunction(timezone.now),
        decision_reason="A lovely idea.",
    )
    fund = factory.LazyAttribute(lambda a: a.application.fund)
    amount = Decimal("250.00")
    committed = factory.LazyAttribute(lambda a: a.amount)
    awarded_on = factory.LazyFunction(timezone.localdate)

    @factory.post_generation
    def commit(self, create, extracted, **kwargs):
        if create:
            Fund.objects.filter(pk=self.fund_id).update(
                committed=F("committed") + self.amount
            )


def panel_user(**fields):
    return UserFactory(role=Role.PANEL, **fields)
