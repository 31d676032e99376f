from django.urls import path

from . import views

app_name = "evaluation"
urlpatterns = [
    path("dashboard/", views.DashboardView.as_view(), name="dashboard"),
    path("reports/", views.ReportsView.as_view(), name="reports"),
    path("reports/runs/", views.ReportRunsView.as_view(), name="report-runs"),
    path(
        "reports/runs/<int:pk>/", views.ReportRunDetailView.as_view(), name="report-run"
    ),
    path(
        "reports/runs/<int:pk>/status/",
        views.ReportRunStatusView.as_view(),
        name="report-run-status",
    ),
    path(
        "reports/runs/<int:pk>/recommendations/",
        views.RecommendationsView.as_view(),
        name="report-recommendations",
    ),
    path(
        "reports/runs/<int:pk>/publish/",
        views.ReportPublishView.as_view(),
        name="report-publish",
    ),
    path("reports/<int:pk>/", views.ReportView.as_view(), name="report"),
    path("reports/<int:pk>/pdf/", views.ReportPdfView.as_view(), name="report-pdf"),
    path("framework/", views.FrameworkView.as_view(), name="framework"),
    path(
        "framework/outcomes/new/", views.OutcomeCreateView.as_view(), name="outcome-new"
    ),
    path(
        "framework/outcomes/<int:pk>/",
        views.OutcomeUpdateView.as_view(),
        name="outcome-edit",
    ),
    path(
        "framework/indicators/<int:pk>/",
        views.IndicatorUpdateView.as_view(),
        name="indicator-edit",
    ),
    path(
        "framework/questions/new/",
        views.QuestionCreateView.as_view(),
        name="question-new",
    ),
    path(
        "framework/questions/<int:pk>/",
        views.QuestionUpdateView.as_view(),
        name="question-edit",
    ),
    path("surveys/", views.SurveysView.as_view(), name="surveys"),
    path("surveys/new/", views.SurveyCreateView.as_view(), name="survey-new"),
    path("surveys/link/", views.SurveyLinkView.as_view(), name="survey-link"),
    path("survey/<str:token>/", views.SurveyAnswerView.as_view(), name="survey-answer"),
    path("stories/", views.StoryListView.as_view(), name="story-list"),
    path("stories/new/", views.StoryCreateView.as_view(), name="story-new"),
    path("stories/<int:pk>/", views.StoryDetailView.as_view(), name="story"),
    path("stories/<int:pk>/edit/", views.StoryUpdateView.as_view(), name="story-edit"),
    path(
        "stories/<int:pk>/select/", views.StorySelectView.as_view(), name="story-select"
    ),
    path(
        "stories/grant-reports/", views.GrantReportsView.as_view(), name="grant-reports"
    ),
    path(
        "stories/grant-reports/<int:pk>/",
        views.StoryFromReportView.as_view(),
        name="story-from-report",
    ),
]
