"""Template tags of the rater pages: the session's progress bar."""

from __future__ import annotations

from django import template

from listening.progress import session_progress

register = template.Library()


@register.inclusion_tag("listening/_progress.html", takes_context=True)
def progress_bar(context) -> dict:
    """The steps and the time left for the page's session; a rating or training page counts
    the clips still to come (its position and total)."""
    session = context["session"]
    clips_left = None
    if context.get("total") and context.get("position"):
        clips_left = context["total"] - context["position"] + 1
    role = "training" if context.get("training") else "rating"
    return {"progress": session_progress(session=session, clips_left=clips_left, role=role)}
