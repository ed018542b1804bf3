from __future__ import annotations

from django.urls import path

from organize.views import home, monitor, preview, test

app_name = "organize"

urlpatterns = [
    path("", home.home, name="home"),
    path("corpora/add/", home.corpus_add, name="corpus-add"),
    path("systems/add/", home.system_add, name="system-add"),
    path("testsets/add/", home.testset_add, name="testset-add"),
    path("tests/add/", home.test_add, name="test-add"),
    path("tests/<id:test_id>/", test.guide, name="test"),
    path("tests/<id:test_id>/design/", test.design, name="design"),
    path("tests/<id:test_id>/act/", test.act, name="act"),
    path("tests/<id:test_id>/preview/", preview.preview, name="preview"),
    path("tests/<id:test_id>/monitor/", monitor.monitor, name="monitor"),
]
