"""Prolific: a study made from the test, raters who arrive with PROLIFIC_PID, STUDY_ID and
SESSION_ID, and review, bonuses and exclusion through Prolific's REST API."""

from __future__ import annotations

import re
from urllib.parse import urlencode

from django.conf import settings
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone

from listening.identity import scrubbed
from listening.platforms import errors, estimate
from listening.platforms.base import Entrant, Payment, Platform, Submission
from listening.platforms.models import Participation, PlatformCall, Recruitment
from listening.platforms.prolific_api import PayUnconfirmed, ProlificApi, ProlificError

PARTICIPANT_ID = re.compile(r"^[0-9a-fA-F]{24}$")
SUBMISSION_ID = re.compile(r"^[0-9A-Za-z_-]{1,64}$")
AWAITING_REVIEW = "AWAITING REVIEW"
TRANSITIONS = {"pause": "PAUSE", "resume": "START", "stop": "STOP", "publish": "PUBLISH"}
PLACEHOLDERS = "PROLIFIC_PID={{%PROLIFIC_PID%}}&STUDY_ID={{%STUDY_ID%}}&SESSION_ID={{%SESSION_ID%}}"


def api() -> ProlificApi:
    if not settings.PROLIFIC_TOKEN:
        raise errors.PlatformError(
            "PROLIFIC_TOKEN is not set: the Prolific platform is disabled on this installation"
        )
    return ProlificApi(base_url=settings.PROLIFIC_API_URL, token=settings.PROLIFIC_TOKEN)


class Prolific(Platform):
    code = "prolific"

    # -- the rater's side ----------------------------------------------------------------------
    def entrant(self, request: HttpRequest, *, language: str) -> Entrant:
        pid = request.GET.get("PROLIFIC_PID", "")
        study = request.GET.get("STUDY_ID", "")
        submission = request.GET.get("SESSION_ID", "")
        if not PARTICIPANT_ID.match(pid) or not SUBMISSION_ID.match(submission):
            raise errors.ProlificLinkInvalid("PROLIFIC_PID or SESSION_ID missing or malformed")
        if not self.recruitment.study_id or study != self.recruitment.study_id:
            raise errors.ProlificLinkInvalid("STUDY_ID is not this test's study")
        return Entrant(participant_id=pid.lower(), submission_id=submission, keep_raw=True)

    def entry_check(self, request: HttpRequest) -> None:
        self.entrant(request, language="")

    def exit_url(self, outcome: str) -> str | None:
        code = self.exit_code(outcome)
        return f"{settings.PROLIFIC_COMPLETION_URL}?{urlencode({'cc': code})}" if code else None

    # -- the study -----------------------------------------------------------------------------
    def ready_check(self) -> None:
        api()
        if not settings.PROLIFIC_WORKSPACE_ID:
            raise errors.PlatformError(
                "PROLIFIC_WORKSPACE_ID is not set: the raters a sync rejects could not be put in "
                "the participant group that keeps them out of later studies"
            )

    def publish(self) -> None:
        recruitment = self.recruitment
        self.ready_check()
        if not self.test.stimuli.exists():
            raise errors.PlatformError(
                f"test {self.test.name!r} has no stimuli yet: publish the listening test (which "
                "builds them) before making its Prolific study"
            )
        if not recruitment.study_id:
            study = api().study_create(self.study_payload())
            recruitment.study_id, recruitment.study_status = study["id"], study["status"]
            recruitment.save(update_fields=["study_id", "study_status", "places", "reward",
                                            "minutes"])  # fmt: skip
        self._transition("publish")

    def pause(self) -> None:
        self._transition("pause")

    def resume(self) -> None:
        self._transition("resume")

    def stop(self) -> None:
        self._transition("stop")

    def _transition(self, name: str) -> None:
        study = api().study_transition(self.recruitment.study_id, TRANSITIONS[name])
        self._status(study)

    def _status(self, study: dict) -> None:
        self.recruitment.study_status = study.get("status", "")
        self.recruitment.save(update_fields=["study_status"])

    def places_add(self, count: int) -> None:
        if count < 1:
            raise errors.PlatformError(f"places can only grow on Prolific; asked to add {count}")
        total = self.recruitment.places + count
        study = api().study_update(self.recruitment.study_id, {"total_available_places": total})
        self.recruitment.places = int(study.get("total_available_places", total))
        self.recruitment.study_status = study.get("status", self.recruitment.study_status)
        self.recruitment.save(update_fields=["places", "study_status"])

    def study_payload(self) -> dict:
        """The draft study; sets the recruitment's places, reward and minutes it asks for."""
        recruitment, test = self.recruitment, self.test
        minutes = estimate.session_minutes(test=test)
        _rate_check(recruitment, minutes)
        recruitment.minutes = minutes
        recruitment.reward = estimate.reward_cents(hourly_rate=recruitment.hourly_rate,
                                                   minutes=minutes)  # fmt: skip
        recruitment.places = estimate.places_needed(test=test, margin=recruitment.places_margin)
        return {
            "name": test.name,
            "internal_name": f"auricle test {test.pk}",
            "description": _description(minutes),
            "external_study_url": _entry_url(test),
            "prolific_id_option": "url_parameters",
            "completion_codes": _completion_codes(recruitment),
            "estimated_completion_time": minutes,
            "maximum_allowed_time": minutes * 3 + 10,
            "reward": recruitment.reward,
            "total_available_places": recruitment.places,
            "device_compatibility": ["desktop"] if recruitment.desktop_only else
                                    ["desktop", "tablet", "mobile"],
            "peripheral_requirements": ["audio"],
            "filters": _filters(test),
            "submissions_config": {"max_submissions_per_participant": 1},
        }  # fmt: skip

    # -- review and pay ------------------------------------------------------------------------
    def submissions(self) -> list[Submission]:
        return [
            Submission(id=row["id"], status=row["status"],
                       awaiting_review=row["status"] == AWAITING_REVIEW)
            for row in api().submissions(self.recruitment.study_id)
        ]  # fmt: skip

    def approve(self, participations: list[Participation]) -> None:
        ids = [p.submission_id for p in participations]
        with _recorded(self.test, "approve", f"{len(ids)} submissions",
                       {"sessions": [p.session_id for p in participations]}):  # fmt: skip
            api().bulk_approve(ids)

    def reject(self, participation: Participation, *, category: str, message: str) -> None:
        with _recorded(self.test, "reject", participation.submission_id,
                       {"session": participation.session_id, "category": category}):  # fmt: skip
            api().submission_transition(participation.submission_id, "REJECT",
                                        message=message, category=category)  # fmt: skip

    pays_bonuses = True

    def bonus_create(self, payments: list[Payment]) -> str:
        rows = [(p.participation.participant_id, p.amount) for p in payments]
        sessions = {"sessions": [p.participation.session_id for p in payments]}
        with _recorded(self.test, "bonus_create", self.recruitment.study_id, sessions) as call:
            found = api().bonus_create(self.recruitment.study_id, rows)
            call.result = {"id": found["id"], "total_amount": found.get("total_amount")}
        return found["id"]

    def bonus_pay(self, batch_id: str) -> None:
        with _recorded(self.test, "bonus_pay", batch_id, {}):
            api().bonus_pay(batch_id)

    def exclude(self, participations: list[Participation]) -> None:
        ids = [p.participant_id for p in participations if p.participant_id]
        if not ids:
            return
        recruitment = self.recruitment
        with _recorded(self.test, "exclude", recruitment.exclusion_group or "new group",
                       {"sessions": [p.session_id for p in participations]}):  # fmt: skip
            if recruitment.exclusion_group:
                api().group_add(recruitment.exclusion_group, ids)
            else:
                group = api().group_create(name=f"auricle excluded: {self.test.name}"[:100],
                                           workspace_id=settings.PROLIFIC_WORKSPACE_ID,
                                           participant_ids=ids)  # fmt: skip
                recruitment.exclusion_group = group["id"]
                recruitment.save(update_fields=["exclusion_group"])


class _recorded:
    """Write a PlatformCall with its intent before the call and its result after. A pay whose
    outcome is unknown is recorded as unconfirmed."""

    def __init__(self, test, action: str, target: str, request: dict) -> None:
        self.call = PlatformCall.objects.create(test=test, action=action, target=target[:200],
                                                request=request)  # fmt: skip

    def __enter__(self) -> PlatformCall:
        return self.call

    def __exit__(self, kind, exc, _traceback) -> None:
        call = self.call
        if exc is None:
            call.status = PlatformCall.Status.DONE
        elif isinstance(exc, PayUnconfirmed):
            call.status, call.error = PlatformCall.Status.UNCONFIRMED, scrubbed(str(exc))
        else:
            call.status, call.error = PlatformCall.Status.FAILED, scrubbed(str(exc))
        call.finished_at = timezone.now()
        call.save(update_fields=["status", "error", "result", "finished_at"])
        if isinstance(exc, ProlificError):
            # Prolific's refusals can list participant ids (a bonus for a stranger names them);
            # what goes on to the sync, its command's output and the worker's log must not.
            raise _scrubbed_error(exc) from None


def _scrubbed_error(exc: ProlificError) -> ProlificError:
    return type(exc)(exc.call, status=exc.status, title=scrubbed(exc.title),
                     detail=scrubbed(exc.detail))  # fmt: skip


def _rate_check(recruitment: Recruitment, minutes: int) -> None:
    minimum = estimate.MINIMUM_HOURLY[recruitment.currency]
    if recruitment.hourly_rate < minimum:
        reward = estimate.reward_cents(hourly_rate=recruitment.hourly_rate, minutes=minutes)
        raise errors.PlatformError(
            f"an hourly rate of {recruitment.hourly_rate} {recruitment.currency} is below "
            f"Prolific's minimum of {minimum} {recruitment.currency} an hour (the estimated "
            f"session is {minutes} min, so the reward would be {reward} cents)"
        )


def _entry_url(test) -> str:
    path = reverse("listening:entry", args=[test.entry_token])
    return f"{settings.AURICLE_BASE_URL.rstrip('/')}{path}?{PLACEHOLDERS}"


def _description(minutes: int) -> str:
    return (
        "Listen to short speech recordings through headphones and rate their quality. A short "
        "hearing and headphone check comes first; if it does not pass, you are screened out "
        f"at once. About {minutes} minutes; headphones and a quiet room are needed."
    )


def _completion_codes(recruitment: Recruitment) -> list[dict]:
    review = [{"action": "MANUALLY_REVIEW"}]
    returned = [{"action": "REQUEST_RETURN",
                 "return_reason": "Screened out by the hearing or headphone check"}]  # fmt: skip
    return [
        {"code": recruitment.code_completed, "code_type": "COMPLETED", "actions": review,
         "actor": "participant"},
        {"code": recruitment.code_failed, "code_type": "FAILED_ATTENTION_CHECK",
         "actions": review, "actor": "participant"},
        {"code": recruitment.code_screened_out, "code_type": "FIXED_SCREENOUT",
         "actions": returned, "actor": "participant"},
    ]  # fmt: skip


def _filters(test) -> list[dict]:
    """First language from the test's languages (choice ids read from Prolific), and the
    exclusion groups of earlier tests."""
    from listening.selectors import listening_test_languages

    choices = _first_language_choices()
    wanted = {}
    for language in listening_test_languages(test=test):
        name = _language_name(language)
        if name not in choices:
            raise errors.PlatformError(
                f"Prolific's first-language filter has no choice for {language!r} ({name}); "
                f"it offers {', '.join(sorted(choices)[:12])}…"
            )
        wanted[name] = choices[name]
    found = [{"filter_id": "first-language", "selected_values": sorted(wanted.values())}]
    groups = sorted(set(Recruitment.objects.exclude(exclusion_group="")
                        .exclude(test=test).values_list("exclusion_group", flat=True)))  # fmt: skip
    if groups:
        found.append({"filter_id": "participant_group_blocklist", "selected_values": groups})
    return found


def _first_language_choices() -> dict[str, str]:
    """English language name → Prolific's choice id."""
    for found in api().filters():
        if found.get("filter_id", found.get("id")) == "first-language":
            choices = found.get("choices", {})
            return {str(name): str(key) for key, name in choices.items()}
    raise errors.PlatformError("Prolific offers no first-language filter")


def _language_name(code: str) -> str:
    from django.conf.locale import LANG_INFO

    base = code.split("-")[0].lower()
    info = LANG_INFO.get(base) or LANG_INFO.get(code.lower()) or {}
    name = info.get("name", code)
    return "Chinese" if base == "zh" else name
