from django.contrib import admin

from .models import Asset, AssetImport, MappingSession


@admin.register(Asset)
class AssetAdmin(admin.ModelAdmin):
    list_display = ("name", "category", "area", "visibility", "status", "updated_at")
    list_filter = ("category", "visibility", "status", "area")
    search_fields = ("name", "postcode", "address")
    filter_horizontal = ("tags",)
    raw_id_fields = ("mapped_by", "mapping_session", "group", "imported_by")
    readonly_fields = ("uuid", "created_at", "updated_at")


@admin.register(MappingSession)
class MappingSessionAdmin(admin.ModelAdmin):
    list_display = ("name", "held_on", "area", "participants")
    list_filter = ("area",)


@admin.register(AssetImport)
class AssetImportAdmin(admin.ModelAdmin):
    list_display = ("file_name", "status", "row_count", "created_count", "uploaded_at")
    list_filter = ("status",)
    exclude = ("content",)
    readonly_fields = (
        "file_name",
        "headers",
        "row_count",
        "mapping",
        "default_category",
        "status",
        "errors",
        "created_count",
        "uploaded_by",
        "finished_at",
    )
