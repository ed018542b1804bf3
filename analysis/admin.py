from __future__ import annotations

from django.contrib import admin, messages
from django.urls import reverse
from django.utils.html import format_html

import analysis.importing.admin  # noqa: F401  (registers the P.808 import's upload)
from analysis.models import Report
from analysis.services import report_request


@admin.register(Report)
class ReportAdmin(admin.ModelAdmin):
    """Builds are made from the report page or the action here; their records are read-only."""

    list_display = ["id", "test", "status", "requested_at", "finished_at", "votes", "page"]
    list_filter = ["status"]
    search_fields = ["test__name"]
    # the stored results are large and shown on the report page, not here
    exclude = ["results"]
    readonly_fields = [f.name for f in Report._meta.fields if f.name != "results"]
    actions = ["build_again"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    @admin.display(description="report page")
    def page(self, obj: Report):
        return format_html('<a href="{}">open</a>', reverse("analysis:report", args=[obj.test_id]))

    @admin.action(description="Build these tests' reports again")
    def build_again(self, request, queryset):
        for test_id in sorted(set(queryset.values_list("test_id", flat=True))):
            built, created = report_request(test=queryset.filter(test_id=test_id)[0].test)
            verb = "queued" if created else f"already {built.status}"
            self.message_user(request, f"{built.test}: build {verb}", messages.INFO)
