from __future__ import annotations

import csv

from django.contrib import admin, messages
from django.http import HttpResponse
from django.urls import reverse
from django.utils.html import format_html

from jobs.services import job_start
from jobs.views import jobs_started
from listening import lifecycle
from listening.identity import participant_hash
from listening.models import (
    Assignment,
    CheckItem,
    ListeningTest,
    Qualification,
    Rater,
    Recruitment,
    Session,
    SetupResult,
    Stimulus,
    Vote,
)
from listening.selectors import listening_test_progress


@admin.register(ListeningTest)
class ListeningTestAdmin(admin.ModelAdmin):
    """The status moves only through the actions; the design is read-only once published."""

    list_display = ["name", "method", "status", "testset", "progress", "links"]
    list_filter = ["status", "method"]
    search_fields = ["name"]
    readonly_fields = ["status", "entry_token", "progress", "links"]
    actions = ["publish", "pause", "resume", "close"]
    fieldsets = [
        (None, {"fields": ["name", "testset", "method", "reference_condition", "status"]}),
        (
            "Sessions",
            {
                "fields": [
                    "stimuli_per_session",
                    "votes_per_stimulus",
                    ("gold_per_session", "traps_per_session", "gold_tolerance"),
                    "condition_balanced",
                    "target_half_width",
                    "session_timeout_minutes",
                    "max_sessions_per_rater",
                ]
            },
        ),
        (
            "Allocation",
            {
                "fields": [
                    "allocation",
                    "vote_budget",
                    ("min_votes_per_clip", "max_votes_per_clip"),
                ],
                "description": "Adaptive: votes go to the systems furthest from the target "
                "half-width; a system that meets it takes no more than the minimum a clip.",
            },
        ),
        (
            "Qualification (P.808 defaults)",
            {
                "fields": [
                    ("qualification_valid_days", "qualification_block_days"),
                    ("hearing_trials", "hearing_pass"),
                    ("bandwidth_trials", "bandwidth_pass"),
                ]
            },
        ),
        (
            "Setup and training",
            {
                "fields": [
                    "setup_valid_minutes",
                    "two_ear_trials",
                    ("environment_trials", "environment_pass"),
                    "training_valid_minutes",
                ]
            },
        ),
        (
            "Screening",
            {
                "fields": [
                    "screening_profile",
                    "screen_variance_min",
                    "screen_crowd_r_min",
                    "screen_outliers",
                ]
            },
        ),
        (
            "Consent page",
            {
                "fields": [
                    ("consent_minutes", "consent_pay"),
                    ("consent_researcher", "consent_contact"),
                    "consent_data_use",
                ]
            },
        ),
        ("Links", {"fields": ["entry_token", "progress", "links"]}),
    ]

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        if obj is not None and obj.status != ListeningTest.Status.DRAFT:
            fields += ListeningTest.DESIGN_FIELDS
        return fields

    @admin.display(description="votes")
    def progress(self, obj: ListeningTest) -> str:
        p = listening_test_progress(test=obj)
        text = f"{p['votes']}/{p['target']} ({p['percent']:.0f}%), {p['complete']} sessions done"
        allocation = p["allocation"]
        if allocation is not None:
            met = sum(row["met"] for row in allocation["systems"])
            text += f"; adaptive: {met}/{len(allocation['systems'])} systems at their target"
            text += ", complete" if allocation["complete"] else ""
        return text

    @admin.display(description="links")
    def links(self, obj: ListeningTest):
        if not obj.pk:
            return "-"
        recruitment, _ = Recruitment.objects.get_or_create(test=obj)
        return format_html(
            '<a href="{}">rater link</a> · <a href="{}">report</a> · <a href="{}">platform: {}</a>',
            reverse("listening:entry", args=[obj.entry_token]),
            reverse("analysis:report", args=[obj.pk]),
            reverse("admin:listening_recruitment_change", args=[recruitment.pk]),
            recruitment.get_platform_display(),
        )

    @admin.action(description="Publish (build stimuli and open to raters)", permissions=["change"])
    def publish(self, request, queryset):
        """Each publish is a job (its page shows it); a test that is not a draft is refused
        here, before any job starts."""
        started = []
        for test in queryset:
            if test.status != ListeningTest.Status.DRAFT:
                message = f"{test.name}: cannot publish a test that is {test.status}"
                self.message_user(request, message, messages.ERROR)
                continue
            started.append(job_start(kind="publish", params={}, target=test, user=request.user))
        return jobs_started(request, started)

    def _move(self, request, queryset, action: str) -> None:
        for test in queryset:
            try:
                lifecycle.listening_test_move(test=test, action=action)
            except lifecycle.StatusRefused as exc:
                self.message_user(request, str(exc), messages.ERROR)
            else:
                self.message_user(request, f"{test.name}: {test.status}.", messages.SUCCESS)

    @admin.action(
        description="Pause (no new sessions or votes until resumed)", permissions=["change"]
    )
    def pause(self, request, queryset):
        self._move(request, queryset, "pause")

    @admin.action(description="Resume (open a paused test again)", permissions=["change"])
    def resume(self, request, queryset):
        self._move(request, queryset, "resume")

    @admin.action(description="Close (no more sessions or votes, for good)", permissions=["change"])
    def close(self, request, queryset):
        self._move(request, queryset, "close")


@admin.register(Stimulus)
class StimulusAdmin(admin.ModelAdmin):
    list_display = ["key", "test", "role", "language", "system", "reserved"]
    list_filter = ["test", "role", "language"]
    list_select_related = ["test", "output__system"]

    @admin.display(description="system")
    def system(self, obj: Stimulus) -> str:
        return obj.output.system.name if obj.output_id else f"({obj.role}, built by Auricle)"


@admin.register(CheckItem)
class CheckItemAdmin(admin.ModelAdmin):
    list_display = ["key", "test", "kind", "language", "answer", "duration"]
    list_filter = ["test", "kind", "language"]


@admin.register(Qualification)
class QualificationAdmin(admin.ModelAdmin):
    list_display = ["rater", "taken_at", "passed", "hearing_correct", "bandwidth_correct"]
    list_filter = ["passed"]
    list_select_related = ["rater"]
    readonly_fields = ["reasons", "answers"]

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(SetupResult)
class SetupResultAdmin(admin.ModelAdmin):
    list_display = ["rater", "taken_at", "two_ear_correct", "environment_correct"]
    list_filter = ["environment_passed"]
    list_select_related = ["rater"]

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Rater)
class RaterAdmin(admin.ModelAdmin):
    list_display = ["external_id", "platform", "language", "created_at"]
    list_filter = ["platform", "language"]
    search_fields = ["external_id"]


class AssignmentInline(admin.TabularInline):
    model = Assignment
    extra = 0
    readonly_fields = ["stimulus", "position", "served_at", "released"]
    can_delete = False


@admin.register(Assignment)
class AssignmentAdmin(admin.ModelAdmin):
    list_display = ["session", "position", "stimulus", "served_at", "released"]
    list_filter = ["session__test", "released"]
    list_select_related = ["session", "stimulus"]


CODE_COLUMNS = ["test", "session", "platform", "rater", "state", "started_at", "completed_at",
                "completion_code"]  # fmt: skip


def session_codes_csv(sessions) -> HttpResponse:
    response = HttpResponse(content_type="text/csv; charset=utf-8")
    response["Content-Disposition"] = 'attachment; filename="completion_codes.csv"'
    writer = csv.writer(response)
    writer.writerow(CODE_COLUMNS)
    for session in sessions:
        writer.writerow([session.test.name, session.token, session.rater.platform,
                         session.rater.external_id, session.state, session.started_at.isoformat(),
                         session.completed_at.isoformat() if session.completed_at else "",
                         session.completion_code])  # fmt: skip
    return response


@admin.register(Session)
class SessionAdmin(admin.ModelAdmin):
    list_display = [
        "token", "test", "rater", "state", "started_at", "completed_at", "completion_code",
    ]  # fmt: skip
    list_filter = ["test", "state", "rater__preview"]
    # Raters are found by their hashed id: a raw platform id is never stored to search by.
    search_fields = ["token", "completion_code", "rater__external_id", "test__name"]
    list_select_related = ["test", "rater"]
    inlines = [AssignmentInline]
    readonly_fields = ["token", "completion_code"]
    actions = ["export_completion_codes"]

    def get_search_results(self, request, queryset, search_term):
        """Also by a platform's participant id as the organizer has it (a Prolific PID): it is
        hashed as a rater's id is, and only the hash is looked up."""
        found, duplicates = super().get_search_results(request, queryset, search_term)
        term = search_term.strip()
        if term:
            hashes = [
                participant_hash(platform=p, participant_id=term) for p in Rater.Platform.values
            ]
            hashed = queryset.filter(rater__external_id__in=hashes)
            found = found | (hashed.distinct() if found.query.distinct else hashed)
        return found, duplicates

    @admin.action(description="Export completion codes (CSV)", permissions=["view"])
    def export_completion_codes(self, request, queryset):
        """The selected sessions' completion codes, raters by their hashed id; an organizer's
        previews are left out (nobody is paid for them)."""
        sessions = queryset.filter(rater__preview=False).select_related("test", "rater")
        return session_codes_csv(sessions.order_by("pk"))


@admin.register(Vote)
class VoteAdmin(admin.ModelAdmin):
    list_display = [
        "stimulus",
        "rater",
        "role",
        "score",
        "passed",
        "elapsed_ms",
        "play_count",
        "received_at",
    ]
    list_filter = ["session__test", "role", "passed", "score"]
    list_select_related = ["stimulus", "rater"]

    def has_change_permission(self, request, obj=None) -> bool:
        return False


# The platform desk (recruitment, bonuses, the call log) registers itself.
from listening.platforms import admin as platform_admin  # noqa: E402, F401
