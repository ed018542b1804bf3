"""Report builds from the page: queued once per test, stored, served to staff only."""

from __future__ import annotations

import io
from datetime import timedelta

import pandas as pd
import pytest
from django.core.files.storage import FileSystemStorage
from django.urls import reverse
from django.utils import timezone

from analysis.models import Report
from analysis.services import STALE_AFTER, report_request
from tests.conftest import corpus_make, live_test_make, testset_make

pytestmark = pytest.mark.django_db


class RefusesWorkbooks(FileSystemStorage):
    """A storage that fills up at the workbook, after the CSVs are stored."""

    def _save(self, name, content):
        if name.endswith(".xlsx"):
            raise OSError("No space left on device")
        return super()._save(name, content)


def build(client, test):
    """POST the page's build button. The tests that call this commit for real (transaction=True),
    so the build queued on commit runs eagerly (no broker) before the response, as it does on
    an installation without one."""
    return client.post(reverse("analysis:report-build", args=[test.pk]))


def download(client, report: Report, name: str):
    return client.get(reverse("analysis:report-file", args=[report.test_id, report.pk, name]))


@pytest.mark.django_db(transaction=True)
def test_a_build_stores_the_files_and_the_page_links_them(admin_client, voted, media_root):
    response = build(admin_client, voted)
    assert response.status_code == 302
    report = voted.reports.get()
    assert report.status == Report.Status.DONE, report.error
    assert report.votes == 6 and report.finished_at is not None
    expected = {"report.html", "report.xlsx", "votes.csv", "votes_per_cond.csv", "systems.csv",
                "pairs.csv", "ranking.csv", "exclusions.csv", "agreement.csv", "raters.csv",
                "clustered_intervals.csv", "languages.csv"}  # fmt: skip
    assert expected <= set(report.file_names)
    for stored in report.files:
        assert (media_root / stored).stat().st_size > 0, stored
    page = admin_client.get(response.url).content.decode()
    assert "The report is built." in page
    assert reverse("analysis:report-file", args=[voted.pk, report.pk, "votes_per_cond.csv"]) in page

    csv = download(admin_client, report, "votes_per_cond.csv")
    assert "attachment" in csv["Content-Disposition"]
    table = pd.read_csv(io.BytesIO(b"".join(csv.streaming_content))).set_index("condition_name")
    # votes 4, 5, 3: mean 4, s 1 (the toolkit's column names)
    assert (table.at["gating", "n"], table.at["gating", "MOS"]) == (3, 4.0)
    html = download(admin_client, report, "report.html")
    assert html["Content-Type"].startswith("text/html")
    assert "attachment" not in html.get("Content-Disposition", "")


def test_a_second_request_while_one_is_pending_queues_nothing(voted):
    first, created = report_request(test=voted)  # on_commit never runs: it stays queued
    again, created_again = report_request(test=voted)
    assert created and not created_again and again.pk == first.pk
    assert voted.reports.count() == 1


def test_a_build_pending_too_long_is_taken_as_dead_and_a_new_one_queues(voted):
    stuck, _ = report_request(test=voted)
    Report.objects.filter(pk=stuck.pk).update(
        requested_at=timezone.now() - STALE_AFTER - timedelta(minutes=1)
    )
    fresh, created = report_request(test=voted)
    assert created and fresh.pk != stuck.pk
    stuck.refresh_from_db()
    assert stuck.status == Report.Status.FAILED and "no worker finished it" in stuck.error


def test_the_database_holds_one_pending_build_per_test(voted):
    from django.db import IntegrityError, transaction

    report_request(test=voted)
    with pytest.raises(IntegrityError), transaction.atomic():
        Report.objects.create(test=voted)
    Report.objects.create(test=voted, status=Report.Status.DONE)  # finished ones are many


def test_building_needs_staff_and_a_post(client, admin_client, voted):
    url = reverse("analysis:report-build", args=[voted.pk])
    assert "/admin/login/" in client.post(url).url
    assert admin_client.get(url).status_code == 405
    assert not voted.reports.exists()


@pytest.mark.django_db(transaction=True)
def test_files_are_for_staff_and_only_the_reports_own(client, admin_client, voted):
    build(admin_client, voted)
    report = voted.reports.get()
    assert "/admin/login/" in download(client, report, "votes.csv").url
    assert download(admin_client, report, "settings.py").status_code == 404
    other = live_test_make(testset_make([corpus_make("de", 1)]))
    url = reverse("analysis:report-file", args=[other.pk, report.pk, "votes.csv"])
    assert admin_client.get(url).status_code == 404


@pytest.mark.django_db(transaction=True)
def test_a_failed_build_is_recorded_with_its_reason_and_shown(
    admin_client, voted, settings, tmp_path
):
    blocked = tmp_path / "not-a-folder"
    blocked.write_text("storage cannot write under a file")
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "django.core.files.storage.FileSystemStorage",
            "OPTIONS": {"location": str(blocked)},
        },
    }
    response = build(admin_client, voted)
    report = voted.reports.get()
    assert report.status == Report.Status.FAILED and report.files == []
    assert "not-a-folder" in report.error
    page = admin_client.get(response.url).content.decode()
    assert "The report build failed" in page and "failed: " in page


@pytest.mark.django_db(transaction=True)
def test_a_build_that_fails_part_way_leaves_no_files_behind(
    admin_client, voted, settings, media_root
):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {
            "BACKEND": "tests.analysis.test_report_builds.RefusesWorkbooks",
            "OPTIONS": {"location": str(media_root)},
        },
    }
    build(admin_client, voted)
    report = voted.reports.get()
    assert report.status == Report.Status.FAILED and "No space left" in report.error
    folder = media_root / report.folder
    assert not folder.exists() or not any(folder.iterdir())


def test_the_api_serves_the_reports_tables_as_json(admin_client, voted):
    names = admin_client.get(reverse("api:test-tables", args=[voted.pk])).json()
    assert {"systems", "pairs", "votes_per_cond", "exclusions", "agreement"} <= set(names["tables"])
    url = reverse("api:test-table", args=[voted.pk, "votes_per_cond"])
    rows = {row["condition_name"]: row for row in admin_client.get(url).json()["rows"]}
    # noisy input: votes 2, 1, 2 → mean 5/3, s = 0.57735
    assert rows["noisy input"]["MOS"] == pytest.approx(5 / 3)
    assert rows["noisy input"]["std"] == pytest.approx(0.57735, abs=1e-5)
    missing = admin_client.get(reverse("api:test-table", args=[voted.pk, "nope"]))
    assert missing.status_code == 404 and "systems" in missing.json()["detail"]


@pytest.mark.django_db(transaction=True)
def test_a_build_shows_agreement_with_metrics_per_language_and_mos_per_language(admin_client):
    from scipy import stats

    from analysis.selectors import screening_for
    from enhancement.models import MetricScore
    from listening.simulation import RaterProfile, session_play
    from tests.listening.helpers import rater, rating_session

    test = live_test_make(testset_make([corpus_make("en", 3), corpus_make("de", 3)]))
    for number, output in enumerate(test.testset.outputs.order_by("pk")):
        MetricScore.objects.create(output=output, metric="pesq", version="t", value=1 + number % 3)
    ids = test.stimuli.filter(role="rating").order_by("pk").values_list("pk", flat=True)
    truth = {pk: 1.0 + rank % 5 for rank, pk in enumerate(ids)}
    for language in ("en", "de"):
        for name in range(3):
            session = rating_session(test, rater(language, f"{language}{name}"))
            session_play(session, clock=timezone.now(), profile=RaterProfile(0, 0.3, False),
                         truth=truth)  # fmt: skip
    build(admin_client, test)
    page = admin_client.get(reverse("analysis:report", args=[test.pk])).content.decode()
    assert 'id="language-chart"' in page and "<title>de gating:" in page

    kept = screening_for(test=test).kept
    points = kept.groupby(["system", "clip", "language"], as_index=False)["score"].mean()
    pesq = {o.clip_id: {} for o in test.testset.outputs.all()}
    for score in MetricScore.objects.select_related("output__system"):
        pesq[score.output.clip_id][score.output.system.name] = score.value
    points["pesq"] = [pesq[c][s] for s, c in zip(points["system"], points["clip"], strict=True)]
    agreement = test.reports.get().agreement
    for language in ("all", "de", "en"):
        chosen = points if language == "all" else points[points["language"] == language]
        expected = stats.kendalltau(chosen["score"], chosen["pesq"]).statistic
        row = next(r for r in agreement if (r["language"], r["metric"], r["level"])
                   == (language, "pesq", "clip"))  # fmt: skip
        assert row["kendall_tau_b"] == pytest.approx(expected), language
    table = page[page.index('id="agreement"') :]
    assert "<td>de</td><td>PESQ</td><td>clip</td>" in table

    # the mixed model within one language: statsmodels on the German votes alone
    import statsmodels.formula.api as smf

    german = kept[kept["language"] == "de"].assign(g=0)
    direct = smf.mixedlm(
        "score ~ 0 + C(system)", german, groups="g", re_formula="0",
        vc_formula={"rater": "0 + C(rater)", "clip": "0 + C(clip)"},
    ).fit(reml=True, method=["nm", "lbfgs"], maxiter=5000)  # fmt: skip
    rows = {r["system"]: r for r in test.reports.get().clustered if r["language"] == "de"}
    assert direct.converged and set(rows) == set(german["system"])
    for system, row in rows.items():
        expected = direct.fe_params[f"C(system)[{system}]"]
        assert row["mixed_estimate"] == pytest.approx(expected, abs=1e-3)
