"""The officers' pages for the council's places: which wards, deprivation and
needs measures are loaded, and loading new files with progress and a report. Views parse
and render; reading and loading the files is communities.places."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db import transaction
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect
from django.views.decorators.http import require_GET
from django.views.generic import DetailView, FormView, ListView, TemplateView

from core.access import CapabilityRequiredMixin, capability_required
from core.forms import add_service_errors
from core.roles import Capability

from . import measures, places, tasks
from .forms.measures import WardMeasureLoadForm
from .forms.places import DeprivationUploadForm, WardsUploadForm
from .models import Area, DeprivationRelease, PlacesUpload, WardMeasure


class PlacesView(CapabilityRequiredMixin, TemplateView):
    required_capability = Capability.MANAGE_PLACES
    template_name = "communities/places.html"

    def get_context_data(self, **kwargs):
        wards = list(Area.objects.current().for_choices().order_by("name"))
        return super().get_context_data(
            wards=wards,
            measures=WardMeasure.objects.beside(wards),
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


# Needs measures -------------------------------------------------------------


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
            report = measures.load_ward_measure(
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
