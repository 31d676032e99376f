import factory
from django.contrib.auth.models import Group

from communities.models import Area, User
from communities.roles import Role

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
            group, _ = Group.objects.get_or_create(name=extracted.label)
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
