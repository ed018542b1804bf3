"""Writes of the enhancement app, one module per kind of write. Callers use the names below
(`services.clip_create(...)`); a file and the row that points to it are written together
through storage.files_for_rows()."""

from __future__ import annotations

from enhancement.generation import GenerationError
from enhancement.ingest.reading import IngestReport
from enhancement.ingest.sources import SourceRejected
from enhancement.services.clips import ClipDraft, clip_create, clips_create
from enhancement.services.generation import (
    outputs_verify,
    testset_generate,
    testset_generate_enqueue,
)
from enhancement.services.ingest import corpus_ingest
from enhancement.services.scoring import (
    metrics_compute,
    metrics_compute_chunk,
    metrics_retry_failed,
)
from enhancement.services.simulation import corpus_simulate
from enhancement.simulation import SimulationError

__all__ = [
    "ClipDraft",
    "GenerationError",
    "IngestReport",
    "SimulationError",
    "SourceRejected",
    "clip_create",
    "clips_create",
    "corpus_ingest",
    "corpus_simulate",
    "metrics_compute",
    "metrics_compute_chunk",
    "metrics_retry_failed",
    "outputs_verify",
    "testset_generate",
    "testset_generate_enqueue",
]
