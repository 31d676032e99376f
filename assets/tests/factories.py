import datetime

import factory

from assets.models import Asset, Category, MappingSession
from communities.tests.factories import UserFactory, WardFactory


class MappingSessionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = MappingSession

    name = factory.Sequence(lambda n: f"Mapping walk {n}")
    held_on = datetime.date(2026, 3, 7)
    area = factory.SubFactory(WardFactory)
    run_by = factory.SubFactory(UserFactory)
    participants = 12


class AssetFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Asset
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Asset {n}")
    category = Category.PHYSICAL
    description = "Somewhere people meet."
    latitude = 0.5
    longitude = 0.5
    address = "1 High Street"
    postcode = "GL1 1AA"
    visibility = Asset.Visibility.PUBLIC
    status = Asset.Status.ACTIVE

    @factory.post_generation
    def tags(self, create, extracted, **kwargs):
        """tags=["gardening"] adds those tags from the shared vocabulary."""
        if create and extracted:
            from communities.services import tags_get_or_create

            self.tags.set(tags_get_or_create(names=extracted))
