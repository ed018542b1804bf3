from __future__ import annotations

import secrets
import uuid

from django.core.exceptions import ValidationError
from django.core.validators import MinValueValidator
from django.db import models

from enhancement.models import Output, TestSet
from listening.methods import spec


def _entry_token() -> str:
    return secrets.token_urlsafe(16)


def _count(default: int, help_text: str) -> models.PositiveSmallIntegerField:
    return models.PositiveSmallIntegerField(
        default=default, validators=[MinValueValidator(1)], help_text=help_text
    )


class ListeningTest(models.Model):
    class Method(models.TextChoices):
        ACR = "acr", "ACR (absolute category rating, 1–5)"
        DCR = "dcr", "DCR (degradation category rating, reference first, 1–5)"
        CCR = "ccr", "CCR (comparison category rating, −3..+3)"
        P835 = "p835", "P.835 (speech, background and overall, 1–5 each)"

    class Reference(models.TextChoices):
        UNPROCESSED = "unprocessed", "the unprocessed input (how much did the system help?)"
        CLEAN = "clean", "the clean reference (what did the system lose or invent?)"

    class Status(models.TextChoices):
        DRAFT = "draft"
        LIVE = "live"
        PAUSED = "paused"
        CLOSED = "closed"

    name = models.CharField(max_length=200, unique=True)
    method = models.CharField(max_length=8, choices=Method.choices, default=Method.ACR)
    reference_condition = models.CharField(
        max_length=12,
        choices=Reference.choices,
        default=Reference.UNPROCESSED,
        help_text="DCR and CCR: what each processed clip is compared with",
    )
    testset = models.ForeignKey(TestSet, on_delete=models.PROTECT, related_name="listening_tests")
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.DRAFT)
    stimuli_per_session = _count(10, "Rating stimuli per session, besides gold and traps")
    votes_per_stimulus = models.PositiveSmallIntegerField(
        null=True,
        blank=True,
        validators=[MinValueValidator(1)],
        help_text="Distinct raters per stimulus; empty: 10 for ACR and P.835, 5 for DCR and CCR",
    )
    gold_per_session = _count(1, "Gold stimuli per session (known answer, correct within ±1)")
    traps_per_session = _count(1, "Trapping stimuli per session")
    gold_tolerance = models.PositiveSmallIntegerField(default=1)
    target_half_width = models.FloatField(
        default=0.1,
        validators=[MinValueValidator(0.01)],
        help_text="95% interval half-width wanted per system; the report plans votes for it",
    )
    condition_balanced = models.BooleanField(
        default=False, help_text="Fill each session with one clip of every system"
    )

    class Allocation(models.TextChoices):
        FIXED = "fixed", "fixed: every clip collects its votes per stimulus"
        ADAPTIVE = "adaptive", "adaptive: votes go to the systems furthest from the target"

    allocation = models.CharField(
        max_length=8, choices=Allocation.choices, default=Allocation.FIXED
    )
    vote_budget = models.PositiveIntegerField(
        null=True,
        blank=True,
        validators=[MinValueValidator(1)],
        help_text="Adaptive: rating votes in all; the test is complete when they are spent",
    )
    min_votes_per_clip = _count(3, "Adaptive: votes every clip collects, whatever its system")
    max_votes_per_clip = _count(20, "Adaptive: the most votes one clip may collect")
    session_timeout_minutes = models.PositiveIntegerField(
        default=60, help_text="An idle session releases its unrated stimuli after this long"
    )
    max_sessions_per_rater = _count(60, "Sessions one rater may take in this test")
    qualification_valid_days = _count(30, "A passed qualification is kept this long")
    qualification_block_days = _count(14, "A failed qualification blocks the rater this long")
    hearing_trials = _count(5, "Digits-in-noise triplets in the hearing test")
    hearing_pass = _count(3, "Triplets that must be heard right")
    bandwidth_trials = _count(4, "Same/different pairs in the bandwidth check")
    bandwidth_pass = _count(3, "Pairs that must be answered right")
    setup_valid_minutes = _count(30, "Level, two-ear and environment checks are redone after")
    two_ear_trials = _count(2, "Two-ear sums in the setup")
    environment_trials = _count(4, "Just-noticeable-difference pairs in the setup")
    environment_pass = _count(2, "Pairs that must be answered right")
    training_valid_minutes = _count(60, "Training is redone after")
    screen_variance_min = models.FloatField(
        default=0.1, help_text="Screening: a session whose votes vary less is not used"
    )
    screen_crowd_r_min = models.FloatField(
        default=0.25,
        help_text="Screening: a rater whose votes correlate less with the crowd is not used",
    )

    class ScreeningProfile(models.TextChoices):
        NATIVE = "native", "Auricle's P.808 screening"
        TOOLKIT = "p808_toolkit", "the P.808 toolkit's rules (imported results)"

    screening_profile = models.CharField(
        max_length=16, choices=ScreeningProfile.choices, default=ScreeningProfile.NATIVE
    )
    screening_config = models.JSONField(
        default=dict, blank=True, help_text="The toolkit profile's rules, read from its config"
    )
    screen_outliers = models.BooleanField(
        default=False, help_text="Screening: drop votes at |z| ≥ 3.29 within their system"
    )
    # What the consent page tells a rater before they agree (the organizer's own words).
    consent_minutes = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="About how long one session takes; empty: estimated"
    )
    consent_pay = models.CharField(
        max_length=100, blank=True, help_text="What a session pays, as raters see it (£1.50)"
    )
    consent_researcher = models.CharField(
        max_length=200, blank=True, help_text="Who runs the study (person and institution)"
    )
    consent_contact = models.CharField(
        max_length=200, blank=True, help_text="An email address raters may write to"
    )
    consent_data_use = models.TextField(
        blank=True, help_text="How the answers are used and how long they are kept"
    )
    entry_token = models.CharField(max_length=32, unique=True, default=_entry_token, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]

    # The design raters and the report rely on: frozen once the test leaves its draft.
    DESIGN_FIELDS = (
        "method", "reference_condition", "testset", "stimuli_per_session", "votes_per_stimulus",
        "gold_per_session", "traps_per_session", "gold_tolerance",
    )  # fmt: skip

    def __str__(self) -> str:
        return self.name

    def clean(self) -> None:
        """Refuse a status set by hand (it moves only through listening.lifecycle) and any
        change to the design of a published test, naming the field."""
        stored = ListeningTest.objects.filter(pk=self.pk).first() if self.pk else None
        errors = {}
        if self.status != (stored.status if stored else self.Status.DRAFT):
            errors["status"] = (
                "the status moves only through the publish, pause, resume and close actions"
            )
        for name, why in self._frozen(stored):
            field = self._meta.get_field(name)
            if getattr(self, field.attname) != getattr(stored, field.attname):
                errors[name] = f"{field.verbose_name} is frozen: {why}"
        if self.min_votes_per_clip > self.max_votes_per_clip:
            errors["min_votes_per_clip"] = "must not exceed the most votes one clip may collect"
        if errors:
            raise ValidationError(errors)

    def _frozen(self, stored) -> list[tuple[str, str]]:
        """The design fields a change may not touch, each with why: all once published; a
        draft's method, reference and test set once its stimuli are built (for the preview:
        they were built for those)."""
        if stored is None:
            return []
        if stored.status != self.Status.DRAFT:
            return [(name, f"the test was published ({stored.status})") for name in
                    self.DESIGN_FIELDS]  # fmt: skip
        if not stored.stimuli.exists():
            return []
        why = "the stimuli are built for it (for the preview); make a new test to change it"
        return [(name, why) for name in ("method", "reference_condition", "testset")]

    @property
    def quota(self) -> int:
        if self.votes_per_stimulus:
            return self.votes_per_stimulus
        return spec(self.method).default_votes

    @property
    def is_paired(self) -> bool:
        """DCR and CCR play a reference beside each clip."""
        return spec(self.method).paired


class Stimulus(models.Model):
    """One thing raters hear under a random key: a test-set output to rate, or a gold,
    trapping or training clip the platform built. Paired methods add a reference."""

    class Role(models.TextChoices):
        RATING = "rating"
        GOLD = "gold"
        TRAP = "trap"
        TRAINING = "training"

    test = models.ForeignKey(ListeningTest, on_delete=models.CASCADE, related_name="stimuli")
    output = models.ForeignKey(
        Output, on_delete=models.PROTECT, related_name="stimuli", null=True, blank=True
    )
    key = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    role = models.CharField(max_length=10, choices=Role.choices, default=Role.RATING)
    language = models.CharField(max_length=16)
    utterance = models.CharField(max_length=255)
    audio = models.CharField(max_length=255, blank=True, help_text="Stored name of what is rated")
    reference_audio = models.CharField(max_length=255, blank=True)
    duration = models.FloatField(help_text="Seconds a rater must listen: both clips when paired")
    accept_min = models.SmallIntegerField(null=True, blank=True)
    accept_max = models.SmallIntegerField(null=True, blank=True)
    # Votes received plus places held by open sessions; kept under a row lock so concurrent
    # sessions never push a stimulus past its quota.
    reserved = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name_plural = "stimuli"
        constraints = [
            models.UniqueConstraint(
                fields=["test", "output"],
                condition=models.Q(role="rating"),
                name="stimulus_unique_output",
            )
        ]
        indexes = [models.Index(fields=["test", "role", "language", "reserved"])]

    def __str__(self) -> str:
        return f"{self.test.name}: {self.role} {self.key}"

    def accepts(self, score: int) -> bool | None:
        """Whether an answer to a gold, trap or training clip is right; None for rating."""
        if self.accept_min is None or self.accept_max is None:
            return None
        return self.accept_min <= score <= self.accept_max


class CheckItem(models.Model):
    """One trial of a qualification or setup check, built per language when a test is published."""

    class Kind(models.TextChoices):
        HEARING = "hearing", "digits in noise"
        BANDWIDTH = "bandwidth", "bandwidth same/different"
        CALIBRATION = "calibration", "level calibration"
        TWO_EAR = "two_ear", "two-ear sum"
        ENVIRONMENT = "environment", "just-noticeable difference"

    test = models.ForeignKey(ListeningTest, on_delete=models.CASCADE, related_name="check_items")
    language = models.CharField(max_length=16)
    kind = models.CharField(max_length=12, choices=Kind.choices)
    key = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    audio = models.CharField(max_length=255)
    audio_b = models.CharField(max_length=255, blank=True)
    answer = models.CharField(max_length=16, blank=True)
    duration = models.FloatField()

    class Meta:
        indexes = [models.Index(fields=["test", "language", "kind"])]

    def __str__(self) -> str:
        return f"{self.test.name}: {self.kind} ({self.language})"


class Rater(models.Model):
    class Platform(models.TextChoices):
        OPEN = "open", "open link (no identity guarantee)"
        PANEL = "panel", "private panel link"
        PROLIFIC = "prolific", "Prolific"
        MTURK = "mturk", "Amazon Mechanical Turk (imported results)"
        SIMULATED = "simulated", "simulated rater"

    platform = models.CharField(max_length=16, choices=Platform.choices)
    # HMAC-SHA256 of the platform's participant id (listening.identity): never the raw id.
    external_id = models.CharField(max_length=128)
    language = models.CharField(max_length=16)
    # An organizer taking the rater's session to see it: every vote, session and check of a
    # preview rater is stored apart from the test's and never counted (organize.preview).
    preview = models.BooleanField(default=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["platform", "external_id"], name="rater_unique_id")
        ]

    def __str__(self) -> str:
        return f"{self.platform}:{self.external_id}"


class Session(models.Model):
    """One rater, one sitting of one test. The state is the step the rater is on; every page
    shows what the state says, so a reload resumes where the rater was."""

    class State(models.TextChoices):
        QUALIFICATION = "qualification"
        SETUP = "setup"
        TRAINING = "training"
        RATING = "rating"
        COMPLETE = "complete"
        BLOCKED = "blocked"
        ABANDONED = "abandoned"

    OPEN_STATES = (State.QUALIFICATION, State.SETUP, State.TRAINING, State.RATING)

    test = models.ForeignKey(ListeningTest, on_delete=models.CASCADE, related_name="sessions")
    rater = models.ForeignKey(Rater, on_delete=models.PROTECT, related_name="sessions")
    token = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    state = models.CharField(max_length=16, choices=State.choices, default=State.RATING)
    check_items = models.JSONField(
        default=dict, blank=True, help_text="The check trials this session shows, by kind"
    )
    started_at = models.DateTimeField()
    last_seen_at = models.DateTimeField()
    trained_at = models.DateTimeField(null=True, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)
    completion_code = models.CharField(max_length=32, blank=True)

    class Meta:
        ordering = ["-started_at"]
        indexes = [models.Index(fields=["test", "state", "last_seen_at"])]
        constraints = [
            # Simultaneous first entries from one rater must not open two sessions.
            models.UniqueConstraint(
                fields=["test", "rater"],
                condition=models.Q(state__in=["qualification", "setup", "training", "rating"]),
                name="session_one_open_per_rater",
            )
        ]

    def __str__(self) -> str:
        return f"{self.test.name}: {self.rater} ({self.state})"


class Qualification(models.Model):
    """A rater's answers to the qualification, and whether they passed."""

    rater = models.ForeignKey(Rater, on_delete=models.PROTECT, related_name="qualifications")
    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="qualifications")
    taken_at = models.DateTimeField()
    passed = models.BooleanField()
    hearing_correct = models.PositiveSmallIntegerField()
    bandwidth_correct = models.PositiveSmallIntegerField()
    reasons = models.JSONField(default=list, blank=True, help_text="Why it failed")
    answers = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-taken_at"]
        indexes = [models.Index(fields=["rater", "taken_at"])]

    def __str__(self) -> str:
        return f"{self.rater}: {'passed' if self.passed else 'failed'} {self.taken_at:%Y-%m-%d}"


class SetupResult(models.Model):
    """Level, two-ear and environment checks. They do not block: screening reads them."""

    rater = models.ForeignKey(Rater, on_delete=models.PROTECT, related_name="setups")
    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="setups")
    taken_at = models.DateTimeField()
    level_confirmed = models.BooleanField()
    two_ear_correct = models.PositiveSmallIntegerField()
    two_ear_total = models.PositiveSmallIntegerField()
    environment_correct = models.PositiveSmallIntegerField()
    environment_total = models.PositiveSmallIntegerField()
    environment_passed = models.BooleanField()
    answers = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-taken_at"]

    def __str__(self) -> str:
        return f"{self.rater}: setup {self.taken_at:%Y-%m-%d %H:%M}"


class Assignment(models.Model):
    """A stimulus placed in a session at a position. served_at is when the session first
    fetched its audio (the processed clip), through a link tagged with this assignment
    (services.serving); the listening-time check counts from it."""

    class Phase(models.TextChoices):
        TRAINING = "training"
        RATING = "rating"

    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="assignments")
    stimulus = models.ForeignKey(Stimulus, on_delete=models.PROTECT, related_name="assignments")
    phase = models.CharField(max_length=10, choices=Phase.choices, default=Phase.RATING)
    position = models.PositiveSmallIntegerField()
    processed_first = models.BooleanField(
        null=True, blank=True, help_text="CCR: the processed clip plays first"
    )
    served_at = models.DateTimeField(null=True, blank=True)
    released = models.BooleanField(default=False, help_text="Given back when the session lapsed")

    class Meta:
        ordering = ["session", "position"]
        constraints = [
            models.UniqueConstraint(fields=["session", "stimulus"], name="assignment_unique"),
            models.UniqueConstraint(fields=["session", "position"], name="assignment_position"),
        ]

    def __str__(self) -> str:
        return f"session {self.session_id} #{self.position}: {self.stimulus_id}"


class Vote(models.Model):
    """One answer. score is the method's main number: the ACR, DCR or P.835 overall rating,
    or for CCR the processed clip compared with the reference (raw_score is the answer as
    given, second clip against first)."""

    assignment = models.OneToOneField(Assignment, on_delete=models.PROTECT, related_name="vote")
    session = models.ForeignKey(Session, on_delete=models.PROTECT, related_name="votes")
    rater = models.ForeignKey(Rater, on_delete=models.PROTECT, related_name="votes")
    stimulus = models.ForeignKey(Stimulus, on_delete=models.PROTECT, related_name="votes")
    role = models.CharField(max_length=10, choices=Stimulus.Role.choices, default="rating")
    score = models.SmallIntegerField()
    raw_score = models.SmallIntegerField(null=True, blank=True)
    sig = models.SmallIntegerField(null=True, blank=True, help_text="P.835 speech signal")
    bak = models.SmallIntegerField(null=True, blank=True, help_text="P.835 background")
    processed_first = models.BooleanField(null=True, blank=True)
    passed = models.BooleanField(
        null=True, blank=True, help_text="Gold, trap or training: whether the answer was right"
    )
    idempotency_key = models.UUIDField(unique=True)
    served_at = models.DateTimeField()
    received_at = models.DateTimeField()
    elapsed_ms = models.PositiveIntegerField(help_text="Server time from serving to the vote")
    time_on_page_ms = models.PositiveIntegerField(
        null=True, blank=True, help_text="As the browser measured it"
    )
    play_count = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["received_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["rater", "stimulus"],
                condition=models.Q(role="rating"),
                name="vote_once_per_rater",
            )
        ]

    def __str__(self) -> str:
        return f"{self.rater} → {self.stimulus.key}: {self.score}"


# The platform layer's rows live beside its adapters; imported here so Django finds them.
from listening.platforms.models import (  # noqa: E402
    Bonus,
    Invitation,
    Participation,
    PlatformCall,
    Recruitment,
)

__all__ = [
    "Assignment",
    "Bonus",
    "CheckItem",
    "Invitation",
    "ListeningTest",
    "Participation",
    "PlatformCall",
    "Qualification",
    "Rater",
    "Recruitment",
    "Session",
    "SetupResult",
    "Stimulus",
    "Vote",
]
