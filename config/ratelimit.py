"""Rate limits on Django's cache: entry and votes per address, identity and session, password
logins per address and username, API authentication failures per address.

A limit is "count/seconds" (settings.AURICLE_RATE_LIMITS). The count-th event within the
seconds locks its key for the next seconds; a locked key gets a 429 page before anything is
read or written. Keys are hashed, so no address, participant id or username reaches the cache.
With the default local-memory cache each process counts alone; CACHE_URL (Redis) shares them.
"""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.contrib.auth import get_user_model
from django.contrib.auth.backends import ModelBackend
from django.core.cache import cache
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render, resolve_url
from django.utils.translation import gettext as _

LIMITED_TEMPLATE = "listening/limited.html"


def client_address(request: HttpRequest) -> str:
    """The peer's address: REMOTE_ADDR, or with AURICLE_PROXY_COUNT proxies in front, the
    address the outermost of them saw (entries further left are the client's to forge)."""
    proxies = settings.AURICLE_PROXY_COUNT
    if proxies:
        hops = [hop.strip() for hop in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")]
        hops = [hop for hop in hops if hop]
        if len(hops) >= proxies:
            return hops[-proxies]
    return request.META.get("REMOTE_ADDR", "")


def _key(name: str, key: str) -> str:
    return f"auricle:rate:{name}:{hashlib.sha256(key.encode()).hexdigest()[:32]}"


def rate_locked(*, name: str, key: str) -> bool:
    return bool(cache.get(_key(name, key) + ":lock"))


def rate_hit(*, name: str, key: str) -> bool:
    """Count one event for `key` under limit `name`. True: the key is locked, refuse the
    request (it was not counted). The event that reaches the count is let through and locks."""
    count, seconds = settings.AURICLE_RATE_LIMITS[name]
    counter = _key(name, key)
    if cache.get(counter + ":lock"):
        return True
    if cache.add(counter, 1, timeout=seconds):
        seen = 1
    else:
        try:
            seen = cache.incr(counter)
        except ValueError:  # the window ended between add and incr
            cache.set(counter, 1, timeout=seconds)
            seen = 1
    if seen >= count:
        cache.set(counter + ":lock", 1, timeout=seconds)
        cache.delete(counter)
    return False


def rate_forget(*, name: str, key: str) -> None:
    cache.delete(_key(name, key))


def too_many(request: HttpRequest, name: str) -> HttpResponse:
    """The 429 page, in the language active for the request; Retry-After says when."""
    seconds = settings.AURICLE_RATE_LIMITS[name][1]
    response = render(request, LIMITED_TEMPLATE, status=429)
    response["Retry-After"] = str(seconds)
    return response


# -- password logins ----------------------------------------------------------------------------
def login_locked(request: HttpRequest | None, username: str | None) -> str | None:
    """The limit that locks this login attempt out, if one does."""
    if request is not None and rate_locked(name="login_address", key=client_address(request)):
        return "login_address"
    if username and rate_locked(name="login_username", key=username.strip().lower()):
        return "login_username"
    return None


def _login_failed(request: HttpRequest | None, username: str) -> None:
    if request is not None:
        rate_hit(name="login_address", key=client_address(request))
    rate_hit(name="login_username", key=username.strip().lower())


class LockingModelBackend(ModelBackend):
    """Django's password login, refused while the address or the username is locked (before
    any password is hashed), every failure counted. A success clears the username's count."""

    def authenticate(self, request, username=None, password=None, **kwargs):
        name = username if username is not None else kwargs.get(get_user_model().USERNAME_FIELD)
        if login_locked(request, name):
            raise PermissionDenied("too many failed logins")  # no later backend is asked
        user = super().authenticate(request, username=username, password=password, **kwargs)
        if name is not None and password is not None:
            if user is None:
                _login_failed(request, name)
            else:
                rate_forget(name="login_username", key=name.strip().lower())
        return user


# -- the middleware -----------------------------------------------------------------------------
def _authentication_failed(response: HttpResponse) -> bool:
    """Whether DRF refused the request's credentials (a wrong token), not merely found none."""
    data = getattr(response, "data", None)
    detail = data.get("detail") if isinstance(data, dict) else None
    return getattr(detail, "code", None) == "authentication_failed"


class AuthLimitMiddleware:
    """A locked login gets the 429 page instead of the login form's generic error; a locked
    address's API requests with credentials get a 429 before any token is looked up."""

    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.method == "POST" and request.path == resolve_url(settings.LOGIN_URL):
            locked = login_locked(request, request.POST.get("username"))
            if locked:
                return too_many(request, locked)
        credentials = "HTTP_AUTHORIZATION" in request.META
        if credentials and rate_locked(name="api_auth_address", key=client_address(request)):
            seconds = settings.AURICLE_RATE_LIMITS["api_auth_address"][1]
            detail = _("Too many failed authentications; try again in %(seconds)s s.")
            response = JsonResponse({"detail": detail % {"seconds": seconds}}, status=429)
            response["Retry-After"] = str(seconds)
            return response
        response = self.get_response(request)
        if credentials and _authentication_failed(response):
            rate_hit(name="api_auth_address", key=client_address(request))
        return response
