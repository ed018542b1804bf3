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
)
OVRL = Scale("score", _("The overall quality"), ACR.labels)

SCALES = {"acr": (ACR,), "dcr": (DCR,), "ccr": (CCR,), "p835": (SIG, BAK, OVRL)}

QUESTIONS = {
    "acr": _("How would you rate the quality of the speech?"),
    "dcr": _(
        "Listen to the reference, then to the second clip. How much is the second clip "
        "degraded compared with the reference?"
    ),
    "ccr": _("Listen to both clips. How does the quality of the second compare with the first?"),
    "p835": _("Rate the speech signal, the background and the overall quality of the clip."),
}


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
    scales = SCALES[method]
    if method == "p835":
        sig, bak, overall = (_read(scale, data) for scale in scales)
        return Answer(score=overall, raw_score=overall, sig=sig, bak=bak)
    raw = _read(scales[0], data)
    score = -raw if method == "ccr" and processed_first else raw
    return Answer(score=score, raw_score=raw)


# Clip labels that never say which clip is the processed one (CCR order is random).
LABEL_REFERENCE = _("Reference")
LABEL_FIRST = _("First clip")
LABEL_SECOND = _("Second clip")
