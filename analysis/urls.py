from __future__ import annotations

from django.urls import path

from analysis import api, views

app_name = "analysis"

urlpatterns = [
    path("reports/<int:test_id>/", views.report, name="report"),
    path("reports/<int:test_id>/build/", views.report_build, name="report-build"),
    path(
        "reports/<int:test_id>/builds/<int:report_id>/<str:name>",
        views.report_download,
        name="report-file",
    ),
    path("api/tests/<int:test_id>/mos/", api.listening_test_mos, name="api-test-mos"),
    path("api/tests/<int:test_id>/ranking/", api.listening_test_ranking, name="api-test-ranking"),
    path(
        "api/tests/<int:test_id>/exclusions/",
        api.listening_test_exclusions,
        name="api-test-exclusions",
    ),
    path("api/tests/<int:test_id>/tables/", api.listening_test_tables, name="api-test-tables"),
    path(
        "api/tests/<int:test_id>/tables/<str:name>/",
        api.listening_test_table,
        name="api-test-table",
    ),
    path("api/testsets/<int:testset_id>/metrics/", api.testset_metrics, name="api-testset-metrics"),
]
