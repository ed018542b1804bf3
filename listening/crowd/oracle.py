"""What the simulator knows that a rater would have to hear: the right answer to every check
trial, each clip's ground truth, and (for CCR) which of a pair's clips is the processed one.

Read from the installation's database, so the simulator runs where the server's DATABASE_URL
points. The ground truth is a quality per system (from its name) plus a small offset per clip
(from its key), on the method's scale; it is reproducible, and nothing the server computes.
"""

from __future__ import annotations

import hashlib
import uuid
from dataclasses import dataclass

from listening.methods import spec
from listening.models import Assignment, CheckItem, ListeningTest


def _unit(text: str) -> float:
    """A number in [0, 1) from a string, the same on every run."""
    return int(hashlib.sha256(text.encode()).hexdigest()[:12], 16) / 16**12


def system_quality(name: str) -> float:
    """A system's true quality on 1..5, from its name: 1.5 to 4.5."""
    return 1.5 + 3.0 * _unit(f"system:{name}")


@dataclass(frozen=True)
class Clip:
    role: str
    duration: float
    accept: tuple[int | None, int | None]
    truth: float  # on the stored scale (CCR: processed against reference)
    system: str  # "" for gold, trap and training


@dataclass(frozen=True)
class Knowledge:
    test_id: int
    method: str
    answers: dict[str, str]  # check field name -> right answer
    clips: dict[str, Clip]  # stimulus key -> what it is

    def processed_first(self, session_token: str, stimulus_key: str) -> bool:
        """Whether the processed clip plays first in this session (CCR's random order)."""
        if not spec(self.method).random_order:
            return False
        found = Assignment.objects.filter(
            session__token=uuid.UUID(session_token), stimulus__key=uuid.UUID(stimulus_key)
        ).values_list("processed_first", flat=True)
        return bool(found.first())


def clip_truth(method: str, system: str, key: str) -> float:
    quality = system_quality(system) + 0.8 * (_unit(f"clip:{key}") - 0.5)
    if spec(method).signed:  # CCR: against a reference of quality 3
        return max(-3.0, min(3.0, quality - 3.0))
    return max(1.0, min(5.0, quality))


def knowledge_read(*, test: ListeningTest) -> Knowledge:
    answers = {f"{i.kind}-{i.key}": i.answer for i in CheckItem.objects.filter(test=test)}
    middle = 0.0 if spec(test.method).signed else 3.0
    clips = {}
    for stimulus in test.stimuli.select_related("output__system"):
        key = str(stimulus.key)
        system = stimulus.output.system.name if stimulus.output_id else ""
        accept = (stimulus.accept_min, stimulus.accept_max)
        if stimulus.role == "rating":
            truth = clip_truth(test.method, system, key)
        elif accept[0] is not None:
            truth = (accept[0] + accept[1]) / 2
        else:
            truth = middle
        clips[key] = Clip(role=stimulus.role, duration=stimulus.duration, accept=accept,
                          truth=truth, system=system)  # fmt: skip
    return Knowledge(test_id=test.pk, method=test.method, answers=answers, clips=clips)
