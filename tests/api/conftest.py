"""People in each role, their API clients, and a published test with votes to ask about."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group, User
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from rest_framework.authtoken.models import Token
from rest_framework.test import APIClient

from analysis.models import Report
from listening.models import Rater
from tests.analysis.test_report_view import cast, one_utterance_test

# Who asks: no one, staff without a role, then each role from the least to the most.
ROLES = ["anonymous", "nobody", "viewer", "analyst", "organizer"]
RANK = {name: rank for rank, name in enumerate(ROLES)}


def person_make(role: str) -> User:
    """A staff user holding the role (none for "nobody"): staff alone must grant nothing."""
    user = User.objects.create_user(
        username=f"{role}-user", password="pw-long-enough", is_staff=True
    )
    if role in ("viewer", "analyst", "organizer"):
        user.groups.add(Group.objects.get(name=role))
    return user


def api_client(role: str) -> APIClient:
    """A client sending the role's token; the anonymous one sends nothing."""
    client = APIClient()
    if role != "anonymous":
        token = Token.objects.create(user=person_make(role))
        client.credentials(HTTP_AUTHORIZATION=f"Token {token.key}")
    return client


@pytest.fixture
def clients(db) -> dict[str, APIClient]:
    return {role: api_client(role) for role in ROLES}


@pytest.fixture
def world(db) -> dict:
    """A published ACR test with six votes (one clip, two systems) and a finished build with
    one stored file: the ids every endpoint is asked about."""
    test = one_utterance_test(3)
    cast(test, Rater.Platform.PANEL, {"gating": [4, 5, 3], "noisy input": [2, 1, 2]})
    report = Report.objects.create(test=test, status=Report.Status.DONE)
    stored = default_storage.save(f"{report.folder}/votes.csv", ContentFile(b"vote,score\n1,4\n"))
    report.files = [stored]
    report.save()
    return {
        "test": test,
        "testset": test.testset,
        "corpus": test.testset.corpora.get(),
        "system": test.testset.systems.order_by("pk").first(),
        "rater": Rater.objects.order_by("pk").first(),
        "report": report,
    }
