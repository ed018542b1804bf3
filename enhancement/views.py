"""Audio behind random, expiring links; the response names nothing."""

from __future__ import annotations

from django.core.files.storage import default_storage
from django.http import Http404, HttpRequest, HttpResponse

from config.security import methods_only
from enhancement import storage


@methods_only("GET")
def audio(request: HttpRequest, token: str) -> HttpResponse:
    name = storage.audio_token_read(token)
    if name is None:
        raise Http404("audio link expired or invalid")
    if not default_storage.exists(name):
        raise Http404("audio not found")
    # Bytes, not a FileResponse: that would add a Content-Disposition naming the stored file.
    with default_storage.open(name, "rb") as handle:
        response = HttpResponse(handle.read(), content_type="audio/flac")
    response["Cache-Control"] = "private, max-age=3600"
    return response
