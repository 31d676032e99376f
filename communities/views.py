from django.views.generic import TemplateView

from .access import CapabilityRequiredMixin
from .roles import Capability


class MyWorkView(CapabilityRequiredMixin, TemplateView):
    """A builder's home: what they log on the street starts here."""

    required_capability = Capability.LOG_WORK
    template_name = "communities/my_work.html"
