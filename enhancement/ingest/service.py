"""Corpus ingest: read a folder, zip or S3 prefix; check every file; store what passes.

A file that fails a check is reported with its name and reason and left out; a problem with
the source itself (unsafe zip, malformed sidecar) refuses everything. Either way nothing is
half-ingested: audio is stored first, rows are written in one transaction, and stored audio is
deleted again if that transaction fails.
"""

from __future__ import annotations

import hashlib
from dataclasses import dataclass, field
from pathlib import PurePosixPath

from django.conf import settings
from django.db import transaction

from enhancement import storage
from enhancement.ingest.checks import FileRejected, Limits, audio_decode
from enhancement.ingest.sidecar import sidecar_parse
from enhancement.ingest.sources import SIDECAR, SourceLimits, SourceRejected, source_items
from enhancement.models import Clip, Corpus

__all__ = ["IngestReport", "SourceRejected", "corpus_ingest"]


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
class _Accepted:
    name: str
    stored: str
    decoded: object
    sha256: str


def source_limits() -> SourceLimits:
    return SourceLimits(
        max_file_bytes=settings.AURICLE_INGEST_MAX_FILE_MB * 2**20,
        max_total_bytes=settings.AURICLE_INGEST_MAX_TOTAL_MB * 2**20,
        max_files=settings.AURICLE_INGEST_MAX_FILES,
    )


def _corpus_for(name: str, language: str, kind: str) -> Corpus | None:
    corpus = Corpus.objects.filter(name=name).first()
    if corpus and (corpus.language != language or corpus.kind != kind):
        raise SourceRejected(
            f"corpus {name!r} exists as {corpus.kind} in {corpus.language!r}; "
            f"asked for {kind} in {language!r}"
        )
    return corpus


def _read_all(source, existing, channel, limits, report, accepted: list[_Accepted]) -> dict:
    """Check every file, storing the ones that pass into accepted (the caller cleans up)."""
    sidecar = None
    seen: dict[str, str] = {}
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
            continue
        seen[digest] = item.name
        report.notes += [(item.name, note) for note in decoded.notes]
        stored = storage.audio_save(audio=decoded.audio, sample_rate=decoded.sample_rate)
        accepted.append(_Accepted(item.name, stored, decoded, digest))
    return sidecar or {}


def _rows_write(corpus_args, accepted, sidecar, report) -> Corpus:
    name, language, kind = corpus_args
    with transaction.atomic():
        corpus, _ = Corpus.objects.get_or_create(
            name=name, defaults={"language": language, "kind": kind}
        )
        Clip.objects.bulk_create(
            [
                Clip(
                    corpus=corpus,
                    name=a.name,
                    utterance=sidecar.get(a.name, {}).get("utterance")
                    or PurePosixPath(a.name).stem,
                    audio=a.stored,
                    sample_rate=a.decoded.sample_rate,
                    duration=len(a.decoded.audio) / a.decoded.sample_rate,
                    transcript=sidecar.get(a.name, {}).get("transcript", ""),
                    speaker=sidecar.get(a.name, {}).get("speaker", ""),
                    effective_rate=a.decoded.effective_rate,
                    speech_level_db=a.decoded.speech_level_db,
                    sha256=a.sha256,
                )
                for a in accepted
            ]
        )
    report.ingested = [a.name for a in accepted]
    return corpus


def corpus_ingest(
    *,
    name: str,
    language: str,
    source: str,
    kind: str = Corpus.Kind.SPEECH,
    channel: int | None = None,
) -> IngestReport:
    """Ingest every file of source into corpus name; see the module docstring."""
    report = IngestReport()
    corpus = _corpus_for(name, language, kind)
    existing = set(corpus.clips.values_list("name", flat=True)) if corpus else set()
    limits = Limits(check_speech=kind == Corpus.Kind.SPEECH)
    accepted: list[_Accepted] = []
    try:
        sidecar = _read_all(source, existing, channel, limits, report, accepted)
        known = {a.name for a in accepted} | {n for n, _ in report.rejected}
        unmatched = sorted(set(sidecar) - known)
        report.notes += [(n, f"listed in {SIDECAR} but not in the source") for n in unmatched]
        if accepted:
            report.corpus = _rows_write((name, language, kind), accepted, sidecar, report)
    except BaseException:
        for a in accepted:
            storage.audio_delete(a.stored)
        raise
    return report
