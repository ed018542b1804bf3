"""The vote: a plain form post (redirected to the next page) or, from the page's script, JSON
in and out, whose answer carries the next stimulus so the page moves on without a reload.

JSON is asked for by a JSON body (Content-Type: application/json, with the CSRF token in the
X-CSRFToken header) or by Accept: application/json on a form post. Its answer is
{"stored": true, "next": {...step...}} while the phase has clips left, and {"stored": true,
"next": null, "redirect": url} when the page must change (training done, session ended);
a refusal is {"error": code, "message": what the rater reads, "detail": what was wrong, in
English} with the refusal's status.
"""

from __future__ import annotations

import json
import math
import uuid

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.views.decorators.cache import never_cache

from config.ratelimit import rate_hit, too_many
from config.security import methods_only
from listening import services
from listening.services.errors import RequestInvalid
from listening.views import stimulus
from listening.views.common import owned_session, owner_ids, speaking
from listening.views.session import render_step

MAX_JSON_BYTES = 4096


def _int_or_none(value, most: int) -> int | None:
    """A count the browser reports, kept within its column (a forged 10**400 would overflow
    the database's integer)."""
    try:
        return min(most, max(0, int(value))) if value not in (None, "") else None
    except (TypeError, ValueError, OverflowError):
        return None


def _finite(text: str) -> float:
    """JSON's numbers as floats, refusing what no vote holds: 1e999 is inf, and NaN and
    Infinity are not JSON at all (Python's parser takes them)."""
    value = float(text)
    if not math.isfinite(value):
        raise ValueError(f"{text} is not a finite number")
    return value


def wants_json(request: HttpRequest) -> bool:
    return request.content_type == "application/json" or "application/json" in request.headers.get(
        "Accept", ""
    )


def _posted(request: HttpRequest):
    """The posted fields: the form, or the JSON object of the body."""
    if request.content_type != "application/json":
        return request.POST
    if len(request.body) > MAX_JSON_BYTES:
        raise RequestInvalid(f"the vote's JSON body is over {MAX_JSON_BYTES} bytes")
    try:
        data = json.loads(request.body, parse_float=_finite, parse_constant=_finite)
    except (ValueError, UnicodeDecodeError):
        raise RequestInvalid("the vote's body is not valid JSON") from None
    if not isinstance(data, dict):
        raise RequestInvalid("the vote's JSON body must be an object")
    return data


@never_cache
@methods_only("POST")
def vote(request: HttpRequest, token: uuid.UUID) -> HttpResponse:
    """The session is found, checked against the browser's cookie and locked by the vote's own
    first query; only a refusal reads it again, to answer in the rater's language."""
    as_json = wants_json(request)
    owners = tuple(owner_ids(request))
    # Counted per session and browser claim: a stranger who knows the link spends only a
    # budget of their own, never the rater's.
    if rate_hit(name="vote_session", key=f"{token}:{','.join(map(str, owners))}"):
        with speaking(owned_session(request, token).rater.language):
            return too_many(request, "vote_session")
    try:
        data = _posted(request)
        recorded = services.vote_record_next(
            session=services.SessionClaim(token, owners),
            stimulus_key=data.get("stimulus"),
            answer=data,
            idempotency_key=data.get("idempotency_key"),
            time_on_page_ms=_int_or_none(data.get("time_on_page_ms"), 2**31 - 1),
            play_count=_int_or_none(data.get("play_count"), 2**15 - 1) or 0,
        )
    except services.RatingError as exc:
        return _refused(request, token, exc, as_json)
    session = recorded.vote.session
    if not as_json:
        return redirect("listening:session", token=session.token)
    with speaking(session.rater.language):
        return _answer(session, recorded)


def _refused(request, token, exc: services.RatingError, as_json: bool) -> HttpResponse:
    session = owned_session(request, token)  # not the browser's: the plain 404
    with speaking(session.rater.language):
        if as_json:
            return _refused_json(exc)
        return render_step(request, session, error=exc.rater_message, status=exc.status)


def _answer(session, recorded) -> JsonResponse:
    following = recorded.following
    if following is None:
        # The phase is over, or this was a repeat: the page shows whatever comes next.
        url = reverse("listening:session", args=[session.token])
        return JsonResponse({"stored": True, "next": None, "redirect": url})
    return JsonResponse({"stored": True, "next": stimulus.step(session, following)})


def _refused_json(exc: services.RatingError) -> JsonResponse:
    body = {"error": exc.code, "message": exc.rater_message, "detail": exc.detail}
    return JsonResponse(body, status=exc.status)
