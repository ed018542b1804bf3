"""Nothing a rater's browser receives names a system, condition, corpus or file: pages,
headers, audio URLs, their tokens decoded, and the metadata of the audio served. A DCR or CCR
trap (the reference against itself) looks like any other pair."""

from __future__ import annotations

import base64
import binascii
import re
import uuid

import pytest

from enhancement.models import Clip, Corpus, Output, System, TestSet
from listening.models import Stimulus
from tests.conftest import corpus_make, live_test_make, testset_make
from tests.security.pages import AUDIO_SRC, STIMULUS, Visit, session_through

pytestmark = pytest.mark.django_db
TOKEN = re.compile(r"/a/([A-Za-z0-9_-]+)")


def secrets_of_the_test() -> set[str]:
    """Every name a rater must not learn."""
    names = {"gold", "trap", "unprocessed", "spectral", "reference_audio"}
    names |= {s.name for s in System.objects.all()} | {s.kind for s in System.objects.all()}
    names |= {c.name for c in Corpus.objects.all()} | {t.name for t in TestSet.objects.all()}
    for clip in Clip.objects.all():
        names |= {clip.name, clip.name.rsplit(".", 1)[0], clip.utterance, clip.audio.name}
    names |= {o.audio.name for o in Output.objects.all()}
    names |= {s.audio for s in Stimulus.objects.all()}
    return {name.lower() for name in names if name}


def flac_comments(data: bytes) -> list[bytes]:
    """The Vorbis comments (tags) of a FLAC stream, read from its metadata blocks."""
    assert data[:4] == b"fLaC"
    position, comments = 4, []
    while True:
        header = data[position]
        length = int.from_bytes(data[position + 1 : position + 4], "big")
        block = data[position + 4 : position + 4 + length]
        if header & 0x7F == 4:  # VORBIS_COMMENT: vendor, then count and comments
            vendor = int.from_bytes(block[:4], "little")
            count = int.from_bytes(block[4 + vendor : 8 + vendor], "little")
            at = 8 + vendor
            for _ in range(count):
                size = int.from_bytes(block[at : at + 4], "little")
                comments.append(block[at + 4 : at + 4 + size])
                at += 4 + size
        position += 4 + length
        if header & 0x80:
            return comments


def decoded(token: str) -> bytes:
    padded = token + "=" * (-len(token) % 4)
    try:
        return base64.urlsafe_b64decode(padded)
    except (binascii.Error, ValueError):
        return b""


@pytest.mark.parametrize("method", ["acr", "dcr", "ccr"])
def test_nothing_a_rater_receives_names_a_system_corpus_or_file(method):
    test = live_test_make(testset_make([corpus_make("en", 4)]), method=method)
    visit = Visit()
    session_through(visit, test)
    secrets = secrets_of_the_test()
    audio = [r for r in visit.responses if r.get("Content-Type") == "audio/flac"]
    assert len(audio) >= 10
    for response in visit.responses:
        seen = [response.content, " ".join(f"{k}: {v}" for k, v in response.items()).encode()]
        if "Location" in response:
            seen.append(response["Location"].encode())
        for token in TOKEN.findall(response.content.decode("utf-8", "replace")):
            seen.append(decoded(token))
        if response in audio:
            assert flac_comments(response.content) == []
            assert "Content-Disposition" not in response and "Last-Modified" not in response
        text = b" ".join(seen).lower()
        for secret in secrets:
            assert secret.encode() not in text, (secret, response.status_code)


def pair_pages(visit: Visit) -> list[tuple[str, list[str]]]:
    """(stimulus key, clip URLs) of every rating page the rater saw."""
    found = []
    for response in visit.responses:
        text = response.content.decode("utf-8", "replace")
        if response.get("Content-Type", "").startswith("text/html") and STIMULUS.search(text):
            found.append((STIMULUS.search(text).group(1), [u for _i, u in AUDIO_SRC.findall(text)]))
    return found


def skeleton(html: str) -> str:
    """A page with its per-page values (ids, tokens, counters) blanked."""
    html = re.sub(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}", "ID", html)
    html = TOKEN.sub("/a/TOKEN", html)
    html = re.sub(r'name="csrfmiddlewaretoken" value="[^"]+"', "CSRF", html)
    # The session's progress bar counts time and clips left, like "n of m".
    html = re.sub(
        r'<nav class="session-progress".*?</nav>',
        lambda bar: re.sub(r"\d+(\.\d+)?", "N", bar.group(0)),
        html,
        flags=re.S,
    )
    return re.sub(r"\d+ of \d+", "N of M", html)


@pytest.mark.parametrize("method", ["dcr", "ccr"])
def test_a_reference_against_itself_cannot_be_told_from_its_urls_or_page(method):
    test = live_test_make(testset_make([corpus_make("en", 4)]), method=method)
    visit = Visit()
    session_through(visit, test)
    roles = dict(Stimulus.objects.filter(test=test).values_list("key", "role"))
    pages = {key: urls for key, urls in pair_pages(visit)}
    traps = [key for key in pages if roles[uuid.UUID(key)] == "trap"]
    assert traps, "the session holds a trap"
    for key in traps:
        first, second = pages[key]
        assert first != second and len(TOKEN.search(first)[1]) == len(TOKEN.search(second)[1])
    every = [url for urls in pages.values() for url in urls]
    assert len(set(every)) == len(every), "no link is ever shown twice"
    html = {}
    for response in visit.responses:
        text = response.content.decode("utf-8", "replace")
        match = STIMULUS.search(text) if "text/html" in response.get("Content-Type", "") else None
        if match and "Training clip" not in text:
            html[match.group(1)] = skeleton(text)
    rating = [key for key in html if roles[uuid.UUID(key)] == "rating"]
    assert rating and all(html[key] == html[rating[0]] for key in traps)
    heads = {
        frozenset((k, v) for k, v in r.items() if k not in ("Content-Length", "Date"))
        for r in visit.responses
        if r.get("Content-Type") == "audio/flac"
    }
    assert len(heads) == 1, "every clip is served with the same headers"
