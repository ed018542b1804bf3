"""After a Prolific study, no raw participant id appears in anything Auricle shows or writes:
the API's report tables, a build's report files, `manage.py report`, the admin's lists and the
log of a sync. The raw id is kept on the session's Participation, for the pay calls, only until
the payments are settled."""

from __future__ import annotations

import io
import logging
from decimal import Decimal

import openpyxl
import pytest
from django.apps import apps
from django.core.management import call_command
from django.urls import reverse

from analysis.reports import report_build
from listening.platforms import platform_for
from listening.platforms.models import Participation
from listening.platforms.sync import platform_sync
from tests.fakes.participants import Participant, pid_make, prolific, study_publish, take_part

__all__ = ["prolific"]  # the fixture, used by name
pytestmark = pytest.mark.django_db
ADMIN_LISTS = ["rater", "participation", "bonus", "platformcall", "session"]


@pytest.fixture
def finished_study(prolific, live_test):
    study_publish(live_test, bonus_min_sessions=1, bonus_sessions_amount=Decimal("0.40"))
    kinds = ["good", "good", "trap_failer"]
    people = [take_part(prolific, live_test, Participant(pid_make(n), kind))
              for n, kind in enumerate(kinds)]  # fmt: skip
    return live_test, people


def assert_no_pid(text: str, people, where: str) -> None:
    for person in people:
        assert person.pid not in text.lower(), f"{person.kind}'s raw id in {where}"


def api_text(client, test) -> str:
    """Every report table the API serves, as its JSON text."""
    listed = client.get(f"/api/tests/{test.pk}/tables/", follow=True)
    assert listed.status_code == 200
    texts = [listed.content.decode()]
    for name in listed.json()["tables"]:
        table = client.get(f"/api/tests/{test.pk}/tables/{name}/", follow=True)
        assert table.status_code == 200, name
        texts.append(table.content.decode())
    assert any(t.startswith('{"') and '"rows":[{' in t.replace(" ", "") for t in texts[1:])
    return "\n".join(texts)


def files_text(folder) -> str:
    """Every file written into folder: the workbook cell by cell, the rest as text."""
    texts = []
    for path in sorted(folder.iterdir()):
        if path.suffix == ".xlsx":
            book = openpyxl.load_workbook(path, read_only=True)
            texts += [str(cell) for sheet in book for row in sheet.values for cell in row]
        elif path.suffix != ".pdf":
            texts.append(path.read_text(errors="replace"))
    assert texts
    return "\n".join(texts)


def admin_text(client) -> str:
    texts = []
    for model in ADMIN_LISTS:
        page = client.get(reverse(f"admin:listening_{model}_changelist"))
        assert page.status_code == 200, model
        texts.append(page.content.decode())
        first = apps.get_model("listening", model).objects.first()
        change = client.get(reverse(f"admin:listening_{model}_change", args=[first.pk]))
        texts.append(change.content.decode())
    return "\n".join(texts)


def test_no_raw_participant_id_is_shown_written_or_logged(
    finished_study, prolific, admin_client, tmp_path, caplog
):
    test, people = finished_study
    with caplog.at_level(logging.DEBUG):
        summary = platform_sync(test=test)
    assert summary["approved"] == 2 and summary["rejected"] == 1
    assert sum(prolific.pay_calls.values()) == 1  # the ids did reach Prolific's pay call
    assert_no_pid(caplog.text, people, "the sync's log")
    assert_no_pid(str(summary), people, "the sync's summary")
    # Not settled yet (the study runs): the raw ids are still kept, and still never shown.
    raw = dict(Participation.objects.values_list("session_id", "participant_id"))
    assert raw == {p.session.pk: p.pid for p in people}

    assert_no_pid(api_text(admin_client, test), people, "the API's report tables")
    assert_no_pid(files_text(report_build(test=test, folder=tmp_path / "build").paths[0].parent),
                  people, "a build's report files")  # fmt: skip
    out = io.StringIO()
    call_command("report", test.name, out=tmp_path / "command", stdout=out)
    assert_no_pid(out.getvalue() + files_text(tmp_path / "command"), people, "manage.py report")
    assert_no_pid(admin_text(admin_client), people, "the admin")


def test_the_raw_id_is_erased_when_the_payments_are_settled(finished_study, prolific, caplog):
    test, people = finished_study
    platform_sync(test=test)
    assert Participation.objects.exclude(participant_id="").count() == 3
    platform_for(test).stop()
    with caplog.at_level(logging.DEBUG):
        summary = platform_sync(test=test)
    assert summary["settled"]
    assert not Participation.objects.exclude(participant_id="").exists()
    everything = "\n".join(str(value) for model in apps.get_app_config("listening").get_models()
                           for row in model.objects.values() for value in row.values())  # fmt: skip
    assert_no_pid(everything, people, "the database")
    assert_no_pid(caplog.text, people, "the settling sync's log")
    assert sum(prolific.pay_calls.values()) == 1  # settling paid nobody again
