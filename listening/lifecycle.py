"""A test's status moves only through these writes: publish, pause, resume, close. Each checks
the status it starts from, under a row lock, so two organizers acting at once cannot both win;
a closed test stays closed."""

from __future__ import annotations

from django.db import transaction

from listening.models import ListeningTest
from listening.services import listening_test_publish

Status = ListeningTest.Status

# action -> (the statuses it may start from, the status it leaves)
MOVES: dict[str, tuple[tuple[str, ...], str]] = {
    "pause": ((Status.LIVE,), Status.PAUSED),
    "resume": ((Status.PAUSED,), Status.LIVE),
    "close": ((Status.LIVE, Status.PAUSED), Status.CLOSED),
}


class StatusRefused(Exception):
    """An action the test's current status does not allow; the message says which and why."""


def _refusal(test: ListeningTest, action: str, allowed: tuple[str, ...]) -> StatusRefused:
    return StatusRefused(
        f"{test.name}: cannot {action} a test that is {test.status} "
        f"(only a test that is {' or '.join(allowed)})"
    )


def listening_test_move(*, test: ListeningTest, action: str) -> ListeningTest:
    """Pause, resume or close the test. Raises StatusRefused, changing nothing, when its status
    does not allow the action."""
    allowed, after = MOVES[action]
    with transaction.atomic():
        locked = ListeningTest.objects.select_for_update().get(pk=test.pk)
        if locked.status not in allowed:
            raise _refusal(locked, action, allowed)
        locked.status = after
        locked.save(update_fields=["status"])
    test.status = after
    return test


def listening_test_open(*, test: ListeningTest) -> int:
    """Publish a draft test (listening.services.listening_test_publish: stimuli, platform clips,
    live). Returns the rating stimulus count; a test already published is refused, since
    publishing again would build its gold, trap and check clips twice."""
    with transaction.atomic():
        locked = ListeningTest.objects.select_for_update().get(pk=test.pk)
        if locked.status != Status.DRAFT:
            raise _refusal(locked, "publish", (Status.DRAFT,))
        count = listening_test_publish(test=locked)
    test.status = locked.status
    return count
