"""The sessions in the admin: found by completion code or by the participant id the organizer
has (hashed before the lookup), their completion codes exported as CSV, no raw id anywhere."""

from __future__ import annotations

import csv
import io
import re

import pytest
from django.contrib.auth.models import User
from django.urls import reverse
from django.utils import timezone

from enhancement.models import Corpus
from listening import services
from listening.models import ListeningTest, Session
from tests.conftest import testset_make

pytestmark = pytest.mark.django_db

PID = "5f1e0c2b9a8d7e6f5a4b3c2d"  # a Prolific participant id's shape: 24 hex digits
OTHER = "60aa11bb22cc33dd44ee55ff"


@pytest.fixture
def sessions(db) -> dict[str, Session]:
    testset = testset_make([Corpus.objects.create(name="empty", language="en")], generate=False)
    test = ListeningTest.objects.create(name="codes", testset=testset)
    now = timezone.now()
    made = {}
    for pid, code, state in ((PID, "C0FFEE1234", "complete"), (OTHER, "", "rating")):
        rater = services.rater_get_or_create(platform="prolific", external_id=pid, language="en")
        made[pid] = Session.objects.create(
            test=test, rater=rater, state=state, started_at=now, last_seen_at=now,
            completed_at=now if code else None, completion_code=code,
        )  # fmt: skip
    return made


@pytest.fixture
def organizer(client):
    client.force_login(User.objects.create_superuser("boss", password="pw-long-enough"))
    return client


def listed(page: str, sessions: dict[str, Session]) -> set[str]:
    return {pid for pid, session in sessions.items() if str(session.token) in page}


def test_a_session_is_found_by_the_participant_id_the_organizer_has(organizer, sessions):
    url = reverse("admin:listening_session_changelist")
    page = organizer.get(url, {"q": PID}).content.decode()
    assert listed(page, sessions) == {PID}
    rows = page[page.index("<tbody>") : page.index("</tbody>")]
    # only the query itself echoes it (the search box, the links that keep the search)
    assert PID not in re.sub(r"_changelist_filters=[^\"]*", "", rows)
    assert listed(organizer.get(url, {"q": "C0FFEE"}).content.decode(), sessions) == {PID}
    assert listed(organizer.get(url, {"q": "nobody-has-this"}).content.decode(), sessions) == set()


def test_completion_codes_export_as_csv_with_hashed_raters_only(organizer, sessions):
    url = reverse("admin:listening_session_changelist")
    chosen = [s.pk for s in sessions.values()]
    answer = organizer.post(url, {"action": "export_completion_codes", "_selected_action": chosen})
    assert answer.status_code == 200 and answer["Content-Type"].startswith("text/csv")
    assert "completion_codes.csv" in answer["Content-Disposition"]
    body = answer.content.decode()
    rows = list(csv.DictReader(io.StringIO(body)))
    by_session = {row["session"]: row for row in rows}
    done = by_session[str(sessions[PID].token)]
    assert (done["completion_code"], done["state"], done["platform"]) == (
        "C0FFEE1234", "complete", "prolific"
    )  # fmt: skip
    assert done["rater"] == sessions[PID].rater.external_id and len(done["rater"]) == 64
    assert by_session[str(sessions[OTHER].token)]["completion_code"] == ""
    assert PID not in body and OTHER not in body


def test_the_session_list_shows_completion_codes(organizer, sessions):
    page = organizer.get(reverse("admin:listening_session_changelist")).content.decode()
    assert "C0FFEE1234" in page and "Export completion codes (CSV)" in page
    assert PID not in page and OTHER not in page
