"""Response headers every page carries, and clear refusals of requests no page takes: a method
a page does not take, a NUL character anywhere in the address or the form.

Django's SecurityMiddleware sends HSTS, nosniff, the referrer and opener policies (settings);
this adds the Content-Security-Policy. Pages load scripts and styles from this origin only
(static/, no inline script); audio comes from here or, with AUDIO_STORAGE=s3, the bucket; forms
post here, and the redirect a finished Prolific rater follows goes to Prolific's completion URL.
"""

from __future__ import annotations

from functools import wraps
from urllib.parse import urlsplit

from django.conf import settings
from django.http import (
    FileResponse,
    HttpRequest,
    HttpResponse,
    HttpResponseBadRequest,
    HttpResponseNotAllowed,
)
from django.utils.translation import gettext as _

# A stored file shown in the browser (a report's HTML page) runs nothing and fetches nothing;
# its own inline styles and drawings are all it has.
FILE_POLICY = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; sandbox"


def _origin(url: str | None) -> str | None:
    parts = urlsplit(url or "")
    return f"{parts.scheme}://{parts.netloc}" if parts.scheme and parts.netloc else None


def page_policy() -> str:
    media = ["'self'"]
    if settings.AUDIO_STORAGE == "s3":
        media.append(_origin(settings.AWS_S3_ENDPOINT_URL) or "https://*.amazonaws.com")
    forms = ["'self'", _origin(settings.PROLIFIC_COMPLETION_URL)]
    directives = {
        "default-src": ["'self'"],
        "script-src": ["'self'"],
        "style-src": ["'self'"],
        "img-src": ["'self'", "data:"],
        "media-src": media,
        "object-src": ["'none'"],
        "base-uri": ["'none'"],
        "frame-ancestors": ["'none'"],
        "form-action": [source for source in forms if source],
    }
    return "; ".join(f"{name} {' '.join(sources)}" for name, sources in directives.items())


class ContentSecurityPolicyMiddleware:
    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        response = self.get_response(request)
        if "Content-Security-Policy" not in response:
            is_file = isinstance(response, FileResponse)
            response["Content-Security-Policy"] = FILE_POLICY if is_file else page_policy()
        return response


def _holds_nul(request: HttpRequest) -> bool:
    if "\x00" in request.path or any("\x00" in v for v in request.COOKIES.values()):
        return True
    forms = [request.GET, request.POST] if request.method == "POST" else [request.GET]
    for form in forms:
        for key, values in form.lists():
            if "\x00" in key or any("\x00" in value for value in values):
                return True
    return False


class NulRefusalMiddleware:
    """PostgreSQL can neither store nor compare text holding NUL: a query with one fails as a
    server error wherever a field meets the database (an entry token, an invitation, a session
    cookie, a check answer), so such a request stops here with a 400."""

    def __init__(self, get_response) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if _holds_nul(request):
            return HttpResponseBadRequest(
                _("This request holds a NUL character, which no page here takes."),
                content_type="text/plain; charset=utf-8",
            )
        return self.get_response(request)


def methods_only(*methods: str):
    """Like require_http_methods, but the 405 says in words which methods the address takes."""

    def decorate(view):
        @wraps(view)
        def checked(request: HttpRequest, *args, **kwargs) -> HttpResponse:
            if request.method not in methods:
                text = _("This address does not take %(method)s requests; it takes %(allowed)s.")
                return HttpResponseNotAllowed(
                    methods,
                    text % {"method": request.method[:16], "allowed": ", ".join(methods)},
                    content_type="text/plain; charset=utf-8",
                )
            return view(request, *args, **kwargs)

        return checked

    return decorate
