from __future__ import annotations

from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html

import analysis.importing.admin  # noqa: F401  (registers the P.808 import's upload)
from analysis.models import Report
from analysis.services import PENDING
from jobs.services import job_start
from jobs.views import jobs_started
from listening.models import ListeningTest


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
        """One report job per test, unless a build of it is already pending."""
        started = []
        for test_id in sorted(set(queryset.values_list("test_id", flat=True))):
            test = ListeningTest.objects.get(pk=test_id)
            pending = test.reports.filter(status__in=PENDING).first()
            if pending is not None:
                self.message_user(request, f"{test}: build already {pending.status}")
                continue
            started.append(job_start(kind="report", params={}, target=test, user=request.user))
        return jobs_started(request, started)
