from __future__ import annotations

from django.db import models

from enhancement.systems.kinds import KINDS


class Corpus(models.Model):
    """Source speech in one language: clean utterances or already-noisy recordings."""

    class Kind(models.TextChoices):
        SPEECH = "speech"
        NOISE = "noise", "noise (for simulation)"

    name = models.CharField(max_length=200, unique=True)
    language = models.CharField(max_length=16, help_text="BCP 47 code, e.g. en, de, zh")
    kind = models.CharField(max_length=10, choices=Kind.choices, default=Kind.SPEECH)
    description = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name_plural = "corpora"
        ordering = ["name"]

    def __str__(self) -> str:
        return f"{self.name} ({self.language})"


class Clip(models.Model):
    """One input utterance: the audio systems receive, and its clean reference if known."""

    corpus = models.ForeignKey(Corpus, on_delete=models.CASCADE, related_name="clips")
    name = models.CharField(max_length=255, help_text="Original file name; never shown to raters")
    utterance = models.CharField(
        max_length=255,
        help_text="Source utterance id: clips of one utterance never share a rating session",
    )
    audio = models.FileField(max_length=255)
    reference = models.FileField(max_length=255, blank=True)
    sample_rate = models.PositiveIntegerField()
    duration = models.FloatField(help_text="seconds")
    speaker = models.CharField(max_length=100, blank=True)
    transcript = models.TextField(blank=True)
    recipe = models.JSONField(default=dict, blank=True, help_text="How the input was made")
    effective_rate = models.PositiveIntegerField(
        null=True,
        blank=True,
        help_text="Lowest URGENT rate (8–48 kHz) whose band covers the content",
    )
    speech_level_db = models.FloatField(null=True, blank=True, help_text="Active level, dBFS")
    sha256 = models.CharField(max_length=64, blank=True, help_text="Of the source file")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["corpus", "name"]
        constraints = [
            models.UniqueConstraint(fields=["corpus", "name"], name="clip_unique_name_in_corpus")
        ]

    def __str__(self) -> str:
        return f"{self.corpus.name}/{self.name}"


class System(models.Model):
    """A registered enhancement system: an implementation from the registry plus parameters."""

    name = models.CharField(
        max_length=100, unique=True, help_text="Internal; never shown to raters"
    )
    kind = models.CharField(max_length=50, choices=list(KINDS.items()))
    params = models.JSONField(default=dict, blank=True)
    model_file = models.FileField(
        upload_to="models/",
        max_length=255,
        blank=True,
        help_text="TorchScript or ONNX model, or a zip of imported outputs",
    )
    description = models.TextField(blank=True)

    class AnchorSource(models.TextChoices):
        REFERENCE = "reference", "the clean reference (P.810)"
        INPUT = "input", "the noisy input"

    anchor_source = models.CharField(
        max_length=10,
        choices=AnchorSource.choices,
        default=AnchorSource.REFERENCE,
        help_text="MNRU anchors: what the modulated noise degrades",
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class TestSet(models.Model):
    """Every clip of some corpora processed by every one of some systems."""

    class Status(models.TextChoices):
        PENDING = "pending"
        RUNNING = "running"
        DONE = "done"
        FAILED = "failed"

    name = models.CharField(max_length=200, unique=True)
    corpora = models.ManyToManyField(Corpus, related_name="testsets")
    systems = models.ManyToManyField(System, related_name="testsets")
    target_level_db = models.FloatField(
        default=-26.0, help_text="Active speech level every output is normalised to (dBFS)"
    )
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    progress_done = models.PositiveIntegerField(default=0)
    progress_total = models.PositiveIntegerField(default=0)
    error = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    __test__ = False  # not a pytest test class, despite the name

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return self.name

    @property
    def progress_percent(self) -> float:
        return 100.0 * self.progress_done / self.progress_total if self.progress_total else 0.0


class Output(models.Model):
    """One clip as one system returned it, loudness-normalised, under an opaque name."""

    testset = models.ForeignKey(TestSet, on_delete=models.CASCADE, related_name="outputs")
    clip = models.ForeignKey(Clip, on_delete=models.CASCADE, related_name="outputs")
    system = models.ForeignKey(System, on_delete=models.PROTECT, related_name="outputs")
    audio = models.FileField(max_length=255)
    sha256 = models.CharField(max_length=64, blank=True, help_text="Of the stored file")
    sample_rate = models.PositiveIntegerField()
    duration = models.FloatField(help_text="seconds")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["testset", "clip", "system"]
        constraints = [
            models.UniqueConstraint(
                fields=["testset", "clip", "system"], name="output_unique_per_clip_system"
            )
        ]

    def __str__(self) -> str:
        return f"{self.testset.name}: {self.clip.name} × {self.system.name}"


class MetricScore(models.Model):
    """One objective metric of one output, computed once per metric version.

    value is null when the metric has no value for the clip; error says why."""

    output = models.ForeignKey(Output, on_delete=models.CASCADE, related_name="metric_scores")
    metric = models.CharField(max_length=50)
    version = models.CharField(max_length=20)
    value = models.FloatField(null=True, blank=True)
    error = models.TextField(blank=True)
    computed_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["output", "metric"]
        constraints = [
            models.UniqueConstraint(
                fields=["output", "metric", "version"], name="metric_score_once_per_version"
            )
        ]
        indexes = [models.Index(fields=["metric", "version"])]

    def __str__(self) -> str:
        shown = "n/a" if self.value is None else f"{self.value:.3f}"
        return f"{self.metric} v{self.version}: {shown}"


class AudioLink(models.Model):
    """A rater's link to one stored audio file (enhancement.storage.audio_url): a random
    token, kept only as its SHA-256 so that a database dump opens nothing, that names nothing
    and reaches this one file for settings.AUDIO_URL_MAX_AGE after it was made."""

    digest = models.CharField(max_length=64, unique=True)
    name = models.CharField(max_length=255)
    # who the link was made for (a rating assignment): sent with each fetch, never shown
    tag = models.CharField(max_length=64, blank=True, default="")
    created_at = models.DateTimeField(db_index=True)

    def __str__(self) -> str:
        return f"audio link made {self.created_at:%Y-%m-%d %H:%M}"
