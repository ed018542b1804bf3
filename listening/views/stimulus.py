"""What a rating step shows, for the page and for the JSON vote answer alike: the clips'
links in play order (labelled so that no label says which one is processed), the stimulus's
key, a fresh idempotency key and where the rater is in the phase. Nothing in it names a
system, a condition or a file."""

from __future__ import annotations

import uuid

from django.utils.translation import gettext as _

from enhancement.storage import audio_link, audio_links
from listening import methods, services
from listening.models import Assignment, Session
from listening.selectors import phase_counts


def clips(session: Session, assignment: Assignment) -> list[dict]:
    """The clips in play order, their links made in one insert. The processed clip's link is
    tagged with the assignment, so that its first fetch is the serving time."""
    stimulus = assignment.stimulus
    if not stimulus.reference_audio:
        link = audio_link(stimulus.audio, tag=services.link_tag(assignment))
        return [{"id": "clip", "url": link.url, "label": ""}]
    # The reference through the same kind of link: on S3 a presigned URL beside a redirect
    # would tell which of the two is processed.
    processed, reference = (
        link.url
        for link in audio_links(
            [stimulus.audio, stimulus.reference_audio], tags=[services.link_tag(assignment), ""]
        )
    )
    if methods.spec(session.test.method).reference_first:
        return [
            {"id": "clip-1", "url": reference, "label": str(methods.LABEL_REFERENCE)},
            {"id": "clip-2", "url": processed, "label": str(methods.LABEL_SECOND)},
        ]
    first, second = (processed, reference) if assignment.processed_first else (reference, processed)
    return [
        {"id": "clip-1", "url": first, "label": str(methods.LABEL_FIRST)},
        {"id": "clip-2", "url": second, "label": str(methods.LABEL_SECOND)},
    ]


def step(session: Session, assignment: Assignment) -> dict:
    """The rating step of this assignment (one query for the counts, one for the links)."""
    position, total = phase_counts(assignment=assignment)
    training = assignment.phase == Assignment.Phase.TRAINING
    where = {"position": position, "total": total}
    label = (
        _("Training clip %(position)s of %(total)s")
        if training
        else _("Clip %(position)s of %(total)s")
    )
    return {
        "stimulus": str(assignment.stimulus.key),
        "idempotency_key": str(uuid.uuid4()),
        "clips": clips(session, assignment),
        "position": position,
        "total": total,
        "training": training,
        "label": label % where,  # as the page's own line says it
    }
