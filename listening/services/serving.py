"""When a stimulus counts as served: when the session first fetched its audio.

The rating page links the processed clip through a link of its own (enhancement.storage
audio_link) whose digest the assignment keeps; the audio view announces each fetch
(storage.audio_fetched) and the first one stamps served_at. A page that was rendered but
whose audio never arrived has served nothing, and its vote is refused.
"""

from __future__ import annotations

from datetime import datetime

from listening.models import Assignment


def assignment_link(*, assignment: Assignment, digest: str) -> None:
    """Tie the link just made for the assignment's processed clip to it (the latest link
    of the page wins; served_at, once stamped, stays)."""
    Assignment.objects.filter(pk=assignment.pk).update(audio_digest=digest)
    assignment.audio_digest = digest


def audio_fetched(*, digest: str, at: datetime, **_signal) -> int:
    """Receiver of storage.audio_fetched: the first fetch through an assignment's link
    stamps its serving time. Returns how many assignments it stamped (0 or 1)."""
    return Assignment.objects.filter(audio_digest=digest, served_at__isnull=True).update(
        served_at=at
    )
