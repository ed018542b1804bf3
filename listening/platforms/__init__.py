"""Crowd platforms behind one interface (base.Platform): the open link, private panels,
Prolific and the demo's simulated raters. platform_for(test) gives a test's adapter."""

from __future__ import annotations


def platform_for(test):
    """The adapter of a test's platform (a test with no recruitment row is on the open link)."""
    from listening.platforms.models import Recruitment
    from listening.platforms.open import OpenLink
    from listening.platforms.panel import Panel
    from listening.platforms.prolific import Prolific
    from listening.platforms.simulated import Simulated

    recruitment, _ = Recruitment.objects.get_or_create(test=test)
    kinds = {"open": OpenLink, "panel": Panel, "prolific": Prolific, "simulated": Simulated}
    return kinds[recruitment.platform](recruitment)
