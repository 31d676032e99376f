"""Officers edit the framework on its own screens; the admin is for looking
things up. Survey responses hold no names, but are left out all the same:
they are read through the surveys page, as counts."""

from django.contrib import admin

from .models import CohesionQuestion, Indicator, Outcome, Snapshot, Story


@admin.register(Outcome)
class OutcomeAdmin(admin.ModelAdmin):
    list_display = ("title", "code", "position")


@admin.register(Indicator)
class IndicatorAdmin(admin.ModelAdmin):
    list_display = ("name", "code", "kind", "outcome", "is_headline")
    list_filter = ("kind", "outcome", "is_headline")
    readonly_fields = ("code", "kind", "question")


@admin.register(CohesionQuestion)
class CohesionQuestionAdmin(admin.ModelAdmin):
    list_display = ("text", "position", "is_active")


@admin.register(Snapshot)
class SnapshotAdmin(admin.ModelAdmin):
    list_display = ("indicator", "month", "site", "area", "value", "base")
    list_filter = ("month", "indicator")
    list_select_related = ("indicator", "site", "area")

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        # Snapshots are worked out, never typed in.
        return False


@admin.register(Story)
class StoryAdmin(admin.ModelAdmin):
    list_display = (
        "title",
        "teller",
        "told_on",
        "consent_to_publish",
        "selected_for_report",
    )
    list_filter = ("teller", "consent_to_publish", "selected_for_report")
    raw_id_fields = (
        "resident",
        "group",
        "award",
        "site",
        "area",
        "selected_by",
        "recorded_by",
    )
