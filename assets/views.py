"""The asset map and inventory. Views are thin: reads are QuerySet methods
and mapdata; writes go through services."""

from __future__ import annotations

import csv
import json

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.db import transaction
from django.http import Http404, HttpResponse, JsonResponse, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.views import View
from django.views.decorators.cache import cache_control
from django.views.decorators.gzip import gzip_page
from django.views.decorators.http import require_GET
from django.views.generic import DetailView, FormView, ListView, TemplateView

from communities.measures import places_version
from communities.models import DeprivationRelease, WardMeasure
from core.access import CapabilityRequiredMixin, capability_required
from core.forms import add_service_errors
from core.roles import Capability, can
from core.suppression import SUPPRESSION_THRESHOLD

from . import exports, importing, mapdata, openreferral, services, tasks
from .forms import (
    AssetForm,
    ColumnMappingForm,
    ImportUploadForm,
    MapFilterForm,
    MappingSessionForm,
)
from .models import (
    ASSET_CATEGORIES,
    Asset,
    AssetImport,
    MappingSession,
    gift_counts,
)

# On the public map a gift held by fewer residents than this in a ward is
# left out: a small count can point at a neighbour. The threshold is the
# product's one small-number rule.
PUBLIC_GIFT_MINIMUM = SUPPRESSION_THRESHOLD
TABLE_PAGE_SIZE = 50


def _scope(user) -> str:
    return "staff" if can(user, Capability.MAP_ASSETS) else "public"


def _filtered_assets(request, *, shadings=None):
    """The assets the map and its table show, narrowed by its filters."""
    form = MapFilterForm(request.GET or None, shadings=shadings)
    filters = form.filters()
    queryset = Asset.objects.on_map_for(request.user).filtered(**filters)
    return form, filters, queryset


def _filter_keys(filters: dict) -> dict:
    return {
        "category": filters["category"],
        "tag": filters["tag"].key if filters["tag"] else "",
        "area": filters["area"].pk if filters["area"] else "",
    }


@method_decorator(login_not_required, name="dispatch")
class MapView(TemplateView):
    """The asset map with deprivation beside it, and the same assets as a
    table. Visitors see public assets; staff see staff-only ones too."""

    template_name = "assets/map.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        shadings = mapdata.cached_ward_shadings()
        form, filters, queryset = _filtered_assets(
            self.request, shadings=[(s.key, s.label) for s in shadings]
        )
        shading = form.shading()
        wards = queryset.count_per_ward()
        extent = mapdata.map_extent()
        page = Paginator(queryset.for_list(), TABLE_PAGE_SIZE).get_page(
            self.request.GET.get("page")
        )
        query = self.request.GET.copy()
        query.pop("page", None)
        staff = _scope(self.request.user) == "staff"
        # The map data's URL carries the map version, so a browser's cached
        # copy is never older than the page.
        data_query = query.copy()
        data_query["v"] = mapdata.version()
        context.update(
            form=form,
            page_obj=page,
            query=query.urlencode(),
            staff=staff,
            can_import=can(self.request.user, Capability.MANAGE_ASSET_DATA),
            gifts=gift_counts(
                area=filters["area"], minimum=1 if staff else PUBLIC_GIFT_MINIMUM
            ),
            public_gift_minimum=PUBLIC_GIFT_MINIMUM,
            wards=wards,
            measures=WardMeasure.objects.beside(wards),
            release=DeprivationRelease.objects.latest_loaded(),
            shadings=shadings,
            shading=shading,
            fill_opacity=mapdata.FILL_OPACITY,
            wards_loaded=extent is not None,
            categories=ASSET_CATEGORIES,
            map_config={
                "assets": f"{reverse('assets:map-data')}?{data_query.urlencode()}",
                "wards": f"{reverse('assets:wards-data')}?v={places_version()}",
                "tiles": settings.ASSETS_MAP_TILE_URL,
                "attribution": settings.ASSETS_MAP_TILE_ATTRIBUTION,
                "bounds": extent or mapdata.ENGLAND,
                "shading": shading,
                "fillOpacity": mapdata.FILL_OPACITY,
            },
        )
        return context


# The read-only endpoints need no transaction: a cached answer then costs no
# database round trip at all.
@login_not_required
@transaction.non_atomic_requests
@require_GET
@gzip_page
@cache_control(private=True, max_age=3600)
def map_data(request):
    """The filtered assets as GeoJSON: the same number of queries for ten
    assets or ten thousand, and from the cache while nothing has changed."""
    _, filters, queryset = _filtered_assets(request)
    payload = mapdata.cached_asset_geojson(
        queryset, scope=_scope(request.user), filters=_filter_keys(filters)
    )
    return HttpResponse(payload, content_type="application/geo+json")


@login_not_required
@transaction.non_atomic_requests
@require_GET
@gzip_page
@cache_control(public=True, max_age=600)
def wards_data(request):
    return HttpResponse(
        mapdata.cached_ward_geojson(), content_type="application/geo+json"
    )


@method_decorator(login_not_required, name="dispatch")
class AssetDetailView(DetailView):
    template_name = "assets/asset_detail.html"
    context_object_name = "asset"

    def get_queryset(self):
        return Asset.objects.visible_to(self.request.user).for_detail()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["staff"] = _scope(self.request.user) == "staff"
        return context


class AssetCreateView(CapabilityRequiredMixin, FormView):
    required_capability = Capability.MAP_ASSETS
    template_name = "assets/asset_form.html"
    form_class = AssetForm

    def get_initial(self):
        session = self.request.GET.get("mapping_session")
        return {"mapping_session": session} if session else {}

    def form_valid(self, form):
        data = dict(form.cleaned_data)
        data.pop("tag_names")
        try:
            asset = services.asset_create(
                **data, tags=form.tag_list(), mapped_by=self.request.user
            )
        except ValidationError as error:
            add_service_errors(form, error)
            return self.form_invalid(form)
        messages.success(self.request, f"{asset.name} is on the map.")
        return redirect("assets:detail", pk=asset.pk)


class AssetUpdateView(CapabilityRequiredMixin, FormView):
    required_capability = Capability.MAP_ASSETS
    template_name = "assets/asset_form.html"
    form_class = AssetForm

    def dispatch(self, request, *args, **kwargs):
        self.asset = get_object_or_404(Asset, pk=kwargs["pk"])
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "instance": self.asset}

    def get_context_data(self, **kwargs):
        return super().get_context_data(asset=self.asset, **kwargs)

    def form_valid(self, form):
        data = dict(form.cleaned_data)
        data.pop("tag_names")
        try:
            services.asset_update(
                asset=Asset.objects.get(pk=self.asset.pk), tags=form.tag_list(), **data
            )
        except ValidationError as error:
            add_service_errors(form, error)
            return self.form_invalid(form)
        messages.success(self.request, "Your changes are saved.")
        return redirect("assets:detail", pk=self.asset.pk)


class MappingSessionListView(CapabilityRequiredMixin, ListView):
    required_capability = Capability.MAP_ASSETS
    template_name = "assets/session_list.html"
    paginate_by = 50

    def get_queryset(self):
        return MappingSession.objects.for_list()


class MappingSessionCreateView(CapabilityRequiredMixin, FormView):
    required_capability = Capability.MAP_ASSETS
    template_name = "assets/session_form.html"
    form_class = MappingSessionForm

    def form_valid(self, form):
        try:
            session = services.mapping_session_record(
                **form.cleaned_data, run_by=self.request.user
            )
        except ValidationError as error:
            add_service_errors(form, error)
            return self.form_invalid(form)
        messages.success(self.request, "The mapping session is saved.")
        return redirect("assets:session-detail", pk=session.pk)


class MappingSessionDetailView(CapabilityRequiredMixin, DetailView):
    required_capability = Capability.MAP_ASSETS
    template_name = "assets/session_detail.html"
    context_object_name = "session"
    queryset = MappingSession.objects.for_detail()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["assets"] = self.object.assets.for_list()
        return context


# Import ------------------------------------------------------------------


class ImportStartView(CapabilityRequiredMixin, FormView):
    required_capability = Capability.MANAGE_ASSET_DATA
    template_name = "assets/import_start.html"
    form_class = ImportUploadForm

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["columns"] = [
            (c, importing.COLUMN_HELP[c]) for c in importing.TEMPLATE_COLUMNS
        ]
        context["recent"] = AssetImport.objects.recent()
        return context

    def form_valid(self, form):
        upload = form.cleaned_data["file"]
        try:
            asset_import = services.asset_import_start(
                file_name=upload.name, raw=upload.read(), uploaded_by=self.request.user
            )
        except ValidationError as error:
            add_service_errors(form, error, field="file")
            return self.form_invalid(form)
        if asset_import.status == AssetImport.Status.MAPPING:
            return redirect("assets:import-columns", pk=asset_import.pk)
        return _run_or_queue(asset_import)


def _run_or_queue(asset_import: AssetImport):
    """Small files import now; large ones in the background, after this
    request's transaction has committed the import they load."""
    if asset_import.row_count <= settings.ASSETS_IMPORT_INLINE_ROWS:
        services.asset_import_run(asset_import=asset_import)
    else:
        transaction.on_commit(lambda: tasks.run_asset_import.delay(asset_import.pk))
    return redirect("assets:import-detail", pk=asset_import.pk)


class ImportColumnsView(CapabilityRequiredMixin, FormView):
    required_capability = Capability.MANAGE_ASSET_DATA
    template_name = "assets/import_columns.html"
    form_class = ColumnMappingForm

    def dispatch(self, request, *args, **kwargs):
        self.asset_import = get_object_or_404(AssetImport, pk=kwargs["pk"])
        if self.asset_import.status != AssetImport.Status.MAPPING:
            return redirect("assets:import-detail", pk=self.asset_import.pk)
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self):
        return {
            **super().get_form_kwargs(),
            "headers": self.asset_import.headers,
            "initial_mapping": self.asset_import.mapping,
        }

    def get_context_data(self, **kwargs):
        return super().get_context_data(asset_import=self.asset_import, **kwargs)

    def form_valid(self, form):
        try:
            asset_import = services.asset_import_map_columns(
                asset_import=self.asset_import,
                mapping=form.mapping(),
                default_category=form.cleaned_data["default_category"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
            return self.form_invalid(form)
        return _run_or_queue(asset_import)


class ImportDetailView(CapabilityRequiredMixin, DetailView):
    required_capability = Capability.MANAGE_ASSET_DATA
    template_name = "assets/import_detail.html"
    context_object_name = "asset_import"
    queryset = AssetImport.objects.without_content()

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            progress=_import_progress(self.object), **kwargs
        )


def _import_progress(asset_import: AssetImport) -> dict:
    """The import's progress in the shape every progress page follows
    (docs/frontend.md): the page shows it first, then asks import_status."""
    processed = asset_import.rows_checked()
    total = asset_import.row_count
    label = asset_import.get_status_display()
    return {
        "state": asset_import.status,
        "state_label": label,
        "finished": asset_import.is_finished,
        "processed": processed,
        "total": total,
        "percent": min(100, processed * 100 // total) if total else 0,
        "message": f"{label}: {processed:,} of {total:,} rows checked.",
        "url": reverse("assets:import-detail", args=[asset_import.pk]),
    }


@capability_required(Capability.MANAGE_ASSET_DATA)
@require_GET
def import_status(request, pk):
    asset_import = get_object_or_404(AssetImport.objects.without_content(), pk=pk)
    return JsonResponse(
        _import_progress(asset_import), headers={"Cache-Control": "no-store"}
    )


@capability_required(Capability.MANAGE_ASSET_DATA)
@require_GET
def import_template(request):
    response = HttpResponse(importing.template_csv(), content_type="text/csv")
    response["Content-Disposition"] = 'attachment; filename="asset-template.csv"'
    return response


# Export ------------------------------------------------------------------


class _Echo:
    def write(self, value):
        return value


@login_not_required
@require_GET
def export_csv(request):
    """Every asset the reader may see, as CSV in the import template's
    columns (so an export can be edited and imported elsewhere)."""
    writer = csv.writer(_Echo())
    rows = exports.csv_rows(Asset.objects.visible_to(request.user))
    response = StreamingHttpResponse(
        (writer.writerow(row) for row in rows), content_type="text/csv"
    )
    response["Content-Disposition"] = 'attachment; filename="assets.csv"'
    return response


@login_not_required
@require_GET
@gzip_page
def export_geojson(request):
    data = exports.geojson(Asset.objects.visible_to(request.user))
    response = HttpResponse(
        json.dumps(data, separators=(",", ":")), content_type="application/geo+json"
    )
    response["Content-Disposition"] = 'attachment; filename="assets.geojson"'
    return response


class OpenReferralMixin:
    page_size = 100

    @method_decorator(login_not_required)
    @method_decorator(require_GET)
    @method_decorator(gzip_page)
    def dispatch(self, request, *args, **kwargs):
        return super().dispatch(request, *args, **kwargs)


class OpenReferralServicesView(OpenReferralMixin, View):
    """The ORUK 3.0 /services endpoint: public assets only, paged."""

    def get(self, request):
        paginator = Paginator(Asset.objects.published(), self.page_size)
        try:
            number = int(request.GET.get("page", "1"))
        except ValueError:
            number = 1
        if number < 1 or (number > paginator.num_pages and number != 1):
            raise Http404("No such page.")
        page = paginator.page(min(number, paginator.num_pages))
        return JsonResponse(
            {
                "total_items": paginator.count,
                "total_pages": paginator.num_pages,
                "page_number": page.number,
                "size": self.page_size,
                "first_page": page.number == 1,
                "last_page": page.number == paginator.num_pages,
                "empty": paginator.count == 0,
                "contents": [openreferral.service_for(a) for a in page],
            },
            json_dumps_params={"ensure_ascii": False},
        )


class OpenReferralServiceView(OpenReferralMixin, View):
    def get(self, request, uuid):
        asset = get_object_or_404(Asset.objects.published(), uuid=uuid)
        return JsonResponse(
            openreferral.service_for(asset),
            json_dumps_params={"ensure_ascii": False},
        )
