"""Reading a corpus source: every file checked and the ones that pass decoded; nothing stored.

A file that fails a check is reported with its name and reason and left out; a problem with
the source itself (unsafe zip, malformed sidecar) raises SourceRejected. services/ingest.py
stores what passes.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import PurePosixPath

from django.conf import settings

from enhancement.ingest.checks import Decoded, FileRejected, Limits, audio_decode
from enhancement.ingest.sidecar import sidecar_parse
from enhancement.ingest.sources import SIDECAR, SourceLimits, source_items
from enhancement.models import Corpus


@dataclass
class IngestReport:
    corpus: Corpus | None = None
    ingested: list[str] = field(default_factory=list)
    rejected: list[tuple[str, str]] = field(default_factory=list)
    notes: list[tuple[str, str]] = field(default_factory=list)

    def lines(self) -> list[str]:
        out = [f"ingested {len(self.ingested)} file(s), rejected {len(self.rejected)}"]
        out += [f"REJECTED {name}: {reason}" for name, reason in self.rejected]
        out += [f"note {name}: {text}" for name, text in self.notes]
        return out


@dataclass
class Accepted:
    name: str
    decoded: Decoded
    sha256: str


def source_limits() -> SourceLimits:
    return SourceLimits(
        max_file_bytes=settings.AURICLE_INGEST_MAX_FILE_MB * 2**20,
        max_total_bytes=settings.AURICLE_INGEST_MAX_TOTAL_MB * 2**20,
        max_files=settings.AURICLE_INGEST_MAX_FILES,
    )


def source_read(
    *,
    source: str,
    existing: set[str],
    channel: int | None,
    limits: Limits,
    report: IngestReport,
    on_item: Callable[[str, str | None], None] | None = None,
) -> tuple[list[Accepted], dict]:
    """The files of source that pass every check, and the sidecar's rows by file name; the
    others go into report with their reasons. on_item(name, reason or None) follows each file
    (a job's progress; raising there stops the read before anything is stored)."""
    sidecar = None
    seen: dict[str, str] = {}
    accepted: list[Accepted] = []
    for item in source_items(source, source_limits()):
        if PurePosixPath(item.name).name == SIDECAR and item.data is not None:
            sidecar = sidecar_parse(item.data, item.name)
            continue
        try:
            if item.data is None:
                raise FileRejected(item.problem)
            if item.name in existing:
                raise FileRejected("a clip of that name is already in the corpus")
            digest = hashlib.sha256(item.data).hexdigest()
            if digest in seen:
                raise FileRejected(f"the same bytes as {seen[digest]}")
            decoded = audio_decode(item.data, item.name, channel=channel, limits=limits)
        except FileRejected as exc:
            report.rejected.append((item.name, str(exc)))
            if on_item:
                on_item(item.name, str(exc))
            continue
        seen[digest] = item.name
        report.notes += [(item.name, note) for note in decoded.notes]
        accepted.append(Accepted(item.name, decoded, digest))
        if on_item:
            on_item(item.name, None)
    return accepted, sidecar or {}
