"""Small sparks pages. Public: the open funds, the application in short
steps (no account: an emailed link brings the applicant back), and the
360Giving data. Staff: the review queue, an application's page and the
actions on it, and the funds.

Who may see an application is decided once, by
Application.objects.visible_to(user)."""

from __future__ import annotations

import logging

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse
from django.utils.decorators import method_decorator
from django.views import View
from django.views.decorators.cache import never_cache
from django.views.generic import DetailView, FormView, ListView, TemplateView

from core.access import CapabilityRequiredMixin
from core.forms import add_service_errors
from core.ratelimit import Limit, client_address, too_many_requests
from core.roles import Capability, Role, can, roles_of
from core.uploads import private_file_response

from . import services, threesixty
from .forms import (
    AboutForm,
    ApplicantReportForm,
    AssignForm,
    ConflictForm,
    DecisionForm,
    FundForm,
    IdeaForm,
    MoneyForm,
    PaymentForm,
    QueueFilterForm,
    RepaymentForm,
    ReportForm,
    ScoreForm,
    ScreenForm,
    SubmitForm,
    WhereForm,
    WithdrawForm,
)
from .models import Application, Fund

logger = logging.getLogger(__name__)

public = method_decorator([login_not_required, never_cache], name="dispatch")


# Public: funds and the application ------------------------------------------


@method_decorator(login_not_required, name="dispatch")
class OpenFundsView(ListView):
    template_name = "grants/open_funds.html"
    context_object_name = "funds"

    def get_queryset(self):
        return Fund.objects.open_now().for_list().with_wards()


def start_limits() -> tuple[Limit, Limit]:
    """How often an application may be started (and its link emailed): per
    client address, every attempt counted; per email address, every
    application started for it."""
    seconds = settings.GRANTS_START_LIMIT_MINUTES * 60
    return (
        Limit("grants-start-address", settings.GRANTS_START_LIMIT_PER_ADDRESS, seconds),
        Limit("grants-start-email", settings.GRANTS_START_LIMIT_PER_EMAIL, seconds),
    )


def too_many_starts(request, limit: Limit):
    return too_many_requests(
        request,
        limit=limit,
        what="applications started",
        template="grants/too_many_starts.html",
    )


@public
class ApplyStartView(FormView):
    """Step one, about you: starting makes the application and emails the
    link that brings the applicant back to it. Rate limited (start_limits),
    so the form cannot be used to send email to anyone, again and again."""

    form_class = AboutForm
    template_name = "grants/apply_step.html"

    def dispatch(self, request, *args, **kwargs):
        self.fund = get_object_or_404(Fund, pk=kwargs["fund_id"])
        return super().dispatch(request, *args, **kwargs)

    def post(self, request, *args, **kwargs):
        per_address, _ = start_limits()
        if not per_address.hit(client_address(request)):
            return too_many_starts(request, per_address)
        return super().post(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            fund=self.fund,
            step=STEPS[0],
            steps=STEPS,
            closed=not self.fund.is_open(),
            **kwargs,
        )

    def form_valid(self, form):
        _, per_email = start_limits()
        if not per_email.hit(form.cleaned_data["email"].strip().lower()):
            return too_many_starts(self.request, per_email)
        try:
            application = services.application_start(
                fund=self.fund, **form.cleaned_data
            )
        except ValidationError as error:
            add_service_errors(form, error)
            return self.form_invalid(form)
        token = application.resume_token()
        messages.success(
            self.request,
            f"We have emailed a link to {application.email} so you can come back "
            "to your application at any time.",
        )
        return redirect("grants:apply-step", token=token, step="idea")


class Step:
    def __init__(self, slug, title, form_class, needs_fund=False):
        self.slug, self.title = slug, title
        self.form_class, self.needs_fund = form_class, needs_fund


STEPS = [
    Step("about", "About you", AboutForm),
    Step("idea", "Your idea", IdeaForm),
    Step("where", "Where it will happen", WhereForm, needs_fund=True),
    Step("money", "How much you need", MoneyForm, needs_fund=True),
]
STEP_BY_SLUG = {step.slug: step for step in STEPS}


class ApplicationTokenMixin:
    """Loads the application named by the emailed link's token."""

    def dispatch(self, request, *args, **kwargs):
        self.token = kwargs["token"]
        self.application = Application.objects.from_resume_token(self.token)
        if self.application is None:
            return self.link_not_working()
        return super().dispatch(request, *args, **kwargs)

    def link_not_working(self):
        view = TemplateView.as_view(template_name="grants/link_not_working.html")
        response = view(self.request)
        response.status_code = 404
        return response

    def get_context_data(self, **kwargs):
        kwargs.update(
            application=self.application,
            fund=self.application.fund,
            token=self.token,
            steps=STEPS,
        )
        return super().get_context_data(**kwargs)


@public
class ApplyResumeView(ApplicationTokenMixin, TemplateView):
    """Where the emailed link lands: the first unfinished step, or, once
    sent, where the application has got to."""

    template_name = "grants/application_status.html"

    def get(self, request, *args, **kwargs):
        if self.application.status == Application.Status.DRAFT:
            done = self.application.steps_done()
            for step in STEPS:
                if not done[step.slug]:
                    return redirect(
                        "grants:apply-step", token=self.token, step=step.slug
                    )
            return redirect("grants:apply-check", token=self.token)
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        application = self.application
        award = getattr(application, "award", None)
        return super().get_context_data(
            award=award,
            report=getattr(award, "report", None) if award else None,
            **kwargs,
        )


@public
class ApplyStepView(ApplicationTokenMixin, FormView):
    template_name = "grants/apply_step.html"

    def dispatch(self, request, *args, **kwargs):
        self.step = STEP_BY_SLUG.get(kwargs["step"])
        if self.step is None:
            raise Http404
        return super().dispatch(request, *args, **kwargs)

    def get(self, request, *args, **kwargs):
        if self.application.status != Application.Status.DRAFT:
            return redirect("grants:apply-resume", token=self.token)
        return super().get(request, *args, **kwargs)

    def get_form_class(self):
        return self.step.form_class

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["instance"] = self.application
        if self.step.needs_fund:
            kwargs["fund"] = self.application.fund
        return kwargs

    def get_context_data(self, **kwargs):
        index = STEPS.index(self.step)
        back = (
            reverse("grants:apply-step", args=[self.token, STEPS[index - 1].slug])
            if index
            else None
        )
        return super().get_context_data(step=self.step, back=back, **kwargs)

    def form_valid(self, form):
        if self.application.status != Application.Status.DRAFT:
            return redirect("grants:apply-resume", token=self.token)
        fields = {name: form.cleaned_data[name] for name in form.Meta.fields}
        try:
            services.application_update(application=self.application, fields=fields)
        except ValidationError as error:
            add_service_errors(form, error)
            return self.form_invalid(form)
        index = STEPS.index(self.step)
        if index + 1 < len(STEPS):
            return redirect(
                "grants:apply-step", token=self.token, step=STEPS[index + 1].slug
            )
        return redirect("grants:apply-check", token=self.token)


@public
class ApplyCheckView(ApplicationTokenMixin, FormView):
    """Check your answers, then send."""

    template_name = "grants/apply_check.html"
    form_class = SubmitForm

    def get(self, request, *args, **kwargs):
        if self.application.status != Application.Status.DRAFT:
            return redirect("grants:apply-resume", token=self.token)
        return super().get(request, *args, **kwargs)

    def form_valid(self, form):
        try:
            services.application_submit(application=self.application)
        except ValidationError as error:
            add_service_errors(form, error)
            return self.form_invalid(form)
        return redirect("grants:apply-sent", token=self.token)


@public
class ApplySentView(ApplicationTokenMixin, TemplateView):
    template_name = "grants/apply_sent.html"


@public
class ApplyReportView(ApplicationTokenMixin, FormView):
    """The grant holder tells us what happened, through the same link."""

    template_name = "grants/apply_report.html"
    form_class = ApplicantReportForm

    def get_award(self):
        award = getattr(self.application, "award", None)
        if award is None or award.is_withdrawn:
            raise Http404
        return award

    def get(self, request, *args, **kwargs):
        self.get_award()
        return super().get(request, *args, **kwargs)

    def form_valid(self, form):
        try:
            services.report_record(award=self.get_award(), **form.cleaned_data)
        except ValidationError as error:
            add_service_errors(form, error)
            return self.form_invalid(form)
        messages.success(self.request, "Thank you for telling us what happened.")
        return redirect("grants:apply-resume", token=self.token)


@method_decorator(login_not_required, name="dispatch")
class ThreeSixtyGivingView(TemplateView):
    """The grants as open data (360Giving), for partners and GrantNav."""

    def get(self, request, *args, **kwargs):
        problems = threesixty.identity_problems()
        if problems:
            # Only outside production, whose settings refuse to start
            # without the identifiers.
            logger.error("360Giving data not published: %s", " ".join(problems))
            return JsonResponse(
                {
                    "error": "The grants data is not published yet: the "
                    "council's 360Giving identifiers are not set."
                },
                status=503,
            )
        package = threesixty.grants_package(
            download_url=request.build_absolute_uri(reverse("grants:360giving"))
        )
        response = JsonResponse(package, json_dumps_params={"indent": 2})
        response["Access-Control-Allow-Origin"] = "*"
        return response


# Staff: review ----------------------------------------------------------------


class ApplicationAccessMixin(CapabilityRequiredMixin):
    """One application the user may see (Application.objects.visible_to);
    any other is not found."""

    required_capability = Capability.REVIEW_APPLICATIONS

    def get_queryset(self):
        return Application.objects.visible_to(self.request.user).for_page()

    def get_application(self) -> Application:
        if not hasattr(self, "_application"):
            self._application = get_object_or_404(
                self.get_queryset(), pk=self.kwargs["pk"]
            )
        return self._application

    @property
    def is_officer(self) -> bool:
        return can(self.request.user, Capability.MANAGE_GRANTS)

    def show_identity(self, application: Application) -> bool:
        """Anonymous review hides who applied from the panel."""
        return self.is_officer or not application.fund.anonymous_review

    def get_context_data(self, **kwargs):
        application = self.get_application()
        return super().get_context_data(
            application=application,
            show_identity=self.show_identity(application),
            is_officer=self.is_officer,
            **kwargs,
        )


class OfficerApplicationMixin(ApplicationAccessMixin):
    required_capability = Capability.MANAGE_GRANTS


QUEUE_PAGE_SIZE = 50


class ReviewQueueView(CapabilityRequiredMixin, TemplateView):
    """A panel member's applications to score; an officer's view of all."""

    required_capability = Capability.REVIEW_APPLICATIONS
    template_name = "grants/review_queue.html"

    def get_context_data(self, **kwargs):
        user = self.request.user
        is_officer = can(user, Capability.MANAGE_GRANTS)
        applications = Application.objects.visible_to(user).for_queue()
        context = {"is_officer": is_officer}
        if is_officer:
            filters = QueueFilterForm(self.request.GET)
            applications = applications.filtered(**filters.filters())
            context["filters"] = filters
        else:
            applications = applications.awaiting_decision().with_scored_by(user)
        # A city's programme has thousands of applications: one page at a
        # time, the oldest first.
        page = Paginator(applications, QUEUE_PAGE_SIZE).get_page(
            self.request.GET.get("page")
        )
        query = self.request.GET.copy()
        query.pop("page", None)
        context.update(
            applications=page.object_list,
            page_obj=page,
            total=page.paginator.count,
            page_query=query.urlencode(),
        )
        return super().get_context_data(**context, **kwargs)


class ApplicationDetailView(ApplicationAccessMixin, TemplateView):
    template_name = "grants/application_detail.html"

    def get_queryset(self):
        queryset = super().get_queryset()
        return queryset.with_panel_and_money() if self.is_officer else queryset

    def get_context_data(self, **kwargs):
        application = self.get_application()
        criteria = list(application.fund.criteria.all())
        context = {"criteria": criteria}
        if self.is_officer:
            award = getattr(application, "award", None)
            context.update(
                assignments=application.assignments.all(),
                scores=application.current_scores,
                award=award,
                report=getattr(award, "report", None),
            )
        else:
            mine = {
                s.criterion_id: s
                for s in application.scores.current().given_by(self.request.user)
            }
            context.update(
                my_scores=mine, my_scored=[(c, mine.get(c.pk)) for c in criteria]
            )
        return super().get_context_data(**context, **kwargs)


class ApplicationFormView(ApplicationAccessMixin, FormView):
    """An action on one application: the form, the service, back to the
    application with a message."""

    template_name = "grants/application_form.html"
    heading = ""
    success_message = ""
    allowed_statuses: tuple[str, ...] = ()

    def get(self, request, *args, **kwargs):
        application = self.get_application()
        if self.allowed_statuses and application.status not in self.allowed_statuses:
            messages.info(request, "That cannot be done to this application now.")
            return redirect("grants:application", pk=application.pk)
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        return super().get_context_data(heading=self.heading, **kwargs)

    def form_valid(self, form):
        try:
            self.act(form)
        except ValidationError as error:
            add_service_errors(form, error)
            return self.form_invalid(form)
        if self.success_message:
            messages.success(self.request, self.success_message)
        return redirect(self.get_success_url())

    def get_success_url(self):
        return reverse("grants:application", args=[self.get_application().pk])

    def act(self, form):  # pragma: no cover - every subclass defines it
        raise NotImplementedError


class ScreenView(OfficerApplicationMixin, ApplicationFormView):
    form_class = ScreenForm
    heading = "Check eligibility"
    success_message = "Eligibility check saved."
    allowed_statuses = (Application.Status.SUBMITTED,)

    def act(self, form):
        services.application_screen(
            application=self.get_application(),
            officer=self.request.user,
            eligible=form.cleaned_data["eligible"],
            notes=form.cleaned_data["notes"],
        )


class AssignView(OfficerApplicationMixin, ApplicationFormView):
    form_class = AssignForm
    heading = "Ask panel members to score"
    success_message = "Panel members asked to score this application."
    allowed_statuses = (Application.Status.SUBMITTED, Application.Status.IN_REVIEW)

    def get_initial(self):
        return {"members": self.get_application().panel_members()}

    def act(self, form):
        services.panel_assign(
            application=self.get_application(),
            members=form.cleaned_data["members"],
            officer=self.request.user,
        )


class ScoreView(ApplicationFormView):
    """A panel member scores, against each of the fund's criteria."""

    form_class = ScoreForm
    heading = "Score this application"
    success_message = "Your scores are saved."
    allowed_statuses = (Application.Status.IN_REVIEW,)

    def dispatch(self, request, *args, **kwargs):
        if Role.PANEL not in roles_of(request.user) and can(
            request.user, Capability.MANAGE_GRANTS
        ):
            # Officers enter scores given on paper on their own page.
            return redirect("grants:paper-scores", pk=kwargs["pk"])
        return super().dispatch(request, *args, **kwargs)

    def get_form_kwargs(self):
        application = self.get_application()
        existing = {
            s.criterion_id: (s.score, s.comment)
            for s in application.scores.current().given_by(self.request.user)
        }
        return {
            **super().get_form_kwargs(),
            "criteria": application.fund.criteria.all(),
            "existing": existing,
        }

    def act(self, form):
        services.scores_record(
            application=self.get_application(),
            member=self.request.user,
            scores=form.scores(),
            entered_by=self.request.user,
        )

    def get_success_url(self):
        return reverse("grants:review-queue")


class PaperScoresView(OfficerApplicationMixin, ApplicationFormView):
    """Scores given on paper at a panel meeting, entered by an officer."""

    form_class = ScoreForm
    heading = "Enter scores given on paper"
    success_message = "Scores saved. They count the same as scores given online."
    allowed_statuses = (Application.Status.IN_REVIEW,)

    def get_form_kwargs(self):
        application = self.get_application()
        return {
            **super().get_form_kwargs(),
            "criteria": application.fund.criteria.all(),
            "member_choices": application.panel_members(),
        }

    def act(self, form):
        services.scores_record(
            application=self.get_application(),
            member=form.cleaned_data["member"],
            scores=form.scores(),
            entered_by=self.request.user,
        )


class ConflictView(ApplicationFormView):
    form_class = ConflictForm
    heading = "Declare a conflict of interest"
    success_message = (
        "Thank you. You have been taken off that application, and any scores "
        "you gave it have been withdrawn."
    )
    # Only before the decision (services.conflict_declare says so too).
    allowed_statuses = services.OPEN_TO_REVIEW

    def act(self, form):
        services.conflict_declare(
            application=self.get_application(),
            member=self.request.user,
            reason=form.cleaned_data["reason"],
        )

    def get_success_url(self):
        return reverse("grants:review-queue")


class DecideView(OfficerApplicationMixin, ApplicationFormView):
    form_class = DecisionForm
    heading = "Record the decision"
    allowed_statuses = (Application.Status.IN_REVIEW,)

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "application": self.get_application()}

    def act(self, form):
        application = self.get_application()
        data = form.cleaned_data
        if data["outcome"] == "award":
            services.award_make(
                application=application,
                amount=data["amount"],
                decided_by=self.request.user,
                reason=data["reason"],
            )
            messages.success(self.request, f"Awarded £{data['amount']:,}.")
        else:
            services.application_decline(
                application=application,
                decided_by=self.request.user,
                reason=data["reason"],
            )
            messages.success(self.request, "Decision recorded: not funded.")


class AwardActionMixin(OfficerApplicationMixin):
    allowed_statuses = (Application.Status.AWARDED,)

    def get_award(self):
        return self.get_application().award


class PaymentView(AwardActionMixin, ApplicationFormView):
    form_class = PaymentForm
    heading = "Record a payment"
    success_message = "Payment recorded."

    def act(self, form):
        services.payment_record(
            award=self.get_award(), recorded_by=self.request.user, **form.cleaned_data
        )


class RepaymentView(AwardActionMixin, ApplicationFormView):
    form_class = RepaymentForm
    heading = "Record money returned"
    success_message = "Money returned recorded."

    def act(self, form):
        services.repayment_record(
            award=self.get_award(), recorded_by=self.request.user, **form.cleaned_data
        )


class WithdrawView(AwardActionMixin, ApplicationFormView):
    form_class = WithdrawForm
    heading = "Withdraw the grant"
    success_message = "Grant withdrawn. What was not paid has gone back to the fund."

    def act(self, form):
        services.award_withdraw(
            award=self.get_award(),
            withdrawn_by=self.request.user,
            reason=form.cleaned_data["reason"],
        )


class ReportView(AwardActionMixin, ApplicationFormView):
    form_class = ReportForm
    heading = "What happened"
    success_message = "The report is saved with the grant."

    def get_initial(self):
        report = getattr(self.get_award(), "report", None)
        if report is None:
            return {}
        return {
            "what_happened": report.what_happened,
            "people_taken_part": report.people_taken_part,
            "photo_description": report.photo_description,
            "may_share": report.may_share,
        }

    def act(self, form):
        services.report_record(
            award=self.get_award(), recorded_by=self.request.user, **form.cleaned_data
        )


class ReportPhotoView(OfficerApplicationMixin, View):
    """The end-of-grant report's photo, for an officer who may see the
    application: never a public address (core.uploads)."""

    def get(self, request, *args, **kwargs):
        award = getattr(self.get_application(), "award", None)
        report = getattr(award, "report", None)
        if report is None:
            raise Http404("No report")
        return private_file_response(report.photo)


# Staff: funds -----------------------------------------------------------------


class FundAccessMixin(CapabilityRequiredMixin):
    required_capability = Capability.MANAGE_GRANTS


class FundListView(FundAccessMixin, ListView):
    template_name = "grants/fund_list.html"
    context_object_name = "funds"

    def get_queryset(self):
        return Fund.objects.for_list().with_application_count()


class FundDetailView(FundAccessMixin, DetailView):
    template_name = "grants/fund_detail.html"
    context_object_name = "fund"

    def get_queryset(self):
        return Fund.objects.for_detail()

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            decision_times=self.object.applications.decision_times(), **kwargs
        )


class FundFormView(FundAccessMixin, FormView):
    form_class = FundForm
    template_name = "grants/fund_form.html"

    def get_instance(self):
        if "pk" in self.kwargs:
            return get_object_or_404(Fund, pk=self.kwargs["pk"])
        return Fund()

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "instance": self.get_instance()}

    def form_valid(self, form):
        fund = form.save(commit=False)
        try:
            fund = services.fund_save(
                fund=fund,
                criteria=form.criteria_lines(),
                areas=form.cleaned_data["areas"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
            return self.form_invalid(form)
        messages.success(self.request, f"{fund.name} saved.")
        return redirect("grants:fund", pk=fund.pk)
