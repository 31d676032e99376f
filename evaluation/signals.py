from django.dispatch import receiver

from communities.signals import personal_data_requested, resident_anonymised

from .models import Story

REMOVED = "This story was removed at the teller's request."


@receiver(resident_anonymised)
def anonymise_stories(sender, resident, **kwargs):
    """A story told by an erased resident keeps counting (stories by outcome
    stay true) but no longer says who told it; one that named them loses its
    words too and leaves the reports."""
    stories = Story.objects.filter(resident=resident)
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
            for story in Story.objects.filter(resident=resident).order_by("told_on")
        ],
    }
