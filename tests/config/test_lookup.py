"""Commands find a row by the name a person typed, else by its id."""

from __future__ import annotations

import pytest

from config.lookup import by_id_or_name
from enhancement.models import TestSet

pytestmark = pytest.mark.django_db


def test_a_name_is_found_before_an_id_that_reads_the_same():
    first = TestSet.objects.create(name="first")
    named_like_an_id = TestSet.objects.create(name=str(first.pk))
    assert by_id_or_name(TestSet.objects.all(), str(first.pk)) == named_like_an_id


def test_an_id_is_found_when_no_name_takes_it():
    testset = TestSet.objects.create(name="only")
    assert by_id_or_name(TestSet.objects.all(), str(testset.pk)) == testset
    assert by_id_or_name(TestSet.objects.all(), "only") == testset


def test_nothing_is_found_for_an_unknown_key():
    TestSet.objects.create(name="only")
    assert by_id_or_name(TestSet.objects.all(), "999") is None
    assert by_id_or_name(TestSet.objects.all(), "other") is None
