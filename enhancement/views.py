"""Audio behind signed, expiring tokens; the response names nothing."""

from __future__ import annotations

from django.core import signing
from django.core.files.storage import default_storage
from django.http import Http404, HttpRequest, HttpResponse
from django.views.decorators.http import require_GET

from enhancement import storage


@require_GET
def audio(request: HttpRequest, token: str) -> HttpResponse:
    try:
        name = storage.audio_token_read(token)
    except signing.BadSignature:
        raise Http404("audio link expired or invalid") from None
    if not default_storage.exists(name):
        raise Http404("audio not found")
    # Bytes, not a FileResponse: that would add a Content-Disposition naming the stored file.
    with default_storage.open(name, "rb") as handle:
        response = HttpResponse(handle.read(), content_type="audio/flac")
    response["Cache-Control"] = "private, max-age=3600"
    response["X-Content-Type-Options"] = "nosniff"
    return response
