"""Small readers for environment variables that fail loudly on a bad value."""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from django.core.exceptions import ImproperlyConfigured

_TRUE = {"1", "true", "yes", "on"}
_FALSE = {"0", "false", "no", "off", ""}


def env_str(name: str, default: str = "") -> str:
    return os.environ.get(name, default)


def env_bool(name: str, default: bool) -> bool:
    raw = os.environ.get(name)
    if raw is None:
        return default
    value = raw.strip().lower()
    if value in _TRUE:
        return True
    if value in _FALSE:
        return False
    raise ImproperlyConfigured(f"{name} must be 1/0, true/false, yes/no or on/off; got {raw!r}")


def env_int(name: str, default: int, *, minimum: int | None = None) -> int:
    raw = os.environ.get(name)
    if raw is None or raw.strip() == "":
        return default
    try:
        value = int(raw)
    except ValueError:
        raise ImproperlyConfigured(f"{name} must be an integer; got {raw!r}") from None
    if minimum is not None and value < minimum:
        raise ImproperlyConfigured(f"{name} must be at least {minimum}; got {value}")
    return value


def env_list(name: str, default: list[str]) -> list[str]:
    raw = os.environ.get(name)
    if raw is None:
        return default
    return [item.strip() for item in raw.split(",") if item.strip()]


def env_choice(name: str, default: str, choices: set[str]) -> str:
    value = os.environ.get(name, default).strip().lower()
    if value not in choices:
        raise ImproperlyConfigured(f"{name} must be one of {sorted(choices)}; got {value!r}")
    return value


def env_required(name: str, why: str) -> str:
    value = os.environ.get(name, "").strip()
    if not value:
        raise ImproperlyConfigured(f"{name} is required {why}")
    return value


def env_secret(name: str, *, debug: bool, kept_in: Path) -> str:
    """A secret key. With debug off it must be set, 32+ characters. With debug on and unset,
    a random key is made once and kept in `kept_in`, so that restarts keep sessions, links
    and hashes valid and no installation shares a key with another."""
    if not debug:
        key = env_required(name, "when DEBUG=0: a random string of 32+ characters")
    else:
        key = os.environ.get(name, "").strip() or _kept_key(kept_in)
    if len(key) < 32:
        raise ImproperlyConfigured(f"{name} must be at least 32 characters")
    return key


def _kept_key(path: Path) -> str:
    """Read the key in `path`, making it first when there is none. Written aside and linked
    into place, so two processes starting at once end up with the same key."""
    if not path.exists():
        path.parent.mkdir(parents=True, exist_ok=True)
        draft = path.with_name(f".{path.name}.{os.getpid()}")
        draft.write_text(secrets.token_urlsafe(48))
        draft.chmod(0o600)
        try:
            os.link(draft, path)
        except FileExistsError:
            pass
        finally:
            draft.unlink()
    return path.read_text().strip()


def env_rate(name: str, default: str) -> tuple[int, int]:
    """A rate limit written "count/seconds", e.g. "30/900": 30 in 15 minutes."""
    raw = os.environ.get(name, "").strip() or default
    count, _slash, seconds = raw.partition("/")
    try:
        rate = int(count), int(seconds)
    except ValueError:
        raise ImproperlyConfigured(
            f"{name} must be count/seconds, e.g. 30/900; got {raw!r}"
        ) from None
    if min(rate) < 1:
        raise ImproperlyConfigured(
            f"{name} must have a count and seconds of at least 1; got {raw!r}"
        )
    return rate
