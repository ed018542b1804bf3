"""Writes at the platform's edges of a session: who entered, and how the session ended."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext_lazy as _

from listening.models import ListeningTest, Session, SetupResult, Vote
from listening.platforms import errors
from listening.platforms.base import Entrant
from listening.platforms.models import Participation, Recruitment

Outcome = Participation.Outcome

# What a rater reads about a hard check their session failed, in their language.
HARD_CHECKS = {
    "trap": _("a clip asked for a particular answer, and a different one was given"),
    "unplayed": _("a clip was rated without being played to its end"),
    "two_ear": _("the two-ear headphone check was answered wrong"),
}


def participation_record(*, session: Session, entrant: Entrant) -> Participation:
    """Tie a session to the platform's submission; the raw id is kept only when a payment
    may need it. A session keeps the first submission it was entered with."""
    submission = entrant.submission_id or str(session.token)
    with transaction.atomic():
        found, created = Participation.objects.get_or_create(
            session=session,
            defaults={
                "submission_id": submission,
                "participant_id": entrant.participant_id if entrant.keep_raw else "",
                "invitation": entrant.invitation,
            },
        )
    if not created and found.submission_id != submission:
        raise errors.ProlificLinkInvalid("this session belongs to another submission")
    return found


def session_hard_failures(*, session: Session) -> list[str]:
    """The hard checks a finished session failed (P.808's rejected tier): a trap answered
    wrong, a rating clip not played, the two-ear check in force answered wrong."""
    votes = Vote.objects.filter(session=session)
    found = []
    if votes.filter(role="trap", passed=False).exists():
        found.append("trap")
    if votes.filter(role="rating", play_count=0).exists():
        found.append("unplayed")
    setup = SetupResult.objects.filter(rater=session.rater, taken_at__lte=session.last_seen_at)
    latest = setup.order_by("-taken_at").first()
    if latest is not None and latest.two_ear_correct < latest.two_ear_total:
        found.append("two_ear")
    return found


def participation_finish(*, session: Session) -> Participation | None:
    """Record how the session ended, once: completed, failed a hard check, or screened out
    (blocked at qualification). None when the session has no platform entry."""
    participation = Participation.objects.filter(session=session).first()
    if participation is None or participation.outcome:
        return participation
    if session.state == Session.State.BLOCKED:
        outcome, reason = Outcome.SCREENED_OUT, "qualification"
    elif session.state == Session.State.COMPLETE:
        failures = session_hard_failures(session=session)
        outcome = Outcome.FAILED if failures else Outcome.COMPLETED
        reason = ",".join(failures)
    else:
        return participation
    Participation.objects.filter(pk=participation.pk, outcome="").update(
        outcome=outcome, reason=reason
    )
    participation.refresh_from_db()
    return participation


def reasons_told(participation: Participation) -> list[str]:
    """The failed checks as the rater reads them."""
    return [str(HARD_CHECKS[key]) for key in participation.reason.split(",") if key in HARD_CHECKS]


def recruitment_set(*, test: ListeningTest, platform: str, **fields) -> Recruitment:
    """Choose a test's platform (and its settings) before it has a study."""
    recruitment, _ = Recruitment.objects.get_or_create(test=test)
    if recruitment.study_id and platform != recruitment.platform:
        raise errors.PlatformError(
            f"test {test.name!r} already has a {recruitment.platform} study "
            f"({recruitment.study_id}); its platform cannot change"
        )
    recruitment.platform = platform
    for name, value in fields.items():
        setattr(recruitment, name, value)
    recruitment.full_clean(exclude=["test"])
    recruitment.save()
    return recruitment


def rater_enter(*, test: ListeningTest, platform, entrant: Entrant, language: str):
    """The rater an entrant is, refused when an earlier test kept them out."""
    from listening.services import rater_get_or_create

    rater = rater_get_or_create(platform=platform.code, external_id=entrant.participant_id,
                                language=language)  # fmt: skip
    kept_out = Participation.objects.filter(session__rater=rater, excluded=True)
    if kept_out.exclude(session__test=test).exists():
        raise errors.RaterExcluded()
    return rater
