"""What a kind of job is: how its parameters are checked, what it works on, where it runs,
who may start it, and the work itself."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from django.apps import apps
from django.db import models

from access.roles import Role
from jobs.errors import JobRefused


@dataclass(frozen=True)
class Runner:
    kind: str
    # run(job, progress) -> result (JSON); raises JobFailed, JobCancelled, or anything else
    run: Callable
    # clean(params) -> params: checked and normalised, raising JobRefused; writes nothing
    clean: Callable[[dict], dict] = field(default=lambda params: dict(params))
    # the row it works on: a model label and the parameter holding its id
    target_model: str = ""
    target_param: str = ""
    queue: str = "celery"
    role: Role = Role.ORGANIZER


RUNNERS: dict[str, Runner] = {}


def runner_register(runner: Runner) -> Runner:
    RUNNERS[runner.kind] = runner
    return runner


def param_int(params: dict, name: str, *, minimum: int | None = None, default=None) -> int:
    value = params.get(name, default)
    if value is None:
        raise JobRefused(f"params.{name} is required (an integer)")
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise JobRefused(f"params.{name} must be an integer; got {value!r}")
    try:
        number = int(value)
    except ValueError:
        raise JobRefused(f"params.{name} must be an integer; got {value!r}") from None
    if minimum is not None and number < minimum:
        raise JobRefused(f"params.{name} must be at least {minimum}; got {number}")
    if number >= 2**63:
        raise JobRefused(f"params.{name} is out of range; got {number}")
    return number


def param_str(params: dict, name: str, *, default: str | None = None, max_length=1000) -> str:
    value = params.get(name, default)
    if value is None:
        raise JobRefused(f"params.{name} is required (a string)")
    if not isinstance(value, str):
        raise JobRefused(f"params.{name} must be a string; got {value!r}")
    if len(value) > max_length:
        raise JobRefused(f"params.{name} is longer than {max_length} characters")
    if "\x00" in value:
        raise JobRefused(f"params.{name} holds a NUL character")
    return value


def param_row(params: dict, name: str, label: str) -> models.Model:
    """The row params[name] names by id, which must exist."""
    pk = param_int(params, name, minimum=1)
    model = apps.get_model(label)
    row = model.objects.filter(pk=pk).first()
    if row is None:
        raise JobRefused(f"params.{name}: no {model._meta.verbose_name} with id {pk}")
    return row
