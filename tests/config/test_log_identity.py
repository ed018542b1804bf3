"""No log line carries a participant id, whichever logger writes it."""

from __future__ import annotations

import logging

from config.logfilters import IdentityFilter


def record(message: str, *args) -> logging.LogRecord:
    return logging.LogRecord("django.server", logging.INFO, __file__, 1, message, args, None)


def test_a_request_line_loses_its_prolific_id_and_invitation():
    line = record('"%s" %s %s', "GET /t/abc/?PROLIFIC_PID=5f1e2d3c4b5a69788796a5b4&STUDY_ID=s"
                  "&SESSION_ID=x HTTP/1.1", 200, 512)  # fmt: skip
    IdentityFilter().filter(line)
    text = line.getMessage()
    assert "5f1e2d3c4b5a69788796a5b4" not in text
    assert "PROLIFIC_PID=<hidden>&STUDY_ID=s&SESSION_ID=x" in text
    invite = record("GET /t/abc/?invite=Tok3n_value HTTP/1.1")
    IdentityFilter().filter(invite)
    assert "Tok3n_value" not in invite.getMessage()


def test_an_id_in_a_platform_error_is_taken_out_and_other_lines_are_untouched():
    error = record("bonus refused: unknown participants %s", "aaaaaaaaaaaaaaaaaaaaaaaa")
    IdentityFilter().filter(error)
    assert error.getMessage() == "bonus refused: unknown participants <participant>"
    plain = record("built report %s", 7)
    IdentityFilter().filter(plain)
    assert plain.getMessage() == "built report 7" and plain.args == (7,)


def test_the_console_handler_filters_every_record(settings):
    assert "identity" in settings.LOGGING["handlers"]["console"]["filters"]
    assert settings.LOGGING["loggers"]["django.server"]["handlers"] == ["console"]
