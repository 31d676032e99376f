from django.views.generic import TemplateView

from communities.access import CapabilityRequiredMixin
from communities.roles import Capability


class ReviewQueueView(CapabilityRequiredMixin, TemplateView):
    """The applications a panel member (or officer) has to review."""

    required_capability = Capability.REVIEW_APPLICATIONS
    template_name = "grants/review_queue.html"
