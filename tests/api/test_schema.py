"""The OpenAPI schema validates, its docs page loads nothing from elsewhere, and the old
/api/tests/ addresses lead to their v1 answers."""

from __future__ import annotations

import re

import pytest
from django.contrib.staticfiles import finders
from django.core.management import call_command

from tests.api.conftest import api_client

pytestmark = pytest.mark.django_db


def test_the_schema_validates_without_a_warning(tmp_path):
    path = tmp_path / "schema.yaml"
    # drf-spectacular's own check: the OpenAPI 3 validator, and any warning fails it
    call_command("spectacular", "--validate", "--fail-on-warn", "--file", str(path))
    assert "/api/v1/tests/{test_id}/ranking/" in path.read_text()


def test_the_schema_is_served_and_the_docs_page_uses_local_assets_only(client):
    schema = client.get("/api/v1/schema/?format=json").json()
    assert schema["openapi"].startswith("3.")
    page = client.get("/api/v1/docs/").content.decode()
    sources = re.findall(r'(?:src|href)="([^"]+)"', page)
    assert sources and all(s.startswith("/") and not s.startswith("//") for s in sources), sources
    for source in sources:
        if source.startswith("/static/"):  # installed with the sidecar, served by WhiteNoise
            assert finders.find(source.removeprefix("/static/").split("?")[0]), source
        else:
            assert client.get(source).status_code == 200, source


def test_the_old_api_paths_redirect_to_the_same_answer_under_v1(world):
    client = api_client("analyst")
    test = world["test"]
    moved = client.get(f"/api/tests/{test.pk}/mos/?format=json")
    assert moved.status_code == 301
    assert moved["Location"] == f"/api/v1/tests/{test.pk}/mos/?format=json"
    assert (
        client.get(moved["Location"]).json() == client.get(f"/api/v1/tests/{test.pk}/mos/").json()
    )
    metrics = client.get(f"/api/testsets/{world['testset'].pk}/metrics/")
    assert metrics["Location"] == f"/api/v1/testsets/{world['testset'].pk}/metrics/"
