import datetime

import factory
from django.contrib.auth.models import Group as AuthGroup
from django.utils import timezone

from communities.models import (
    Area,
    Consent,
    Conversation,
    Group,
    Introduction,
    Organisation,
    Resident,
    ResidentTag,
    Site,
    Tag,
    User,
)
from core.roles import Role

TEST_PASSWORD = "a long test passphrase for everyone"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = User
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = factory.Faker("first_name", locale="en_GB")
    last_name = factory.Faker("last_name", locale="en_GB")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.gov.uk")
    password = factory.django.Password(TEST_PASSWORD)

    @factory.post_generation
    def role(self, create, extracted: Role | None, **kwargs):
        if create and extracted:
            group, _ = AuthGroup.objects.get_or_create(name=extracted.label)
            self.groups.add(group)


SQUARE = {
    "type": "Polygon",
    "coordinates": [[[0, 0], [1, 0], [1, 1], [0, 1], [0, 0]]],
}


class WardFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Area

    kind = Area.Kind.WARD
    name = factory.Sequence(lambda n: f"Ward {n}")
    ons_code = factory.Sequence(lambda n: f"E05{n:06d}")
    boundary = SQUARE
    imd_decile = 5


class OrganisationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Organisation
        django_get_or_create = ("name",)

    name = factory.Sequence(lambda n: f"Host organisation {n}")
    kind = Organisation.Kind.VCSE


class SiteFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Site
        skip_postgeneration_save = True

    name = factory.Sequence(lambda n: f"Site {n}")
    host = factory.SubFactory(OrganisationFactory)
    start_date = datetime.date(2025, 4, 1)

    @factory.post_generation
    def areas(self, create, extracted, **kwargs):
        if create and extracted:
            self.areas.set(extracted)

    @factory.post_generation
    def builders(self, create, extracted, **kwargs):
        if create and extracted:
            self.builders.set(extracted)


class TagFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Tag
        django_get_or_create = ("key",)

    name = factory.Sequence(lambda n: f"interest {n}")
    key = factory.LazyAttribute(lambda t: Tag.normalise(t.name))


class ResidentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Resident
        skip_postgeneration_save = True

    first_name = factory.Faker("first_name", locale="en_GB")
    last_name = factory.Faker("last_name", locale="en_GB")
    site = factory.SubFactory(SiteFactory)
    created_by = factory.SubFactory(UserFactory)

    @factory.post_generation
    def consents(self, create, extracted, **kwargs):
        """consents=["introduce", "contact"] records those as given."""
        if create and extracted:
            for purpose in extracted:
                Consent.objects.create(
                    resident=self,
                    purpose=purpose,
                    wording=f"I agree {purpose}",
                    given_at=timezone.now(),
                    recorded_by=self.created_by,
                )

    @factory.post_generation
    def passions(self, create, extracted, **kwargs):
        """passions=["cooking", "gardening"] adds those tags as passions."""
        if create and extracted:
            for name in extracted:
                tag = TagFactory(name=name)
                ResidentTag.objects.get_or_create(
                    resident=self, tag=tag, kind=ResidentTag.Kind.PASSION
                )


class GroupFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Group

    name = factory.Sequence(lambda n: f"Group {n}")
    interest = factory.SubFactory(TagFactory)
    site = factory.SubFactory(SiteFactory)
    founded_on = datetime.date(2025, 6, 1)
    created_by = factory.SubFactory(UserFactory)


def site_records(site, n: int, builder) -> None:
    """``n`` residents who share one passion and agreed to introductions, a
    conversation each, an introduction for every two, and up to 60 groups:
    bulk-made, for tests that compare a page at two sizes."""
    tag = Tag.objects.filter(key="chess").first() or TagFactory(name="chess")
    today = timezone.localdate()
    residents = Resident.objects.bulk_create(
        [Resident(site=site, first_name=f"R{i}", created_by=builder) for i in range(n)]
    )
    ResidentTag.objects.bulk_create(
        [ResidentTag(resident=r, tag=tag, kind="passion") for r in residents]
    )
    Conversation.objects.bulk_create(
        [Conversation(site=site, builder=builder, held_on=today) for _ in range(n)]
    )
    Consent.objects.bulk_create(
        [
            Consent(
                resident=r,
                purpose="introduce",
                wording="x",
                given_at=timezone.now(),
                recorded_by=builder,
            )
            for r in residents
        ]
    )
    Introduction.objects.bulk_create(
        [
            Introduction(
                resident=a,
                to_resident=b,
                interest=tag,
                site=site,
                builder=builder,
                introduced_on=today,
            )
            for a, b in zip(residents[::2], residents[1::2], strict=False)
        ]
    )
    for i in range(min(n, 60)):
        GroupFactory(site=site, name=f"G{i}", interest=tag)
