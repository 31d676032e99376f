from django.dispatch import receiver

from communities.signals import resident_anonymised

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
