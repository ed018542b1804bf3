"""The REST API's corpora, systems and test sets: analysts read them, organizers write them."""

from __future__ import annotations

from django.db.models import Count
from django_filters import rest_framework as filters
from rest_framework import serializers

from access.api import EditableViewSet, row_filter
from enhancement.models import Corpus, System, TestSet


class CorpusSerializer(serializers.ModelSerializer):
    clip_count = serializers.SerializerMethodField(help_text="Clips ingested")

    class Meta:
        model = Corpus
        fields = ["id", "name", "language", "kind", "description", "clip_count", "created_at"]

    def get_clip_count(self, corpus: Corpus) -> int:
        # counted in the list's query; a corpus just created or changed is counted here
        found = getattr(corpus, "clip_count", None)
        return corpus.clips.count() if found is None else found


class SystemSerializer(serializers.ModelSerializer):
    has_model_file = serializers.SerializerMethodField()

    class Meta:
        model = System
        fields = ["id", "name", "kind", "params", "description", "has_model_file", "created_at"]

    def get_has_model_file(self, system: System) -> bool:
        return bool(system.model_file)


class TestSetSerializer(serializers.ModelSerializer):
    class Meta:
        model = TestSet
        read_only_fields = ["status", "progress_done", "progress_total", "error", "finished_at"]
        fields = ["id", "name", "corpora", "systems", "target_level_db", *read_only_fields,
                  "created_at"]  # fmt: skip

    def validate(self, attrs: dict) -> dict:
        """Generated outputs belong to the corpora, systems and level they were made with."""
        if self.instance is not None and self.instance.status != TestSet.Status.PENDING:
            for name in ("corpora", "systems", "target_level_db"):
                if name in attrs:
                    raise serializers.ValidationError(
                        {name: f"{name} is fixed: the test set is {self.instance.status}"}
                    )
        return attrs


class CorpusViewSet(EditableViewSet):
    queryset = Corpus.objects.annotate(clip_count=Count("clips")).order_by("name")
    serializer_class = CorpusSerializer
    filterset_fields = ["language", "kind"]
    ordering_fields = ["name", "language", "created_at"]


class SystemViewSet(EditableViewSet):
    queryset = System.objects.order_by("name")
    serializer_class = SystemSerializer
    filterset_fields = ["kind"]
    ordering_fields = ["name", "created_at"]


class TestSetFilter(filters.FilterSet):
    corpus = row_filter("corpora", "Test sets holding this corpus")
    system = row_filter("systems", "Test sets holding this system")

    class Meta:
        model = TestSet
        fields = ["status", "corpus", "system"]


class TestSetViewSet(EditableViewSet):
    queryset = TestSet.objects.prefetch_related("corpora", "systems").order_by("-created_at")
    serializer_class = TestSetSerializer
    filterset_class = TestSetFilter
    ordering_fields = ["name", "created_at", "finished_at"]
