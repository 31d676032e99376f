from django.urls import path

from . import views

app_name = "trust"
urlpatterns = [
    path("privacy/", views.PrivacyNoticeView.as_view(), name="privacy"),
    path("two-factor/", views.TwoFactorView.as_view(), name="two-factor"),
    path(
        "set-password/<uidb64>/<token>/",
        views.SetPasswordView.as_view(),
        name="set-password",
    ),
    path("requests/", views.PersonalDataRequestsView.as_view(), name="requests"),
    path(
        "residents/<int:pk>/subject-access/",
        views.SubjectAccessView.as_view(),
        name="subject-access",
    ),
    path(
        "residents/<int:pk>/subject-access.json",
        views.SubjectAccessJsonView.as_view(),
        name="subject-access-json",
    ),
    path("residents/<int:pk>/erase/", views.EraseView.as_view(), name="erase"),
    path("retention/", views.RetentionPreviewView.as_view(), name="retention"),
]
