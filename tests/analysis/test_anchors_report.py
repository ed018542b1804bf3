"""The report's anchors: MNRU reference conditions labelled as anchors, with their Q, what
they degrade, their MOS and the MOS-against-Q check."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from enhancement.models import System
from enhancement.services import testset_generate
from listening.models import Rater
from tests.analysis.test_report_view import cast
from tests.conftest import corpus_make, live_test_make, testset_make

pytestmark = pytest.mark.django_db


@pytest.fixture
def anchored(db):
    """One utterance; the input, gating and three anchors (Q 5 and 25 of the reference, Q 15
    of the input); three votes a clip."""
    testset = testset_make([corpus_make("en", 1)], generate=False)
    for q_db, source in ((5, "reference"), (15, "input"), (25, "reference")):
        testset.systems.add(
            System.objects.create(
                name=f"MNRU Q={q_db} dB", kind="mnru", params={"q_db": q_db}, anchor_source=source
            )
        )
    testset_generate(testset=testset)
    test = live_test_make(testset, votes_per_stimulus=3)
    cast(
        test,
        Rater.Platform.PANEL,
        {"MNRU Q=5 dB": [1, 2, 1], "MNRU Q=15 dB": [3, 2, 2], "MNRU Q=25 dB": [4, 4, 5],
         "gating": [4, 3, 4], "noisy input": [2, 3, 2]},
    )  # fmt: skip
    return test


def _cells(page: str, table_id: str) -> list[list[str]]:
    body = page.split(f'id="{table_id}"', 1)[1].split("</table>", 1)[0]
    rows = re.findall(r"<tr>(.*?)</tr>", body.split("<tbody>", 1)[1], flags=re.S)
    return [[re.sub(r"<[^>]+>", "", c).strip() for c in re.findall(r"<td[^>]*>(.*?)</td>", r)]
            for r in rows]  # fmt: skip


def test_the_report_lists_the_anchors_by_q_with_their_source_and_mos(admin_client, anchored):
    page = admin_client.get(reverse("analysis:report", args=[anchored.pk])).content.decode()
    rows = _cells(page, "anchor-table")
    assert [row[:4] for row in rows] == [
        ["MNRU Q=5 dB (anchor)", "5", "the clean reference (P.810)", "3"],
        ["MNRU Q=15 dB (anchor)", "15", "the noisy input", "3"],
        ["MNRU Q=25 dB (anchor)", "25", "the clean reference (P.810)", "3"],
    ]
    assert [row[4] for row in rows] == ["1.33", "2.33", "4.33"]  # 4/3, 7/3, 13/3
    # MOS rises with Q at every step: Spearman's ρ is 1
    assert re.search(r'id="anchor-rho">1\.00<', page)
    assert page.count('class="dot"><title>MNRU Q=') == 3  # one point per anchor on the chart


def test_a_test_without_anchors_has_no_anchor_section(admin_client):
    test = live_test_make(testset_make([corpus_make("en", 1)]), votes_per_stimulus=1)
    cast(test, Rater.Platform.PANEL, {"gating": [4], "noisy input": [2]})
    page = admin_client.get(reverse("analysis:report", args=[test.pk])).content.decode()
    assert 'id="anchor-table"' not in page
