"""The builder's screens (phone first) and the officers' lists. Views only
parse requests and render: writes go through communities.services, reads
through the models' QuerySet methods, scoping through SiteScopedMixin."""

from __future__ import annotations

import hashlib
import json
from functools import lru_cache
from pathlib import Path

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.contrib.staticfiles import finders
from django.core.exceptions import ValidationError
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.templatetags.static import static
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.utils.functional import cached_property
from django.views.generic import DetailView, FormView, ListView, TemplateView, View

from core.access import CapabilityRequiredMixin, SiteScopedMixin
from core.forms import add_service_errors
from core.roles import Capability, can

from . import network as network_module
from . import places, services, sync
from .forms.conversations import ConversationForm
from .forms.groups import CelebrationForm, GroupForm
from .forms.introductions import IntroductionForm, IntroductionStatusForm
from .forms.places import WardMeasureLoadForm
from .forms.residents import ResidentFilterForm, ResidentForm
from .models import (
    Consent,
    Conversation,
    Group,
    Introduction,
    Resident,
    Site,
    Tag,
    WardMeasure,
)

PAGE_SIZE = 50


class SaveFormMixin:
    """form_valid for the forms whose save(user) calls a service: a refusal
    from the service is shown on the form, and nothing is stored. The form
    says what to tell the builder and where to go next (the offline sync
    endpoint asks it the same)."""

    def form_valid(self, form):
        try:
            saved = form.save(self.request.user)
        except ValidationError as error:
            add_service_errors(form, error)
            return self.form_invalid(form)
        message, url = form.done(saved)
        messages.success(self.request, message)
        return redirect(url)


class TagVocabularyMixin:
    """The shared vocabulary, offered as builders type (a <datalist>)."""

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["tag_vocabulary"] = Tag.objects.vocabulary()
        return context


class FromResidentMixin:
    """A builder's form reached from a resident's page (?resident=<id>):
    that resident, if the user may see them."""

    @cached_property
    def from_resident(self):
        resident_id = self.request.GET.get("resident", "")
        if not resident_id.isdecimal():
            return None
        return get_object_or_404(
            Resident.objects.visible_to(self.request.user), pk=resident_id
        )


class FindResidentsViewMixin:
    """For a form with a Find residents button (FindsResidentsMixin): Find
    draws the same page again, with all that was typed and chosen, those
    found on offer, and no errors for what is not filled in yet; Save saves."""

    def post(self, request, *args, **kwargs):
        if self.form_class.FIND not in request.POST:
            return super().post(request, *args, **kwargs)
        form = self.get_form()
        form.hold_errors()
        return self.render_to_response(self.get_context_data(form=form))


class SortMixin:
    """Server-side sorting by an allowed column (?sort=name or ?sort=-name)."""

    sort_fields: dict[str, str] = {}
    default_sort = ""

    @cached_property
    def sort(self) -> str:
        wanted = self.request.GET.get("sort", self.default_sort)
        return wanted if wanted.lstrip("-") in self.sort_fields else self.default_sort

    def apply_sort(self, queryset):
        field = self.sort_fields[self.sort.lstrip("-")]
        return queryset.sorted_by(field, descending=self.sort.startswith("-"))

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        params = self.request.GET.copy()
        params.pop("page", None)
        columns = {}
        for key in self.sort_fields:
            current = self.sort.lstrip("-") == key
            descending = self.sort.startswith("-")
            params["sort"] = f"-{key}" if current and not descending else key
            columns[key] = {
                "href": "?" + params.urlencode(),
                "aria_sort": (
                    ("descending" if descending else "ascending") if current else "none"
                ),
            }
        context["columns"] = columns
        query = self.request.GET.copy()
        query.pop("page", None)
        context["page_query"] = query.urlencode()
        return context


class FilteredListView(SortMixin, SiteScopedMixin, ListView):
    """A staff list: the user's rows, narrowed by the MoJ-style filters
    (site, ward, interest, dates and a search: the QuerySet's ``filtered``),
    sorted and paginated."""

    paginate_by = PAGE_SIZE

    @cached_property
    def filters(self):
        return ResidentFilterForm(self.request.GET or None, user=self.request.user)

    def for_page(self, rows):
        """What the page shows of each row, as the QuerySet names it."""
        return rows

    def get_queryset(self):
        rows = super().get_queryset()
        if self.filters.is_valid():
            rows = rows.filtered(**self.filters.cleaned_data)
        return self.apply_sort(self.for_page(rows))

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["filters"] = self.filters
        context["active_filters"] = [
            (self.filters.fields[name].label, value)
            for name, value in (
                self.filters.cleaned_data.items() if self.filters.is_valid() else ()
            )
            if value
        ]
        return context


# The builder's home ---------------------------------------------------------


class MyWorkView(CapabilityRequiredMixin, TemplateView):
    """A builder's home: what they log on the street starts here."""

    required_capability = Capability.LOG_WORK
    template_name = "communities/my_work.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        user = self.request.user
        conversations = Conversation.objects.visible_to(user)
        introductions = Introduction.objects.visible_to(user)
        context.update(
            sites=Site.objects.visible_to(user),
            this_month={
                "conversations": conversations.this_month().count(),
                "introductions": introductions.this_month().count(),
                "groups": Group.objects.visible_to(user).this_month().count(),
            },
            recent_conversations=conversations.for_list().with_residents()[:5],
            recent_introductions=introductions.with_parties()[:5],
        )
        return context


# Residents -----------------------------------------------------------------


class ResidentListView(FilteredListView):
    model = Resident
    template_name = "communities/resident_list.html"
    sort_fields = {
        "name": "first_name",
        "site": "site__name",
        "ward": "area__name",
        "added": "created_at",
    }
    default_sort = "name"

    def for_page(self, rows):
        return rows.for_list().with_tags()


class ResidentDetailView(SiteScopedMixin, DetailView):
    model = Resident
    template_name = "communities/resident_detail.html"

    def get_queryset(self):
        return super().get_queryset().for_detail()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        resident = self.object
        user = self.request.user
        timeline = resident.timeline(user)
        consents = resident.current_consents()
        context.update(
            timeline=timeline,
            tags=resident.tags.with_tag().by_kind(),
            consent_rows=[
                (purpose, label, consents.get(purpose))
                for purpose, label in Consent.Purpose.choices
            ],
            suggestions=Resident.objects.visible_to(user)
            .suggested_for(resident)
            .for_list()
            if Consent.Purpose.INTRODUCE in consents
            else None,
        )
        return context


class ResidentCreateView(
    SaveFormMixin, TagVocabularyMixin, CapabilityRequiredMixin, FormView
):
    required_capability = Capability.LOG_WORK
    form_class = ResidentForm
    template_name = "communities/resident_form.html"

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "user": self.request.user}


class ResidentEditView(TagVocabularyMixin, SiteScopedMixin, DetailView, FormView):
    """Change what is recorded about a resident (their site stays)."""

    model = Resident
    form_class = ResidentForm
    template_name = "communities/resident_form.html"

    def get_initial(self):
        resident = self.object
        tags = resident.tags.with_tag()

        def names(kind):
            return ", ".join(rt.tag.name for rt in tags if rt.kind == kind)

        return {
            "site": resident.site_id,
            "area": resident.area_id,
            **{
                name: getattr(resident, name)
                for name in (
                    "first_name",
                    "last_name",
                    "phone",
                    "email",
                    "street",
                    "postcode",
                    "cares_about",
                    "would_like_to_do",
                    "is_connector",
                    "connector_gift",
                )
            },
            "gifts_head": names("head"),
            "gifts_hands": names("hands"),
            "gifts_heart": names("heart"),
            "passions": names("passion"),
        }

    def get_form_kwargs(self):
        # Site and consent are changed elsewhere: consent on the resident's
        # page, with its own record of who and when.
        return {
            **super().get_form_kwargs(),
            "user": self.request.user,
            "editing": True,
        }

    def get(self, request, *args, **kwargs):
        self.object = self.get_object()
        return self.render_to_response(self.get_context_data())

    def post(self, request, *args, **kwargs):
        self.object = self.get_object()
        form = self.get_form()
        if not form.is_valid():
            return self.form_invalid(form)
        fields = form.resident_kwargs()
        try:
            services.resident_update(
                resident=self.object,
                updated_by=request.user,
                area=form.cleaned_data["area"],
                **fields,
            )
        except ValidationError as error:
            add_service_errors(form, error)
            return self.form_invalid(form)
        messages.success(
            request, f"{self.object.first_name}'s details have been saved."
        )
        return redirect(self.object)


class ResidentConsentView(SiteScopedMixin, DetailView):
    """Record consent given or withdrawn (POST only)."""

    model = Resident
    http_method_names = ["post"]

    def post(self, request, *args, **kwargs):
        resident = self.get_object()
        purpose = request.POST.get("purpose")
        if purpose not in Consent.Purpose.values:
            raise Http404
        label = Consent.Purpose(purpose).label.lower()
        if request.POST.get("action") == "withdraw":
            services.consent_withdraw(
                resident=resident, purpose=purpose, recorded_by=request.user
            )
            messages.success(request, f"Consent {label} has been withdrawn.")
        else:
            services.consent_give(
                resident=resident, purpose=purpose, recorded_by=request.user
            )
            messages.success(request, f"Consent {label} has been recorded.")
        return redirect(resident)


# Conversations --------------------------------------------------------------


class ConversationCreateView(
    FromResidentMixin,
    SaveFormMixin,
    TagVocabularyMixin,
    CapabilityRequiredMixin,
    FormView,
):
    required_capability = Capability.LOG_WORK
    form_class = ConversationForm
    template_name = "communities/conversation_form.html"

    def get_form_kwargs(self):
        # The form offers the residents met most recently; from a resident's
        # page, that resident is ticked (and so offered) too.
        kwargs = {**super().get_form_kwargs(), "user": self.request.user}
        if resident := self.from_resident:
            kwargs["initial"] = {"residents": [resident.pk], "site": resident.site_id}
        return kwargs


class ConversationListView(FilteredListView):
    model = Conversation
    template_name = "communities/conversation_list.html"
    sort_fields = {"date": "held_on", "site": "site__name", "ward": "area__name"}
    default_sort = "-date"

    def for_page(self, rows):
        return rows.for_list().with_builder().with_people()


# Introductions --------------------------------------------------------------


class IntroductionCreateView(
    FindResidentsViewMixin,
    FromResidentMixin,
    SaveFormMixin,
    TagVocabularyMixin,
    CapabilityRequiredMixin,
    FormView,
):
    """Make an introduction: for one resident (from their page, with
    suggestions), or choosing both people."""

    required_capability = Capability.LOG_WORK
    form_class = IntroductionForm
    template_name = "communities/introduction_form.html"

    @cached_property
    def resident(self):
        if self.request.GET.get("resident", "").isdecimal():
            return self.from_resident
        if self.request.GET.get("resident"):
            raise Http404
        return None

    def get_initial(self):
        initial = super().get_initial()
        to = self.request.GET.get("to", "")
        if to.isdecimal():
            initial["to_resident"] = int(to)
        interest = self.request.GET.get("interest", "")
        if interest:
            initial["interest"] = interest
        return initial

    def get_form_kwargs(self):
        return {
            **super().get_form_kwargs(),
            "user": self.request.user,
            "resident": self.resident,
        }

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["resident"] = self.resident
        if self.resident:
            context["suggestions"] = (
                Resident.objects.visible_to(self.request.user)
                .suggested_for(self.resident)
                .for_list()
            )
        return context


class IntroductionListView(FilteredListView):
    model = Introduction
    template_name = "communities/introduction_list.html"
    sort_fields = {"date": "introduced_on", "site": "site__name", "status": "status"}
    default_sort = "-date"

    def for_page(self, rows):
        return rows.for_list()


class IntroductionStatusView(SiteScopedMixin, DetailView):
    model = Introduction
    template_name = "communities/introduction_status.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.setdefault(
            "form", IntroductionStatusForm(initial={"status": self.object.status})
        )
        return context

    def post(self, request, *args, **kwargs):
        self.object = self.get_object()
        form = IntroductionStatusForm(request.POST)
        if not form.is_valid():
            return self.render_to_response(self.get_context_data(form=form))
        services.introduction_set_status(
            introduction=self.object,
            status=form.cleaned_data["status"],
            notes=form.cleaned_data["notes"],
            by=request.user,
        )
        messages.success(request, "The introduction has been updated.")
        return redirect(self.object.resident)


# Groups ---------------------------------------------------------------------


class GroupCreateView(
    FindResidentsViewMixin,
    FromResidentMixin,
    SaveFormMixin,
    TagVocabularyMixin,
    CapabilityRequiredMixin,
    FormView,
):
    required_capability = Capability.LOG_WORK
    form_class = GroupForm
    template_name = "communities/group_form.html"

    def get_form_kwargs(self):
        kwargs = {**super().get_form_kwargs(), "user": self.request.user}
        # From a resident's page: the group starts with them as a member.
        if resident := self.from_resident:
            kwargs["initial"] = {"members": [resident.pk], "site": resident.site_id}
        return kwargs


class GroupListView(FilteredListView):
    model = Group
    template_name = "communities/group_list.html"
    sort_fields = {"name": "name", "founded": "founded_on", "site": "site__name"}
    default_sort = "name"

    def for_page(self, rows):
        return rows.for_list().with_interest().with_counts()


class GroupDetailView(SiteScopedMixin, DetailView):
    model = Group
    template_name = "communities/group_detail.html"

    def get_queryset(self):
        return super().get_queryset().for_detail()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.setdefault("form", CelebrationForm())
        context["members"] = self.object.members.with_ward()
        context["celebrations"] = self.object.celebrations.all()
        return context

    def post(self, request, *args, **kwargs):
        self.object = self.get_object()
        form = CelebrationForm(request.POST)
        if form.is_valid():
            try:
                services.celebration_record(
                    group=self.object, by=request.user, **form.cleaned_data
                )
            except ValidationError as error:
                add_service_errors(form, error)
            else:
                messages.success(request, "The celebration has been recorded.")
                return redirect(request.path)
        return self.render_to_response(self.get_context_data(form=form))


# The network of a site -------------------------------------------------------


class SiteNetworkView(SiteScopedMixin, DetailView):
    model = Site
    template_name = "communities/site_network.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        network = network_module.build(self.object)
        shown = network.clusters[:30]
        circles = [node for cluster in shown for node in cluster.nodes]
        drawn = {node.key for node in circles}
        nodes = network.nodes
        context.update(
            network=network,
            shown_clusters=shown,
            circles=circles,
            lines=[
                (nodes[a].x, nodes[a].y, nodes[b].x, nodes[b].y, crosses)
                for a, b, crosses in network.edges
                if a in drawn
            ],
            drawing_height=int(max((n.y for n in circles), default=0) + 40),
        )
        return context


class SiteListView(SiteScopedMixin, ListView):
    model = Site
    template_name = "communities/site_list.html"

    def get_queryset(self):
        return super().get_queryset().for_list()


# Offline sync -----------------------------------------------------------------


@method_decorator(login_not_required, name="dispatch")
class SyncItemView(View):
    """PUT /communities/sync/<device id>/ with {"kind": ..., "payload": {...}}.

    Answers in JSON, never with a redirect, so that the phone can tell
    "stored" (201), "already stored" (200), "fix these fields" (422), "send
    the resident first" (424), "a different item used this ID" (409) and
    "sign in again" (401 or 403) apart, and keep the item until it is stored.
    """

    http_method_names = ["put"]
    # A refused CSRF check answers in JSON too (core.views.csrf_failure).
    answers_json = True

    def put(self, request, device_id):
        if not request.user.is_authenticated:
            return JsonResponse({"error": "signed-out"}, status=401)
        if not can(request.user, Capability.LOG_WORK):
            return JsonResponse({"error": "forbidden"}, status=403)
        try:
            body = json.loads(request.body)
        except (ValueError, UnicodeDecodeError):
            return JsonResponse(
                {"error": "bad-request", "message": "Send JSON."}, status=400
            )
        if not isinstance(body, dict):
            return JsonResponse(
                {"error": "bad-request", "message": "Send a JSON object."}, status=400
            )
        answer = sync.sync_receive(
            user=request.user,
            device_id=device_id,
            kind=body.get("kind"),
            payload=body.get("payload"),
        )
        if answer.message and request.headers.get("X-Outbox-Interactive"):
            # The builder pressed Save and is about to be taken to the record:
            # tell them there, as the plain form would.
            messages.success(request, answer.message)
        return JsonResponse({"id": str(device_id), **answer.body}, status=answer.status)


class OutboxView(CapabilityRequiredMixin, TemplateView):
    """What is waiting to send on this phone (drawn from IndexedDB by the
    outbox script: the server never sees unsent items)."""

    required_capability = Capability.LOG_WORK
    template_name = "communities/outbox.html"


# The pages a builder needs on the street, kept by the service worker.
BUILDER_PAGES = (
    "communities:my-work",
    "communities:outbox",
    "communities:conversation-create",
    "communities:resident-create",
    "communities:introduction-create",
    "communities:group-create",
)
OFFLINE_STATIC = (
    "build/abcd.css",
    "vendor/govuk-frontend/govuk-frontend.min.js",
    "vendor/idb/idb.js",
    "abcd/init.js",
    "abcd/outbox.js",
    "abcd/outbox/storage.js",
    "abcd/outbox/sync.js",
    "abcd/outbox/page.js",
    "abcd/favicon.svg",
)


@lru_cache(maxsize=1)
def _offline_assets() -> tuple[list[str], str]:
    """The static files' URLs and a version that changes with their content,
    so a phone picks up new files after a release."""
    digest = hashlib.sha256()
    urls = []
    for path in OFFLINE_STATIC:
        urls.append(static(path))
        found = finders.find(path)
        if found:
            digest.update(Path(found).read_bytes())
        digest.update(urls[-1].encode())
    return urls, digest.hexdigest()[:12]


@login_not_required
def service_worker(request):
    urls, version = _offline_assets()
    response = render(
        request,
        "communities/sw.js",
        {
            "version": version,
            "static_files": json.dumps(urls),
            "builder_pages": json.dumps([reverse(name) for name in BUILDER_PAGES]),
            "outbox_page": reverse("communities:outbox"),
            "static_url": settings.STATIC_URL,
        },
        content_type="application/javascript",
    )
    response["Cache-Control"] = "no-cache"
    return response


# Places ------------------------------------------------------------------


class WardMeasureListView(CapabilityRequiredMixin, ListView):
    """The needs measures loaded for the council's wards."""

    required_capability = Capability.MANAGE_PLACES
    template_name = "communities/measure_list.html"
    context_object_name = "measures"

    def get_queryset(self):
        return WardMeasure.objects.for_list()


class WardMeasureLoadView(CapabilityRequiredMixin, FormView):
    """Load (or load again) a needs measure from a CSV of ward code and value:
    every row is checked first, and a file with any mistake changes nothing."""

    required_capability = Capability.MANAGE_PLACES
    template_name = "communities/measure_load.html"
    form_class = WardMeasureLoadForm

    def form_valid(self, form):
        data = form.cleaned_data
        try:
            report = places.load_ward_measure(
                data["file"].read(),
                name=data["name"],
                source=data["source"],
                higher_is_more_need=data["higher_is_more_need"],
                code_column=data["code_column"],
                value_column=data["value_column"],
                unit=data["unit"],
                description=data["description"],
            )
        except ValidationError as error:
            add_service_errors(form, error, field="file")
            return self.form_invalid(form)
        messages.success(self.request, " ".join(report.lines()))
        return redirect("communities:measures")
