"""Review and pay a test's platform submissions by its screening, safely run again.

Approve and reject are safe to repeat; a bonus pay is not (it pays again), so each bonus moves
through written states and a pay whose answer was lost is never repeated by itself: it waits,
unconfirmed, for a person to settle it.
"""

from __future__ import annotations

import logging
import math
import uuid
from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from listening.identity import scrubbed
from listening.models import ListeningTest
from listening.platforms import platform_for
from listening.platforms.base import Payment
from listening.platforms.errors import PlatformError
from listening.platforms.models import Bonus, Invitation, Participation, Recruitment
from listening.platforms.prolific_api import PayUnconfirmed, ProlificError, ProlificUnavailable

logger = logging.getLogger("auricle.platforms")
Outcome, Review, Status = Participation.Outcome, Participation.Review, Bonus.Status

# Prolific's rejection category for each hard check screening rejects on.
CATEGORIES = {
    "failed trap": "FAILED_CHECK",
    "clip not played to the end": "FAILED_INSTRUCTIONS",
    "two-ear check wrong": "FAILED_CHECK",
    "no valid qualification": "FAILED_CHECK",
    "over the session limit": "OTHER",
}
FINISHED_STUDY = {"AWAITING REVIEW", "COMPLETED"}
# A review the platform already holds, as its submission list words it.
REVIEWED = {"APPROVED": Review.APPROVED, "REJECTED": Review.REJECTED}


def rejection_message(reasons: list[str]) -> str:
    """What a rejected rater reads: the failed checks, and why that means no payment (Prolific
    wants at least 100 characters)."""
    named = "; ".join(reasons)
    return (
        f"Your submission did not pass this listening test's required checks: {named}. These "
        "checks are described in the instructions; answers given without listening to each "
        "clip to its end, or against a spoken instruction, cannot be used."
    )


def platform_sync(*, test: ListeningTest) -> dict:
    """Read every submission, approve what screening accepted and reject what it rejected
    (only those awaiting review), keep failed raters out of later studies, pay the bonuses,
    and settle the test when nothing is left. Returns what it did, by count."""
    platform = platform_for(test)
    run = uuid.uuid4().hex
    verdicts = _verdicts(test)
    summary = _review(platform, verdicts)
    summary["excluded"] = _exclude(platform)
    summary.update(_bonuses(platform, run, verdicts["correlations"]))
    summary["settled"] = _settle(platform)
    Recruitment.objects.filter(pk=platform.recruitment.pk).update(synced_at=timezone.now())
    logger.info("platform sync of test %s: %s", test.pk, summary)
    return summary


def _verdicts(test: ListeningTest):
    """Screening's rejected sessions with their reasons, and each rater's crowd agreement."""
    from analysis.selectors import screening_for

    screening = screening_for(test=test)
    log = screening.log
    rejected = log[(log["tier"] == "rejected") & log["vote"].isna()]
    reasons = rejected.groupby("session")["reason"].apply(lambda r: sorted(set(r))).to_dict()
    return {"rejected": reasons, "correlations": screening.correlations}


def _review(platform, verdicts) -> dict:
    listed = platform.submissions()
    _reviews_catch_up(platform.test, listed, verdicts)
    waiting = [s.id for s in listed if s.awaiting_review]
    participations = {
        p.submission_id: p
        for p in Participation.objects.filter(
            session__test=platform.test, submission_id__in=waiting
        ).select_related("session")
    }
    approve, rejected = [], 0
    for submission in waiting:
        found = participations.get(submission)
        if found is None or found.outcome in (Outcome.OPEN, Outcome.SCREENED_OUT):
            continue  # not a finished session of ours: left for a person to review
        reasons = verdicts["rejected"].get(found.session_id)
        if reasons:
            _reject(platform, found, reasons)
            rejected += 1
        else:
            approve.append(found)
    if approve:
        platform.approve(approve)
        Participation.objects.filter(pk__in=[p.pk for p in approve]).update(review=Review.APPROVED)
    left = len(waiting) - len(approve) - rejected
    return {"waiting": len(waiting), "approved": len(approve), "rejected": rejected, "left": left}


def _reviews_catch_up(test: ListeningTest, listed, verdicts) -> None:
    """A sync stopped after the platform approved or rejected and before it wrote so finds those
    submissions no longer awaiting review: their review is written from the platform's word, so
    that bonuses and settling do not wait on them for ever."""
    decided = {s.id: REVIEWED[s.status] for s in listed if s.status in REVIEWED}
    behind = Participation.objects.filter(
        session__test=test, submission_id__in=list(decided), review=Review.NONE
    )
    for participation in behind:
        participation.review = decided[participation.submission_id]
        reasons = verdicts["rejected"].get(participation.session_id)
        if participation.review == Review.REJECTED and reasons:
            participation.reason = "; ".join(reasons)[:200]
        participation.save(update_fields=["review", "reason"])


def _reject(platform, participation: Participation, reasons: list[str]) -> None:
    category = CATEGORIES.get(reasons[0], "FAILED_CHECK")
    platform.reject(participation, category=category, message=rejection_message(reasons))
    participation.review = Review.REJECTED
    participation.reason = "; ".join(reasons)[:200]
    participation.save(update_fields=["review", "reason"])


def _exclude(platform) -> int:
    """Raters with a rejected session are kept out of later tests (rater_enter refuses them)
    and join the platform's group that later studies exclude, where it has one."""
    found = list(
        Participation.objects.filter(session__test=platform.test, excluded=False).filter(
            review=Review.REJECTED
        )
    )
    if found:
        platform.exclude(found)
        Participation.objects.filter(pk__in=[p.pk for p in found]).update(excluded=True)
    return len(found)


# -- bonuses ---------------------------------------------------------------------------------
def bonuses_plan(*, test: ListeningTest, correlations) -> int:
    """Bonus rows by P.808's quantity rule (at least N accepted sessions) and quality rule (the
    top X % of raters by agreement with the crowd). A rater gets each rule's bonus once. The
    quality rule waits for the end of the study: the top raters of a crowd still growing are
    not its top raters, and a bonus once planned is never taken back."""
    recruitment = Recruitment.objects.get(test=test)
    accepted = Participation.objects.filter(session__test=test, review=Review.APPROVED)
    by_rater: dict[int, list[Participation]] = {}
    for participation in accepted.select_related("session"):
        by_rater.setdefault(participation.session.rater_id, []).append(participation)
    planned = []
    if recruitment.bonus_min_sessions and recruitment.bonus_sessions_amount > 0:
        planned += [
            (rater, rows[-1], Bonus.Rule.QUANTITY, recruitment.bonus_sessions_amount)
            for rater, rows in by_rater.items()
            if len(rows) >= recruitment.bonus_min_sessions
        ]
    quality = recruitment.bonus_top_percent > 0 and recruitment.bonus_top_amount > 0
    if quality and study_over(recruitment):
        planned += [
            (rater, by_rater[rater][-1], Bonus.Rule.QUALITY, recruitment.bonus_top_amount)
            for rater in top_raters(correlations, recruitment.bonus_top_percent, set(by_rater))
        ]
    made = 0
    for rater, participation, rule, amount in planned:
        _, created = Bonus.objects.get_or_create(
            test=test, rater_id=rater, rule=rule,
            defaults={"participation": participation, "amount": Decimal(amount)},
        )  # fmt: skip
        made += created
    return made


def top_raters(correlations, percent: float, eligible: set[int]) -> list[int]:
    """The top percent (rounded up) of eligible raters by their r with the crowd; ties at the
    cut all count."""
    r = correlations.dropna()
    r = r[r.index.isin(eligible)].sort_values(ascending=False)
    if r.empty:
        return []
    count = math.ceil(len(r) * percent / 100)
    cut = r.iloc[count - 1]
    return sorted(int(rater) for rater in r[r >= cut].index)


def _bonuses(platform, run: str, correlations) -> dict:
    test = platform.test
    # A step another run held when it stopped: a create is harmless to redo, a pay is not.
    Bonus.objects.filter(test=test, status=Status.CREATING).exclude(run=run).update(
        status=Status.PLANNED, run=""
    )
    lost = Bonus.objects.filter(test=test, status=Status.PAYING).exclude(run=run)
    unconfirmed = lost.update(status=Status.UNCONFIRMED, error="a pay whose answer was lost")
    planned = bonuses_plan(test=test, correlations=correlations)
    if platform.pays_bonuses:
        _bonuses_create(platform, run)
        _bonuses_pay(platform, run)
    counts = {s: Bonus.objects.filter(test=test, status=s).count() for s in Status.values}
    return {"bonuses_planned": planned, "bonuses": counts, "newly_unconfirmed": unconfirmed}


def _bonuses_create(platform, run: str) -> None:
    test = platform.test
    claimed = Bonus.objects.filter(test=test, status=Status.PLANNED).update(
        status=Status.CREATING, run=run
    )
    if not claimed:
        return
    rows = list(Bonus.objects.filter(test=test, status=Status.CREATING, run=run)
                .select_related("participation"))  # fmt: skip
    payments = [Payment(participation=b.participation, amount=b.amount) for b in rows]
    # Still this run's: a sync started meanwhile may have taken the rows back (see _bonuses),
    # and the batch made here is then left unpaid.
    mine = Bonus.objects.filter(pk__in=[b.pk for b in rows], status=Status.CREATING, run=run)
    try:
        batch = platform.bonus_create(payments)
    except ProlificUnavailable as exc:  # nothing made: made again at the next sync
        mine.update(status=Status.PLANNED, run="", error=scrubbed(str(exc))[:500])
        raise
    except ProlificError as exc:  # refused: a person looks, then settles them as not paid
        mine.update(status=Status.FAILED, run="", error=scrubbed(str(exc))[:500])
        logger.warning("test %s: %d bonus(es) refused: %s", test.pk, len(rows), scrubbed(str(exc)))
        return
    mine.update(status=Status.CREATED, batch_id=batch)


def _bonuses_pay(platform, run: str) -> None:
    test = platform.test
    batches = (
        Bonus.objects.filter(test=test, status=Status.CREATED)
        .values_list("batch_id", flat=True)
        .distinct()
    )
    for batch in list(batches):
        with transaction.atomic():
            taken = Bonus.objects.filter(test=test, status=Status.CREATED, batch_id=batch).update(
                status=Status.PAYING, run=run
            )
        if taken:
            _pay_one(platform, batch, run)


def _pay_one(platform, batch: str, run: str) -> None:
    rows = Bonus.objects.filter(test=platform.test, batch_id=batch, run=run)
    try:
        platform.bonus_pay(batch)
    except PayUnconfirmed as exc:
        error = scrubbed(str(exc))[:500]
        rows.filter(status=Status.PAYING).update(status=Status.UNCONFIRMED, error=error)
        return
    except ProlificError as exc:  # refused outright: nothing was paid
        error = scrubbed(str(exc))[:500]
        rows.filter(status=Status.PAYING).update(status=Status.FAILED, error=error)
        return
    rows.filter(status__in=[Status.PAYING, Status.UNCONFIRMED]).update(status=Status.PAID)


def bonus_settle(*, bonus_ids: list[int], paid: bool) -> int:
    """A person checked an unconfirmed or failed pay on the platform: paid marks it paid; not
    paid makes it payable again, in a new batch at the next sync (the old one, unpaid, is left
    as it is)."""
    rows = Bonus.objects.filter(pk__in=bonus_ids, status__in=[Status.UNCONFIRMED, Status.FAILED])
    if paid:
        return rows.update(status=Status.PAID, error="")
    return rows.update(status=Status.PLANNED, batch_id="", run="", error="")


# -- settling --------------------------------------------------------------------------------
def _settle(platform) -> bool:
    """When the study is over, every finished session reviewed and every bonus paid, erase the
    raw participant ids and invitation labels: no payment needs them any more."""
    recruitment, test = platform.recruitment, platform.test
    if recruitment.settled_at:
        return True
    over = study_over(recruitment)
    unreviewed = Participation.objects.filter(
        session__test=test, outcome__in=[Outcome.COMPLETED, Outcome.FAILED], review=Review.NONE
    )
    unpaid = Bonus.objects.filter(test=test).exclude(status=Status.PAID)
    if not over or unreviewed.exists() or unpaid.exists():
        return False
    return payments_settle(test=test)


def study_over(recruitment: Recruitment) -> bool:
    """No more sessions will come: the study was stopped, or the test closed."""
    closed = ListeningTest.objects.filter(
        pk=recruitment.test_id, status=ListeningTest.Status.CLOSED
    )
    return recruitment.study_status in FINISHED_STUDY or closed.exists()


def payments_settle_by_hand(*, test: ListeningTest) -> int:
    """The organizer has paid what the completion list shows (a panel) and says so: its bonuses
    are paid, and the names are erased. A platform that pays by itself must have no pay left
    in flight. Returns the bonuses marked paid."""
    platform = platform_for(test)
    bonuses = Bonus.objects.filter(test=test)
    if platform.pays_bonuses:
        pending = bonuses.exclude(status__in=[Status.PAID, Status.FAILED]).count()
        if pending:
            raise PlatformError(
                f"test {test.name!r} has {pending} bonus(es) not yet paid or settled on "
                f"{platform.code}; sync, and settle the unconfirmed ones, first"
            )
        marked = 0
    else:
        marked = bonuses.exclude(status=Status.PAID).update(status=Status.PAID, error="")
    payments_settle(test=test)
    return marked


def payments_settle(*, test: ListeningTest) -> bool:
    """Erase what names a person (the raw participant ids, the roster's labels): no payment
    needs them any more. The keyed identities stay, so the raters stay who they are."""
    with transaction.atomic():
        Participation.objects.filter(session__test=test).update(participant_id="")
        Invitation.objects.filter(test=test).update(label="")
        Recruitment.objects.filter(test=test).update(settled_at=timezone.now())
    return True


# -- the completion list ---------------------------------------------------------------------
COMPLETION_COLUMNS = ["person", "link", "session", "outcome", "review", "completion_code",
                      "bonus", "bonus_status"]  # fmt: skip


def completion_rows(*, test: ListeningTest) -> list[list]:
    """For paying a panel by hand: each invitation with its sessions, how each ended, its code
    and its bonus. Persons are the roster's labels (erased once payments settle); Prolific
    sessions appear without any participant id."""
    bonuses: dict[int, list[Bonus]] = {}
    for bonus in Bonus.objects.filter(test=test):
        bonuses.setdefault(bonus.participation_id, []).append(bonus)
    rows = []
    for invitation in Invitation.objects.filter(test=test).select_related("test").order_by("pk"):
        link = invitation_link(invitation)
        entries = list(invitation.entries.select_related("session")) or [None]
        rows += [_completion_row(invitation.label, link, p, bonuses) for p in entries]
    others = Participation.objects.filter(session__test=test, invitation=None)
    rows += [_completion_row("", "", p, bonuses) for p in others.select_related("session")]
    return rows


def invitation_link(invitation: Invitation) -> str:
    """The entry link an invitation's person (or pool) is sent."""
    from django.conf import settings
    from django.urls import reverse

    path = reverse("listening:entry", args=[invitation.test.entry_token])
    return f"{settings.AURICLE_BASE_URL.rstrip('/')}{path}?invite={invitation.token}"


def _completion_row(person: str, link: str, participation, bonuses) -> list:
    if participation is None:
        return [person, link, "", "", "", "", "", ""]
    own = bonuses.get(participation.pk, [])
    return [person, link, participation.session_id, participation.outcome or "open",
            participation.review, participation.session.completion_code,
            str(sum((b.amount for b in own), Decimal(0))) if own else "",
            ",".join(sorted({b.status for b in own}))]  # fmt: skip
