"""Entry-point systems the generation tests register as module:function."""

from __future__ import annotations

import numpy as np

CALLS: list[int] = []  # batch sizes seen by counted()


def halve(batch, rate):
    return [x * 0.5 for x in batch]


def counted(batch, rate):
    CALLS.append(len(batch))
    return [x * 0.5 for x in batch]


def one_short(batch, rate):
    return [x[:-1] for x in batch]


def with_nan(batch, rate):
    return [np.where(np.arange(len(x)) == 10, np.nan, x) for x in batch]


def crash_after_first(batch, rate):
    if CALLS:
        raise RuntimeError("the GPU fell over")
    CALLS.append(len(batch))
    return batch


def finished_elsewhere(batch, rate):
    """Another worker writes this system's output rows while this one is still running it."""
    from enhancement.models import Clip, Output, System, TestSet

    testset = TestSet.objects.get(status=TestSet.Status.RUNNING)
    system = System.objects.get(name="elsewhere")
    for clip in Clip.objects.filter(corpus__in=testset.corpora.all()):
        Output.objects.get_or_create(
            testset=testset,
            clip=clip,
            system=system,
            defaults={"audio": "audio/elsewhere.flac", "sample_rate": rate, "duration": 1.0},
        )
    return batch
