"""The access log and erasures in the admin, read-only: they are evidence."""

from django.contrib import admin

from .models import Erasure, RecordAccess


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(RecordAccess)
class RecordAccessAdmin(ReadOnlyAdmin):
    list_display = ["at", "user", "action", "resident_id"]
    list_filter = ["action"]
    search_fields = ["user__username", "=resident__id"]


@admin.register(Erasure)
class ErasureAdmin(ReadOnlyAdmin):
    list_display = ["erased_at", "resident_id", "reason", "erased_by"]
    list_filter = ["reason"]
