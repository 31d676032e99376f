"""The officers' pages for the council's places: which wards and deprivation
are loaded, and loading new files with progress and a report. Views parse
and render; reading and loading the files is communities.places."""

from __future__ import annotations

from django.db import transaction
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect
from django.views.decorators.http import require_GET
from django.views.generic import DetailView, FormView, TemplateView

from core.access import CapabilityRequiredMixin, capability_required
from core.forms import add_service_errors
from core.roles import Capability

from . import places, tasks
from .forms.places import DeprivationUploadForm, WardsUploadForm
from .models import Area, DeprivationRelease, PlacesUpload


class PlacesView(CapabilityRequiredMixin, TemplateView):
    required_capability = Capability.MANAGE_PLACES
    template_name = "communities/places.html"

    def get_context_data(self, **kwargs):
        wards = list(Area.objects.current().for_choices().order_by("name"))
        return super().get_context_data(
            wards=wards,
            vintages=sorted({w.vintage for w in wards if w.vintage}),
            earlier_wards=Area.objects.wards().filter(is_current=False).count(),
            release=DeprivationRelease.objects.latest_loaded(),
            uploads=PlacesUpload.objects.recent(),
            **kwargs,
        )


class _UploadView(CapabilityRequiredMixin, FormView):
    required_capability = Capability.MANAGE_PLACES
    kind: str

    def start(self, form) -> PlacesUpload:
        raise NotImplementedError

    def form_valid(self, form):
        try:
            upload = self.start(form)
        except places.PlacesFileError as error:
            add_service_errors(form, error)
            return self.form_invalid(form)
        # Loaded in the background once this request has committed the upload.
        transaction.on_commit(lambda: tasks.run_places_upload.delay(upload.pk))
        return redirect(upload)


class WardsUploadView(_UploadView):
    template_name = "communities/places_wards.html"
    form_class = WardsUploadForm

    def start(self, form):
        upload = form.cleaned_data["file"]
        return places.places_upload_start(
            kind=PlacesUpload.Kind.WARDS,
            uploaded_by=self.request.user,
            file_name=upload.name,
            content=upload.read(),
            options={
                "code_property": form.cleaned_data["code_property"],
                "name_property": form.cleaned_data["name_property"],
                "vintage": form.cleaned_data["vintage"],
            },
        )


class DeprivationUploadView(_UploadView):
    template_name = "communities/places_deprivation.html"
    form_class = DeprivationUploadForm

    def start(self, form):
        lsoas, ranks = form.cleaned_data["lsoas"], form.cleaned_data["ranks"]
        return places.places_upload_start(
            kind=PlacesUpload.Kind.DEPRIVATION,
            uploaded_by=self.request.user,
            file_name=lsoas.name,
            content=lsoas.read(),
            second_file_name=ranks.name,
            second_content=ranks.read(),
            options={
                "code_column": form.cleaned_data["code_column"],
                "rank_column": form.cleaned_data["rank_column"],
                "lsoas_in_england": form.cleaned_data["lsoas_in_england"],
            },
        )


class UploadDetailView(CapabilityRequiredMixin, DetailView):
    required_capability = Capability.MANAGE_PLACES
    template_name = "communities/places_upload.html"
    context_object_name = "upload"
    queryset = PlacesUpload.objects.without_content()

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            progress=places.places_upload_progress(self.object), **kwargs
        )


@capability_required(Capability.MANAGE_PLACES)
@require_GET
def upload_status(request, pk):
    upload = get_object_or_404(PlacesUpload.objects.without_content(), pk=pk)
    return JsonResponse(
        places.places_upload_progress(upload), headers={"Cache-Control": "no-store"}
    )
