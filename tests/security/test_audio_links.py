"""Audio links open rater audio only: random tokens, a 404 for anything else, never a 500."""

from __future__ import annotations

from datetime import timedelta

import pytest
from django.core import signing
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.urls import reverse
from django.utils import timezone

from enhancement import storage
from enhancement.models import AudioLink

pytestmark = pytest.mark.django_db

# The payloads the old signed links carried, signed under this installation's own key.
HOSTILE_PAYLOADS = [
    {"n": ""},
    {"n": "audio"},
    [],
    {"x": 1},
    {"n": 5},
    {"n": None},
    {"n": "reports/2/3/votes.csv"},
    {"n": "../settings.py"},
]


def audio_get(client, token: str):
    return client.get(reverse("enhancement:audio", args=[token]))


@pytest.fixture
def stored_audio(db) -> str:
    return storage.encoded_save(b"fLaC" + b"\0" * 64)


@pytest.fixture
def report_file(db) -> str:
    return default_storage.save("reports/2/3/votes.csv", ContentFile(b"system,mos\ngating,3.1\n"))


@pytest.mark.parametrize("payload", HOSTILE_PAYLOADS)
def test_a_token_signed_with_the_secret_key_opens_nothing(client, report_file, payload):
    """Knowing SECRET_KEY no longer lets anyone name a stored file."""
    token = signing.TimestampSigner(salt="auricle.audio-url").sign_object(payload, compress=True)
    response = audio_get(client, token)
    assert response.status_code == 404
    assert b"gating" not in response.content


@pytest.mark.parametrize(
    "token",
    ["x", "a" * 32, "A" * 31 + "!", "\u00e9" * 32, "a" * 33, "Li4vLi4v" * 4, "%00" * 11, "-" * 32],
)
def test_a_malformed_or_unknown_token_is_404(client, token):
    assert audio_get(client, token).status_code == 404


def test_only_stored_audio_gets_a_link(report_file, settings):
    for name in [
        report_file,
        "",
        "audio",
        "audio/ab/",
        "audio/ab/cd" + "0" * 30 + ".flac",
        "models/system.pt",
        "audio/ab/ab" + "0" * 30 + ".flac/../x",
    ]:
        with pytest.raises(ValueError, match="only stored audio"):
            storage.audio_url(name)
    settings.AUDIO_STORAGE = "s3"  # refused before any presigned URL is made
    with pytest.raises(ValueError, match="only stored audio"):
        storage.audio_url(report_file)
    assert not AudioLink.objects.exists()


def test_a_link_row_pointing_outside_audio_opens_nothing(client, report_file):
    """Even a row written by hand (or a bug) cannot serve a report."""
    token = "r" * 32
    AudioLink.objects.create(
        digest=storage._digest(token), name=report_file, created_at=timezone.now()
    )
    assert audio_get(client, token).status_code == 404


def test_two_links_to_one_file_differ_and_both_play(client, stored_audio):
    first, second = storage.audio_url(stored_audio), storage.audio_url(stored_audio)
    assert first != second
    for url in (first, second):
        response = client.get(url)
        assert response.status_code == 200 and response.getvalue().startswith(b"fLaC")
        assert stored_audio not in url and stored_audio.encode() not in response.getvalue()
    # The database keeps digests: a dump of it opens nothing.
    tokens = {url.rstrip("/").rsplit("/", 1)[1] for url in (first, second)}
    assert not AudioLink.objects.filter(digest__in=tokens).exists()


def test_an_expired_link_is_404(client, stored_audio, settings):
    url = storage.audio_url(stored_audio)
    AudioLink.objects.update(
        created_at=timezone.now() - timedelta(seconds=settings.AUDIO_URL_MAX_AGE + 1)
    )
    assert client.get(url).status_code == 404


def test_a_link_to_deleted_audio_is_404(client, stored_audio):
    url = storage.audio_url(stored_audio)
    storage.audio_delete(stored_audio)
    assert client.get(url).status_code == 404


def test_expired_links_are_swept(stored_audio, settings):
    old = timezone.now() - timedelta(seconds=settings.AUDIO_URL_MAX_AGE + 60)
    AudioLink.objects.bulk_create(
        AudioLink(digest=f"{n:064x}", name=stored_audio, created_at=old) for n in range(3)
    )
    for _ in range(storage._PURGE_EVERY):
        storage.audio_url(stored_audio)
    assert not AudioLink.objects.filter(created_at__lte=old).exists()


@pytest.mark.parametrize("method", ["post", "put", "delete", "patch", "options"])
def test_an_audio_link_takes_get_only(client, stored_audio, method):
    response = getattr(client, method)(storage.audio_url(stored_audio))
    assert response.status_code == 405
    assert b"takes GET" in response.content


# -- byte ranges (Safari on iOS plays nothing without them) -------------------------------------
RANGED = b"fLaC" + bytes(range(200))  # 204 bytes, each position's byte known


@pytest.fixture
def ranged_url(db) -> str:
    return storage.audio_url(storage.encoded_save(RANGED))


@pytest.mark.parametrize(
    ("header", "first", "last"),
    [
        ("bytes=0-9", 0, 9),
        ("bytes=10-", 10, 203),
        ("bytes=-5", 199, 203),
        ("bytes=200-999", 200, 203),
    ],
)
def test_a_range_request_gets_those_bytes_with_206(client, ranged_url, header, first, last):
    response = client.get(ranged_url, headers={"range": header})
    assert response.status_code == 206
    assert response["Content-Range"] == f"bytes {first}-{last}/204"
    assert response["Accept-Ranges"] == "bytes"
    assert int(response["Content-Length"]) == last - first + 1
    assert response.getvalue() == RANGED[first : last + 1]


def test_a_whole_file_says_it_takes_ranges(client, ranged_url):
    response = client.get(ranged_url)
    assert response.status_code == 200 and response["Accept-Ranges"] == "bytes"
    assert response.getvalue() == RANGED and response["Content-Length"] == "204"
    assert "Content-Disposition" not in response


def test_a_range_past_the_end_is_416_with_the_size(client, ranged_url):
    response = client.get(ranged_url, headers={"range": "bytes=204-"})
    assert response.status_code == 416 and response["Content-Range"] == "bytes */204"


@pytest.mark.parametrize(
    "header",
    ["items=0-3", "bytes=9-2", "bytes=0-1,5-6", "bytes=-", "bytes=x-", "bytes=0-" + "9" * 4301],
)
def test_a_range_this_server_does_not_take_gets_the_whole_file(client, ranged_url, header):
    response = client.get(ranged_url, headers={"range": header})
    assert response.status_code == 200 and response.getvalue() == RANGED
