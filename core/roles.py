"""The four roles and what each may do: the one place permissions are decided.

A role is a Django group. A view names the capability it needs
(``required_capability`` on the mixin in core.access); this module says
which roles hold it. Nothing else in the product compares role names.
"""

from __future__ import annotations

import enum
from typing import TYPE_CHECKING

from django.db import models
from django.db.models import Q

if TYPE_CHECKING:
    from django.contrib.auth.models import AbstractBaseUser, AnonymousUser


class Role(models.TextChoices):
    # The label is the Django group's name.
    OFFICER = "officer", "Officer"
    BUILDER = "builder", "Community Builder"
    PANEL = "panel", "Panel Member"
    CABINET = "cabinet", "Cabinet Member"


# When a person holds more than one role, the first in this order decides
# their home page and navigation.
ROLE_PRECEDENCE = (Role.OFFICER, Role.BUILDER, Role.PANEL, Role.CABINET)


class Capability(enum.Enum):
    VIEW_DASHBOARD = "view_dashboard"
    LOG_WORK = "log_work"
    REVIEW_APPLICATIONS = "review_applications"
    READ_REPORTS = "read_reports"
    # Assets: see staff-only assets, add and edit assets, run mapping sessions.
    MAP_ASSETS = "map_assets"
    # Assets: import from CSV and export everything, staff-only included.
    MANAGE_ASSET_DATA = "manage_asset_data"
    MANAGE_GRANTS = "manage_grants"
    # Evaluation: outcomes, indicators, cohesion questions, stories, links.
    MANAGE_EVALUATION = "manage_evaluation"
    # Evaluation: type in a resident's paper survey.
    ENTER_SURVEYS = "enter_surveys"
    # Personal data: subject access, erasure and the retention schedule.
    MANAGE_PERSONAL_DATA = "manage_personal_data"
    # Evaluation: run reports, write an annual review's recommendations and
    # publish it for cabinet.
    RUN_REPORTS = "run_reports"
    # Places: load the council's ward-level figures, such as needs measures.
    MANAGE_PLACES = "manage_places"


CAPABILITIES: dict[Capability, frozenset[Role]] = {
    Capability.VIEW_DASHBOARD: frozenset({Role.OFFICER}),
    Capability.LOG_WORK: frozenset({Role.BUILDER, Role.OFFICER}),
    Capability.REVIEW_APPLICATIONS: frozenset({Role.PANEL, Role.OFFICER}),
    Capability.READ_REPORTS: frozenset({Role.CABINET, Role.OFFICER}),
    Capability.MAP_ASSETS: frozenset({Role.BUILDER, Role.OFFICER}),
    Capability.MANAGE_ASSET_DATA: frozenset({Role.OFFICER}),
    Capability.MANAGE_GRANTS: frozenset({Role.OFFICER}),
    Capability.MANAGE_EVALUATION: frozenset({Role.OFFICER}),
    Capability.ENTER_SURVEYS: frozenset({Role.BUILDER, Role.OFFICER}),
    Capability.MANAGE_PERSONAL_DATA: frozenset({Role.OFFICER}),
    Capability.RUN_REPORTS: frozenset({Role.OFFICER}),
    Capability.MANAGE_PLACES: frozenset({Role.OFFICER}),
}

# Where each role lands after signing in (URL names).
ROLE_HOME = {
    Role.OFFICER: "evaluation:dashboard",
    Role.BUILDER: "communities:my-work",
    Role.PANEL: "grants:review-queue",
    Role.CABINET: "evaluation:reports",
}

# The service navigation each role sees: (label, URL name). Other parts of
# the product add their pages here as they land.
NAVIGATION: dict[Role, tuple[tuple[str, str], ...]] = {
    Role.OFFICER: (
        ("Dashboard", "evaluation:dashboard"),
        ("Residents", "communities:resident-list"),
        ("Introductions", "communities:introduction-list"),
        ("Groups", "communities:group-list"),
        ("Sites", "communities:site-list"),
        ("Asset map", "assets:map"),
        ("Applications", "grants:review-queue"),
        ("Funds", "grants:fund-list"),
        ("Stories", "evaluation:story-list"),
        ("Surveys", "evaluation:surveys"),
        ("Reports", "evaluation:reports"),
        ("Personal data", "trust:requests"),
    ),
    Role.BUILDER: (
        ("My work", "communities:my-work"),
        ("Residents", "communities:resident-list"),
        ("Groups", "communities:group-list"),
        ("Asset map", "assets:map"),
        ("Surveys", "evaluation:survey-new"),
    ),
    Role.PANEL: (("Applications to review", "grants:review-queue"),),
    Role.CABINET: (("Reports", "evaluation:reports"),),
}


def roles_of(user: AbstractBaseUser | AnonymousUser) -> frozenset[Role]:
    """The roles a user holds; a superuser holds the officer's."""
    if not user.is_authenticated or not user.is_active:
        return frozenset()
    cached = getattr(user, "_abcd_roles", None)
    if cached is None:
        # The sign-in backend reads the group names with the user itself
        # (communities.backends); a user read any other way asks here.
        names = getattr(user, "group_names", None)
        if names is None:
            names = user.groups.values_list("name", flat=True)
        labels = {role.label: role for role in Role}
        cached = frozenset(labels[name] for name in names if name in labels)
        if user.is_superuser:
            cached |= {Role.OFFICER}
        user._abcd_roles = cached
    return cached


def holders(role: Role) -> Q:
    """The users who hold ``role`` as ``roles_of`` counts them, as a filter
    on the user model (a superuser holds the officer's role)."""
    held = Q(groups__name=role.label)
    return held | Q(is_superuser=True) if role == Role.OFFICER else held


def able_to(capability: Capability) -> Q:
    """The users whose roles hold ``capability``, as a filter on the user
    model (the same rule as ``can``, for a query instead of one user)."""
    held = Q(pk__in=[])
    for role in CAPABILITIES[capability]:
        held |= holders(role)
    return held


def primary_role(user) -> Role | None:
    held = roles_of(user)
    return next((role for role in ROLE_PRECEDENCE if role in held), None)


def can(user, capability: Capability) -> bool:
    return bool(roles_of(user) & CAPABILITIES[capability])


def navigation_for(user) -> tuple[tuple[str, str], ...]:
    role = primary_role(user)
    return NAVIGATION[role] if role else ()
