"""Refusals as raters read them, in their language. The services' own messages stay in
English for organizers and logs; a code without an entry here shows that message."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from listening.services import RatingError

MESSAGES = {
    "not_live": _("This test is not open for rating."),
    "language": _("This test has no clips in your language."),
    "exhausted": _("There is nothing left for you to rate in this test. Thank you!"),
    "session_limit": _("You have taken the most sessions allowed in this test. Thank you!"),
    "expired": _("This session expired. Please start again from your link."),
    "closed": _("This step is already complete."),
    "wrong_step": _("This step is already complete."),
    "duplicate": _("You have already rated that clip."),
    "not_in_session": _("That clip is not part of your session."),
    "not_served": _("That clip has not been played yet."),
    "too_fast": _("That answer came before the clip could have been heard to the end."),
    "bad_score": _("Please choose an answer on every scale."),
    "blank": _("Please answer every question."),
    "bad_answer": _("Please answer every question."),
    "bad_id": _("That request was not valid. Please reload the page."),
    "key_reused": _("That request was not valid. Please reload the page."),
}


def rater_message(exc: RatingError) -> str:
    return str(MESSAGES.get(exc.code, exc))
