from __future__ import annotations

from django.urls import path

from analysis import api, views

app_name = "analysis"

urlpatterns = [
    path("reports/<int:test_id>/", views.report, name="report"),
    path("api/tests/<int:test_id>/mos/", api.test_mos, name="api-test-mos"),
    path("api/tests/<int:test_id>/ranking/", api.test_ranking, name="api-test-ranking"),
    path("api/tests/<int:test_id>/exclusions/", api.test_exclusions, name="api-test-exclusions"),
    path("api/testsets/<int:testset_id>/metrics/", api.testset_metrics, name="api-testset-metrics"),
]
