"""Writes of the listening app: publishing tests, the session's steps, assignment and votes.

Every rule the rater must follow is checked here, on the server; the browser only helps.
"""

from listening.services import errors
from listening.services.checks import check_items, qualification_submit, setup_submit
from listening.services.entry import session_enter
from listening.services.errors import PublishError, RatingError
from listening.services.publish import listening_test_prepare, listening_test_publish
from listening.services.serving import link_tag
from listening.services.sessions import (
    assignment_next,
    rater_blocked_until,
    rater_get_or_create,
    session_advance,
    session_open_check,
    session_start,
    sessions_release_stale,
)
from listening.services.votes import SessionClaim, vote_record, vote_record_next

__all__ = [
    "PublishError",
    "RatingError",
    "SessionClaim",
    "assignment_next",
    "check_items",
    "errors",
    "link_tag",
    "listening_test_prepare",
    "listening_test_publish",
    "qualification_submit",
    "rater_blocked_until",
    "rater_get_or_create",
    "session_advance",
    "session_enter",
    "session_open_check",
    "session_start",
    "sessions_release_stale",
    "setup_submit",
    "vote_record",
    "vote_record_next",
]
