"""Jobs on corpora: ingest (a zip upload, a server folder or zip, or s3://) and simulation."""

from __future__ import annotations

import shutil
import tempfile
from pathlib import Path

from django.core.files.storage import default_storage

from enhancement.models import Corpus
from jobs.errors import JobFailed, JobRefused
from jobs.runners.base import Runner, param_int, param_row, param_str, runner_register

# Uploads an admin page or the API stored for an ingest job, in the audio storage so that a
# worker on another machine reads them too; the job deletes its upload when it is done.
UPLOADS = "uploads/"


def upload_store(upload) -> str:
    """Keep an uploaded zip for an ingest job; returns the name to pass as params.upload."""
    return default_storage.save(f"{UPLOADS}ingest.zip", upload)


def _ingest_clean(params: dict) -> dict:
    clean = {
        "name": param_str(params, "name", max_length=200),
        "language": param_str(params, "language", max_length=16),
        "kind": param_str(params, "kind", default=Corpus.Kind.SPEECH),
        "channel": None,
    }
    if not clean["name"].strip() or not clean["language"].strip():
        raise JobRefused("params.name and params.language must not be empty")
    if clean["kind"] not in Corpus.Kind.values:
        raise JobRefused(f"params.kind must be one of {', '.join(Corpus.Kind.values)}")
    if params.get("channel") is not None:
        clean["channel"] = param_int(params, "channel", minimum=0)
    source, upload = params.get("source") or "", params.get("upload") or ""
    if bool(source) == bool(upload):
        raise JobRefused("give either params.source (a path or s3:// prefix) or params.upload")
    if upload:
        upload = param_str(params, "upload")
        if not upload.startswith(UPLOADS) or ".." in upload:
            raise JobRefused(f"params.upload must name a stored upload under {UPLOADS}")
        clean["upload"] = upload
    else:
        clean["source"] = param_str(params, "source")
        if not clean["source"].startswith("s3://") and not Path(clean["source"]).exists():
            raise JobRefused(f"{clean['source']} does not exist")
    return clean


def _ingest_run(job, progress) -> dict:
    from enhancement import services

    params = job.params

    def on_item(name: str, error: str | None) -> None:
        progress.step(name, error)
        if progress.cancelled:
            from jobs.progress import JobCancelled

            raise JobCancelled

    with tempfile.NamedTemporaryFile(suffix=".zip") as copy:
        source = params.get("source", "")
        if params.get("upload"):
            with default_storage.open(params["upload"], "rb") as handle:
                shutil.copyfileobj(handle, copy)
            copy.flush()
            source = copy.name
        try:
            report = services.corpus_ingest(
                name=params["name"],
                language=params["language"],
                source=source,
                kind=params["kind"],
                channel=params["channel"],
                on_item=on_item,
            )
        except services.SourceRejected as exc:
            raise JobFailed(f"nothing ingested: {exc}") from None
        finally:
            if params.get("upload"):
                default_storage.delete(params["upload"])
    progress.total(progress.done)
    if not report.ingested:
        raise JobFailed("nothing ingested: every file was rejected")
    return {
        "corpus": report.corpus.pk,
        "ingested": len(report.ingested),
        "rejected": len(report.rejected),
        "notes": [f"{name}: {text}" for name, text in report.notes][:200],
        "summary": report.lines()[0],
    }


def _simulate_clean(params: dict) -> dict:
    from enhancement.distortions import DEFAULT_NOISE_KINDS
    from enhancement.distortions.recipe import SNR_RANGE_DB
    from enhancement.simulation import SimulationError, simulation_check

    source = param_row(params, "source", "enhancement.corpus")
    noise_corpus = None
    if params.get("noise_corpus") is not None:
        noise_corpus = param_row(params, "noise_corpus", "enhancement.corpus")
    noise = params.get("noise", list(DEFAULT_NOISE_KINDS))
    if not isinstance(noise, list) or not all(isinstance(k, str) for k in noise):
        raise JobRefused("params.noise must be a list of noise kinds")
    snr = params.get("snr", list(SNR_RANGE_DB))
    if not (isinstance(snr, list) and len(snr) == 2 and all(_number(v) for v in snr)):
        raise JobRefused("params.snr must be two numbers, [low, high] in dB")
    if snr[0] > snr[1]:
        raise JobRefused("params.snr: low must not be above high")
    name = param_str(params, "name", max_length=200)
    try:
        simulation_check(
            source=source, name=name, noise_kinds=tuple(noise), noise_corpus=noise_corpus
        )
    except SimulationError as exc:
        raise JobRefused(str(exc)) from None
    return {
        "source": source.pk,
        "name": name,
        "seed": param_int(params, "seed", default=0),
        "noise": noise,
        "noise_corpus": noise_corpus.pk if noise_corpus else None,
        "snr": [float(v) for v in snr],
    }


def _number(value) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool) and value == value


def _simulate_run(job, progress) -> dict:
    from enhancement import services

    params = job.params
    noise_corpus = params["noise_corpus"]
    try:
        corpus = services.corpus_simulate(
            source=Corpus.objects.get(pk=params["source"]),
            name=params["name"],
            seed=params["seed"],
            noise_kinds=tuple(params["noise"]),
            noise_corpus=Corpus.objects.get(pk=noise_corpus) if noise_corpus else None,
            snr_range_db=tuple(params["snr"]),
            on_progress=progress.advance,
        )
    except services.SimulationError as exc:
        raise JobFailed(str(exc)) from None
    count = corpus.clips.count()
    return {"corpus": corpus.pk, "clips": count, "summary": f"created {corpus.name}: {count} clips"}


runner_register(Runner(kind="ingest", run=_ingest_run, clean=_ingest_clean))
runner_register(
    Runner(
        kind="simulate",
        run=_simulate_run,
        clean=_simulate_clean,
        target_model="enhancement.corpus",
        target_param="source",
    )
)
