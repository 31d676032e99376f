"""Setting a new account's password, two-factor sign-in, officers' personal data requests (subject access,
erasure, the retention schedule) and the public privacy notice. Writes go
through trust.services."""

from __future__ import annotations

import base64
import json

import segno
from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.contrib.auth.views import PasswordResetConfirmView
from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect
from django.urls import reverse, reverse_lazy
from django.utils.decorators import method_decorator
from django.utils.functional import cached_property
from django.utils.http import url_has_allowed_host_and_scheme
from django.views.generic import FormView, TemplateView, View
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from communities.models import Resident
from core.access import CapabilityRequiredMixin
from core.forms import add_service_errors
from core.roles import Capability, Role, roles_of
from grants.models import Application

from . import register, services
from .forms import EraseForm, ResidentSearchForm, SetPasswordForm, TokenForm
from .models import AuditedResident, Erasure, RecordAccess
from .subject_access import subject_access_report


@method_decorator(login_not_required, name="dispatch")
class PrivacyNoticeView(TemplateView):
    template_name = "trust/privacy.html"

    def get_context_data(self, **kwargs):
        return super().get_context_data(
            entries=register.entries(), lawful_basis=register.LAWFUL_BASIS, **kwargs
        )


class SetPasswordView(PasswordResetConfirmView):
    """Where the link from create_officer leads: the new officer chooses a
    password, then signs in (and, where two-factor sign-in is required, sets
    up their authenticator app). Django's token is made from the password it
    replaces, so the link stops working once used, and after
    PASSWORD_RESET_TIMEOUT; the view moves the token out of the address into
    the session before drawing the form."""

    form_class = SetPasswordForm
    template_name = "trust/set_password.html"
    success_url = reverse_lazy("login")

    def form_valid(self, form):
        response = super().form_valid(form)
        messages.success(
            self.request,
            "Your password is set. Sign in with your username and new password.",
        )
        return response


class TwoFactorView(FormView):
    """Set up an authenticator app (first time) or enter its code."""

    form_class = TokenForm
    template_name = "trust/two_factor.html"

    @cached_property
    def confirmed_device(self) -> TOTPDevice | None:
        return TOTPDevice.objects.devices_for_user(self.request.user).first()

    @cached_property
    def new_device(self) -> TOTPDevice:
        return services.totp_device_start(user=self.request.user)

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["setting_up"] = self.confirmed_device is None
        context["required"] = Role.OFFICER in roles_of(self.request.user)
        if context["setting_up"]:
            device = self.new_device
            context["secret"] = base64.b32encode(device.bin_key).decode()
            context["qr_code"] = segno.make(device.config_url, error="m").svg_data_uri(
                scale=5, dark="#0b0c0c"
            )
        return context

    def form_valid(self, form):
        token = form.cleaned_data["token"]
        device = self.confirmed_device or self.new_device
        allowed, _ = device.verify_is_allowed()
        if not allowed:
            # django-otp waits longer after each wrong code.
            form.add_error(
                "token", "You entered a wrong code. Wait a minute, then try again"
            )
            return self.form_invalid(form)
        if not device.verify_token(token):
            form.add_error(
                "token",
                "The code is not right. Check your app and enter the code it shows now",
            )
            return self.form_invalid(form)
        if not device.confirmed:
            device.confirmed = True
            device.save(update_fields=["confirmed"])
            messages.success(self.request, "Two-factor sign-in is set up.")
        otp_login(self.request, device)
        return redirect(self.next_url())

    def next_url(self) -> str:
        wanted = self.request.GET.get("next", "")
        if url_has_allowed_host_and_scheme(
            wanted,
            allowed_hosts={self.request.get_host()},
            require_https=self.request.is_secure(),
        ):
            return wanted
        return reverse("role-home")


class PersonalDataMixin(CapabilityRequiredMixin):
    required_capability = Capability.MANAGE_PERSONAL_DATA


class PersonalDataRequestsView(PersonalDataMixin, TemplateView):
    """Find a resident to answer a subject access or erasure request."""

    template_name = "trust/requests.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        form = ResidentSearchForm(self.request.GET or None)
        results = None
        if form.is_valid() and form.cleaned_data["q"].strip():
            results = AuditedResident.objects.found_by(form.cleaned_data["q"])
        context.update(form=form, results=results, erasures=Erasure.objects.recent())
        return context


class ResidentMixin(PersonalDataMixin):
    @cached_property
    def resident(self) -> Resident:
        return get_object_or_404(Resident.objects.for_detail(), pk=self.kwargs["pk"])


class SubjectAccessView(ResidentMixin, TemplateView):
    template_name = "trust/subject_access.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        services.record_access_log(
            resident_id=self.resident.pk,
            user=self.request.user,
            action=RecordAccess.Action.SUBJECT_ACCESS,
            path=self.request.path,
        )
        context.update(
            resident=self.resident,
            report=subject_access_report(resident=self.resident),
            erasure=Erasure.objects.of(self.resident).first(),
        )
        return context


class SubjectAccessJsonView(ResidentMixin, View):
    def get(self, request, pk):
        services.record_access_log(
            resident_id=self.resident.pk,
            user=request.user,
            action=RecordAccess.Action.EXPORTED,
            path=request.path,
        )
        report = subject_access_report(resident=self.resident)
        response = HttpResponse(
            json.dumps(report, cls=DjangoJSONEncoder, indent=2),
            content_type="application/json",
        )
        response["Content-Disposition"] = (
            f'attachment; filename="resident-{pk}-subject-access.json"'
        )
        response["Cache-Control"] = "no-store"
        return response


class EraseView(ResidentMixin, FormView):
    form_class = EraseForm
    template_name = "trust/erase.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            resident=self.resident,
            erasure=Erasure.objects.of(self.resident).first(),
            applications=Application.objects.made_with_email(
                self.resident.email
            ).count(),
        )
        return context

    def form_valid(self, form):
        try:
            services.resident_erase(
                resident=self.resident,
                erased_by=self.request.user,
                confirm_name=form.cleaned_data["confirm_name"],
            )
        except ValidationError as error:
            add_service_errors(form, error)
            return self.form_invalid(form)
        messages.success(
            self.request,
            f"Resident {self.resident.pk}'s personal data has been erased. "
            "Their gifts, interests and activity are still counted, without their name.",
        )
        return redirect("trust:requests")


class RetentionPreviewView(PersonalDataMixin, TemplateView):
    """A dry run of the retention schedule: what tonight's run would do."""

    template_name = "trust/retention.html"

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context.update(
            plan=services.retention_apply(dry_run=True),
            resident_days=settings.RETENTION_RESIDENT_INACTIVE_DAYS,
            draft_days=settings.RETENTION_DRAFT_APPLICATION_DAYS,
        )
        return context
