"""Audio behind random, expiring links; the response names nothing.

Locally the file goes out through the WSGI server's file wrapper (sendfile where it has one),
with byte ranges (206) for the browsers that ask for them (Safari on iOS will not play
otherwise); on S3 the link redirects to a presigned URL. Either way the first fetch of a link
is announced (storage.audio_fetched), which is when a rating clip counts as served.
"""

from __future__ import annotations

import re

from django.conf import settings
from django.core.files.storage import default_storage
from django.http import (
    FileResponse,
    Http404,
    HttpRequest,
    HttpResponse,
    HttpResponseRedirect,
)
from django.utils import timezone

from config.security import FILE_POLICY, methods_only
from enhancement import storage

RANGE = re.compile(r"bytes=(\d{0,18})-(\d{0,18})")  # longer numbers: not a range this view takes
CACHE = "private, max-age=3600"


@methods_only("GET")
def audio(request: HttpRequest, token: str) -> HttpResponse:
    opened = storage.audio_token_open(token)
    if opened is None:
        raise Http404("audio link expired or invalid")
    name, tag = opened
    if settings.AUDIO_STORAGE == "s3":
        _fetched(tag)
        response = HttpResponseRedirect(default_storage.url(name))
        response["Cache-Control"] = "no-store"
        return response
    try:
        size = default_storage.size(name)
    except FileNotFoundError:
        raise Http404("audio not found") from None
    _fetched(tag)
    return _ranged(request, name, size)


def _fetched(tag: str) -> None:
    # Sent for every link, tagged or not: a DCR or CCR reference's fetch costs what the
    # processed clip's does, so response time does not tell which is which.
    storage.audio_fetched.send(sender=audio, tag=tag, at=timezone.now())


def byte_range(header: str | None, size: int) -> tuple[int, int] | bool | None:
    """The one range a Range header asks for, as (first, last) byte; None for the whole file
    (no header, or one this view does not take, such as several ranges); False when it lies
    wholly past the end."""
    if not header:
        return None
    match = RANGE.fullmatch(header.strip())
    if match is None or match.group(1) == match.group(2) == "":
        return None
    first, last = match.groups()
    if first == "":  # the last N bytes
        count = int(last)
        return (max(0, size - count), size - 1) if count and size else False
    start = int(first)
    if start >= size:
        return False
    end = min(int(last), size - 1) if last else size - 1
    return None if end < start else (start, end)


def _ranged(request: HttpRequest, name: str, size: int) -> HttpResponse:
    wanted = byte_range(request.headers.get("Range"), size)
    if wanted is False:
        response = HttpResponse(status=416)
        response["Content-Range"] = f"bytes */{size}"
    elif wanted is None:
        response = _file(name, 0, 200)
    else:
        first, last = wanted
        if last == size - 1:  # to the end, as browsers ask (bytes=0-): the file wrapper sends it
            response = _file(name, first, 206)
        else:
            with default_storage.open(name, "rb") as handle:
                handle.seek(first)
                data = handle.read(last - first + 1)
            response = HttpResponse(data, status=206, content_type="audio/flac")
        response["Content-Range"] = f"bytes {first}-{last}/{size}"
    response["Accept-Ranges"] = "bytes"
    response["Cache-Control"] = CACHE
    # A file runs nothing and fetches nothing, whole or in part.
    response["Content-Security-Policy"] = FILE_POLICY
    return response


def _file(name: str, start: int, status: int) -> FileResponse:
    """The file from byte `start` to its end. FileResponse counts Content-Length from the
    position; its Content-Disposition would name the stored file, so it goes."""
    handle = default_storage.open(name, "rb")
    handle.seek(start)
    response = FileResponse(handle, status=status, content_type="audio/flac")
    response.headers.pop("Content-Disposition", None)
    return response
