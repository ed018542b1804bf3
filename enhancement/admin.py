from __future__ import annotations

from django.contrib import admin, messages
from django.utils.html import format_html

from enhancement import services, storage
from enhancement.models import Clip, Corpus, Output, System, TestSet


def _player(name: str):
    if not name:
        return "-"
    return format_html('<audio controls preload="none" src="{}"></audio>', storage.audio_url(name))


@admin.register(Corpus)
class CorpusAdmin(admin.ModelAdmin):
    list_display = ["name", "language", "clip_count", "created_at"]
    list_filter = ["language"]
    search_fields = ["name"]

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


@admin.register(System)
class SystemAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "created_at"]
    list_filter = ["kind"]


@admin.register(TestSet)
class TestSetAdmin(admin.ModelAdmin):
    list_display = ["name", "status", "progress", "created_at", "finished_at"]
    filter_horizontal = ["corpora", "systems"]
    readonly_fields = ["status", "progress", "error", "finished_at"]
    actions = ["generate"]

    @admin.display(description="progress")
    def progress(self, obj: TestSet) -> str:
        return f"{obj.progress_done}/{obj.progress_total} ({obj.progress_percent:.0f}%)"

    @admin.action(description="Generate outputs (every system on every clip)")
    def generate(self, request, queryset):
        for testset in queryset:
            services.testset_generate_enqueue(testset=testset)
        self.message_user(request, f"Queued {queryset.count()} test set(s).", messages.SUCCESS)


@admin.register(Output)
class OutputAdmin(admin.ModelAdmin):
    list_display = ["clip", "system", "testset", "sample_rate", "duration", "player"]
    list_filter = ["testset", "system"]
    list_select_related = ["clip", "system", "testset"]
    readonly_fields = ["player"]

    @admin.display(description="audio")
    def player(self, obj: Output):
        return _player(obj.audio.name)
