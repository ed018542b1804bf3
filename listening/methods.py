"""The four test methods as raters meet them: questions, scales and how an answer is read.

Labels follow ITU-T P.800 (ACR, DCR, CCR) and P.835 word for word in English; the other
languages come from the translation catalogues.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext_lazy as _


@dataclass(frozen=True)
class Scale:
    name: str  # the form field
    legend: object
    labels: tuple[tuple[int, object], ...]  # (value, label), top of the scale first
    short: str = ""  # the scale's name in reports beside others (P.835: SIG, BAK, OVRL)
    title: str = ""  # that name spelt out

    @property
    def values(self) -> set[int]:
        return {value for value, _label in self.labels}


ACR = Scale(
    "score",
    _("Quality of the speech"),
    ((5, _("Excellent")), (4, _("Good")), (3, _("Fair")), (2, _("Poor")), (1, _("Bad"))),
)
DCR = Scale(
    "score",
    _("Degradation of the second clip compared with the reference"),
    (
        (5, _("Degradation is inaudible")),
        (4, _("Degradation is audible but not annoying")),
        (3, _("Degradation is slightly annoying")),
        (2, _("Degradation is annoying")),
        (1, _("Degradation is very annoying")),
    ),
)
CCR = Scale(
    "score",
    _("The quality of the second clip compared with the quality of the first"),
    (
        (3, _("Much better")),
        (2, _("Better")),
        (1, _("Slightly better")),
        (0, _("About the same")),
        (-1, _("Slightly worse")),
        (-2, _("Worse")),
        (-3, _("Much worse")),
    ),
)
SIG = Scale(
    "sig",
    _("The speech signal"),
    (
        (5, _("Not distorted")),
        (4, _("Slightly distorted")),
        (3, _("Somewhat distorted")),
        (2, _("Fairly distorted")),
        (1, _("Very distorted")),
    ),
    "SIG",
    "SIG (speech signal)",
)
BAK = Scale(
    "bak",
    _("The background"),
    (
        (5, _("Not noticeable")),
        (4, _("Slightly noticeable")),
        (3, _("Noticeable but not intrusive")),
        (2, _("Somewhat intrusive")),
        (1, _("Very intrusive")),
    ),
    "BAK",
    "BAK (background)",
)
OVRL = Scale("score", _("The overall quality"), ACR.labels, "OVRL", "OVRL (overall quality)")


@dataclass(frozen=True)
class Trap:
    """How a method's trapping clip is made and judged. spoken: a clip that says which answer to
    give (on every scale when the method has several); otherwise the reference against itself,
    right within accept."""

    spoken: bool
    accept: tuple[int, int] | None = None


@dataclass(frozen=True)
class MethodSpec:
    """Everything that differs between the listening methods; callers ask this instead of
    comparing method names."""

    code: str
    scales: tuple[Scale, ...]  # in page order; the last is the main score
    question: object
    statistic: str  # what the mean of the main score is called (as the P.808 toolkit names it)
    toolkit_names: dict[str, str]  # vote column -> the toolkit's column name for its mean
    paired: bool  # a reference plays beside each clip
    reference_first: bool  # paired: the reference always first (else a random order, kept)
    trap: Trap
    default_votes: int  # votes per rating stimulus when the test sets none
    keyboard_digits: bool  # digits 1-5 on the keyboard pick an answer
    signed: bool  # the scale has negative answers
    intro: object = ""  # what the test link's page says the rater will do

    @property
    def main(self) -> Scale:
        return self.scales[-1]

    @property
    def low(self) -> int:
        return min(self.main.values)

    @property
    def high(self) -> int:
        return max(self.main.values)

    @property
    def side_scales(self) -> tuple[Scale, ...]:
        """The scales beside the main score (P.835's SIG and BAK)."""
        return self.scales[:-1]

    @property
    def random_order(self) -> bool:
        return self.paired and not self.reference_first


ACR_SPEC = MethodSpec(
    code="acr",
    scales=(ACR,),
    question=_("How would you rate the quality of the speech?"),
    statistic="MOS",
    toolkit_names={"score": "MOS"},
    paired=False,
    reference_first=False,
    trap=Trap(spoken=True),
    default_votes=10,
    keyboard_digits=True,
    signed=False,
    intro=_("You will hear short speech recordings and rate the quality of each one."),
)
DCR_SPEC = MethodSpec(
    code="dcr",
    scales=(DCR,),
    question=_(
        "Listen to the reference, then to the second clip. How much is the second clip "
        "degraded compared with the reference?"
    ),
    statistic="DMOS",
    toolkit_names={"score": "DMOS"},
    paired=True,
    reference_first=True,
    trap=Trap(spoken=False, accept=(4, 5)),  # no audible degradation
    default_votes=5,
    keyboard_digits=True,
    signed=False,
    intro=_(
        "You will hear pairs of speech recordings: a reference, then a second version. Rate "
        "how much the second one is degraded compared with the reference."
    ),
)
CCR_SPEC = MethodSpec(
    code="ccr",
    scales=(CCR,),
    question=_("Listen to both clips. How does the quality of the second compare with the first?"),
    statistic="CMOS",
    toolkit_names={"score": "CMOS"},
    paired=True,
    reference_first=False,
    trap=Trap(spoken=False, accept=(-1, 1)),  # about the same
    default_votes=5,
    keyboard_digits=False,
    signed=True,
    intro=_(
        "You will hear pairs of speech recordings. Rate the quality of the second compared "
        "with the first."
    ),
)
P835_SPEC = MethodSpec(
    code="p835",
    scales=(SIG, BAK, OVRL),
    question=_("Rate the speech signal, the background and the overall quality of the clip."),
    statistic="MOS (overall, P.835)",
    toolkit_names={"sig": "MOS_SIG", "bak": "MOS_BAK", "score": "MOS_OVRL"},
    paired=False,
    reference_first=False,
    trap=Trap(spoken=True),
    default_votes=10,
    keyboard_digits=False,
    signed=False,
    intro=_(
        "You will hear short speech recordings. Rate the speech signal, the background and "
        "the overall quality of each one."
    ),
)

METHODS = {spec.code: spec for spec in (ACR_SPEC, DCR_SPEC, CCR_SPEC, P835_SPEC)}


def spec(method: str) -> MethodSpec:
    """The spec of a method code ("acr", "dcr", "ccr", "p835")."""
    return METHODS[method]


@dataclass(frozen=True)
class Answer:
    score: int  # the method's main number, sign-corrected for CCR
    raw_score: int  # as given on the page
    sig: int | None = None
    bak: int | None = None


class AnswerInvalid(ValueError):
    """An answer outside the method's scale; the message names the field and the range."""


def _read(scale: Scale, data) -> int:
    raw = data.get(scale.name)
    low, high = min(scale.values), max(scale.values)
    try:
        value = int(str(raw).strip())
    except (TypeError, ValueError):
        raise AnswerInvalid(
            f"{scale.name}: the answer must be a whole number from {low} to {high}; got {raw!r}."
        ) from None
    if value not in scale.values:
        raise AnswerInvalid(f"{scale.name}: the answer must be from {low} to {high}; got {value}.")
    return value


def answer_read(method: str, data, *, processed_first: bool | None = None) -> Answer:
    """Read a posted answer for a method. CCR asks about the second clip against the first;
    the stored score is always processed against reference, so it flips when the processed
    clip came first."""
    found = spec(method)
    if found.side_scales:
        sig, bak, overall = (_read(scale, data) for scale in found.scales)
        return Answer(score=overall, raw_score=overall, sig=sig, bak=bak)
    raw = _read(found.main, data)
    score = -raw if found.random_order and processed_first else raw
    return Answer(score=score, raw_score=raw)


# Clip labels that never say which clip is the processed one (CCR order is random).
LABEL_REFERENCE = _("Reference")
LABEL_FIRST = _("First clip")
LABEL_SECOND = _("Second clip")
