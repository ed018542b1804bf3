"""Rater pages: plain Django views; the server holds every piece of state."""

from listening.views.entry import entry
from listening.views.session import qualification, session_page, setup
from listening.views.vote import vote

__all__ = ["entry", "qualification", "session_page", "setup", "vote"]
