from django.urls import path

from . import views

app_name = "grants"
urlpatterns = [
    # Public
    path("", views.OpenFundsView.as_view(), name="open-funds"),
    path("360giving.json", views.ThreeSixtyGivingView.as_view(), name="360giving"),
    path("funds/<int:fund_id>/apply/", views.ApplyStartView.as_view(), name="apply"),
    path("apply/<str:token>/", views.ApplyResumeView.as_view(), name="apply-resume"),
    path(
        "apply/<str:token>/check/", views.ApplyCheckView.as_view(), name="apply-check"
    ),
    path("apply/<str:token>/sent/", views.ApplySentView.as_view(), name="apply-sent"),
    path(
        "apply/<str:token>/what-happened/",
        views.ApplyReportView.as_view(),
        name="apply-report",
    ),
    path(
        "apply/<str:token>/<slug:step>/",
        views.ApplyStepView.as_view(),
        name="apply-step",
    ),
    # Staff
    path("review/", views.ReviewQueueView.as_view(), name="review-queue"),
    path(
        "applications/<int:pk>/",
        views.ApplicationDetailView.as_view(),
        name="application",
    ),
    path("applications/<int:pk>/screen/", views.ScreenView.as_view(), name="screen"),
    path("applications/<int:pk>/assign/", views.AssignView.as_view(), name="assign"),
    path("applications/<int:pk>/score/", views.ScoreView.as_view(), name="score"),
    path(
        "applications/<int:pk>/paper-scores/",
        views.PaperScoresView.as_view(),
        name="paper-scores",
    ),
    path(
        "applications/<int:pk>/conflict/", views.ConflictView.as_view(), name="conflict"
    ),
    path("applications/<int:pk>/decide/", views.DecideView.as_view(), name="decide"),
    path("applications/<int:pk>/payment/", views.PaymentView.as_view(), name="payment"),
    path(
        "applications/<int:pk>/money-returned/",
        views.RepaymentView.as_view(),
        name="repayment",
    ),
    path(
        "applications/<int:pk>/withdraw/", views.WithdrawView.as_view(), name="withdraw"
    ),
    path("applications/<int:pk>/report/", views.ReportView.as_view(), name="report"),
    path(
        "applications/<int:pk>/report/photo/",
        views.ReportPhotoView.as_view(),
        name="report-photo",
    ),
    path("funds/", views.FundListView.as_view(), name="fund-list"),
    path("funds/new/", views.FundFormView.as_view(), name="fund-new"),
    path("funds/<int:pk>/", views.FundDetailView.as_view(), name="fund"),
    path("funds/<int:pk>/edit/", views.FundFormView.as_view(), name="fund-edit"),
]
