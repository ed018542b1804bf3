from __future__ import annotations

from django.urls import path

from analysis import api, views

app_name = "analysis"

urlpatterns = [
    path("reports/<int:test_id>/", views.report, name="report"),
    path("api/tests/<int:test_id>/mos/", api.test_mos, name="api-test-mos"),
]
