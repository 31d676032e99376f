import datetime

import factory

from communities.tests.factories import UserFactory
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
