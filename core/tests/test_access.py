"""core.access: how a view asks for a capability, and how a site-scoped
view finds its rows."""

import pytest
from django.core.exceptions import ImproperlyConfigured, PermissionDenied
from django.http import HttpResponse
from django.views import View
from django.views.generic import ListView

from core.access import CapabilityRequiredMixin, SiteScopedMixin, capability_required
from core.roles import Capability, Role

pytestmark = pytest.mark.django_db

# A refusal is Django's 403 page; the PermissionDenied carries no message.
NO_MESSAGE = "^$"


class ReviewPage(CapabilityRequiredMixin, View):
    required_capability = Capability.REVIEW_APPLICATIONS

    def get(self, request):
        return HttpResponse("the queue")


class Forgotten(CapabilityRequiredMixin, View):
    def get(self, request):
        return HttpResponse("anyone at all")


@capability_required(Capability.READ_REPORTS)
def reports(request, year):
    """The reports for a year."""
    return HttpResponse(f"reports {year}")


def signed_in(rf, user):
    request = rf.get("/")
    request.user = user
    return request


@pytest.mark.parametrize("role", [Role.PANEL, Role.OFFICER])
def test_a_view_lets_in_the_roles_with_its_capability(rf, make_user, role):
    response = ReviewPage.as_view()(signed_in(rf, make_user(role)))
    assert response.content == b"the queue"


@pytest.mark.parametrize("role", [Role.BUILDER, Role.CABINET, None])
def test_a_view_refuses_the_roles_without_it_with_403(rf, make_user, role):
    with pytest.raises(PermissionDenied, match=NO_MESSAGE):
        ReviewPage.as_view()(signed_in(rf, make_user(role)))


def test_a_view_that_names_no_capability_lets_nobody_in(rf, officer):
    with pytest.raises(
        ImproperlyConfigured, match="Forgotten must set required_capability"
    ):
        Forgotten.as_view()(signed_in(rf, officer))


def test_the_decorator_lets_in_the_roles_with_the_capability(rf, cabinet_member):
    response = reports(signed_in(rf, cabinet_member), year=2025)
    assert response.content == b"reports 2025"


def test_the_decorator_refuses_the_roles_without_it(rf, builder):
    with pytest.raises(PermissionDenied, match=NO_MESSAGE):
        reports(signed_in(rf, builder), year=2025)


def test_the_decorated_view_keeps_its_name_and_description():
    assert reports.__name__ == "reports"
    assert reports.__doc__ == "The reports for a year."


class Rows:
    """A model whose rows are scoped by who asks."""

    class objects:
        @staticmethod
        def visible_to(user):
            return [f"what {user.username} may see"]


class RowList(SiteScopedMixin, ListView):
    model = Rows
    template_name = "unused.html"

    def render_to_response(self, context, **kwargs):
        return HttpResponse(" ".join(context["object_list"]))


def test_a_site_scoped_view_reads_the_rows_visible_to_the_user(rf, builder):
    response = RowList.as_view()(signed_in(rf, builder))
    assert response.content == b"what builder may see"


@pytest.mark.parametrize("role", [Role.PANEL, Role.CABINET])
def test_a_site_scoped_view_is_for_those_who_log_work(rf, make_user, role):
    with pytest.raises(PermissionDenied, match=NO_MESSAGE):
        RowList.as_view()(signed_in(rf, make_user(role)))
