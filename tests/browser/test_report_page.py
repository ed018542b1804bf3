"""An analyst in headless Chromium: logs in, builds a test's report from its page, downloads a
table and opens the self-contained report."""

from __future__ import annotations

from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from listening.models import Rater
from tests.analysis.test_report_view import cast, one_utterance_test
from tests.browser.test_rater_page import chromium_page  # noqa: F401 (a fixture)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_an_analyst_builds_the_report_and_downloads_its_tables(live_server, chromium_page):  # noqa: F811
    test = one_utterance_test(3)
    cast(test, Rater.Platform.PANEL, {"gating": [4, 5, 3], "noisy input": [2, 1, 2]})
    get_user_model().objects.create_superuser("analyst", "a@example.org", "listen-carefully")
    report_url = live_server.url + reverse("analysis:report", args=[test.pk])

    with chromium_page() as page:
        page.goto(report_url)  # not logged in: the admin login, then back here
        page.fill("#id_username", "analyst")
        page.fill("#id_password", "listen-carefully")
        page.click("input[type=submit]")
        page.wait_for_url(report_url)
        assert page.locator("#agreement-pending, #clustered-pending").count() >= 1

        page.click("#build-report")  # no broker: the build runs in the request
        page.wait_for_url(report_url)
        assert "The report is built." in page.locator(".messages").inner_text()
        builds = page.locator("#builds table").inner_text()
        assert "done" in builds and "report.pdf" in builds

        with page.expect_download() as download:
            page.click("text=votes_per_cond.csv")
        table = Path(download.value.path()).read_text(encoding="utf-8").splitlines()
        assert table[0] == "condition_name,n,MOS,std,95%CI"
        assert any(line.startswith("gating,3,4.0,1.0,") for line in table)

        page.click("text=report.html")
        page.wait_for_load_state()
        assert page.locator("h1").inner_text() == test.name
        assert page.locator("#build-report").count() == 0  # the stored report has no button
