from django.urls import path

from . import views

app_name = "communities"
urlpatterns = [
    path("my-work/", views.MyWorkView.as_view(), name="my-work"),
]
