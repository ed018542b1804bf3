"""The one interface every crowd platform sits behind.

A platform says who a rater is from the entry request, where a finished or screened-out rater
goes, and does the organizer's actions: publish, pause, resume, stop, add places, list
submissions, approve, reject with a reason, bonus, and keep a rater out of later tests.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.http import HttpRequest

from listening.platforms.models import Invitation, Participation, Recruitment


@dataclass(frozen=True)
class Entrant:
    """Who came in, as the platform says. participant_id is the platform's raw id: it is
    hashed for the Rater row and kept raw only when a payment may need it (keep_raw)."""

    participant_id: str
    submission_id: str = ""
    invitation: Invitation | None = None
    keep_raw: bool = False


@dataclass(frozen=True)
class Submission:
    """One platform submission, as its list says."""

    id: str
    status: str  # the platform's word, e.g. "AWAITING REVIEW"
    awaiting_review: bool


@dataclass(frozen=True)
class Payment:
    """A bonus to pay: the participation it goes to and the amount in major units."""

    participation: Participation
    amount: Decimal


class Platform:
    """Defaults fit a platform with no remote side: the test's own status is the study."""

    code = ""
    # Whether an entrant's identity holds across browsers (an open link's does not).
    identity_guaranteed = True

    def __init__(self, recruitment: Recruitment) -> None:
        self.recruitment = recruitment
        self.test = recruitment.test

    # -- the rater's side ----------------------------------------------------------------------
    def entry_check(self, request: HttpRequest) -> None:
        """Refuse a link that names no rater this test takes, before the rater does anything;
        changes nothing."""

    def entrant(self, request: HttpRequest, *, language: str) -> Entrant:
        raise NotImplementedError

    def exit_url(self, outcome: str) -> str | None:
        """Where a rater whose session ended so goes; None: the page shows the code."""
        return None

    def exit_code(self, outcome: str) -> str:
        recruitment = self.recruitment
        return {
            Participation.Outcome.COMPLETED: recruitment.code_completed,
            Participation.Outcome.FAILED: recruitment.code_failed,
            Participation.Outcome.SCREENED_OUT: recruitment.code_screened_out,
        }.get(outcome, "")

    # -- the organizer's side ------------------------------------------------------------------
    def ready_check(self) -> None:
        """Raise PlatformError when this installation cannot reach the platform (no key)."""

    def publish(self) -> None:
        """Open the test to raters (the test's stimuli must already be built)."""

    def pause(self) -> None:
        pass

    def resume(self) -> None:
        pass

    def stop(self) -> None:
        pass

    def places_add(self, count: int) -> None:
        self.recruitment.places += count
        self.recruitment.save(update_fields=["places"])

    def submissions(self) -> list[Submission]:
        """Finished sessions are the submissions when the platform has no list of its own."""
        participations = Participation.objects.filter(
            session__test=self.test, outcome__in=_FINISHED
        )
        return [
            Submission(id=str(p.session.token), status=p.outcome, awaiting_review=not p.review)
            for p in participations.select_related("session")
        ]

    def approve(self, participations: list[Participation]) -> None:
        pass

    def reject(self, participation: Participation, *, category: str, message: str) -> None:
        pass

    # A platform with no payment call leaves bonuses to be paid by hand from the completion
    # list; one that pays them makes a batch, then pays it (the pay call is not idempotent).
    pays_bonuses = False

    def bonus_create(self, payments: list[Payment]) -> str:
        raise NotImplementedError

    def bonus_pay(self, batch_id: str) -> None:
        raise NotImplementedError

    def exclude(self, participations: list[Participation]) -> None:
        """Keep these raters out of later tests."""


_FINISHED = [Participation.Outcome.COMPLETED, Participation.Outcome.FAILED]
