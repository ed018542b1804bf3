"""The REST API's jobs: list and read them (viewers and up), start one with {kind, params},
cancel one. Starting or cancelling needs the role of the job's kind: a report build is an
analyst's, everything else an organizer's."""

from __future__ import annotations

from django.db import transaction
from django_filters import rest_framework as filters
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.request import Request
from rest_framework.response import Response

from access.api import EditableViewSet
from access.roles import Role, user_may
from jobs import services
from jobs.errors import JobRefused
from jobs.models import Job
from jobs.runners import RUNNERS

REFUSED = inline_serializer("JobRefused", {"detail": serializers.CharField()})


class JobSerializer(serializers.ModelSerializer):
    percent = serializers.FloatField(read_only=True, allow_null=True)
    created_by = serializers.CharField(source="created_by.username", default=None, read_only=True)

    class Meta:
        model = Job
        fields = [
            "id", "kind", "status", "done", "total", "percent", "errors", "message", "params",
            "result", "target_model", "target_id", "created_by", "created_at", "started_at",
            "finished_at", "heartbeat_at", "cancel_requested",
        ]  # fmt: skip
        read_only_fields = fields


class JobStartSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=Job.Kind.choices)
    params = serializers.DictField(
        required=False, default=dict, help_text='The kind\'s parameters, e.g. {"testset": 3}'
    )


class JobFilter(filters.FilterSet):
    target_id = filters.NumberFilter(min_value=1, max_value=2**63 - 1, decimal_places=0)

    class Meta:
        model = Job
        fields = ["kind", "status", "target_model", "target_id"]


def _may_start(request: Request, kind: str) -> None:
    role = RUNNERS[kind].role
    if not user_may(user=request.user, role=role):
        raise PermissionDenied(f"a {kind} job needs the {role.group} role")


class JobViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    queryset = Job.objects.select_related("created_by").order_by("-created_at", "-id")
    serializer_class = JobSerializer
    read_role = Role.VIEWER
    write_role = Role.ANALYST  # the least a kind needs; each kind's own role is checked too
    lookup_value_regex = EditableViewSet.lookup_value_regex
    filterset_class = JobFilter
    ordering_fields = ["created_at", "status", "kind"]

    @extend_schema(request=JobStartSerializer, responses={201: JobSerializer, 400: REFUSED})
    def create(self, request: Request) -> Response:
        """Start a job; it is queued for a worker and its status is read at /jobs/<id>/."""
        start = JobStartSerializer(data=request.data)
        start.is_valid(raise_exception=True)
        kind = start.validated_data["kind"]
        _may_start(request, kind)
        try:
            with transaction.atomic():
                job = services.job_start(
                    kind=kind, params=start.validated_data["params"], user=request.user
                )
        except JobRefused as exc:
            return Response({"detail": str(exc)}, status=status.HTTP_400_BAD_REQUEST)
        job.refresh_from_db()
        return Response(JobSerializer(job).data, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses={200: JobSerializer, 409: REFUSED}, filters=False)
    @action(detail=True, methods=["post"], filter_backends=[])
    def cancel(self, request: Request, pk: str) -> Response:
        """Cancel a queued job, or ask a running one to stop after its current item."""
        job = self.get_object()
        _may_start(request, job.kind)
        try:
            job = services.job_cancel(job=job)
        except JobRefused as exc:
            return Response({"detail": str(exc)}, status=status.HTTP_409_CONFLICT)
        return Response(JobSerializer(job).data)
