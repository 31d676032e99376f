"""Evaluation's pages. Thin: each reads through the models' QuerySet
methods (and evaluation.reads for what the pages show), writes through a
service, and shows a service's refusal on its form (add_service_errors)."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import ValidationError
from django.http import JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.decorators import method_decorator
from django.utils.functional import cached_property
from django.views import View
from django.views.decorators.cache import never_cache
from django.views.generic import DetailView, FormView, ListView, TemplateView

from core.access import CapabilityRequiredMixin
from core.forms import add_service_errors
from core.roles import Capability, can
from core.suppression import SUPPRESSION_THRESHOLD
from core.uploads import private_file_response
from grants.models import GrantReport

from . import (
    figures_cache,
    indicators,
    instruments,
    reads,
    report_runs,
    reports,
    services,
    survey_links,
)
from .forms import (
    CohesionQuestionForm,
    IndicatorForm,
    OutcomeForm,
    RecommendationsForm,
    ReportRequestForm,
    ScopeForm,
    StoryForm,
    StoryFromReportForm,
    SurveyForm,
    SurveyLinkForm,
)
from .models import (
    CohesionQuestion,
    Indicator,
    Outcome,
    ReportRun,
    Snapshot,
    Story,
)

# The dashboard and reports --------------------------------------------------


class DashboardView(CapabilityRequiredMixin, TemplateView):
    """The officers' view of the whole programme, one site or one ward:
    headline indicators with their trends, the grants pipeline and recent
    stories, all read from snapshots. The figures are drawn once a day or
    when the snapshots change (evaluation.figures_cache); the pipeline and
    stories are read afresh each time."""

    required_capability = Capability.VIEW_DASHBOARD
    template_name = "evaluation/dashboard.html"

    @cached_property
    def form(self) -> ScopeForm:
        return ScopeForm(self.request.GET or None)

    @cached_property
    def scope(self) -> dict:
        return self.form.scope()

    @cached_property
    def rows(self):
        # Read only when the template draws the figures, not on a cache hit.
        return reads.indicator_rows(**self.scope, last_month=timezone.localdate())

    @property
    def headlines(self):
        return [row for row in self.rows if row.indicator.is_headline]

    @property
    def months(self):
        return [p.month for p in self.rows[0].points] if self.rows else []

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        site, area = self.scope["site"], self.scope["area"]
        computed_at = Snapshot.objects.for_scope(**self.scope).last_computed()
        context.update(
            form=self.form,
            scope=self.scope,
            figures_key=(
                site and site.pk,
                area and area.pk,
                timezone.localdate().isoformat(),
                computed_at and computed_at.isoformat(),
                figures_cache.generation(),
            ),
            figures_timeout=figures_cache.TIMEOUT,
            pipeline=reads.grants_pipeline(**self.scope),
            stories=Story.objects.in_scope(**self.scope).recent(5),
            computed_at=computed_at,
        )
        return context


class ReportsView(CapabilityRequiredMixin, TemplateView):
    """Cabinet's home: the headline figures over the last year and the
    stories officers chose, with small numbers suppressed."""

    required_capability = Capability.READ_REPORTS
    template_name = "evaluation/reports.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        rows = reads.indicator_rows(
            last_month=timezone.localdate(), headline_only=True, public=True
        )
        context.update(
            rows=rows,
            months=[p.month for p in rows[0].points] if rows else [],
            stories=Story.objects.selected().recent(12),
            threshold=SUPPRESSION_THRESHOLD,
            reviews=ReportRun.objects.visible_to(self.request.user).published(),
            can_run_reports=can(self.request.user, Capability.RUN_REPORTS),
        )
        return context


# The framework --------------------------------------------------------------


class FrameworkView(CapabilityRequiredMixin, ListView):
    required_capability = Capability.MANAGE_EVALUATION
    template_name = "evaluation/framework.html"
    context_object_name = "outcomes"

    def get_queryset(self):
        return Outcome.objects.with_indicators()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["framework"] = [
            (outcome, [(i, indicators.spec_for(i)) for i in outcome.indicator_list])
            for outcome in context["outcomes"]
        ]
        context["questions"] = CohesionQuestion.objects.all()
        return context


class ManageMixin(CapabilityRequiredMixin):
    required_capability = Capability.MANAGE_EVALUATION
    template_name = "evaluation/form_page.html"
    success_message = "Saved."
    heading = ""

    def get_success_url(self):
        return reverse("evaluation:framework")

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(heading=self.heading, back=self.get_success_url())
        return context

    def form_valid(self, form):
        try:
            self.save(form)
        except ValidationError as error:
            add_service_errors(form, error)
            return self.form_invalid(form)
        messages.success(self.request, self.success_message)
        return redirect(self.get_success_url())


class OutcomeCreateView(ManageMixin, FormView):
    form_class = OutcomeForm
    heading = "Add an outcome"
    success_message = (
        "The outcome is added, with a count of the stories that speak to it."
    )

    def save(self, form):
        outcome = services.outcome_save(**form.cleaned_data)
        services.story_indicator_ensure(outcome=outcome)


class OutcomeUpdateView(ManageMixin, FormView):
    form_class = OutcomeForm
    heading = "Change an outcome"

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["instance"] = get_object_or_404(Outcome, pk=self.kwargs["pk"])
        return kwargs

    def save(self, form):
        services.outcome_save(outcome=form.instance, **form.cleaned_data)


class IndicatorUpdateView(ManageMixin, FormView):
    form_class = IndicatorForm
    heading = "Change an indicator"

    def get_indicator(self):
        # Read afresh for the service: the form changes its own copy while
        # it validates, and the service compares the new outcome with the
        # stored one.
        return get_object_or_404(
            Indicator.objects.with_outcome_and_question(), pk=self.kwargs["pk"]
        )

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["instance"] = self.get_indicator()
        return kwargs

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["definition"] = indicators.spec_for(self.get_indicator()).definition
        return context

    def save(self, form):
        services.indicator_update(indicator=self.get_indicator(), **form.cleaned_data)


class QuestionCreateView(ManageMixin, FormView):
    form_class = CohesionQuestionForm
    heading = "Add a cohesion question"
    success_message = "The question is added to the survey, with its indicator."

    def save(self, form):
        services.cohesion_question_save(**form.cleaned_data)


class QuestionUpdateView(ManageMixin, FormView):
    form_class = CohesionQuestionForm
    heading = "Change a cohesion question"

    def get_question(self):
        return get_object_or_404(
            CohesionQuestion.objects.with_indicator(),
            pk=self.kwargs["pk"],
        )

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["instance"] = self.get_question()
        return kwargs

    def save(self, form):
        question = self.get_question()
        services.cohesion_question_save(
            question=question, outcome=question.indicator.outcome, **form.cleaned_data
        )


# Surveys --------------------------------------------------------------------


class SurveysView(CapabilityRequiredMixin, TemplateView):
    """Baseline against follow-up in each ward."""

    required_capability = Capability.MANAGE_EVALUATION
    template_name = "evaluation/surveys.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            wards=reads.survey_comparison(),
            questions=list(CohesionQuestion.objects.all()),
            ons4=[
                {"key": key, "label": label}
                for key, label in (
                    ("life_satisfaction", "life satisfaction"),
                    ("worthwhile", "worthwhile"),
                    ("happiness", "happiness"),
                    ("anxiety", "anxiety"),
                )
            ],
            bands={key: instruments.ons4_bands(key) for key in instruments.ONS4_KEYS},
        )
        return context


class SurveyCreateView(CapabilityRequiredMixin, FormView):
    """Staff type in a resident's paper survey."""

    required_capability = Capability.ENTER_SURVEYS
    template_name = "evaluation/survey_form.html"
    form_class = SurveyForm

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "staff": True, "user": self.request.user}

    def form_valid(self, form):
        data = form.cleaned_data
        try:
            services.survey_response_record(
                area=data["area"],
                site=data["site"],
                wave=data["wave"],
                completed_on=data["completed_on"],
                entered_by=self.request.user,
                **form.answers(),
            )
        except ValidationError as error:
            add_service_errors(form, error)
            return self.form_invalid(form)
        messages.success(self.request, "The survey is saved. You can enter another.")
        return redirect("evaluation:survey-new")


class SurveyLinkView(CapabilityRequiredMixin, FormView):
    """Make a link residents of a ward can answer the survey through."""

    required_capability = Capability.MANAGE_EVALUATION
    template_name = "evaluation/survey_link.html"
    form_class = SurveyLinkForm

    def form_valid(self, form):
        token = survey_links.survey_link_token(**form.cleaned_data)
        link = self.request.build_absolute_uri(
            reverse("evaluation:survey-answer", args=[token])
        )
        return self.render_to_response(
            self.get_context_data(
                form=form,
                link=link,
                chosen=form.cleaned_data,
                link_days=settings.EVALUATION_SURVEY_LINK_DAYS,
            )
        )


@method_decorator([login_not_required, never_cache], name="dispatch")
class SurveyAnswerView(FormView):
    """The survey for residents, through a link: no account needed."""

    template_name = "evaluation/survey_answer.html"
    form_class = SurveyForm

    def dispatch(self, request, *args, **kwargs):
        self.link = survey_links.survey_link_from_token(kwargs["token"])
        if self.link is None:
            return render(request, "evaluation/survey_link_broken.html", status=404)
        return super().dispatch(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        return super().get_context_data(link=self.link, **kwargs)

    def form_valid(self, form):
        try:
            services.survey_response_record(
                area=self.link["area"],
                site=self.link["site"],
                wave=self.link["wave"],
                completed_on=timezone.localdate(),
                **form.answers(),
            )
        except ValidationError as error:
            add_service_errors(form, error)
            return self.form_invalid(form)
        return render(
            self.request, "evaluation/survey_thanks.html", {"link": self.link}
        )


# Stories --------------------------------------------------------------------


class StoryListView(CapabilityRequiredMixin, ListView):
    required_capability = Capability.MANAGE_EVALUATION
    template_name = "evaluation/story_list.html"
    context_object_name = "stories"
    paginate_by = 50

    def get_queryset(self):
        return Story.objects.for_list()

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["reports_waiting"] = reads.grant_reports_to_tell().count()
        return context


class StoryDetailView(CapabilityRequiredMixin, DetailView):
    required_capability = Capability.MANAGE_EVALUATION
    template_name = "evaluation/story_detail.html"
    context_object_name = "story"

    def get_queryset(self):
        return Story.objects.with_details()


class StoryFormMixin(ManageMixin):
    form_class = StoryForm
    template_name = "evaluation/story_form.html"

    def get_form_kwargs(self):
        return {**super().get_form_kwargs(), "user": self.request.user}

    def get_success_url(self):
        story = getattr(self, "story", None)
        if story is not None and story.pk:
            return reverse("evaluation:story", args=[story.pk])
        return reverse("evaluation:story-list")

    def save(self, form):
        self.story = services.story_record(
            story=getattr(self, "story", None),
            recorded_by=self.request.user,
            **form.cleaned_data,
        )


class StoryCreateView(StoryFormMixin, FormView):
    heading = "Add a story"
    success_message = "The story is saved."


class StoryUpdateView(StoryFormMixin, FormView):
    heading = "Change a story"
    success_message = "The story is saved."

    @cached_property
    def story(self):
        # Looked up only once the role check in dispatch() has passed, so a
        # role without access learns nothing about which stories exist.
        return get_object_or_404(Story, pk=self.kwargs["pk"])

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        kwargs["instance"] = self.story
        kwargs["initial"] = {"outcomes": list(self.story.outcomes.all())}
        return kwargs

    def save(self, form):
        services.story_record(
            story=self.story,
            recorded_by=self.request.user,
            award=self.story.award,
            **form.cleaned_data,
        )


class StorySelectView(CapabilityRequiredMixin, View):
    required_capability = Capability.MANAGE_EVALUATION

    def post(self, request, pk):
        story = get_object_or_404(Story, pk=pk)
        selected = request.POST.get("selected") == "yes"
        try:
            services.story_select(
                story=story, selected=selected, selected_by=request.user
            )
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(
                request,
                "The story will appear in reports."
                if selected
                else "The story is no longer in reports.",
            )
        return redirect("evaluation:story", pk=story.pk)


class GrantReportsView(CapabilityRequiredMixin, ListView):
    """End-of-grant reports the grant holder agreed to share, not yet told
    as stories."""

    required_capability = Capability.MANAGE_EVALUATION
    template_name = "evaluation/grant_reports.html"
    context_object_name = "reports"

    def get_queryset(self):
        return reads.grant_reports_to_tell()


class StoryFromReportView(ManageMixin, FormView):
    form_class = StoryFromReportForm
    heading = "Tell this grant's report as a story"
    template_name = "evaluation/story_from_report.html"
    success_message = "The grant's report is now a story."

    @cached_property
    def report(self):
        # After the role check, as for stories.
        return get_object_or_404(GrantReport.objects.shareable(), pk=self.kwargs["pk"])

    def get_context_data(self, **kwargs):
        return super().get_context_data(report=self.report, **kwargs)

    def get_success_url(self):
        story = getattr(self, "story", None)
        if story is not None:
            return reverse("evaluation:story", args=[story.pk])
        return reverse("evaluation:grant-reports")

    def save(self, form):
        self.story = services.story_from_grant_report(
            report=self.report,
            outcomes=form.cleaned_data["outcomes"],
            recorded_by=self.request.user,
        )


# Report runs ----------------------------------------------------------------


class ReportRunsView(CapabilityRequiredMixin, FormView):
    """Every report run, and a form to build one now."""

    required_capability = Capability.RUN_REPORTS
    template_name = "evaluation/report_runs.html"
    form_class = ReportRequestForm

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["runs"] = ReportRun.objects.visible_to(self.request.user).with_people()[
            :100
        ]
        return context

    def form_valid(self, form):
        try:
            run = report_runs.report_run_request(
                kind=form.cleaned_data["kind"],
                period=form.period(),
                requested_by=self.request.user,
            )
        except ValidationError as error:
            add_service_errors(form, error)
            return self.form_invalid(form)
        messages.success(
            self.request,
            f"The {run.get_kind_display().lower()} for {run.period_label} is "
            "queued. We will email you when it is ready.",
        )
        return redirect("evaluation:report-run", pk=run.pk)


class ReportRunDetailView(CapabilityRequiredMixin, DetailView):
    """One run: its progress (the page follows it), then its report."""

    required_capability = Capability.RUN_REPORTS
    template_name = "evaluation/report_run.html"
    context_object_name = "run"

    def get_queryset(self):
        return ReportRun.objects.visible_to(self.request.user).with_people()

    def get_context_data(self, **kwargs):
        return super().get_context_data(progress=_run_progress(self.object), **kwargs)


def _run_progress(run: ReportRun) -> dict:
    """The run's progress in the shape every progress page follows
    (docs/frontend.md): the page shows it first, then asks the status view."""
    label = run.get_status_display()
    return {
        "state": run.status,
        "state_label": label,
        "finished": run.is_finished,
        "processed": run.progress,
        "total": 100,
        "percent": run.progress,
        "message": f"{label}: {run.progress}% done. {run.step}".strip(),
        "url": reverse("evaluation:report-run", args=[run.pk]),
    }


class ReportRunStatusView(CapabilityRequiredMixin, View):
    """The run's progress as JSON, for the page that follows it."""

    required_capability = Capability.RUN_REPORTS

    def get(self, request, pk):
        run = get_object_or_404(ReportRun.objects.visible_to(request.user), pk=pk)
        return JsonResponse(_run_progress(run), headers={"Cache-Control": "no-store"})


class ReportVisibleMixin(CapabilityRequiredMixin):
    """A built report the reader may open (ReportRun.objects.visible_to)."""

    required_capability = Capability.READ_REPORTS

    def get_run(self) -> ReportRun:
        return get_object_or_404(
            ReportRun.objects.visible_to(self.request.user).built(),
            pk=self.kwargs["pk"],
        )


class ReportView(ReportVisibleMixin, TemplateView):
    template_name = "evaluation/report.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(reports.context_for(self.get_run()))
        context["can_run_reports"] = can(self.request.user, Capability.RUN_REPORTS)
        return context


class ReportPdfView(ReportVisibleMixin, View):
    def get(self, request, pk):
        run = self.get_run()
        return private_file_response(run.file, filename=run.file_name)


class RecommendationsView(ManageMixin, FormView):
    required_capability = Capability.RUN_REPORTS
    form_class = RecommendationsForm
    heading = "Recommendations"
    success_message = "The recommendations are saved and the PDF is drawn again."

    @cached_property
    def run(self):
        # After the role check in dispatch(), as for stories.
        return get_object_or_404(
            ReportRun.objects.visible_to(self.request.user), pk=self.kwargs["pk"]
        )

    def get_initial(self):
        return {"recommendations": self.run.recommendations}

    def get_success_url(self):
        return reverse("evaluation:report-run", args=[self.run.pk])

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["heading"] = f"Recommendations: {self.run.title}"
        return context

    def save(self, form):
        report_runs.report_recommendations_save(
            run=self.run,
            recommendations=form.cleaned_data["recommendations"],
            written_by=self.request.user,
        )


class ReportPublishView(CapabilityRequiredMixin, View):
    required_capability = Capability.RUN_REPORTS

    def post(self, request, pk):
        run = get_object_or_404(ReportRun.objects.visible_to(request.user), pk=pk)
        try:
            report_runs.report_publish(run=run, published_by=request.user)
        except ValidationError as error:
            messages.error(request, " ".join(error.messages))
        else:
            messages.success(request, "The review is published: cabinet can read it.")
        return redirect("evaluation:report-run", pk=run.pk)
