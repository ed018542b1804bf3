"""An adaptive test that is complete stops recruiting: its study on the platform is paused, so
no new participant takes a place only to be told nothing is left. Sessions already open finish;
an organizer who raises the budget or the target resumes the study as before."""

from __future__ import annotations

import logging

from listening.allocation.state import allocation_progress
from listening.identity import scrubbed
from listening.models import ListeningTest
from listening.platforms import platform_for
from listening.platforms.errors import PlatformError
from listening.platforms.models import Recruitment
from listening.platforms.prolific_api import ProlificError

logger = logging.getLogger("auricle.allocation")
# Study statuses in which nobody new can start: pausing again would be refused or pointless.
NOT_RECRUITING = {"PAUSED", "AWAITING REVIEW", "COMPLETED"}


def recruiting_stop_when_complete(*, test: ListeningTest) -> bool:
    """Pause the live study of a complete adaptive test, once; True when it was paused now. A
    platform that refuses is logged and tried again at the next refresh."""
    if test.status != ListeningTest.Status.LIVE:
        return False
    progress = allocation_progress(test=test)
    if not progress or not progress["complete"]:
        return False
    recruitment = Recruitment.objects.filter(test=test).first()
    if recruitment is None or not recruitment.study_id:
        return False
    if recruitment.study_status in NOT_RECRUITING:
        return False
    try:
        platform_for(test).pause()
    except (PlatformError, ProlificError) as exc:
        logger.warning(
            "%s is complete but its study was not paused: %s", test.name, scrubbed(str(exc))
        )
        return False
    logger.info("%s is complete: its study is paused (no new participants)", test.name)
    return True
