from __future__ import annotations

import math

import pandas as pd
from django.contrib import admin, messages
from django.core.files.storage import default_storage
from django.template.response import TemplateResponse
from django.urls import path
from django.utils.html import format_html, format_html_join

from enhancement import storage
from enhancement.forms import IngestForm
from enhancement.models import AudioLink, Clip, Corpus, MetricScore, Output, System, TestSet
from enhancement.selectors import metric_means
from enhancement.systems.kinds import DESCRIPTIONS
from jobs.errors import JobRefused
from jobs.runners.corpora import upload_store
from jobs.services import job_start
from jobs.views import jobs_started


def _player(name: str):
    if not name:
        return "-"
    return format_html('<audio controls preload="none" src="{}"></audio>', storage.audio_url(name))


def _number(value: float) -> str:
    return "–" if math.isnan(value) else f"{value:.3f}"


def _means_table(means: pd.DataFrame):
    """Systems × metrics as an HTML table built from escaped cells."""
    header = format_html_join("", "<th>{}</th>", ((column,) for column in means.columns))
    rows = format_html_join(
        "",
        "<tr><th>{}</th>{}</tr>",
        (
            (system, format_html_join("", "<td>{}</td>", ((_number(v),) for v in row)))
            for system, row in means.iterrows()
        ),
    )
    return format_html("<table><tr><th>system</th>{}</tr>{}</table>", header, rows)


@admin.register(Corpus)
class CorpusAdmin(admin.ModelAdmin):
    list_display = ["name", "language", "kind", "clip_count", "created_at"]
    list_filter = ["language", "kind"]
    search_fields = ["name"]
    actions = ["simulate"]

    @admin.action(
        description="Make a noisy copy (simulated distortions, seed 0) as a job",
        permissions=["add"],
    )
    def simulate(self, request, queryset):
        started = []
        for corpus in queryset:
            params = {"name": f"{corpus.name} noisy (seed 0)", "seed": 0}
            try:
                started.append(
                    job_start(kind="simulate", params=params, target=corpus, user=request.user)
                )
            except JobRefused as exc:
                self.message_user(request, f"{corpus.name}: {exc}", messages.ERROR)
        return jobs_started(request, started)

    def get_urls(self):
        view = self.admin_site.admin_view(self.ingest_view)
        return [path("ingest/", view, name="enhancement_corpus_ingest"), *super().get_urls()]

    def ingest_view(self, request):
        """Ingest from an uploaded zip or a server path / S3 prefix, as a job: its page shows
        each file's progress and every rejected file with the reason."""
        form = IngestForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            job = self._ingest(request, form.cleaned_data)
            if job is not None:
                return jobs_started(request, [job])
        context = {**self.admin_site.each_context(request), "form": form}
        return TemplateResponse(request, "admin/enhancement/ingest.html", context)

    def _ingest(self, request, data):
        params = {key: data[key] for key in ("name", "language", "kind", "channel")}
        if data["upload"]:
            params["upload"] = upload_store(data["upload"])
        else:
            params["source"] = data["source"]
        try:
            return job_start(kind="ingest", params=params, user=request.user)
        except JobRefused as exc:
            if params.get("upload"):
                default_storage.delete(params["upload"])
            self.message_user(request, f"Nothing ingested: {exc}", messages.ERROR)
            return None

    @admin.display(description="clips")
    def clip_count(self, obj: Corpus) -> int:
        return obj.clips.count()


@admin.register(Clip)
class ClipAdmin(admin.ModelAdmin):
    list_display = ["name", "corpus", "utterance", "sample_rate", "duration", "input_player"]
    list_filter = ["corpus", "sample_rate"]
    search_fields = ["name", "utterance", "transcript"]
    readonly_fields = ["input_player", "reference_player"]

    @admin.display(description="input")
    def input_player(self, obj: Clip):
        return _player(obj.audio.name)

    @admin.display(description="reference")
    def reference_player(self, obj: Clip):
        return _player(obj.reference.name)


def _kinds_help():
    """What each kind of system is: help under the kind field, kept out of the field itself
    so that editing a description makes no migration."""
    items = format_html_join("", "<li><b>{}</b>: {}</li>", DESCRIPTIONS.items())
    return format_html("<ul>{}</ul>", items)


@admin.register(System)
class SystemAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "created_at"]
    list_filter = ["kind"]

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        field = super().formfield_for_dbfield(db_field, request, **kwargs)
        if db_field.name == "kind":
            field.help_text = _kinds_help()
        return field


@admin.register(TestSet)
class TestSetAdmin(admin.ModelAdmin):
    list_display = ["name", "status", "progress", "created_at", "finished_at"]
    search_fields = ["name"]
    filter_horizontal = ["corpora", "systems"]
    readonly_fields = ["status", "progress", "error", "finished_at", "metric_summary"]
    # Generation writes status, progress and errors: the form shows them and never takes them.
    fields = ["name", "corpora", "systems", "target_level_db", *readonly_fields]
    actions = ["generate", "score"]

    @admin.display(description="progress")
    def progress(self, obj: TestSet) -> str:
        return f"{obj.progress_done}/{obj.progress_total} ({obj.progress_percent:.0f}%)"

    @admin.display(description="metric means per system")
    def metric_summary(self, obj: TestSet):
        means = metric_means(testset=obj) if obj.pk else pd.DataFrame()
        return "no metrics yet" if means.empty else _means_table(means)

    def _start(self, request, queryset, kind: str):
        started = []
        for testset in queryset:
            try:
                started.append(job_start(kind=kind, params={}, target=testset, user=request.user))
            except JobRefused as exc:
                self.message_user(request, f"{testset.name}: {exc}", messages.ERROR)
        return jobs_started(request, started)

    @admin.action(
        description="Generate outputs (every system on every clip)", permissions=["change"]
    )
    def generate(self, request, queryset):
        return self._start(request, queryset, "generate")

    @admin.action(description="Compute objective metrics", permissions=["change"])
    def score(self, request, queryset):
        return self._start(request, queryset, "metrics")


class MetricScoreInline(admin.TabularInline):
    model = MetricScore
    extra = 0
    can_delete = False
    fields = ["metric", "version", "value", "error"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Output)
class OutputAdmin(admin.ModelAdmin):
    list_display = ["clip", "system", "testset", "sample_rate", "duration", "player"]
    list_filter = ["testset", "system"]
    list_select_related = ["clip", "system", "testset"]
    readonly_fields = ["player"]
    inlines = [MetricScoreInline]

    @admin.display(description="audio")
    def player(self, obj: Output):
        return _player(obj.audio.name)


@admin.register(MetricScore)
class MetricScoreAdmin(admin.ModelAdmin):
    list_display = ["metric", "value", "system", "clip", "error", "computed_at"]
    list_filter = ["metric", "output__testset", "output__system"]
    list_select_related = ["output__system", "output__clip"]
    search_fields = ["output__clip__name", "error"]

    @admin.display(description="system")
    def system(self, obj: MetricScore) -> str:
        return obj.output.system.name

    @admin.display(description="clip")
    def clip(self, obj: MetricScore) -> str:
        return obj.output.clip.name

    def has_change_permission(self, request, obj=None) -> bool:
        return False


@admin.register(AudioLink)
class AudioLinkAdmin(admin.ModelAdmin):
    """The raters' audio links, to see how many are in use. Only a token's digest is stored,
    so no link can be opened from here."""

    list_display = ["created_at", "name"]
    readonly_fields = ["digest", "name", "created_at"]

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False
