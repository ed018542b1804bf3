from __future__ import annotations

import secrets
import uuid

from django.core.validators import MinValueValidator
from django.db import models

from enhancement.models import Output, TestSet


def _entry_token() -> str:
    return secrets.token_urlsafe(16)


class ListeningTest(models.Model):
    class Method(models.TextChoices):
        ACR = "acr", "ACR (absolute category rating, 1–5)"

    class Status(models.TextChoices):
        DRAFT = "draft"
        LIVE = "live"
        CLOSED = "closed"

    name = models.CharField(max_length=200, unique=True)
    method = models.CharField(max_length=8, choices=Method.choices, default=Method.ACR)
    testset = models.ForeignKey(TestSet, on_delete=models.PROTECT, related_name="listening_tests")
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.DRAFT)
    stimuli_per_session = models.PositiveSmallIntegerField(
        default=10, validators=[MinValueValidator(1)]
    )
    votes_per_stimulus = models.PositiveSmallIntegerField(
        default=10, validators=[MinValueValidator(1)]
    )
    session_timeout_minutes = models.PositiveIntegerField(
        default=60, help_text="An idle session releases its unrated stimuli after this long"
    )
    entry_token = models.CharField(max_length=32, unique=True, default=_entry_token, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.name


class Stimulus(models.Model):
    """One output as raters meet it, under a random key."""

    class Role(models.TextChoices):
        RATING = "rating"

    test = models.ForeignKey(ListeningTest, on_delete=models.CASCADE, related_name="stimuli")
    output = models.ForeignKey(Output, on_delete=models.PROTECT, related_name="stimuli")
    key = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    role = models.CharField(max_length=10, choices=Role.choices, default=Role.RATING)
    language = models.CharField(max_length=16)
    utterance = models.CharField(max_length=255)
    duration = models.FloatField()
    # Votes received plus places held by open sessions; kept under a row lock so concurrent
    # sessions never push a stimulus past its quota.
    reserved = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name_plural = "stimuli"
        constraints = [
            models.UniqueConstraint(fields=["test", "output"], name="stimulus_unique_output")
        ]
        indexes = [models.Index(fields=["test", "language", "reserved"])]

    def __str__(self) -> str:
        return f"{self.test.name}: {self.key}"


class Rater(models.Model):
    class Platform(models.TextChoices):
        PANEL = "panel", "private panel link"
        SIMULATED = "simulated", "simulated rater"

    platform = models.CharField(max_length=16, choices=Platform.choices)
    external_id = models.CharField(max_length=128)
    language = models.CharField(max_length=16)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["platform", "external_id"], name="rater_unique_id")
        ]

    def __str__(self) -> str:
        return f"{self.platform}:{self.external_id}"

    @property
    def is_simulated(self) -> bool:
        return self.platform == self.Platform.SIMULATED


class Session(models.Model):
    """One rater, one sitting of one test."""

    class State(models.TextChoices):
        RATING = "rating"
        COMPLETE = "complete"
        ABANDONED = "abandoned"

    test = models.ForeignKey(ListeningTest, on_delete=models.CASCADE, related_name="sessions")
    rater = models.ForeignKey(Rater, on_delete=models.PROTECT, related_name="sessions")
    token = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    state = models.CharField(max_length=10, choices=State.choices, default=State.RATING)
    started_at = models.DateTimeField()
    last_seen_at = models.DateTimeField()
    completed_at = models.DateTimeField(null=True, blank=True)
    completion_code = models.CharField(max_length=32, blank=True)

    class Meta:
        ordering = ["-started_at"]
        indexes = [models.Index(fields=["test", "state", "last_seen_at"])]

    def __str__(self) -> str:
        return f"{self.test.name}: {self.rater} ({self.state})"


class Assignment(models.Model):
    """A stimulus placed in a session at a position; served_at is when it was first shown."""

    session = models.ForeignKey(Session, on_delete=models.CASCADE, related_name="assignments")
    stimulus = models.ForeignKey(Stimulus, on_delete=models.PROTECT, related_name="assignments")
    position = models.PositiveSmallIntegerField()
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
    assignment = models.OneToOneField(Assignment, on_delete=models.PROTECT, related_name="vote")
    session = models.ForeignKey(Session, on_delete=models.PROTECT, related_name="votes")
    rater = models.ForeignKey(Rater, on_delete=models.PROTECT, related_name="votes")
    stimulus = models.ForeignKey(Stimulus, on_delete=models.PROTECT, related_name="votes")
    score = models.SmallIntegerField()
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
            models.UniqueConstraint(fields=["rater", "stimulus"], name="vote_once_per_rater")
        ]

    def __str__(self) -> str:
        return f"{self.rater} → {self.stimulus.key}: {self.score}"
