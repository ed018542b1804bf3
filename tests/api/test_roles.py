"""Roles are Django groups and decide, beside the API, the report pages and the admin: being
staff alone opens nothing."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse

from access.roles import Role, user_role
from enhancement.models import Corpus
from listening.models import ListeningTest
from tests.api.conftest import person_make
from tests.conftest import testset_make

pytestmark = pytest.mark.django_db


@pytest.fixture
def draft(db) -> ListeningTest:
    """A test that was never published: no audio needed to show it in the admin."""
    testset = testset_make([Corpus.objects.create(name="empty", language="en")], generate=False)
    return ListeningTest.objects.create(name="draft", testset=testset)


def logged_in(client, role: str):
    client.force_login(person_make(role))
    return client


def test_the_three_groups_exist_with_their_admin_permissions():
    def codenames(name):
        return set(Group.objects.get(name=name).permissions.values_list("codename", flat=True))

    assert {"change_listeningtest", "add_corpus", "delete_report"} <= codenames("organizer")
    assert "view_report" in codenames("analyst")
    assert not {c for c in codenames("analyst") if not c.startswith("view_")}
    assert codenames("viewer") == {"view_listeningtest"}


def test_a_user_holds_the_highest_of_their_roles_and_a_superuser_is_an_organizer(
    django_user_model,
):
    both = person_make("viewer")
    both.groups.add(Group.objects.get(name="analyst"))
    assert user_role(user=both) == Role.ANALYST
    assert user_role(user=person_make("nobody")) is None
    boss = django_user_model.objects.create_superuser("boss", password="pw-long-enough")
    assert user_role(user=boss) == Role.ORGANIZER


def test_the_report_page_is_for_analysts_and_organizers_only(client, world):
    url = reverse("analysis:report", args=[world["test"].pk])
    assert "/admin/login/" in client.get(url).url
    for role, status in [("nobody", 403), ("viewer", 403), ("analyst", 200), ("organizer", 200)]:
        client.force_login(person_make(role))
        assert client.get(url).status_code == status, role


def test_a_viewer_cannot_build_a_report_or_read_its_files_and_an_analyst_can(client, world):
    test, built = world["test"], world["report"]
    url = reverse("analysis:report-build", args=[test.pk])
    download = reverse("analysis:report-file", args=[test.pk, built.pk, "votes.csv"])
    assert logged_in(client, "viewer").post(url).status_code == 403
    assert client.get(download).status_code == 403
    assert test.reports.count() == 1
    assert logged_in(client, "analyst").post(url).status_code == 302
    assert test.reports.count() == 2
    assert client.get(download).status_code == 200


def test_staff_without_a_role_are_sent_to_the_admin_login(client):
    response = logged_in(client, "nobody").get(reverse("admin:index"))
    assert response.status_code == 302 and "/admin/login/" in response.url


def test_a_viewer_sees_tests_in_the_admin_but_cannot_change_or_move_them(client, draft):
    logged_in(client, "viewer")
    page = client.get(reverse("admin:listening_listeningtest_changelist")).content.decode()
    assert "draft" in page and 'value="publish"' not in page
    change = reverse("admin:listening_listeningtest_change", args=[draft.pk])
    assert client.post(change, {"name": "renamed"}).status_code == 403
    actions = {"action": "close", "_selected_action": [draft.pk]}
    client.post(reverse("admin:listening_listeningtest_changelist"), actions)
    draft.refresh_from_db()
    assert (draft.name, draft.status) == ("draft", ListeningTest.Status.DRAFT)
    assert client.get(reverse("admin:analysis_report_changelist")).status_code == 403


def test_an_analyst_reads_reports_in_the_admin_and_writes_nothing(client, draft):
    logged_in(client, "analyst")
    assert client.get(reverse("admin:analysis_report_changelist")).status_code == 200
    assert client.get(reverse("admin:enhancement_corpus_add")).status_code == 403
    change = reverse("admin:listening_listeningtest_change", args=[draft.pk])
    assert client.post(change, {"name": "renamed"}).status_code == 403


def test_an_organizer_changes_a_draft_test_in_the_admin(client, draft):
    logged_in(client, "organizer")
    change = reverse("admin:listening_listeningtest_change", args=[draft.pk])
    form = client.get(change).context["adminform"].form
    data = {name: value for name, value in form.initial.items() if value is not None}
    data.update({"name": "renamed", "testset": draft.testset_id, "screening_config": "{}"})
    response = client.post(change, data)
    assert response.status_code == 302, response.context["adminform"].form.errors
    draft.refresh_from_db()
    assert draft.name == "renamed"
