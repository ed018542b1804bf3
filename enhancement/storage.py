"""The one door to audio storage: local files behind random links, or S3 with presigned URLs.

Stored names are random (audio/ab/ab12….flac): no system, condition or file name reaches the
storage key, so neither an audio URL nor a bucket listing unblinds a test. A local audio link
is a random token looked up in AudioLink: it decodes to nothing, two links to one file differ,
and no token, made by anyone with any key, reaches a file outside audio/ (a report, a model).
"""

from __future__ import annotations

import hashlib
import io
import re
import secrets
import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import timedelta
from functools import cache
from typing import NamedTuple

import numpy as np
import soundfile as sf
from django.conf import settings
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage
from django.db import connection
from django.dispatch import Signal
from django.urls import reverse
from django.utils import timezone

from config.sql import column, insert_many, param, table

# What encoded_save names a file, and what audio_url makes: only these reach a rater.
AUDIO_NAME = re.compile(r"audio/([0-9a-f]{2})/\1[0-9a-f]{30}\.flac")
TOKEN = re.compile(r"[A-Za-z0-9_-]{32}")
# Expired links are swept on one creation in this many.
_PURGE_EVERY = 64
# Sent by the audio view when a link is opened, with tag= (who it was made for; "" for nobody)
# and at= (when): the listening app stamps the serving time from it.
audio_fetched = Signal()


def audio_encode(audio: np.ndarray, sample_rate: int) -> bytes:
    buffer = io.BytesIO()
    sf.write(buffer, np.asarray(audio, dtype=np.float32), sample_rate, format="FLAC")
    return buffer.getvalue()


def audio_save(*, audio: np.ndarray, sample_rate: int) -> str:
    return encoded_save(audio_encode(audio, sample_rate))


def encoded_save(data: bytes) -> str:
    """Store FLAC bytes under a random name. A write that dies half-way leaves a file no row
    points to: nothing shows it to anyone, and a rerun writes a new one."""
    key = uuid.uuid4().hex
    return default_storage.save(f"audio/{key[:2]}/{key}.flac", ContentFile(data))


class StoredFiles:
    """The files one write stored, so that they can go again when its rows do not land."""

    def __init__(self) -> None:
        self.names: list[str] = []

    def audio_save(self, *, audio: np.ndarray, sample_rate: int) -> str:
        return self.encoded_save(audio_encode(audio, sample_rate))

    def encoded_save(self, data: bytes) -> str:
        name = encoded_save(data)
        self.names.append(name)
        return name


@contextmanager
def files_for_rows() -> Iterator[StoredFiles]:
    """Store files, then write the rows that point to them, inside this block: when the block
    raises (a row refused, a transaction inside it rolled back), every file it stored is
    deleted, so no file is left that no row points to. Put the block outside the transaction
    the rows are written in, so that a rollback anywhere inside it counts."""
    files = StoredFiles()
    try:
        yield files
    except BaseException:
        for name in files.names:
            audio_delete(name)
        raise


def stored_sha256(name: str) -> str | None:
    """SHA-256 of a stored file, or None when it is missing."""
    if not name or not default_storage.exists(name):
        return None
    with default_storage.open(name, "rb") as handle:
        return hashlib.sha256(handle.read()).hexdigest()


def audio_load(name: str) -> tuple[np.ndarray, int]:
    with default_storage.open(name, "rb") as handle:
        data, sample_rate = sf.read(io.BytesIO(handle.read()), dtype="float32", always_2d=False)
    if data.ndim > 1:
        data = data[:, 0]
    return data, int(sample_rate)


def audio_delete(name: str) -> None:
    if name and default_storage.exists(name):
        default_storage.delete(name)


def is_audio_name(name: object) -> bool:
    return isinstance(name, str) and AUDIO_NAME.fullmatch(name) is not None


def audio_url(name: str) -> str:
    """A URL a rater's browser can fetch for AUDIO_URL_MAX_AGE, and that names nothing; a new
    one on every call. Refuses any name that is not stored audio. On S3, a presigned URL
    that the browser takes straight to the bucket."""
    if not is_audio_name(name):
        raise ValueError(f"only stored audio gets a rater's link, not {name!r}")
    if settings.AUDIO_STORAGE == "s3":
        return default_storage.url(name)
    return audio_link(name).url


def audio_urls(names: list[str]) -> list[str]:
    """audio_url for each name, in order, the local links made in one insert."""
    if settings.AUDIO_STORAGE == "s3":
        return [audio_url(name) for name in names]
    return [link.url for link in audio_links(names)]


class Link(NamedTuple):
    url: str
    digest: str  # SHA-256 of the token: how the link is kept


def audio_links(names: list[str], *, tags: list[str] | None = None) -> list[Link]:
    """Links through this server, on any storage, so that each fetch is known (audio_fetched,
    sent with the link's tag: who the link was made for); made in one insert. Locally the
    server sends the file, on S3 it redirects to a presigned URL."""
    tags = tags or [""] * len(names)
    for name in names:
        if not is_audio_name(name):
            raise ValueError(f"only stored audio gets a rater's link, not {name!r}")
    from enhancement.models import AudioLink

    tokens = [secrets.token_urlsafe(24) for _name in names]
    now = timezone.now()
    rows = [
        AudioLink(digest=_digest(token), name=name, tag=tag, created_at=now)
        for token, name, tag in zip(tokens, names, tags, strict=True)
    ]
    insert_many(rows)  # one statement, written out (config.sql): every rating step makes one
    if any(row.pk is not None and row.pk % _PURGE_EVERY == 0 for row in rows):
        AudioLink.objects.filter(created_at__lt=_oldest_valid()).delete()
    return [Link(reverse("enhancement:audio", args=[token]), _digest(token)) for token in tokens]


def audio_link(name: str, *, tag: str = "") -> Link:
    return audio_links([name], tags=[tag])[0]


def audio_token_open(token: object) -> tuple[str, str] | None:
    """(the stored audio, the link's tag) a link's token opens; None when it is malformed,
    unknown or expired."""
    from enhancement.models import AudioLink

    if not isinstance(token, str) or TOKEN.fullmatch(token) is None:
        return None
    oldest = param(AudioLink, "created_at", _oldest_valid())
    with connection.cursor() as cursor:  # every audio fetch asks: written out (config.sql)
        cursor.execute(_link_sql(connection.vendor), [_digest(token), oldest])
        found = cursor.fetchone()
    return tuple(found) if found is not None and is_audio_name(found[0]) else None


@cache
def _link_sql(vendor: str) -> str:
    from enhancement.models import AudioLink

    return (
        f"SELECT {column(AudioLink, 'name')}, {column(AudioLink, 'tag')} FROM {table(AudioLink)}"
        f" WHERE {column(AudioLink, 'digest')} = %s AND {column(AudioLink, 'created_at')} >= %s"
    )


def _digest(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def _oldest_valid():
    return timezone.now() - timedelta(seconds=settings.AUDIO_URL_MAX_AGE)
