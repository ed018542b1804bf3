"""Who a rater is: the platform plus a keyed hash of the platform's participant id.

The raw id never reaches a Rater row, a log line, an export or an API answer; it is kept only on
a Participation while a payment call still needs it.
"""

from __future__ import annotations

import hashlib
import hmac

from django.conf import settings

from config.logfilters import identity_scrubbed


def participant_hash(*, platform: str, participant_id: str) -> str:
    """HMAC-SHA256 of the participant id under AURICLE_RATER_ID_KEY, the platform mixed in so
    that equal ids on two platforms stay two raters."""
    key = settings.AURICLE_RATER_ID_KEY.encode()
    message = f"{platform}\x00{participant_id}".encode()
    return hmac.new(key, message, hashlib.sha256).hexdigest()


def scrubbed(text: str) -> str:
    """Text fit for a log line or a stored error: a platform's answer can name participants
    (Prolific's refusal of a bonus lists unknown ids), so every id-shaped word goes."""
    return identity_scrubbed(text)
