from __future__ import annotations

from django.contrib import admin, messages
from django.urls import reverse
from django.utils.html import format_html

from jobs import services
from jobs.errors import JobRefused
from jobs.models import Job


def job_link(job: Job):
    return format_html('<a href="{}">job {}</a>', reverse("jobs:detail", args=[job.pk]), job.pk)


@admin.register(Job)
class JobAdmin(admin.ModelAdmin):
    """Jobs are started from the pages of what they work on; here they are followed and
    cancelled. Every field is the worker's to write."""

    list_display = ["id", "kind", "status", "progress", "error_count", "message", "created_at"]
    list_filter = ["status", "kind"]
    search_fields = ["message", "target_model"]
    readonly_fields = ["page", *(f.name for f in Job._meta.fields)]
    actions = ["cancel"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False

    def get_fields(self, request, obj=None):
        return self.readonly_fields

    @admin.display(description="progress")
    def progress(self, obj: Job) -> str:
        if not obj.total:
            return f"{obj.done}"
        return f"{obj.done}/{obj.total} ({obj.percent:.0f}%)"

    @admin.display(description="errors")
    def error_count(self, obj: Job) -> int:
        return len(obj.errors)

    @admin.display(description="live page")
    def page(self, obj: Job):
        return job_link(obj)

    @admin.action(description="Cancel (stops after the item it is on)", permissions=["change"])
    def cancel(self, request, queryset):
        for job in queryset:
            try:
                services.job_cancel(job=job)
            except JobRefused as exc:
                self.message_user(request, str(exc), messages.WARNING)
            else:
                self.message_user(request, format_html("{}: cancel asked for", job_link(job)))
