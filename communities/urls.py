from django.urls import path

from . import places_views, views

app_name = "communities"
urlpatterns = [
    path("my-work/", views.MyWorkView.as_view(), name="my-work"),
    path("residents/", views.ResidentListView.as_view(), name="resident-list"),
    path("residents/new/", views.ResidentCreateView.as_view(), name="resident-create"),
    path(
        "residents/<int:pk>/",
        views.ResidentDetailView.as_view(),
        name="resident-detail",
    ),
    path(
        "residents/<int:pk>/edit/",
        views.ResidentEditView.as_view(),
        name="resident-edit",
    ),
    path(
        "residents/<int:pk>/consent/",
        views.ResidentConsentView.as_view(),
        name="resident-consent",
    ),
    path(
        "conversations/",
        views.ConversationListView.as_view(),
        name="conversation-list",
    ),
    path(
        "conversations/new/",
        views.ConversationCreateView.as_view(),
        name="conversation-create",
    ),
    path(
        "introductions/",
        views.IntroductionListView.as_view(),
        name="introduction-list",
    ),
    path(
        "introductions/new/",
        views.IntroductionCreateView.as_view(),
        name="introduction-create",
    ),
    path(
        "introductions/<int:pk>/",
        views.IntroductionStatusView.as_view(),
        name="introduction-status",
    ),
    path("groups/", views.GroupListView.as_view(), name="group-list"),
    path("groups/new/", views.GroupCreateView.as_view(), name="group-create"),
    path("groups/<int:pk>/", views.GroupDetailView.as_view(), name="group-detail"),
    path("sites/", views.SiteListView.as_view(), name="site-list"),
    path("places/", places_views.PlacesView.as_view(), name="places"),
    path("places/wards/", places_views.WardsUploadView.as_view(), name="places-wards"),
    path(
        "places/deprivation/",
        places_views.DeprivationUploadView.as_view(),
        name="places-deprivation",
    ),
    path(
        "places/uploads/<int:pk>/",
        places_views.UploadDetailView.as_view(),
        name="places-upload",
    ),
    path(
        "places/uploads/<int:pk>/status.json",
        places_views.upload_status,
        name="places-upload-status",
    ),
    path("outbox/", views.OutboxView.as_view(), name="outbox"),
    path(
        "places/measures/", places_views.WardMeasureListView.as_view(), name="measures"
    ),
    path(
        "places/measures/load/",
        places_views.WardMeasureLoadView.as_view(),
        name="measure_load",
    ),
    path("sw.js", views.service_worker, name="service-worker"),
    path(
        "sync/<uuid:device_id>/",
        views.SyncItemView.as_view(),
        name="sync-item",
    ),
    path(
        "sites/<int:pk>/network/",
        views.SiteNetworkView.as_view(),
        name="site-network",
    ),
]
