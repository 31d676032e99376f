from django.urls import path

from . import views

app_name = "assets"
urlpatterns = [
    path("map/", views.MapView.as_view(), name="map"),
    path("map/assets.geojson", views.map_data, name="map-data"),
    path("map/wards.geojson", views.wards_data, name="wards-data"),
    path("new/", views.AssetCreateView.as_view(), name="create"),
    path("<int:pk>/", views.AssetDetailView.as_view(), name="detail"),
    path("<int:pk>/edit/", views.AssetUpdateView.as_view(), name="edit"),
    path("mapping-sessions/", views.MappingSessionListView.as_view(), name="sessions"),
    path(
        "mapping-sessions/new/",
        views.MappingSessionCreateView.as_view(),
        name="session-create",
    ),
    path(
        "mapping-sessions/<int:pk>/",
        views.MappingSessionDetailView.as_view(),
        name="session-detail",
    ),
    path("import/", views.ImportStartView.as_view(), name="import"),
    path("import/template.csv", views.import_template, name="import-template"),
    path("import/<int:pk>/", views.ImportDetailView.as_view(), name="import-detail"),
    path(
        "import/<int:pk>/columns/",
        views.ImportColumnsView.as_view(),
        name="import-columns",
    ),
    path("import/<int:pk>/status.json", views.import_status, name="import-status"),
    path("export/assets.csv", views.export_csv, name="export-csv"),
    path("export/assets.geojson", views.export_geojson, name="export-geojson"),
    path(
        "openreferral/services/",
        views.OpenReferralServicesView.as_view(),
        name="oruk-services",
    ),
    path(
        "openreferral/services/<uuid:uuid>/",
        views.OpenReferralServiceView.as_view(),
        name="oruk-service",
    ),
]
