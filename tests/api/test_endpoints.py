"""Every endpoint of /api/v1/, asked by each role: 401 without credentials, 403 below the
endpoint's role, its answer at or above it."""

from __future__ import annotations

import pytest
from rest_framework.authtoken.models import Token

from listening.models import ListeningTest
from tests.api.conftest import RANK, ROLES, api_client

pytestmark = pytest.mark.django_db

BASE = "/api/v1/"

# path (formatted with the world's ids) -> the least role that may read it
READS = {
    "tests/": "viewer",
    "tests/{test}/": "viewer",
    "tests/{test}/progress/": "viewer",
    "tests/{test}/stimuli/": "analyst",
    "tests/{test}/mos/": "analyst",
    "tests/{test}/ranking/": "analyst",
    "tests/{test}/exclusions/": "analyst",
    "tests/{test}/tables/": "analyst",
    "tests/{test}/tables/systems/": "analyst",
    "tests/{test}/reports/": "analyst",
    "tests/{test}/reports/{report}/": "analyst",
    "tests/{test}/reports/{report}/files/votes.csv": "analyst",
    "corpora/": "analyst",
    "corpora/{corpus}/": "analyst",
    "systems/": "analyst",
    "systems/{system}/": "analyst",
    "testsets/": "analyst",
    "testsets/{testset}/": "analyst",
    "testsets/{testset}/metrics/": "analyst",
    "raters/": "analyst",
    "raters/{rater}/": "analyst",
}


def ids(world: dict) -> dict[str, int]:
    return {name: row.pk for name, row in world.items()}


def expected(role: str, least: str, allowed: set[int]) -> set[int]:
    if role == "anonymous":
        return {401}
    return allowed if RANK[role] >= RANK[least] else {403}


def test_every_read_answers_each_role_as_its_role_allows(world, clients):
    wrong = []
    for template, least in READS.items():
        url = BASE + template.format(**ids(world))
        for role in ROLES:
            answer = clients[role].get(url)
            if answer.status_code not in expected(role, least, {200}):
                wrong.append((url, role, answer.status_code))
    assert wrong == []


# (method, path, body, the least role, the statuses it may answer at or above that role)
WRITES = [
    ("post", "corpora/", {"name": "c-{role}", "language": "fr"}, "organizer", {201}),
    ("patch", "corpora/{corpus}/", {"description": "read aloud"}, "organizer", {200}),
    ("post", "systems/", {"name": "s-{role}", "kind": "unprocessed"}, "organizer", {201}),
    ("patch", "systems/{system}/", {"description": "as recorded"}, "organizer", {200}),
    (
        "post",
        "testsets/",
        {"name": "ts-{role}", "corpora": ["{corpus}"], "systems": ["{system}"]},
        "organizer",
        {201},
    ),
    ("patch", "testsets/{testset}/", {"name": "renamed-{role}"}, "organizer", {200}),
    ("post", "tests/", {"name": "t-{role}", "testset": "{testset}"}, "organizer", {201}),
    ("patch", "tests/{test}/", {"name": "renamed-{role}"}, "organizer", {200}),
    ("post", "tests/{test}/publish/", None, "organizer", {409}),  # it is live already
    ("post", "tests/{test}/pause/", None, "organizer", {200}),
    ("post", "tests/{test}/resume/", None, "organizer", {409}),  # live, not paused
    ("post", "tests/{test}/close/", None, "organizer", {200}),
    ("post", "tests/{test}/reports/", None, "analyst", {201, 200}),  # then: already queued
]


def _body(body: dict | None, role: str, world: dict) -> dict | None:
    if body is None:
        return None
    values = {**ids(world), "role": role}
    filled = {}
    for key, value in body.items():
        if isinstance(value, list):
            filled[key] = [int(item.format(**values)) for item in value]
        elif value.startswith("{") and value != "{role}":
            filled[key] = int(value.format(**values))
        else:
            filled[key] = value.format(**values)
    return filled


@pytest.mark.parametrize(("method", "template", "body", "least", "allowed"), WRITES)
def test_every_write_answers_each_role_as_its_role_allows(
    world, clients, method, template, body, least, allowed
):
    url = BASE + template.format(**ids(world))
    for role in ROLES:
        call = getattr(clients[role], method)
        answer = call(url, _body(body, role, world), format="json")
        assert answer.status_code in expected(role, least, allowed), (role, answer.content)


def test_a_refused_write_changes_nothing(world, clients):
    test = world["test"]
    name = test.name
    for role in ("anonymous", "nobody", "viewer", "analyst"):
        clients[role].post(f"{BASE}tests/{test.pk}/close/")
        clients[role].patch(f"{BASE}tests/{test.pk}/", {"name": "taken"}, format="json")
    test.refresh_from_db()
    assert (test.status, test.name) == (ListeningTest.Status.LIVE, name)
    assert not ListeningTest.objects.filter(name="taken").exists()


def test_a_request_without_credentials_is_challenged_for_a_token(db):
    answer = api_client("anonymous").get(f"{BASE}tests/")
    assert answer.status_code == 401
    assert answer["WWW-Authenticate"] == "Token"


def test_a_wrong_token_is_refused_and_a_right_one_is_given_for_a_password(db, client):
    from tests.api.conftest import person_make

    person_make("viewer")
    bad = api_client("anonymous")
    bad.credentials(HTTP_AUTHORIZATION="Token not-a-token")
    assert bad.get(f"{BASE}tests/").status_code == 401
    refused = client.post(f"{BASE}auth/token/", {"username": "viewer-user", "password": "no"})
    assert refused.status_code == 400
    given = client.post(
        f"{BASE}auth/token/", {"username": "viewer-user", "password": "pw-long-enough"}
    )
    assert given.json()["token"] == Token.objects.get(user__username="viewer-user").key
    key = given.json()["token"]
    assert client.get(f"{BASE}tests/", HTTP_AUTHORIZATION=f"Token {key}").status_code == 200


def test_a_logged_in_browser_session_reads_by_the_same_roles(world, client):
    from tests.api.conftest import person_make

    client.force_login(person_make("viewer"))
    test = world["test"]
    assert client.get(f"{BASE}tests/{test.pk}/progress/").json()["votes"] == 6
    assert client.get(f"{BASE}tests/{test.pk}/mos/").status_code == 403
