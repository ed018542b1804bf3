from __future__ import annotations

from django.urls import path, re_path

from analysis import views

app_name = "analysis"

urlpatterns = [
    path("reports/<int:test_id>/", views.report, name="report"),
    path("reports/<int:test_id>/build/", views.report_build, name="report-build"),
    path(
        "reports/<int:test_id>/builds/<int:report_id>/<str:name>",
        views.report_download,
        name="report-file",
    ),
    # The JSON API moved under /api/v1/ (config/urls.py); old links still find it.
    re_path(r"^api/(?P<rest>(?:tests|testsets)/.*)$", views.api_moved, name="api-moved"),
]
