"""A test's report builds over the API: list and read them, start one (analysts may), and
download their files."""

from __future__ import annotations

from django.shortcuts import get_object_or_404
from django.urls import reverse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import generics, serializers, status
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView

from access.roles import Role
from analysis.models import Report
from analysis.services import report_request
from analysis.views import report_file_response
from listening.models import ListeningTest


class ReportFileSerializer(serializers.Serializer):
    name = serializers.CharField()
    url = serializers.URLField(help_text="Download it here, with the same credentials")


class ReportSerializer(serializers.ModelSerializer):
    files = serializers.SerializerMethodField()

    class Meta:
        model = Report
        fields = ["id", "test", "status", "requested_at", "started_at", "finished_at", "votes",
                  "error", "files"]  # fmt: skip

    @extend_schema_field(ReportFileSerializer(many=True))
    def get_files(self, report: Report) -> list[dict]:
        request = self.context["request"]
        return [
            {"name": name, "url": request.build_absolute_uri(_file_path(report, name))}
            for name in report.file_names
        ]


def _file_path(report: Report, name: str) -> str:
    return reverse("api:report-file", args=[report.test_id, report.pk, name])


class ReportList(generics.ListAPIView):
    """The test's builds, newest first; POST starts one unless one is queued or running."""

    queryset = Report.objects.none()  # per test: get_queryset
    serializer_class = ReportSerializer
    write_role = Role.ANALYST
    filterset_fields = ["status"]
    ordering_fields = ["requested_at", "finished_at"]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # the schema's look at the view
            return self.queryset
        test = get_object_or_404(ListeningTest, pk=self.kwargs["test_id"])
        return test.reports.order_by("-requested_at", "-pk")

    @extend_schema(request=None, responses={201: ReportSerializer, 200: ReportSerializer})
    def post(self, request: Request, test_id: int) -> Response:
        """Queue a build. 201 with the new build (already done when no broker is configured:
        it ran in this request), or 200 with the build already queued or running."""
        test = get_object_or_404(ListeningTest, pk=test_id)
        built, created = report_request(test=test)
        built.refresh_from_db()
        data = ReportSerializer(built, context={"request": request}).data
        return Response(data, status=status.HTTP_201_CREATED if created else status.HTTP_200_OK)


class ReportDetail(generics.RetrieveAPIView):
    """One build: its status, its error if it failed, and its files once done."""

    serializer_class = ReportSerializer

    def get_object(self) -> Report:
        return get_object_or_404(
            Report, pk=self.kwargs["report_id"], test_id=self.kwargs["test_id"]
        )


class ReportFile(APIView):
    @extend_schema(responses={(200, "*/*"): OpenApiTypes.BINARY})
    def get(self, request: Request, test_id: int, report_id: int, name: str):
        """One file of a build, by its name in the build's files."""
        built = get_object_or_404(Report, pk=report_id, test_id=test_id)
        return report_file_response(report=built, name=name)
