"""Refusals at a platform's door: a link that names no rater this test can let in."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from listening.services.errors import RatingError


class EntryRefused(RatingError):
    """The entry request does not say who the rater is, or says someone this test refuses."""

    code = "entry"
    message = _("This link is not valid for this test. Please use the link you were given.")


class ProlificLinkInvalid(EntryRefused):
    code = "prolific_link"
    message = _(
        "This link is missing your Prolific details or belongs to another study. Please open "
        "the study again from Prolific."
    )


class InvitationInvalid(EntryRefused):
    code = "invitation"
    message = _("This invitation link is not valid. Please use the link you were sent.")


class InvitationUsed(EntryRefused):
    code = "invitation_used"
    message = _("This invitation has already been used to finish the test. Thank you!")
    status = 409


class PoolFull(EntryRefused):
    code = "pool_full"
    message = _("This link has let in as many raters as it may. Thank you for your interest!")
    status = 409


class PlatformError(Exception):
    """An organizer's platform action that cannot go ahead; the message says why in English and
    names the numbers or fields involved. Nothing has been changed when it is raised."""


class RaterExcluded(EntryRefused):
    code = "excluded"
    message = _(
        "This test cannot include you, because of how an earlier test of ours went. Thank you "
        "for your interest."
    )
    status = 403
