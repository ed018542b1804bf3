"""What the monitoring page shows of a running test, read fresh at every refresh. Preview
raters are left out of every figure."""

from __future__ import annotations

import math
from collections import Counter
from datetime import datetime, timedelta
from decimal import Decimal

from django.db.models import Count, Q, Sum
from django.utils import timezone

from analysis.stats.mos import mean_interval
from listening.allocation.state import allocation_progress, votes_planned
from listening.models import ListeningTest, Session, Stimulus, Vote
from listening.platforms.models import Bonus, Participation, Recruitment

ACTIVE_WINDOW = timedelta(minutes=5)
RATE_WINDOW = timedelta(hours=1)
HISTORY = timedelta(hours=6)
HISTORY_BINS = 24


def monitor_read(*, test: ListeningTest, now: datetime | None = None) -> dict:
    now = now or timezone.now()
    cells = _cells(test)
    votes = sum(c["votes"] for c in cells)
    target = sum(c["target"] for c in cells)
    remaining = target - votes
    if test.allocation == ListeningTest.Allocation.ADAPTIVE:
        # the votes the test expects (its budget, else every clip's quota), and none left
        # once every system met its target
        target = votes_planned(test=test)
        progress = allocation_progress(test=test)
        remaining = 0 if progress and progress["complete"] else max(0, target - votes)
    return {
        "cells": cells,
        "votes": votes,
        "target": target,
        "percent": 100.0 * votes / target if target else 0.0,
        "precision": _precision(test),
        "active": _active(test, now),
        "sessions": _sessions(test),
        "money": _money(test),
        "eta": _eta(test, remaining, now),
        "history": _history(test, now),
        "now": now,
    }


def _counted_votes(test: ListeningTest):
    return Vote.objects.filter(session__test=test, role="rating", rater__preview=False)


def _cells(test: ListeningTest) -> list[dict]:
    """Votes against the target per system × language: every clip's quota, or for an adaptive
    test the minimum every clip gets (past it, votes go where precision is missing)."""
    per_clip = max(1, test.quota)
    per_clip = (
        max(1, test.min_votes_per_clip)
        if test.allocation == ListeningTest.Allocation.ADAPTIVE
        else per_clip
    )
    rows = (
        Stimulus.objects.filter(test=test, role=Stimulus.Role.RATING)
        .values("output__system__name", "language")
        .annotate(
            stimuli=Count("id", distinct=True),
            votes=Count("votes", filter=Q(votes__rater__preview=False), distinct=True),
        )
        .order_by("output__system__name", "language")
    )
    return [
        {
            "system": row["output__system__name"],
            "language": row["language"],
            "votes": row["votes"],
            "target": row["stimuli"] * per_clip,
            "percent": 100.0 * row["votes"] / (row["stimuli"] * per_clip),
        }
        for row in rows
    ]


def _precision(test: ListeningTest) -> list[dict]:
    """Each system's 95% t-interval half-width now (votes before screening) against the
    test's target."""
    scores: dict[str, list[int]] = {}
    for system, score in _counted_votes(test).values_list(
        "stimulus__output__system__name", "score"
    ):
        scores.setdefault(system, []).append(score)
    rows = []
    for system in sorted(scores):
        interval = mean_interval(scores[system])
        half = None if math.isnan(interval.half_width) else interval.half_width
        rows.append(
            {
                "system": system,
                "n": interval.n,
                "mean": interval.mean,
                "half_width": half,
                "met": half is not None and half <= test.target_half_width,
            }
        )
    return rows


def _real_sessions(test: ListeningTest):
    return Session.objects.filter(test=test, rater__preview=False)


def _active(test: ListeningTest, now: datetime) -> int:
    recent = _real_sessions(test).filter(
        state__in=Session.OPEN_STATES, last_seen_at__gte=now - ACTIVE_WINDOW
    )
    return recent.values("rater_id").distinct().count()


def _sessions(test: ListeningTest) -> dict:
    """Sessions started, completed, abandoned and open, and those excluded by reason (a hard
    check failed, or the qualification blocked the rater)."""
    states = Counter(_real_sessions(test).values_list("state", flat=True))
    reasons: Counter = Counter()
    failed = Participation.objects.filter(
        session__test=test, outcome=Participation.Outcome.FAILED
    ).values_list("reason", flat=True)
    for reason in failed:
        reasons.update(part for part in reason.split(",") if part)
    if states[Session.State.BLOCKED]:
        reasons["qualification"] = states[Session.State.BLOCKED]
    return {
        "started": sum(states.values()),
        "completed": states[Session.State.COMPLETE],
        "abandoned": states[Session.State.ABANDONED],
        "open": sum(states[s] for s in Session.OPEN_STATES),
        "excluded": sorted(reasons.items()),
    }


def _money(test: ListeningTest) -> dict | None:
    """Rewards and bonuses in the study's currency: committed (sessions finished and not
    rejected, bonuses not failed) and paid (approved sessions, bonuses paid). None on a
    platform that pays nothing."""
    recruitment = Recruitment.objects.filter(test=test).first()
    if recruitment is None or not recruitment.reward:
        return None
    each = Decimal(recruitment.reward) / 100
    finished = Participation.objects.filter(
        session__test=test, outcome=Participation.Outcome.COMPLETED
    ).exclude(review=Participation.Review.REJECTED)
    approved = finished.filter(review=Participation.Review.APPROVED).count()
    bonuses = Bonus.objects.filter(test=test).exclude(status=Bonus.Status.FAILED)
    bonus_all = bonuses.aggregate(total=Sum("amount"))["total"] or Decimal(0)
    paid = bonuses.filter(status=Bonus.Status.PAID).aggregate(total=Sum("amount"))["total"]
    return {
        "currency": recruitment.currency,
        "committed": each * finished.count() + bonus_all,
        "paid": each * approved + (paid or Decimal(0)),
    }


def _eta(test: ListeningTest, remaining: int, now: datetime) -> dict:
    """When the votes left come in at the last hour's rate."""
    recent = _counted_votes(test).filter(received_at__gte=now - RATE_WINDOW).count()
    per_hour = recent / (RATE_WINDOW.total_seconds() / 3600)
    if remaining <= 0:
        return {"per_hour": per_hour, "remaining": 0, "at": None, "note": "every quota is met"}
    if per_hour == 0:
        return {"per_hour": 0.0, "remaining": remaining, "at": None,
                "note": "no votes in the last hour: no estimate"}  # fmt: skip
    at = now + timedelta(hours=remaining / per_hour)
    return {"per_hour": per_hour, "remaining": remaining, "at": at, "note": ""}


def _history(test: ListeningTest, now: datetime) -> list[int]:
    """Rating votes per quarter hour over the last six hours, oldest first."""
    start = now - HISTORY
    width = HISTORY / HISTORY_BINS
    bins = [0] * HISTORY_BINS
    received = _counted_votes(test).filter(received_at__gte=start)
    for moment in received.values_list("received_at", flat=True):
        index = min(int((moment - start) / width), HISTORY_BINS - 1)
        bins[index] += 1
    return bins
