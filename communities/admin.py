"""Officers set up places here: organisations, sites (with their builders,
wards and yearly finances) and wards. Residents and what builders log are
kept out of the admin: they are reached through the scoped screens."""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin

from .models import (
    Area,
    Organisation,
    Site,
    SiteFinance,
    SyncConflict,
    Tag,
    User,
)

admin.site.site_header = "abcd administration"


@admin.register(User)
class AbcdUserAdmin(UserAdmin):
    list_display = ("username", "first_name", "last_name", "email", "is_active")


@admin.register(Area)
class AreaAdmin(admin.ModelAdmin):
    list_display = ("name", "kind", "ons_code", "vintage", "is_current", "imd_decile")
    list_filter = ("kind", "is_current", "vintage", "imd_decile")
    search_fields = ("name", "ons_code")
    exclude = ("boundary", "neighbours")


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ("name", "kind", "public_email", "public_phone")
    list_filter = ("kind",)
    search_fields = ("name",)


class SiteFinanceInline(admin.TabularInline):
    model = SiteFinance
    extra = 0


@admin.register(Site)
class SiteAdmin(admin.ModelAdmin):
    list_display = ("name", "host", "start_date")
    filter_horizontal = ("areas", "builders")
    inlines = [SiteFinanceInline]


@admin.register(Tag)
class TagAdmin(admin.ModelAdmin):
    list_display = ("name", "key")
    search_fields = ("key",)


@admin.register(SyncConflict)
class SyncConflictAdmin(admin.ModelAdmin):
    """Items a phone sent under an ID already used for something else: an
    officer reads the payload, re-enters what is right, and marks it
    resolved."""

    list_display = ("device_id", "kind", "user", "received_at", "resolved_at")
    list_filter = ("kind", ("resolved_at", admin.EmptyFieldListFilter))
    readonly_fields = ("device_id", "kind", "payload", "user", "received_at")
    fields = (*readonly_fields, "resolved_at", "resolved_by", "resolution")
