"""Raters for listening tests, taken through the steps by the same services the pages use."""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

from django.utils import timezone

from listening import services
from listening.models import ListeningTest, Rater, Session
from listening.simulation import session_to_rating


def rater(language: str = "en", name: str | None = None) -> Rater:
    return services.rater_get_or_create(
        platform=Rater.Platform.PANEL, external_id=name or uuid.uuid4().hex, language=language
    )


def rating_session(test: ListeningTest, person: Rater, now: datetime | None = None) -> Session:
    """A session past qualification, setup and training, at its first rating clip. Without
    `now`, the steps are taken over the quarter hour before now."""
    now = now or timezone.now() - timedelta(minutes=15)
    session = services.session_start(test=test, rater=person, now=now)
    session_to_rating(session, clock=now)
    session.refresh_from_db()
    return session


def rating_stimuli(session: Session) -> list:
    return [
        a.stimulus
        for a in session.assignments.filter(stimulus__role="rating").select_related("stimulus")
    ]
