from __future__ import annotations

from django.contrib import admin
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.templatetags.static import static
from django.urls import include, path, register_converter
from django.views.decorators.cache import cache_control
from django.views.generic import RedirectView
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.authtoken.views import obtain_auth_token
from rest_framework.routers import SimpleRouter

from analysis.api import reports, results
from enhancement import api as enhancement_api
from jobs import api as jobs_api
from listening import api as listening_api


class RowId:
    """A row id that fits the database's 64-bit integer: a longer one is not found (404)
    instead of overflowing the query."""

    regex = "[0-9]{1,18}"

    def to_python(self, value: str) -> int:
        return int(value)

    def to_url(self, value: int) -> str:
        return str(value)


register_converter(RowId, "id")


@cache_control(max_age=86400, public=True)
def favicon(request: HttpRequest) -> HttpResponse:
    """Browsers ask for /favicon.ico whatever the page says; it lives with the static files
    (looked up per request: the manifest of hashed names exists only after collectstatic)."""
    return redirect(static("listening/favicon.ico"))


router = SimpleRouter()
router.register("corpora", enhancement_api.CorpusViewSet, basename="corpus")
router.register("systems", enhancement_api.SystemViewSet, basename="system")
router.register("testsets", enhancement_api.TestSetViewSet, basename="testset")
router.register("tests", listening_api.ListeningTestViewSet, basename="test")
router.register("raters", listening_api.RaterViewSet, basename="rater")
router.register("jobs", jobs_api.JobViewSet, basename="job")

test = "tests/<id:test_id>/"
api_v1 = [
    *router.urls,
    path(f"{test}stimuli/", listening_api.StimulusViewSet.as_view({"get": "list"}), name="stimuli"),
    path(f"{test}mos/", results.TestMos.as_view(), name="test-mos"),
    path(f"{test}ranking/", results.TestRanking.as_view(), name="test-ranking"),
    path(f"{test}exclusions/", results.TestExclusions.as_view(), name="test-exclusions"),
    path(f"{test}tables/", results.TestTables.as_view(), name="test-tables"),
    path(f"{test}tables/<str:name>/", results.TestTable.as_view(), name="test-table"),
    path(f"{test}reports/", reports.ReportList.as_view(), name="reports"),
    path(f"{test}reports/<id:report_id>/", reports.ReportDetail.as_view(), name="report"),
    path(
        f"{test}reports/<id:report_id>/files/<str:name>",
        reports.ReportFile.as_view(),
        name="report-file",
    ),
    path("testsets/<id:testset_id>/metrics/", results.TestSetMetrics.as_view(), name="metrics"),
    path("auth/token/", obtain_auth_token, name="token"),
    path("schema/", SpectacularAPIView.as_view(), name="schema"),
    path("docs/", SpectacularSwaggerSplitView.as_view(url_name="api:schema"), name="docs"),
]

urlpatterns = [
    path("", RedirectView.as_view(pattern_name="admin:index")),
    path("favicon.ico", favicon),
    path("admin/", admin.site.urls),
    path("api/v1/", include((api_v1, "api"))),
    path("", include("enhancement.urls")),
    path("", include("listening.urls")),
    path("", include("analysis.urls")),
    path("organize/", include("organize.urls")),
    path("", include("jobs.urls")),
]

# Rater-facing error pages in the rater's language (listening.views.errors).
handler403 = "listening.views.errors.forbidden"
handler404 = "listening.views.errors.not_found"
handler500 = "listening.views.errors.server_error"
