"""The REST API's listening tests, their stimuli and raters.

Viewers read tests and their progress; analysts also read stimuli and raters; organizers
create and change tests and move their status (publish, pause, resume, close). Raters appear
only as their keyed hash: the raw platform id is never read here."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db.models import Count, Q
from django.shortcuts import get_object_or_404
from django_filters import rest_framework as filters
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.request import Request
from rest_framework.response import Response

from access.api import EditableViewSet, row_filter
from access.roles import Role
from listening import lifecycle
from listening.models import ListeningTest, Rater, Stimulus
from listening.selectors import listening_test_progress
from listening.services import PublishError


class ListeningTestSerializer(serializers.ModelSerializer):
    quota = serializers.IntegerField(read_only=True, help_text="Votes wanted per stimulus")

    class Meta:
        model = ListeningTest
        exclude = ["entry_token"]  # the rater link is the admin's to hand out
        read_only_fields = ["status", "created_at"]

    def validate(self, attrs: dict) -> dict:
        """The model's own rules: a published test's design is frozen, the status is not set
        by hand. Each refusal names its field."""
        test = ListeningTest(**{**self._current(), **attrs})
        try:
            test.clean()
        except ValidationError as exc:
            raise serializers.ValidationError(exc.message_dict) from None
        return attrs

    def _current(self) -> dict:
        if self.instance is None:
            return {}
        fields = ListeningTest._meta.concrete_fields
        return {f.name: getattr(self.instance, f.name) for f in fields}


class ProgressSerializer(serializers.Serializer):
    stimuli = serializers.IntegerField(help_text="Rating stimuli")
    votes = serializers.IntegerField()
    target = serializers.IntegerField(help_text="Stimuli × votes per stimulus")
    percent = serializers.FloatField()
    complete = serializers.IntegerField(help_text="Sessions completed")
    open = serializers.IntegerField(help_text="Sessions open now")


MOVED = inline_serializer(
    "StatusMoved", {"id": serializers.IntegerField(), "status": serializers.CharField()}
)
REFUSED = inline_serializer("Refused", {"detail": serializers.CharField()})


class ListeningTestFilter(filters.FilterSet):
    testset = row_filter("testset", "Test set id")

    class Meta:
        model = ListeningTest
        fields = ["status", "method", "testset"]


class ListeningTestViewSet(EditableViewSet):
    queryset = ListeningTest.objects.order_by("-created_at")
    serializer_class = ListeningTestSerializer
    read_role = Role.VIEWER
    filterset_class = ListeningTestFilter
    ordering_fields = ["name", "created_at"]

    @extend_schema(responses=ProgressSerializer, filters=False)
    @action(detail=True, pagination_class=None, filter_backends=[])
    def progress(self, request: Request, pk: str) -> Response:
        """Votes collected against the target, and sessions done and open."""
        return Response(ProgressSerializer(listening_test_progress(test=self.get_object())).data)

    def _moved(self, test: ListeningTest) -> Response:
        return Response({"id": test.pk, "status": test.status})

    @extend_schema(request=None, responses={200: MOVED, 409: REFUSED}, filters=False)
    @action(detail=True, methods=["post"], filter_backends=[])
    def publish(self, request: Request, pk: str) -> Response:
        """Build the stimuli and open a draft test to raters."""
        test = self.get_object()
        try:
            lifecycle.listening_test_open(test=test)
        except (PublishError, lifecycle.StatusRefused) as exc:
            return Response({"detail": str(exc)}, status=status.HTTP_409_CONFLICT)
        return self._moved(test)

    def _move(self, action_name: str) -> Response:
        test = self.get_object()
        try:
            lifecycle.listening_test_move(test=test, action=action_name)
        except lifecycle.StatusRefused as exc:
            return Response({"detail": str(exc)}, status=status.HTTP_409_CONFLICT)
        return self._moved(test)

    @extend_schema(request=None, responses={200: MOVED, 409: REFUSED}, filters=False)
    @action(detail=True, methods=["post"], filter_backends=[])
    def pause(self, request: Request, pk: str) -> Response:
        """Stop new sessions and votes of a live test until it is resumed."""
        return self._move("pause")

    @extend_schema(request=None, responses={200: MOVED, 409: REFUSED}, filters=False)
    @action(detail=True, methods=["post"], filter_backends=[])
    def resume(self, request: Request, pk: str) -> Response:
        """Open a paused test again."""
        return self._move("resume")

    @extend_schema(request=None, responses={200: MOVED, 409: REFUSED}, filters=False)
    @action(detail=True, methods=["post"], filter_backends=[])
    def close(self, request: Request, pk: str) -> Response:
        """End a live or paused test for good."""
        return self._move("close")


class StimulusSerializer(serializers.ModelSerializer):
    system = serializers.CharField(
        source="output.system.name", default=None, read_only=True, allow_null=True,
        help_text="None for the clips Auricle builds (gold, trap, training)",
    )  # fmt: skip
    vote_count = serializers.IntegerField(read_only=True)

    class Meta:
        model = Stimulus
        fields = ["key", "role", "language", "utterance", "system", "duration", "reserved",
                  "vote_count"]  # fmt: skip


class StimulusFilter(filters.FilterSet):
    system = row_filter("output__system", "System id")

    class Meta:
        model = Stimulus
        fields = ["role", "language", "system"]


class StimulusViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """A test's stimuli with the system behind each (staff only: raters never see this). No
    stored audio name is given."""

    queryset = Stimulus.objects.none()  # per test: get_queryset
    serializer_class = StimulusSerializer
    filterset_class = StimulusFilter
    ordering_fields = ["reserved", "language", "role"]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # the schema's look at the view
            return self.queryset
        test = get_object_or_404(ListeningTest, pk=self.kwargs["test_id"])
        return (
            test.stimuli.select_related("output__system")
            .annotate(vote_count=Count("votes", filter=Q(votes__rater__preview=False)))
            .order_by("id")
        )


class RaterSerializer(serializers.ModelSerializer):
    rater_hash = serializers.CharField(
        source="external_id", read_only=True, help_text="HMAC of the platform's participant id"
    )
    session_count = serializers.IntegerField(read_only=True)

    class Meta:
        model = Rater
        fields = ["id", "platform", "rater_hash", "language", "session_count", "created_at"]


class RaterFilter(filters.FilterSet):
    test = row_filter("sessions__test", "Raters with a session in this test")

    class Meta:
        model = Rater
        fields = ["platform", "language", "test"]


class RaterViewSet(viewsets.ReadOnlyModelViewSet):
    lookup_value_regex = EditableViewSet.lookup_value_regex
    serializer_class = RaterSerializer
    queryset = (
        Rater.objects.filter(preview=False)  # an organizer's preview is no rater
        .annotate(session_count=Count("sessions", distinct=True))
        .order_by("id")
    )
    filterset_class = RaterFilter
    ordering_fields = ["created_at", "session_count"]
