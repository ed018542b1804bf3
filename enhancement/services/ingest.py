"""Corpus ingest: read a folder, zip or S3 prefix; check every file; store what passes.

A file that fails a check is reported with its name and reason and left out; a problem with
the source itself (unsafe zip, malformed sidecar) refuses everything. Either way nothing is
half-ingested: every file is checked before any is stored, the rows are written in one
transaction, and the stored audio is deleted again if that transaction fails.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import PurePosixPath

from django.db import transaction

from enhancement import storage
from enhancement.ingest.checks import Limits
from enhancement.ingest.reading import Accepted, IngestReport, source_read
from enhancement.ingest.sources import SIDECAR, SourceRejected
from enhancement.models import Corpus
from enhancement.services.clips import ClipDraft, clips_create


def _corpus_for(name: str, language: str, kind: str) -> Corpus | None:
    corpus = Corpus.objects.filter(name=name).first()
    if corpus and (corpus.language != language or corpus.kind != kind):
        raise SourceRejected(
            f"corpus {name!r} exists as {corpus.kind} in {corpus.language!r}; "
            f"asked for {kind} in {language!r}"
        )
    return corpus


def _draft(accepted: Accepted, row: dict) -> ClipDraft:
    decoded = accepted.decoded
    return ClipDraft(
        name=accepted.name,
        utterance=row.get("utterance") or PurePosixPath(accepted.name).stem,
        audio=decoded.audio,
        sample_rate=decoded.sample_rate,
        transcript=row.get("transcript", ""),
        speaker=row.get("speaker", ""),
        effective_rate=decoded.effective_rate,
        speech_level_db=decoded.speech_level_db,
        sha256=accepted.sha256,
    )


def _rows_write(corpus_args, accepted: list[Accepted], sidecar: dict) -> Corpus:
    name, language, kind = corpus_args
    with storage.files_for_rows() as files, transaction.atomic():
        corpus, _ = Corpus.objects.get_or_create(
            name=name, defaults={"language": language, "kind": kind}
        )
        drafts = [_draft(a, sidecar.get(a.name, {})) for a in accepted]
        clips_create(corpus=corpus, drafts=drafts, files=files)
    return corpus


def corpus_ingest(
    *,
    name: str,
    language: str,
    source: str,
    kind: str = Corpus.Kind.SPEECH,
    channel: int | None = None,
    on_item: Callable[[str, str | None], None] | None = None,
) -> IngestReport:
    """Ingest every file of source into corpus name; see the module docstring."""
    report = IngestReport()
    corpus = _corpus_for(name, language, kind)
    existing = set(corpus.clips.values_list("name", flat=True)) if corpus else set()
    limits = Limits(check_speech=kind == Corpus.Kind.SPEECH)
    accepted, sidecar = source_read(
        source=source,
        existing=existing,
        channel=channel,
        limits=limits,
        report=report,
        on_item=on_item,
    )
    known = {a.name for a in accepted} | {n for n, _ in report.rejected}
    unmatched = sorted(set(sidecar) - known)
    report.notes += [(n, f"listed in {SIDECAR} but not in the source") for n in unmatched]
    if accepted:
        report.corpus = _rows_write((name, language, kind), accepted, sidecar)
        report.ingested = [a.name for a in accepted]
    return report
