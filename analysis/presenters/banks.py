"""The report's gold and trap banks: how many each language has, and how often a rater met
one of them again (the banks are built to make that rare; a small test set cannot)."""

from __future__ import annotations

from django.db.models import Count

from listening.models import Assignment, ListeningTest

ROLES = ("gold", "trap")


def banks_context(*, test: ListeningTest) -> list[dict]:
    """Per role: the smallest bank of any language, the placements in rating sessions, and
    those that put before a rater a stimulus the rater had met before."""
    rows = []
    for role in ROLES:
        sizes = test.stimuli.filter(role=role).values("language").annotate(n=Count("id")).order_by()
        placed = Assignment.objects.filter(
            session__test=test,
            phase=Assignment.Phase.RATING,
            stimulus__role=role,
            session__rater__preview=False,
        )
        pairs = placed.values("session__rater_id", "stimulus_id").distinct().count()
        total = placed.count()
        rows.append(
            {
                "role": role,
                "bank": min((s["n"] for s in sizes), default=0),
                "placed": total,
                "again": total - pairs,
                "share": (total - pairs) / total if total else None,
            }
        )
    return rows
