from django.db import transaction
from django.db.models.signals import post_delete, post_save
from django.dispatch import receiver

from communities.models import Area, Site
from core.signals import personal_data_requested, resident_anonymised

from .figures_cache import figures_changed
from .models import CohesionQuestion, Indicator, Outcome, Story

REMOVED = "This story was removed at the teller's request."


@receiver(resident_anonymised)
def anonymise_stories(sender, resident, **kwargs):
    """A story told by an erased resident keeps counting (stories by outcome
    stay true) but no longer says who told it; one that named them loses its
    words too and leaves the reports."""
    stories = Story.objects.about(resident)
    with transaction.atomic():
        stories.filter(is_anonymous=False).update(
            text=REMOVED, selected_for_report=False, selected_by=None
        )
        stories.update(told_by="", is_anonymous=True, resident=None)


@receiver(personal_data_requested)
def stories_told(sender, resident, **kwargs):
    """Stories linked to the resident, for their subject access request."""
    return {
        "title": "Stories they told",
        "items": [
            {
                "Title": story.title,
                "Told on": story.told_on,
                "Told by (as shown when named)": story.told_by,
                "Told without their name": "Yes" if story.is_anonymous else "No",
                "Agreed to publish": "Yes" if story.consent_to_publish else "No",
                "The story": story.text,
            }
            for story in Story.objects.about(resident).order_by("told_on")
        ],
    }


# What the dashboard's drawn figures and filter show besides the snapshots
# themselves: the framework's words, and the sites and wards to choose from.
for model in (Outcome, Indicator, CohesionQuestion, Site, Area):
    post_save.connect(figures_changed, sender=model, dispatch_uid=f"figures-{model}")
    post_delete.connect(
        figures_changed, sender=model, dispatch_uid=f"figures-del-{model}"
    )
