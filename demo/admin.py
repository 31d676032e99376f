"""The benchmark's yardstick for the staff lists' speed: Django admin's
changelist of residents, registered only under the benchmark's settings
(``BENCH_ADMIN_RESIDENTS``). Residents are otherwise reached through the
scoped screens, never the admin."""

from django.conf import settings
from django.contrib import admin

from communities.models import Resident

if getattr(settings, "BENCH_ADMIN_RESIDENTS", False):

    @admin.register(Resident)
    class BenchResidentAdmin(admin.ModelAdmin):
        list_display = ("first_name", "last_name", "area", "site", "created_at")
        list_select_related = ("area", "site")
        list_per_page = 50
        ordering = ("first_name", "pk")
