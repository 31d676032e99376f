from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from core.forms import SignInForm

from . import views

urlpatterns = [
    path("", views.home, name="home"),
    path("accessibility/", views.accessibility, name="accessibility"),
    path("healthz", views.healthz, name="healthz"),
    path("ping", views.ping, name="ping"),
    path(
        "sign-in/",
        auth_views.LoginView.as_view(
            authentication_form=SignInForm, redirect_authenticated_user=True
        ),
        name="login",
    ),
    path("sign-out/", auth_views.LogoutView.as_view(), name="logout"),
    path("home/", views.role_home, name="role-home"),
    path("communities/", include("communities.urls")),
    path("assets/", include("assets.urls")),
    path("grants/", include("grants.urls")),
    path("evaluation/", include("evaluation.urls")),
    path("trust/", include("trust.urls")),
    path("admin/", admin.site.urls),
]

handler500 = "abcd.views.server_error"

# No URL serves MEDIA_ROOT, not even in development: an uploaded or built
# file leaves the server only through a view that checks who asks
# (core.uploads).
