"""The P.808 toolkit import as a job: a Batch results CSV and its result_parser.cfg, both
stored uploads (jobs.runners.corpora.UPLOADS)."""

from __future__ import annotations

from django.core.files.storage import default_storage

from jobs.errors import JobFailed, JobRefused
from jobs.runners.base import Runner, param_str, runner_register
from jobs.runners.corpora import UPLOADS

OPTIONAL = ("condition_pattern", "condition_keys")


def _upload(params: dict, name: str) -> str:
    stored = param_str(params, name)
    if not stored.startswith(UPLOADS) or ".." in stored:
        raise JobRefused(f"params.{name} must name a stored upload under {UPLOADS}")
    return stored


def _clean(params: dict) -> dict:
    method = param_str(params, "method")
    if method not in {"acr", "dcr", "ccr", "p835"}:
        raise JobRefused(f"params.method must be acr, dcr, ccr or p835; got {method!r}")
    clean = {
        "batch": _upload(params, "batch"),
        "config": _upload(params, "config"),
        "method": method,
        "name": param_str(params, "name", max_length=200),
        "language": param_str(params, "language", default="en", max_length=16),
    }
    for name in OPTIONAL:
        if params.get(name) is not None:
            clean[name] = param_str(params, name)
    return clean


def _text(name: str) -> str:
    with default_storage.open(name, "rb") as handle:
        data = handle.read()
    try:
        return data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise JobFailed(f"{name.removeprefix(UPLOADS)} is not UTF-8 text: {exc}") from None


def _run(job, progress) -> dict:
    from analysis.importing.errors import ImportRefused
    from analysis.importing.services import p808_import

    params = job.params
    progress.total(1)
    try:
        test = p808_import(
            batch_text=_text(params["batch"]),
            config_text=_text(params["config"]),
            method=params["method"],
            name=params["name"],
            language=params["language"],
            **{name: params.get(name) for name in OPTIONAL},
        )
    except ImportRefused as exc:
        errors = [{"item": exc.source, "error": str(problem)} for problem in exc.problems]
        raise JobFailed(f"{exc.source} refused, nothing imported", errors) from None
    finally:
        for name in ("batch", "config"):
            default_storage.delete(params[name])
    progress.step(test.name)
    sessions = test.sessions.count()
    return {
        "test": test.pk,
        "sessions": sessions,
        "summary": f"{test.name}: {sessions} assignments",
    }


runner_register(Runner(kind="import_p808", run=_run, clean=_clean))
