"""After a crowd: is every vote the server acknowledged stored, once, and is every stimulus
within its quota? And how far do the stored votes follow the clips' ground truth?"""

from __future__ import annotations

import uuid
from collections.abc import Iterable

import numpy as np
from django.db.models import Count

from listening.crowd.oracle import knowledge_read
from listening.models import ListeningTest, Vote


def integrity_check(*, test: ListeningTest, acknowledged: Iterable[str]) -> dict:
    acknowledged = {uuid.UUID(key) for key in acknowledged}
    votes = Vote.objects.filter(stimulus__test=test)
    stored = set(votes.values_list("idempotency_key", flat=True))
    per_pair = votes.values("rater", "stimulus").annotate(n=Count("id")).filter(n__gt=1)
    counts = (
        test.stimuli.filter(role="rating").annotate(n=Count("votes")).values_list("n", "reserved")
    )
    found = {
        "votes_acknowledged": len(acknowledged),
        "votes_stored": len(stored),
        "votes_lost": len(acknowledged - stored),
        "votes_duplicated": per_pair.count(),
        "stimuli_over_quota": sum(1 for n, _reserved in counts if n > test.quota),
        "stimuli_reserved_below_votes": sum(1 for n, reserved in counts if reserved < n),
    }
    found["ok"] = not (found["votes_lost"] or found["votes_duplicated"]
                       or found["stimuli_over_quota"])  # fmt: skip
    return found


def truth_agreement(*, test: ListeningTest) -> dict:
    """Pearson r of each rated clip's mean stored vote with its ground truth."""
    truth = {key: clip.truth for key, clip in knowledge_read(test=test).clips.items()}
    rows = (
        Vote.objects.filter(stimulus__test=test, role="rating")
        .values_list("stimulus__key", "score")
        .order_by()
    )
    scores: dict[str, list[int]] = {}
    for key, score in rows:
        scores.setdefault(str(key), []).append(score)
    if len(scores) < 3:
        return {"clips_rated": len(scores), "truth_r": None}
    means = np.array([np.mean(v) for v in scores.values()])
    truths = np.array([truth[key] for key in scores])
    if means.std() == 0 or truths.std() == 0:
        return {"clips_rated": len(scores), "truth_r": None}
    return {
        "clips_rated": len(scores),
        "truth_r": round(float(np.corrcoef(means, truths)[0, 1]), 3),
    }
