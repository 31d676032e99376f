from django.views.generic import TemplateView

from communities.access import CapabilityRequiredMixin
from communities.roles import Capability


class DashboardView(CapabilityRequiredMixin, TemplateView):
    """The officers' view of the whole programme."""

    required_capability = Capability.VIEW_DASHBOARD
    template_name = "evaluation/dashboard.html"


class ReportsView(CapabilityRequiredMixin, TemplateView):
    """Published reports, such as the annual review that cabinet reads."""

    required_capability = Capability.READ_REPORTS
    template_name = "evaluation/reports.html"
