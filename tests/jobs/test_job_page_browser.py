"""In headless Chromium, a job's page follows the job as it moves, without a reload: the bar,
the count, the status, the message and each item's error."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from jobs.models import Job
from tests.api.conftest import person_make
from tests.browser.test_rater_page import chromium_page, orm  # noqa: F401 (a fixture)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_job_page_follows_the_job_without_a_reload(live_server, chromium_page):  # noqa: F811
    from playwright.sync_api import expect

    job = Job.objects.create(kind="report", status="running", done=1, total=4)
    browser_client = Client()
    browser_client.force_login(person_make("viewer"))
    cookie = {
        "name": settings.SESSION_COOKIE_NAME,
        "value": browser_client.cookies[settings.SESSION_COOKIE_NAME].value,
        "url": live_server.url,
    }
    with chromium_page(cookie) as page:
        page.goto(live_server.url + reverse("jobs:detail", args=[job.pk]))
        assert page.locator("#job-count").inner_text() == "1 of 4"
        page.evaluate("window.__same_page = true")
        orm(
            lambda: Job.objects.filter(pk=job.pk).update(
                status="done",
                done=4,
                message="report built: 9 files",
                errors=[{"item": "pairs.csv", "error": "<i>empty</i>"}],
            )
        )
        expect(page.locator("#job-status")).to_have_text("done", timeout=15_000)
        assert page.evaluate("window.__same_page") is True  # updated in place, not reloaded
        assert page.locator("#job-count").inner_text() == "4 of 4"
        assert page.locator("#job-progress").evaluate("bar => [bar.value, bar.max]") == [4, 4]
        assert page.locator("#job-message").inner_text() == "report built: 9 files"
        assert page.locator("#job-errors td").all_inner_texts() == ["pairs.csv", "<i>empty</i>"]
