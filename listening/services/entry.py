"""A rater coming in through a test's link: checked first, then stored with their session in
one transaction, so that a refusal at any point leaves no rater and no session behind."""

from __future__ import annotations

from django.db import transaction

from listening.models import ListeningTest, Session
from listening.platforms.base import Entrant, Platform
from listening.platforms.services import participation_record, rater_enter
from listening.services.sessions import session_open_check, session_start


def session_enter(
    *, test: ListeningTest, platform: Platform, entrant: Entrant, language: str
) -> Session:
    """The entrant's open session, or a new one. Simultaneous first entries of one entrant
    get one rater (its unique id) and one session (session_one_open_per_rater)."""
    session_open_check(test=test, language=language)
    with transaction.atomic():
        rater = rater_enter(test=test, platform=platform, entrant=entrant, language=language)
        session = session_start(test=test, rater=rater)
        participation_record(session=session, entrant=entrant)
    return session
