from django.conf import settings

from core.roles import Capability, can, navigation_for, primary_role


def service(request):
    """The council's branding and the signed-in person's navigation."""
    user = getattr(request, "user", None)
    return {
        "council_name": settings.COUNCIL_NAME,
        "service_name": settings.SERVICE_NAME,
        "role": primary_role(user) if user else None,
        "navigation": navigation_for(user) if user else (),
        # Builders' pages show the offline outbox and what it holds.
        "can_log_work": bool(user) and can(user, Capability.LOG_WORK),
    }
