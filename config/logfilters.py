"""Log records never carry a participant id: a Prolific link puts PROLIFIC_PID in the query
string, a panel link its invitation token, and a platform's error can name ids."""

from __future__ import annotations

import logging
import re

# Query parameters that say who a rater is.
_IDENTITY = re.compile(r"(PROLIFIC_PID|invite)=[^&\s\"']*", re.IGNORECASE)
_PROLIFIC_ID = re.compile(r"\b[0-9a-fA-F]{24}\b")


def identity_scrubbed(text: str) -> str:
    return _PROLIFIC_ID.sub("<participant>", _IDENTITY.sub(r"\1=<hidden>", text))


class IdentityFilter(logging.Filter):
    """Rewrites every record's message with the identities taken out."""

    def filter(self, record: logging.LogRecord) -> bool:
        message = record.getMessage()
        clean = identity_scrubbed(message)
        if clean != message:
            record.msg, record.args = clean, ()
        return True
