"""An analyst in headless Chromium: logs in, builds a test's report from its page, downloads a
table and opens the self-contained report."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse

from listening.models import Rater
from tests.analysis.report_wide import wide_test
from tests.analysis.test_report_view import cast, one_utterance_test
from tests.browser.test_rater_page import chromium_page  # noqa: F401 (a fixture)

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
# A build prints its PDF with a second Chromium: on a loaded machine that takes longer than
# playwright's 30 s default.
BUILD_WAIT_MS = 120_000


def build(page, report_url: str) -> None:
    """The page's build button starts a report job; the suite runs it in the request, so the
    build is over by the answer, which shows the report with its outcome."""
    page.click("#build-report")
    page.wait_for_url(report_url, timeout=BUILD_WAIT_MS)
    assert "The report is built." in page.locator(".messages").inner_text()


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

        build(page, report_url)
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


def page_width(page) -> int:
    """The document's width with every collapsed part (the logs, the raters) opened."""
    page.evaluate("document.querySelectorAll('details').forEach(d => { d.open = true; })")
    return page.evaluate("document.documentElement.scrollWidth")


def test_a_report_of_every_ranked_metric_fits_a_1280_pixel_window(
    live_server,
    chromium_page,  # noqa: F811
    monkeypatch,
):
    monkeypatch.setattr("analysis.reports.REPORT_DRAWS", 20)  # the agreement, quickly
    test = wide_test()
    get_user_model().objects.create_superuser("analyst", "a@example.org", "listen-carefully")
    report_url = live_server.url + reverse("analysis:report", args=[test.pk])

    with chromium_page() as page:
        page.set_viewport_size({"width": 1280, "height": 900})
        page.goto(report_url)
        page.fill("#id_username", "analyst")
        page.fill("#id_password", "listen-carefully")
        page.click("input[type=submit]")
        page.wait_for_url(report_url)
        build(page, report_url)
        assert page.locator("#agreement").count() == 1
        assert page_width(page) <= 1280
        shown = page.locator("main").inner_text()
        assert "DNSMOS OVRL rank" in shown
        assert not re.search(r"\b\w+_(rank|score)\b|dnsmos_ovrl|not_used", shown)

        page.click("text=report.html")  # the stored page, its logs open for the PDF
        page.wait_for_load_state()
        assert page_width(page) <= 1280
