"""Every page carries a Content-Security-Policy without inline script, nosniff, a referrer
policy and a frame ban; with DEBUG=0, HSTS and cookies sent over HTTPS only."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from config.security import FILE_POLICY
from tests.config.test_settings import run_settings
from tests.security.pages import Visit, session_through

pytestmark = pytest.mark.django_db
INLINE_SCRIPT = re.compile(rb"<script(?![^>]*\bsrc=)[^>]*>", re.I)
INLINE_HANDLER = re.compile(rb"<[^>]+\son[a-z]+\s*=", re.I)


def directives(response) -> dict[str, list[str]]:
    policy = response["Content-Security-Policy"]
    return {part.split()[0]: part.split()[1:] for part in policy.split(";") if part.strip()}


def test_every_rater_response_carries_the_headers_and_no_inline_script(live_test):
    visit = Visit()
    session_through(visit, live_test)
    assert len(visit.responses) > 20
    for response in visit.responses:
        if response["Content-Type"] == "audio/flac":  # a file: it runs and fetches nothing
            assert response["Content-Security-Policy"] == FILE_POLICY
        else:
            csp = directives(response)
            assert csp["script-src"] == ["'self'"] and csp["object-src"] == ["'none'"]
            assert csp["frame-ancestors"] == ["'none'"]
            assert "'unsafe-inline'" not in csp["style-src"]
        assert response["X-Content-Type-Options"] == "nosniff"
        assert response["Referrer-Policy"] == "same-origin"
        assert response["X-Frame-Options"] == "DENY"
        if response["Content-Type"].startswith("text/html"):
            assert not INLINE_SCRIPT.search(response.content), response.content[:200]
            assert not INLINE_HANDLER.search(response.content)
            assert b' style="' not in response.content


def test_the_admin_login_carries_the_policy(client):
    response = client.get(reverse("admin:login"))
    assert directives(response)["default-src"] == ["'self'"]
    assert not INLINE_SCRIPT.search(response.content)


def test_audio_on_s3_and_the_prolific_exit_are_allowed_by_the_policy(client, settings):
    settings.AUDIO_STORAGE = "s3"
    settings.AWS_S3_ENDPOINT_URL = "https://audio.example.org:9000/"
    settings.PROLIFIC_COMPLETION_URL = "https://app.prolific.com/submissions/complete"
    csp = directives(client.get(reverse("admin:login")))
    assert csp["media-src"] == ["'self'", "https://audio.example.org:9000"]
    assert csp["form-action"] == ["'self'", "https://app.prolific.com"]


def test_a_stored_file_shown_in_the_browser_runs_nothing(rf):
    from django.core.files.base import ContentFile
    from django.http import FileResponse

    from config.security import ContentSecurityPolicyMiddleware

    middleware = ContentSecurityPolicyMiddleware(lambda request: FileResponse(ContentFile(b"x")))
    response = middleware(rf.get("/"))
    assert response["Content-Security-Policy"] == FILE_POLICY
    assert "sandbox" in FILE_POLICY and "script-src" not in FILE_POLICY


PRODUCTION_PROBE = """
import django
django.setup()
from django.conf import settings
from django.core.management import call_command
from django.test import Client
call_command('collectstatic', interactive=False, verbosity=0)  # as an installation does
response = Client().get('/no-such-page/', secure=True)
print(response.status_code)
print(response.get('Strict-Transport-Security', '-'))
print(settings.SESSION_COOKIE_SECURE, settings.CSRF_COOKIE_SECURE, settings.SESSION_COOKIE_HTTPONLY)
"""


def test_production_sends_hsts_and_secure_cookies(tmp_path):
    result = run_settings(
        PRODUCTION_PROBE,
        AURICLE_DATA_DIR=str(tmp_path),
        AURICLE_STATIC_ROOT=str(tmp_path / "static"),
        DEBUG="0",
        SECRET_KEY="s" * 50,
        AURICLE_RATER_ID_KEY="r" * 40,
        ALLOWED_HOSTS="testserver",
    )
    assert result.returncode == 0, result.stderr
    status, hsts, cookies = result.stdout.strip().split("\n")
    assert status == "404"
    assert hsts == "max-age=31536000"
    assert cookies == "True True True"
