"""A private panel from roster to settled payments: one single-use link per person (the person
is the link, in any browser; a finished link is refused), a capped pool link, the completion
code, the completion list for paying by hand, and the names erased once payments settle. A bad
roster is refused naming its row, and nothing is stored."""

from __future__ import annotations

import csv
import io
import re
from decimal import Decimal
from urllib.parse import urlsplit

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse

from listening.models import Rater, Session
from listening.platforms import errors, panel
from listening.platforms.models import Bonus, Invitation, Participation, Recruitment
from listening.platforms.services import recruitment_set
from listening.platforms.sync import COMPLETION_COLUMNS, payments_settle, platform_sync
from tests.fakes.participants import session_play

pytestmark = pytest.mark.django_db
ROSTER = b"email\nada@example.org\nbo@example.org\ncy@example.org\n"


@pytest.fixture
def panel_test(live_test, settings):
    settings.AURICLE_BASE_URL = "http://testserver"
    recruitment_set(test=live_test, platform="panel", bonus_min_sessions=1,
                    bonus_sessions_amount=Decimal("0.50"))  # fmt: skip
    return live_test


def link_path(invitation: Invitation) -> str:
    return reverse("listening:entry", args=[invitation.test.entry_token]) + (
        f"?invite={invitation.token}"
    )


def enter(browser: Client, path: str):
    return browser.post(path, {"language": "en", "consent": "1"})


def finish(browser: Client, started) -> str:
    """Take the session entered to its end; returns the end page."""
    session = Session.objects.get(token=started["Location"].rstrip("/").split("/")[-1])
    session_play(session, fail_traps=False)
    return browser.get(started["Location"]).content.decode()


def completion_list(admin_client, test) -> list[dict]:
    recruitment = Recruitment.objects.get(test=test)
    response = admin_client.post(
        reverse("admin:listening_recruitment_changelist"),
        {"action": "completion_list", "_selected_action": [recruitment.pk]},
    )
    assert response["Content-Type"] == "text/csv"
    rows = list(csv.reader(io.StringIO(response.content.decode())))
    assert rows[0] == COMPLETION_COLUMNS
    return [dict(zip(rows[0], row, strict=True)) for row in rows[1:]]


def test_a_roster_gives_each_person_a_link_that_is_them_in_any_browser(panel_test, admin_client):
    people = panel.roster_read(ROSTER)
    made = panel.invitations_create(test=panel_test, people=people)
    assert [i.label for i in made] == ["ada@example.org", "bo@example.org", "cy@example.org"]
    assert len({i.token for i in made}) == 3 and all(i.cap == 1 for i in made)
    assert panel.invitations_create(test=panel_test, people=people) == made  # kept, not new
    ada, bo, _cy = made

    first = enter(Client(), link_path(ada))
    again = enter(Client(), link_path(ada))  # a new browser: the same person, resumed
    assert first.status_code == again.status_code == 302
    assert first["Location"] == again["Location"]
    browser = Client()
    page = finish(browser, enter(browser, link_path(ada)))
    code = Session.objects.get(participation__invitation=ada).completion_code
    assert code and re.search(rf'id="completion-code"[^>]*>{code}<', page)

    refused = Client().get(link_path(ada))
    assert refused.status_code == 409
    assert str(errors.InvitationUsed.message) in refused.content.decode()
    assert enter(Client(), link_path(ada)).status_code == 409
    assert Session.objects.filter(participation__invitation=ada).count() == 1

    unknown = Client().get(link_path(ada).replace(ada.token, "no-such-invitation"))
    assert unknown.status_code == 400

    browser = Client()
    finish(browser, enter(browser, link_path(bo)))
    assert Rater.objects.filter(platform="panel").count() == 2
    assert not Participation.objects.exclude(participant_id="").exists()  # nothing raw kept


def test_a_pool_link_lets_in_up_to_its_cap_one_per_browser(panel_test):
    pool = panel.pool_create(test=panel_test, cap=2)
    browsers = [Client(), Client()]
    starts = [enter(b, link_path(pool)) for b in browsers]
    assert [s.status_code for s in starts] == [302, 302]
    assert enter(browsers[0], link_path(pool))["Location"] == starts[0]["Location"]  # its own
    assert starts[0]["Location"] != starts[1]["Location"]
    full = enter(Client(), link_path(pool))
    assert full.status_code == 409
    assert str(errors.PoolFull.message) in full.content.decode()
    assert Invitation.objects.get(pk=pool.pk).uses == 2
    with pytest.raises(errors.PlatformError, match="cap of at least 1, not 0"):
        panel.pool_create(test=panel_test, cap=0)


def test_the_completion_list_pays_by_hand_and_settling_erases_the_names(panel_test, admin_client):
    ada, bo = panel.invitations_create(test=panel_test, people=["ada@example.org", "bo@x.org"])
    browser = Client()
    finish(browser, enter(browser, link_path(ada)))
    summary = platform_sync(test=panel_test)
    assert summary["approved"] == 1 and summary["bonuses"]["planned"] == 1

    rows = {row["person"]: row for row in completion_list(admin_client, panel_test)}
    session = Session.objects.get(participation__invitation=ada)
    assert rows["ada@example.org"] == {
        "person": "ada@example.org", "link": f"http://testserver{link_path(ada)}",
        "session": str(session.pk), "outcome": "completed", "review": "approved",
        "completion_code": session.completion_code, "bonus": "0.50", "bonus_status": "planned",
    }  # fmt: skip
    assert rows["bo@x.org"]["session"] == "" and rows["bo@x.org"]["link"].endswith(bo.token)

    started = enter(Client(), link_path(bo))  # bo has begun, not finished, when it settles
    payments_settle(test=panel_test)
    assert enter(Client(), link_path(bo))["Location"] == started["Location"]  # still bo
    listed = completion_list(admin_client, panel_test)
    assert [row["person"] for row in listed] == ["", ""]
    assert [row["outcome"] for row in listed] == ["completed", "open"]
    assert urlsplit(listed[0]["link"]).query == f"invite={ada.token}"  # links stay
    assert set(Invitation.objects.values_list("label", flat=True)) == {""}
    everything = " ".join(str(v) for m in (Invitation, Participation, Bonus, Rater)
                          for row in m.objects.values() for v in row.values())  # fmt: skip
    assert "ada@" not in everything and "bo@" not in everything
    assert Client().get(link_path(ada)).status_code == 409  # still used, still ada


def test_the_roster_upload_in_the_admin_makes_the_links(panel_test, admin_client):
    recruitment = Recruitment.objects.get(test=panel_test)
    response = admin_client.post(
        reverse("admin:listening_recruitment_change", args=[recruitment.pk]),
        {**form_data(recruitment), "roster": SimpleUploadedFile("lab.csv", ROSTER)},
        follow=True,
    )
    assert response.status_code == 200
    assert "3 invitation links" in response.content.decode()
    assert Invitation.objects.filter(test=panel_test, cap=1).count() == 3


def form_data(recruitment: Recruitment, **changes) -> dict:
    data = {name: getattr(recruitment, name) for name in (
        "platform", "places", "places_margin", "hourly_rate", "currency", "bonus_min_sessions",
        "bonus_sessions_amount", "bonus_top_percent", "bonus_top_amount")}  # fmt: skip
    data.update(test=recruitment.test_id, desktop_only="on" if recruitment.desktop_only else "")
    return {**data, **changes}


BAD_ROSTERS = [
    (b"name\nada\n", "exactly one column, email or lab_id"),
    (b"email,lab_id\na@x.org,1\n", "exactly one column"),
    (b"email\na@x.org\nb@x.org,extra\n", "roster row 3: more than one cell"),
    (b"email\na@x.org\nnot-an-address\n", "roster row 3: 'not-an-address' is not an e-mail"),
    (b"lab_id\nL1\n \n", "roster row 3: an empty or over-long entry"),
    (b"lab_id\nL1\nL2\nl1\n", "roster row 4: 'l1' is listed twice"),
    (b"email\n", "1 to 10000 people"),
    ("email\nzoë@x.org\n".encode("latin-1"), "not UTF-8"),
]


@pytest.mark.parametrize(("data", "named"), BAD_ROSTERS)
def test_a_bad_roster_is_refused_naming_the_row_and_stores_nothing(
    panel_test, admin_client, data, named
):
    with pytest.raises(errors.PlatformError, match=named):
        panel.roster_read(data)
    recruitment = Recruitment.objects.get(test=panel_test)
    response = admin_client.post(
        reverse("admin:listening_recruitment_change", args=[recruitment.pk]),
        {**form_data(recruitment, places_margin="0.9"),
         "roster": SimpleUploadedFile("lab.csv", data)},
    )  # fmt: skip
    assert response.status_code == 200  # the form again, with the error
    page = response.content.decode()
    assert "lab.csv: " in page and named.split("'")[0] in page
    assert not Invitation.objects.exists()
    assert Recruitment.objects.get(pk=recruitment.pk).places_margin == recruitment.places_margin


def test_invitation_links_need_the_panel_platform(live_test, admin_client):
    recruitment = recruitment_set(test=live_test, platform="open")
    response = admin_client.post(
        reverse("admin:listening_recruitment_change", args=[recruitment.pk]),
        {**form_data(recruitment), "roster": SimpleUploadedFile("lab.csv", ROSTER)},
    )
    assert "are for a private panel" in response.content.decode()
    assert not Invitation.objects.exists()
