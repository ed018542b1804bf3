"""When a stimulus counts as served: when the session first fetched its audio.

The rating page links the processed clip through a link of its own (enhancement.storage
audio_link) tagged with the assignment; the audio view announces each fetch of a tagged link
(storage.audio_fetched) and the first one stamps served_at. A page that was rendered but
whose audio never arrived has served nothing, and its vote is refused.
"""

from __future__ import annotations

from datetime import datetime
from functools import cache

from django.db import connection

from config.sql import column, param, table
from listening.models import Assignment

_TAG = "assignment:"


def link_tag(assignment: Assignment) -> str:
    """The tag of the link made for the assignment's processed clip."""
    return f"{_TAG}{assignment.pk}"


def tagged_assignment(tag: str) -> int | None:
    """The assignment a link's tag names; None for a link made for anything else."""
    number = tag.removeprefix(_TAG) if tag.startswith(_TAG) else ""
    return int(number) if number.isdigit() else None


@cache
def _stamp_sql(vendor: str) -> str:
    return (
        f"UPDATE {table(Assignment)} SET {column(Assignment, 'served_at')} = %s"
        f" WHERE {column(Assignment, 'id')} = %s AND {column(Assignment, 'served_at')} IS NULL"
    )


def audio_fetched(*, tag: str, at: datetime, **_signal) -> int:
    """Receiver of storage.audio_fetched: the first fetch through an assignment's link
    stamps its serving time (once stamped, it stays). Returns how many assignments it stamped
    (0 or 1)."""
    owner = tagged_assignment(tag)
    # An untagged link (a reference clip, a check's audio) runs the same statement, matching
    # nothing, so that its fetch takes as long as a processed clip's.
    with connection.cursor() as cursor:  # every audio fetch runs it: written out (config.sql)
        cursor.execute(
            _stamp_sql(connection.vendor), [param(Assignment, "served_at", at), owner or 0]
        )
        return cursor.rowcount
