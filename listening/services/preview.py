"""The organizer's preview: the rater's session taken at any step, in any language of the test,
by a preview rater (Rater.preview) whose votes are stored apart and never counted: selectors
leave preview raters out of reports, progress, quotas and the API, and a preview reserves no
place (sessions._rating_assign)."""

from __future__ import annotations

import uuid
from datetime import datetime

from django.db import transaction
from django.utils import timezone

from listening.identity import participant_hash
from listening.models import ListeningTest, Rater, Session, Stimulus
from listening.selectors import listening_test_languages
from listening.services.sessions import _enter, session_complete

State = Session.State
# The steps a preview may open at, in the order a rater meets them.
PREVIEW_STEPS = (State.QUALIFICATION, State.SETUP, State.TRAINING, State.RATING, State.COMPLETE)


class PreviewRefused(Exception):
    """A preview the test cannot give yet; the message says what to do."""


def preview_session_start(
    *, test: ListeningTest, user, language: str, step: str, now: datetime | None = None
) -> Session:
    """A new preview rater and session at `step`. Each preview is a rater of its own, so every
    step is shown afresh (no qualification or training carried over), and jumping to another
    step starts another preview."""
    now = now or timezone.now()
    if step not in PREVIEW_STEPS:
        raise PreviewRefused(f"{step!r} is not a step of the session ({', '.join(PREVIEW_STEPS)})")
    if language not in listening_test_languages(test=test):
        raise PreviewRefused(f"the test has no clips in {language!r}")
    if not test.stimuli.filter(language=language, role=Stimulus.Role.TRAINING).exists():
        raise PreviewRefused("the test's stimuli are not built yet: build them for the preview")
    identity = participant_hash(platform="preview", participant_id=f"{user.pk}:{uuid.uuid4()}")
    with transaction.atomic():
        rater = Rater.objects.create(
            platform=Rater.Platform.OPEN, external_id=identity, language=language, preview=True
        )
        session = Session.objects.create(
            test=test, rater=rater, state=State.QUALIFICATION, started_at=now, last_seen_at=now
        )
        if step == State.COMPLETE:
            session.save(update_fields=session_complete(session, now))
        else:
            _enter(session, step, now)
    return session
