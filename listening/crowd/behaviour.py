"""Who the simulated raters are and what they answer. No Django: plain numbers in and out.

Every rater votes from the clip's ground truth through its own bias and noise, unless its kind
says otherwise: spammers answer at random, straight-liners give one answer to every rating clip,
trap failers miss every trap. The other kinds vote well but misbehave in the browser: abandoners
leave half-way, reloaders reload each page before answering, double-submitters post every vote
twice, and the too-fast post their first answers before the clip could have been heard.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

# Kind -> share of the crowd. Good raters are the majority, as in a screened crowd.
MIX = {
    "good": 0.5,
    "spammer": 0.08,
    "straight_liner": 0.06,
    "trap_failer": 0.06,
    "abandoner": 0.08,
    "reloader": 0.08,
    "double_submitter": 0.08,
    "too_fast": 0.06,
}
KINDS = tuple(MIX)


@dataclass(frozen=True)
class Behaviour:
    kind: str
    bias: float
    noise: float
    seed: int

    @property
    def random_answers(self) -> bool:
        return self.kind == "spammer"


def crowd_draw(count: int, *, seed: int, kinds: dict[str, float] | None = None) -> list[Behaviour]:
    """count raters in the mix's proportions (each kind at least once when count allows), each
    with its own bias and noise, reproducible from seed."""
    mix = kinds or MIX
    rng = np.random.default_rng(seed)
    shares = np.array(list(mix.values()), dtype=float)
    numbers = np.floor(shares / shares.sum() * count).astype(int)
    if count >= len(mix):
        numbers[numbers == 0] = 1
    while numbers.sum() > count:  # the largest share gives way to the small ones
        numbers[numbers.argmax()] -= 1
    numbers[0] += count - numbers.sum()
    names = [kind for kind, n in zip(mix, numbers, strict=True) for _ in range(n)]
    rng.shuffle(names)
    return [
        Behaviour(
            kind=kind,
            bias=float(rng.normal(0, 0.3)),
            noise=float(rng.uniform(0.3, 0.7)),
            seed=int(rng.integers(2**31)),
        )
        for kind in names
    ]


def score_choose(
    behaviour: Behaviour,
    *,
    role: str,
    truth: float,
    accept: tuple[int | None, int | None],
    values: list[int],
    rng: np.random.Generator,
) -> int:
    """The score (processed against reference, as stored) this rater gives a clip."""
    low, high = min(values), max(values)
    if behaviour.random_answers:
        return int(rng.choice(values))
    if role == "trap" and behaviour.kind == "trap_failer":
        return low if accept[0] != low else high
    if role in ("trap", "gold", "training") and accept[0] is not None:
        return int(accept[0]) if accept[0] == accept[1] else _within(truth, accept)
    if role == "rating" and behaviour.kind == "straight_liner":
        return int(np.clip(round(np.mean(values) + 1), low, high))
    heard = truth + behaviour.bias + rng.normal(0, behaviour.noise)
    return int(np.clip(np.rint(heard), low, high))


def _within(truth: float, accept: tuple[int, int]) -> int:
    return int(np.clip(np.rint(truth), accept[0], accept[1]))
