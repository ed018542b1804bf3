"""Private panels: a roster gives each person one invitation link, and a capped multi-use link
serves an open lab pool. Identity comes from the link; the completion page shows a code and the
organizer pays by hand from the completion list."""

from __future__ import annotations

import csv
import io

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction
from django.db.models import F
from django.http import HttpRequest

from listening.identity import participant_hash
from listening.platforms import errors
from listening.platforms.base import Entrant, Platform
from listening.platforms.models import Invitation, Participation
from listening.platforms.open import browser_id

ROSTER_COLUMNS = ("email", "lab_id")
ROSTER_MAX = 10_000


class Panel(Platform):
    code = "panel"

    def entry_check(self, request: HttpRequest) -> None:
        invitation = self._invitation(request.GET.get("invite", ""))
        if invitation.cap == 1 and _finished(invitation):
            raise errors.InvitationUsed()

    def entrant(self, request: HttpRequest, *, language: str) -> Entrant:
        invitation = self._invitation(request.GET.get("invite", ""))
        if invitation.cap == 1:  # one person's link: the person is the link
            if _finished(invitation):
                raise errors.InvitationUsed()
            # The link's own keyed identity, not the label: the label (an e-mail) is erased when
            # payments settle, and the person must stay the same rater after that. Nothing raw
            # is kept on the session: the completion list reads the label from the invitation.
            person = f"invitation:{invitation.identity or invitation.token}"
            return Entrant(participant_id=person, invitation=invitation)
        return Entrant(participant_id=self._pool_member(request, invitation), invitation=invitation)

    def _invitation(self, token: str) -> Invitation:
        found = Invitation.objects.filter(test=self.test, token=token[:32]).first()
        if not token or found is None:
            raise errors.InvitationInvalid(f"no invitation {token[:32]!r} in this test")
        return found

    @staticmethod
    def _pool_member(request: HttpRequest, invitation: Invitation) -> str:
        """An open pool's rater is this browser; a new browser takes one of the link's places."""
        key = f"auricle_pool_{invitation.pk}"
        if key in request.session:
            return request.session[key]
        with transaction.atomic():
            taken = Invitation.objects.filter(pk=invitation.pk, uses__lt=F("cap")).update(
                uses=F("uses") + 1
            )
        if not taken:
            raise errors.PoolFull()
        request.session[key] = f"pool:{invitation.pk}:{browser_id(request)}"
        return request.session[key]


def _finished(invitation: Invitation) -> bool:
    return invitation.entries.exclude(outcome=Participation.Outcome.OPEN).exists()


def roster_read(data: bytes) -> list[str]:
    """The people of a roster CSV: one column, `email` or `lab_id`, one person a row. A bad file
    is refused whole, naming the row; nothing is stored by reading it."""
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise errors.PlatformError("the roster is not UTF-8 text") from None
    reader = csv.DictReader(io.StringIO(text))
    columns = [c.strip().lower() for c in reader.fieldnames or []]
    if len(columns) != 1 or columns[0] not in ROSTER_COLUMNS:
        raise errors.PlatformError(
            f"the roster needs exactly one column, email or lab_id; it has {columns or 'none'}"
        )
    people, seen = [], set()
    for number, row in enumerate(reader, start=2):
        if None in row:  # csv puts the cells beyond the header's one column under None
            raise errors.PlatformError(f"roster row {number}: more than one cell")
        person = (next(iter(row.values())) or "").strip()
        if not person or len(person) > 200:
            raise errors.PlatformError(f"roster row {number}: an empty or over-long entry")
        if columns[0] == "email" and not _is_email(person):
            raise errors.PlatformError(f"roster row {number}: {person!r} is not an e-mail address")
        if person.lower() in seen:
            raise errors.PlatformError(f"roster row {number}: {person!r} is listed twice")
        seen.add(person.lower())
        people.append(person)
    if not people or len(people) > ROSTER_MAX:
        raise errors.PlatformError(f"the roster must list 1 to {ROSTER_MAX} people")
    return people


def _is_email(text: str) -> bool:
    try:
        validate_email(text)
    except ValidationError:
        return False
    return True


def invitations_create(*, test, people: list[str]) -> list[Invitation]:
    """One single-use invitation per person; a person already invited keeps their link."""
    with transaction.atomic():
        made = []
        for person in people:
            identity = participant_hash(platform="panel", participant_id=person.lower())
            invitation, _ = Invitation.objects.get_or_create(
                test=test, identity=identity, defaults={"label": person, "cap": 1}
            )
            made.append(invitation)
    return made


def pool_create(*, test, cap: int) -> Invitation:
    """A multi-use link that lets in up to cap raters, one per browser."""
    if cap < 1:
        raise errors.PlatformError(f"a pool link needs a cap of at least 1, not {cap}")
    return Invitation.objects.create(test=test, cap=cap)
