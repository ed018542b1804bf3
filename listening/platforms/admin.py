"""The organizer's platform desk: a test's recruitment with its state and actions, the bonuses
with what is unconfirmed, and the log of every call that moved money or changed a submission."""

from __future__ import annotations

import csv

from django import forms
from django.contrib import admin, messages
from django.http import HttpResponse

from listening.identity import scrubbed
from listening.lifecycle import MOVES, StatusRefused, listening_test_move
from listening.models import ListeningTest
from listening.platforms import errors, panel, platform_for, sync
from listening.platforms.models import Bonus, Invitation, Participation, PlatformCall, Recruitment
from listening.platforms.prolific_api import ProlificError


class RecruitmentForm(forms.ModelForm):
    roster = forms.FileField(
        required=False, help_text="Panel: a CSV with one column, email or lab_id; one invitation "
        "link per person (people already invited keep theirs)",
    )  # fmt: skip
    pool_cap = forms.IntegerField(
        required=False, min_value=1, help_text="Panel: make a multi-use link for this many raters"
    )

    class Meta:
        model = Recruitment
        fields = ["test", "platform", "places", "places_margin", "hourly_rate", "currency",
                  "desktop_only", "bonus_min_sessions", "bonus_sessions_amount",
                  "bonus_top_percent", "bonus_top_amount"]  # fmt: skip

    def clean_roster(self) -> list[str]:
        """The roster's people, read here so that a bad file is refused with the form and
        nothing of it (or of the form) is saved."""
        roster = self.cleaned_data.get("roster")
        if not roster:
            return []
        try:
            return panel.roster_read(roster.read())
        except errors.PlatformError as exc:
            raise forms.ValidationError(f"{roster.name}: {exc}") from None

    def clean(self) -> dict:
        cleaned = super().clean()
        links = cleaned.get("roster") or cleaned.get("pool_cap")
        if links and cleaned.get("platform") != Recruitment.Platform.PANEL:
            raise forms.ValidationError("Invitation links (a roster or a pool) are for a private "
                                        "panel: choose that platform first.")  # fmt: skip
        return cleaned


def _act(modeladmin, request, queryset, verb: str) -> None:
    for recruitment in queryset.select_related("test"):
        try:
            getattr(platform_for(recruitment.test), verb)()
            _status_follow(recruitment, verb)
        except (errors.PlatformError, ProlificError, StatusRefused) as exc:
            modeladmin.message_user(request, f"{recruitment.test}: {scrubbed(str(exc))}",
                                    messages.ERROR)  # fmt: skip
        else:
            modeladmin.message_user(request, f"{recruitment.test}: {verb} done")


# The test's own move that follows each platform action (publishing the study needs the test
# published first, so it moves nothing).
FOLLOW = {"pause": "pause", "resume": "resume", "stop": "close"}


def _status_follow(recruitment: Recruitment, verb: str) -> None:
    """The test takes votes only while its study runs; the move goes through the test's
    lifecycle, with its checks (a draft stays a draft: it has no stimuli yet)."""
    action = FOLLOW.get(verb)
    test = recruitment.test
    if action is None or test.status in (ListeningTest.Status.DRAFT, MOVES[action][1]):
        return
    listening_test_move(test=test, action=action)


@admin.register(Recruitment)
class RecruitmentAdmin(admin.ModelAdmin):
    form = RecruitmentForm
    list_display = ["test", "platform", "study_status", "places", "reward", "synced_at",
                    "unconfirmed", "settled_at"]  # fmt: skip
    readonly_fields = ["study_id", "study_status", "reward", "minutes", "exclusion_group",
                       "synced_at", "settled_at", "error", "unconfirmed"]  # fmt: skip
    actions = [
        "publish",
        "pause",
        "resume",
        "stop",
        "sync_now",
        "completion_list",
        "settle_by_hand",
    ]

    @admin.display(description="unconfirmed pays")
    def unconfirmed(self, recruitment: Recruitment) -> int:
        return recruitment.test.bonuses.filter(status=Bonus.Status.UNCONFIRMED).count()

    def save_model(self, request, obj, form, change) -> None:
        added = 0
        if change and obj.study_id:
            added = obj.places - Recruitment.objects.get(pk=obj.pk).places
            obj.places -= added
        super().save_model(request, obj, form, change)
        try:
            if added:
                platform_for(obj.test).places_add(added)
            self._panel_links(request, obj, form)
        except (errors.PlatformError, ProlificError) as exc:
            self.message_user(request, scrubbed(str(exc)), messages.ERROR)

    def _panel_links(self, request, obj, form) -> None:
        if form.cleaned_data.get("roster"):
            made = panel.invitations_create(test=obj.test, people=form.cleaned_data["roster"])
            self.message_user(request, f"{len(made)} invitation links; see the completion list")
        if form.cleaned_data.get("pool_cap"):
            panel.pool_create(test=obj.test, cap=form.cleaned_data["pool_cap"])

    @admin.action(description="Publish on the platform")
    def publish(self, request, queryset):
        _act(self, request, queryset, "publish")

    @admin.action(description="Pause")
    def pause(self, request, queryset):
        _act(self, request, queryset, "pause")

    @admin.action(description="Resume")
    def resume(self, request, queryset):
        _act(self, request, queryset, "resume")

    @admin.action(description="Stop (final)")
    def stop(self, request, queryset):
        _act(self, request, queryset, "stop")

    @admin.action(description="Sync: review, exclude and pay")
    def sync_now(self, request, queryset):
        """Each sync is a job (its page shows what it reviewed and paid)."""
        from jobs.services import job_start
        from jobs.views import jobs_started

        started = []
        for recruitment in queryset.select_related("test"):
            try:
                platform_for(recruitment.test).ready_check()
            except errors.PlatformError as exc:
                self.message_user(request, f"{recruitment.test}: {exc}", messages.ERROR)
                continue
            started.append(
                job_start(
                    kind="platform_sync", params={}, target=recruitment.test, user=request.user
                )
            )
        return jobs_started(request, started)

    @admin.action(description="Download the completion list (CSV)")
    def completion_list(self, request, queryset):
        response = HttpResponse(content_type="text/csv")
        response["Content-Disposition"] = 'attachment; filename="completion_list.csv"'
        writer = csv.writer(response)
        writer.writerow(sync.COMPLETION_COLUMNS)
        for recruitment in queryset:
            writer.writerows(sync.completion_rows(test=recruitment.test))
        return response

    @admin.action(description="Payments settled (paid by hand): erase participant ids and names")
    def settle_by_hand(self, request, queryset):
        for recruitment in queryset.select_related("test"):
            try:
                marked = sync.payments_settle_by_hand(test=recruitment.test)
            except errors.PlatformError as exc:
                self.message_user(request, str(exc), messages.ERROR)
            else:
                self.message_user(request, f"{recruitment.test}: settled; {marked} bonus(es) "
                                  "marked paid, participant ids and names erased")  # fmt: skip


@admin.register(Bonus)
class BonusAdmin(admin.ModelAdmin):
    list_display = ["test", "rule", "amount", "status", "batch_id", "updated_at"]
    list_filter = ["status", "rule"]
    readonly_fields = ["test", "rater", "participation", "rule", "amount", "status", "run",
                       "batch_id", "error"]  # fmt: skip
    actions = ["settle_paid", "settle_unpaid"]

    def has_add_permission(self, request) -> bool:
        return False  # only a sync plans a bonus

    @admin.action(description="Checked on the platform: it WAS paid")
    def settle_paid(self, request, queryset):
        count = sync.bonus_settle(bonus_ids=list(queryset.values_list("pk", flat=True)), paid=True)
        self.message_user(request, f"{count} bonus(es) marked paid")

    @admin.action(description="Checked on the platform: it was NOT paid (pay at the next sync)")
    def settle_unpaid(self, request, queryset):
        ids = list(queryset.values_list("pk", flat=True))
        count = sync.bonus_settle(bonus_ids=ids, paid=False)
        self.message_user(request, f"{count} bonus(es) will be paid at the next sync")


@admin.register(PlatformCall)
class PlatformCallAdmin(admin.ModelAdmin):
    list_display = ["created_at", "test", "action", "target", "status", "finished_at"]
    list_filter = ["status", "action"]

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_add_permission(self, request) -> bool:
        return False


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    list_display = ["test", "pk", "cap", "uses", "created_at", "link"]
    readonly_fields = ["token", "identity", "uses", "link"]

    @admin.display(description="link to send")
    def link(self, invitation: Invitation) -> str:
        return sync.invitation_link(invitation) if invitation.pk else ""


@admin.register(Participation)
class ParticipationAdmin(admin.ModelAdmin):
    list_display = ["session", "outcome", "review", "reason", "excluded"]
    list_filter = ["outcome", "review"]
    exclude = ["participant_id"]
    readonly_fields = ["session", "invitation", "submission_id", "outcome", "reason", "review",
                       "excluded"]  # fmt: skip

    def has_add_permission(self, request) -> bool:
        return False  # only an entry makes one
