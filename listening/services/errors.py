from __future__ import annotations


class RatingError(Exception):
    """A request a rater or organizer made that the rules refuse; the message is for people."""

    def __init__(self, message: str, *, code: str) -> None:
        super().__init__(message)
        self.code = code
