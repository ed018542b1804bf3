"""A NUL character anywhere in a request is a 400 that says so, on SQLite and PostgreSQL alike
(PostgreSQL refuses NUL in any text it is asked to compare or store)."""

from __future__ import annotations

import uuid

import pytest

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("method", "url", "data"),
    [
        ("get", "/t/ab%00cd/", None),
        ("get", "/t/abcd/?invite=x%00y", None),
        ("post", "/t/abcd/", {"language": "en\x00", "consent": "1"}),
        ("post", f"/s/{uuid.uuid4()}/qualification/", {"mother_tongue": "\x00en"}),
        ("post", f"/s/{uuid.uuid4()}/vote/", {"stimulus\x00": "1"}),
        ("get", "/a/%00", None),
    ],
)
def test_a_nul_in_the_address_or_the_form_is_a_clear_400(client, method, url, data):
    response = getattr(client, method)(url, data) if data else getattr(client, method)(url)
    assert response.status_code == 400
    assert b"NUL character" in response.content


def test_a_nul_in_the_session_cookie_is_a_clear_400(client):
    client.cookies["sessionid"] = "abcdefgh\x00ijkl"
    assert client.get("/admin/login/").status_code == 400
