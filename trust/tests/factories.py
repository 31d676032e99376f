"""A small neighbourhood for the trust tests: two sites, each with a builder,
residents with gifts, consents, conversations, introductions and a group,
and a grant application made with one resident's email address."""

from __future__ import annotations

import datetime
from dataclasses import dataclass

from communities import services as community_services
from communities.models import (
    Conversation,
    Group,
    Introduction,
    Resident,
    Site,
)
from communities.tests.factories import (
    GroupFactory,
    ResidentFactory,
    SiteFactory,
    TagFactory,
    UserFactory,
    WardFactory,
)
from core.roles import Role
from grants.models import Application
from grants.tests.factories import ApplicationFactory


@dataclass
class SiteWorld:
    site: Site
    builder: object
    alice: Resident
    bob: Resident
    conversation: Conversation
    introduction: Introduction
    group: Group
    application: Application


def make_site(label: str) -> SiteWorld:
    """Every name, email and phone number carries ``label`` so a test can
    look for it in a page."""
    ward = WardFactory(name=f"Ward {label}")
    builder = UserFactory(role=Role.BUILDER, username=f"builder{label.lower()}")
    site = SiteFactory(name=f"Site {label}", areas=[ward], builders=[builder])
    cooking = TagFactory(name="cooking")
    alice = ResidentFactory(
        first_name=f"Alicia{label}",
        last_name=f"Quartermain{label}",
        email=f"alicia{label.lower()}@example.org",
        phone=f"07700 90{label}001",
        street=f"{label} Privet Drive",
        postcode="GL1 1AA",
        cares_about=f"Lonely neighbours on {label} Street",
        site=site,
        area=ward,
        created_by=builder,
        consents=["introduce", "contact"],
        passions=["cooking", "gardening"],
    )
    bob = ResidentFactory(
        first_name=f"Barnaby{label}",
        last_name=f"Oddfellow{label}",
        email=f"barnaby{label.lower()}@example.org",
        site=site,
        area=ward,
        created_by=builder,
        consents=["introduce"],
        passions=["cooking"],
    )
    conversation = community_services.conversation_log(
        builder=builder,
        site=site,
        held_on=datetime.date(2026, 5, 1),
        residents=[alice],
        what_matters=f"{label} Alicia worries about the bus stop",
        gifts_discovered=["baking"],
    )
    introduction = community_services.introduction_make(
        resident=alice,
        to_resident=bob,
        interest=cooking,
        builder=builder,
        introduced_on=datetime.date(2026, 5, 2),
        notes=f"Alicia{label} and Barnaby{label} both bake",
    )
    group = GroupFactory(site=site, interest=cooking, created_by=builder)
    group.members.add(alice, bob)
    application = ApplicationFactory(
        contact_name=f"Alicia{label} Quartermain{label}", email=alice.email
    )
    return SiteWorld(
        site, builder, alice, bob, conversation, introduction, group, application
    )
