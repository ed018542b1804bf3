"""An imported P.808 toolkit test as analysts and organizers meet it: the command, the admin's
upload, and a report build with every file."""

from __future__ import annotations

import io

import pandas as pd
import pytest
from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import CommandError, call_command
from django.urls import reverse

from analysis.models import Report
from analysis.services import report_request, report_run
from listening.models import ListeningTest, Session
from tests.analysis.p808_batches import ACR_CONFIG, Work, acr_batch
from tests.analysis.test_import_p808 import HIT3, WORKS, acr_import, votes

# A third good rater, so that the mixed model and the bootstrap have raters to vary over.
REPORT_WORKS = [*WORKS, Work("W10", votes(HIT3, [2, 4, 4]))]

pytestmark = pytest.mark.django_db


def test_an_imported_tests_report_builds_with_every_file(admin_client, media_root):
    test = acr_import(works=REPORT_WORKS)
    report, _ = report_request(test=test)
    report = report_run(report_id=report.pk)
    assert report.status == Report.Status.DONE, report.error
    expected = {"report.html", "report.xlsx", "votes.csv", "votes_per_clip.csv",
                "votes_per_cond.csv", "systems.csv", "systems_by_language.csv", "languages.csv",
                "clustered_intervals.csv", "pairs.csv", "ranking.csv", "ranking_by_language.csv",
                "agreement.csv", "raters.csv", "exclusions.csv", "screening_profiles.csv",
                "screening_differences.csv"}  # fmt: skip
    assert expected <= set(report.file_names)
    for stored in report.files:
        assert (media_root / stored).stat().st_size > 0, stored

    cond = _csv(admin_client, report, "votes_per_cond.csv").set_index("condition_name")
    # c02: s2 4 4, s4 2 3, s6 3 2, s8 3 (W1) and 4 (W10)
    assert (cond.at["02", "n"], cond.at["02", "MOS"]) == (8, 25 / 8)
    clustered = _csv(admin_client, report, "clustered_intervals.csv")
    assert set(clustered["system"]) == {f"{test.name} · 01", f"{test.name} · 02"}
    profiles = _csv(admin_client, report, "screening_profiles.csv").set_index("profile")
    assert profiles.at["p808_toolkit", "votes_kept"] == 18

    page = admin_client.get(reverse("analysis:report", args=[test.pk])).content.decode()
    assert "Screening profile: <strong>the P.808 toolkit" in page
    assert 'id="screening-differences"' in page


def _csv(client, report: Report, name: str) -> pd.DataFrame:
    response = client.get(reverse("analysis:report-file", args=[report.test_id, report.pk, name]))
    content = io.BytesIO(b"".join(response.streaming_content))
    return pd.read_csv(content, dtype={"condition_name": str})


def test_the_command_imports_and_prints_the_tests_id_and_name(tmp_path):
    batch, config = tmp_path / "batch_2020.csv", tmp_path / "acr_result_parser.cfg"
    batch.write_text(acr_batch(WORKS))
    config.write_text(ACR_CONFIG.replace("cond\n", "wrong\n"))  # the flag puts it right
    out = io.StringIO()
    call_command("import_p808", str(batch), "--method", "acr", "--config", str(config),
                 "--condition-keys", "cond", stdout=out)  # fmt: skip
    test = ListeningTest.objects.get()
    assert out.getvalue().strip() == f"{test.pk} batch_2020: {len(WORKS)} assignments imported"
    assert test.screening_config["condition_keys"] == ["cond"]

    with pytest.raises(CommandError, match="line 2: assignment imported already"):
        call_command("import_p808", str(batch), "--method", "acr", "--config", str(config),
                     "--name", "again", stdout=out)  # fmt: skip


def _upload(name: str, text: str) -> SimpleUploadedFile:
    return SimpleUploadedFile(name, text.encode(), content_type="text/csv")


def test_the_admin_upload_imports_or_names_every_problem(admin_client):
    url = reverse("admin:analysis_import_p808")
    assert admin_client.get(url).status_code == 200
    form = {"method": "acr", "name": "uploaded", "language": "en"}
    bad = ACR_CONFIG.replace("[bonus]", "[bonus]\nquality_bonuz: 1")
    response = admin_client.post(
        url, {**form, "batch": _upload("b.csv", acr_batch(WORKS)), "config": _upload("c", bad)}
    )
    assert response.status_code == 200
    assert "[bonus] quality_bonuz: not a key result_parser reads" in response.content.decode()
    assert not ListeningTest.objects.exists()

    response = admin_client.post(
        url, {**form, "batch": _upload("b.csv", acr_batch(WORKS)),
              "config": _upload("c", ACR_CONFIG)},
    )  # fmt: skip
    test = ListeningTest.objects.get(name="uploaded")
    assert response.status_code == 302 and str(test.pk) in response.url
    assert Session.objects.filter(test=test).count() == len(WORKS)


def test_the_upload_is_for_organizers_only(client, django_user_model):
    analyst = django_user_model.objects.create_user("analyst", password="x", is_staff=True)
    analyst.groups.add(Group.objects.get_or_create(name="analyst")[0])
    client.force_login(analyst)
    assert client.get(reverse("admin:analysis_import_p808")).status_code == 403
