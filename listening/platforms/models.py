"""What a test's crowd platform knows and did: the study, each rater's entry, invitations, and
every call that moves money or changes a submission."""

from __future__ import annotations

import secrets
from decimal import Decimal

from django.core.validators import MinValueValidator
from django.db import models


def _token() -> str:
    return secrets.token_urlsafe(16)


def _code() -> str:
    return secrets.token_hex(4).upper()


class Recruitment(models.Model):
    """A test's platform and its settings: one per test."""

    class Platform(models.TextChoices):
        OPEN = "open", "open link (no identity guarantee: demo and lab use)"
        PANEL = "panel", "private panel (invitation links)"
        PROLIFIC = "prolific", "Prolific"
        SIMULATED = "simulated", "simulated raters (the demo)"

    test = models.OneToOneField(
        "listening.ListeningTest", on_delete=models.CASCADE, related_name="recruitment"
    )
    platform = models.CharField(max_length=16, choices=Platform.choices, default=Platform.OPEN)
    study_id = models.CharField(max_length=64, blank=True, help_text="Prolific's study id")
    study_status = models.CharField(max_length=32, blank=True, help_text="As Prolific last said")
    places = models.PositiveIntegerField(default=0)
    places_margin = models.FloatField(
        default=0.2, validators=[MinValueValidator(0)],
        help_text="Places beyond the sessions the votes need (0.2: one in five more)",
    )  # fmt: skip
    hourly_rate = models.DecimalField(
        max_digits=6, decimal_places=2, default=Decimal("9.00"),
        help_text="Reward per hour of estimated session time, in the study's currency",
    )  # fmt: skip
    currency = models.CharField(
        max_length=3, choices=[("GBP", "GBP"), ("USD", "USD")], default="GBP"
    )
    reward = models.PositiveIntegerField(default=0, help_text="Per session, in cents or pence")
    minutes = models.PositiveSmallIntegerField(default=0, help_text="Estimated session length")
    desktop_only = models.BooleanField(default=True)
    code_completed = models.CharField(max_length=16, default=_code)
    code_failed = models.CharField(max_length=16, default=_code)
    code_screened_out = models.CharField(max_length=16, default=_code)
    exclusion_group = models.CharField(max_length=64, blank=True)
    bonus_min_sessions = models.PositiveSmallIntegerField(
        default=0, help_text="Quantity bonus: raters with at least this many accepted sessions "
        "(0: none)",
    )  # fmt: skip
    bonus_sessions_amount = models.DecimalField(max_digits=6, decimal_places=2, default=0)
    bonus_top_percent = models.FloatField(
        default=0, help_text="Quality bonus: the top percent of raters by agreement with the "
        "crowd (0: none)",
    )  # fmt: skip
    bonus_top_amount = models.DecimalField(max_digits=6, decimal_places=2, default=0)
    synced_at = models.DateTimeField(null=True, blank=True)
    settled_at = models.DateTimeField(
        null=True, blank=True, help_text="Payments settled; raw participant ids erased"
    )
    error = models.TextField(blank=True)

    def __str__(self) -> str:
        return f"{self.test}: {self.get_platform_display()}"


class Invitation(models.Model):
    """A panel link: one person's (single use) or an open pool's (up to its cap)."""

    test = models.ForeignKey(
        "listening.ListeningTest", on_delete=models.CASCADE, related_name="invitations"
    )
    token = models.CharField(max_length=32, unique=True, default=_token, editable=False)
    label = models.CharField(
        max_length=200, blank=True, help_text="E-mail or lab id, kept until payments settle"
    )
    identity = models.CharField(max_length=64, blank=True, help_text="Keyed hash of the label")
    cap = models.PositiveIntegerField(default=1, help_text="Raters this link may let in")
    uses = models.PositiveIntegerField(default=0)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["test", "identity"],
                condition=~models.Q(identity=""),
                name="invitation_once_per_person",
            )
        ]

    def __str__(self) -> str:
        return f"{self.test}: invitation {self.pk} ({self.uses}/{self.cap})"


class Participation(models.Model):
    """One session's place on its platform: the submission, and the raw participant id while
    a payment may still need it."""

    class Outcome(models.TextChoices):
        OPEN = "", "not finished"
        COMPLETED = "completed"
        FAILED = "failed", "failed a hard check"
        SCREENED_OUT = "screened_out", "screened out"

    class Review(models.TextChoices):
        NONE = "", "not reviewed"
        APPROVED = "approved"
        REJECTED = "rejected"

    session = models.OneToOneField(
        "listening.Session", on_delete=models.CASCADE, related_name="participation"
    )
    invitation = models.ForeignKey(
        Invitation, null=True, blank=True, on_delete=models.SET_NULL, related_name="entries"
    )
    submission_id = models.CharField(max_length=64, blank=True)
    participant_id = models.CharField(
        max_length=128, blank=True, help_text="Raw platform id; erased when payments settle"
    )
    outcome = models.CharField(max_length=16, choices=Outcome.choices, blank=True)
    reason = models.CharField(max_length=200, blank=True, help_text="Why it failed, if it did")
    review = models.CharField(max_length=16, choices=Review.choices, blank=True)
    excluded = models.BooleanField(default=False, help_text="Kept out of later studies")

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["submission_id"],
                condition=~models.Q(submission_id=""),
                name="participation_one_per_submission",
            )
        ]

    def __str__(self) -> str:
        return f"session {self.session_id}: {self.outcome or 'open'}"


class Bonus(models.Model):
    """A bonus to one rater under one rule. Paying is two calls, and the second pays again if
    repeated: status moves planned → creating → created → paying → paid, each step written
    before its call, and a paying row whose answer was lost becomes unconfirmed, for a person
    to settle."""

    class Rule(models.TextChoices):
        QUANTITY = "quantity", "at least N accepted sessions"
        QUALITY = "quality", "top raters by agreement with the crowd"

    class Status(models.TextChoices):
        PLANNED = "planned"
        CREATING = "creating"
        CREATED = "created"
        PAYING = "paying"
        PAID = "paid"
        UNCONFIRMED = "unconfirmed", "unconfirmed: check on the platform, then settle"
        FAILED = "failed"

    test = models.ForeignKey(
        "listening.ListeningTest", on_delete=models.CASCADE, related_name="bonuses"
    )
    rater = models.ForeignKey("listening.Rater", on_delete=models.PROTECT, related_name="bonuses")
    participation = models.ForeignKey(
        Participation, on_delete=models.PROTECT, related_name="bonuses"
    )
    rule = models.CharField(max_length=16, choices=Rule.choices)
    amount = models.DecimalField(max_digits=8, decimal_places=2)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PLANNED)
    run = models.CharField(max_length=32, blank=True, help_text="The sync that holds this step")
    batch_id = models.CharField(max_length=64, blank=True, help_text="The platform's bonus id")
    error = models.TextField(blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["test", "rater", "rule"], name="bonus_once_per_rule")
        ]

    def __str__(self) -> str:
        return f"{self.test}: {self.rule} bonus {self.amount} ({self.status})"


class PlatformCall(models.Model):
    """One call to a platform that moves money or changes a submission: written with its
    intent before the call and its result after. Bodies name sessions, never participants."""

    class Status(models.TextChoices):
        INTENT = "intent"
        DONE = "done"
        FAILED = "failed"
        UNCONFIRMED = "unconfirmed"

    test = models.ForeignKey(
        "listening.ListeningTest", on_delete=models.CASCADE, related_name="platform_calls"
    )
    action = models.CharField(max_length=32)
    target = models.CharField(max_length=200, blank=True)
    request = models.JSONField(default=dict, blank=True)
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.INTENT)
    result = models.JSONField(default=dict, blank=True)
    error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.action} {self.target}: {self.status}"
