"""Every refusal the listening services give, each defined once with its code and what it says.

Rater errors carry the message the rater reads, translated when shown, and the HTTP status of
the page that shows it; `detail` is an optional English note for logs and tests (which field,
which language). Organizer errors, raised by publishing, are apart: they name in English what
is wrong with the test and what to do about it.
"""

from __future__ import annotations

from datetime import datetime
from typing import ClassVar

from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _


class RatingError(Exception):
    """A request of a rater that the rules refuse. Subclasses set code, message and status."""

    code: ClassVar[str]
    message: ClassVar[object]  # a lazy translation, rendered in the language active when shown
    status: ClassVar[int] = 400

    def __init__(self, detail: str = "") -> None:
        super().__init__(detail)
        self.detail = detail

    @property
    def rater_message(self) -> str:
        return str(self.message)

    def __str__(self) -> str:
        return self.detail or self.rater_message


class NotLive(RatingError):
    code = "not_live"
    message = _("This test is not open for rating.")


class NoClipsInLanguage(RatingError):
    code = "language"
    message = _("This test has no clips in your language.")


class NothingLeft(RatingError):
    code = "exhausted"
    message = _("There is nothing left for you to rate in this test. Thank you!")


class SessionLimit(RatingError):
    code = "session_limit"
    message = _("You have taken the most sessions allowed in this test. Thank you!")


class RaterBlocked(RatingError):
    code = "blocked"
    message = _("You did not pass the qualification. You may try again after %(date)s (UTC).")

    def __init__(self, *, until: datetime) -> None:
        super().__init__()
        self.until = until

    @property
    def rater_message(self) -> str:
        return str(self.message) % {"date": date_format(self.until, "DATETIME_FORMAT")}


class SessionExpired(RatingError):
    code = "expired"
    message = _("This session expired. Please start again from your link.")
    status = 409


class StepDone(RatingError):
    """A post for a step the session has already left (a second tab, a resubmitted form)."""

    code = "wrong_step"
    message = _("This step is already complete.")
    status = 409


class AlreadyRated(RatingError):
    code = "duplicate"
    message = _("You have already rated that clip.")
    status = 409


class NotYours(RatingError):
    """The session named is not one this browser entered (or does not exist): the view answers
    with its plain 404, as for any unknown page."""

    code = "not_found"
    message = _("This page does not exist.")
    status = 404


class NotInSession(RatingError):
    code = "not_in_session"
    message = _("That clip is not part of your session.")


class NotServed(RatingError):
    code = "not_served"
    message = _("That clip has not been played yet.")


class TooFast(RatingError):
    code = "too_fast"
    message = _("That answer came before the clip could have been heard to the end.")


class ScoreInvalid(RatingError):
    code = "bad_score"
    message = _("Please choose an answer on every scale.")


class AnswerMissing(RatingError):
    code = "blank"
    message = _("Please answer every question.")


class AnswerTooLong(AnswerMissing):
    """Told to the rater as a missing answer: the page caps each field's length, so only a
    forged post gets here."""

    code = "bad_answer"


class RequestInvalid(RatingError):
    """A post the page could not have sent as it is (a forged or mangled id)."""

    code = "bad_id"
    message = _("That request was not valid. Please reload the page.")


class KeyReused(RequestInvalid):
    code = "key_reused"


class PublishError(Exception):
    """A publish an organizer asked for that cannot go ahead; the message says in English what
    is wrong and what to do. Nothing has been written when it is raised."""

    code: ClassVar[str]


class UngeneratedTestSet(PublishError):
    code = "testset_not_ready"


class LanguageUnspoken(PublishError):
    code = "language"


class SpeechFailed(PublishError):
    code = "speech"


class ReferenceMissing(PublishError):
    code = "no_reference"
