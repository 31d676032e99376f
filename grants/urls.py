from django.urls import path

from . import views

app_name = "grants"
urlpatterns = [
    path("review/", views.ReviewQueueView.as_view(), name="review-queue"),
]
