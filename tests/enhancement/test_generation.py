from __future__ import annotations

import pytest

from enhancement import storage
from enhancement.audio import active_level_db
from enhancement.models import Output, System, TestSet
from enhancement.services import testset_generate
from tests.conftest import corpus_make, testset_make

pytestmark = pytest.mark.django_db


def test_every_system_processes_every_clip_and_the_outputs_are_stored(media_root):
    testset = testset_make([corpus_make("en", 3), corpus_make("fr", 2)])
    assert testset.status == TestSet.Status.DONE
    assert testset.outputs.count() == 5 * 2
    assert (testset.progress_done, testset.progress_total) == (10, 10)
    for output in testset.outputs.select_related("clip"):
        audio, rate = storage.audio_load(output.audio.name)
        assert rate == output.clip.sample_rate
        assert len(audio) == round(output.clip.duration * rate)
        assert active_level_db(audio, rate) == pytest.approx(-26.0, abs=0.5)
        assert (media_root / output.audio.name).is_file()


def test_stored_names_give_away_no_system_or_clip_name(testset):
    for output in testset.outputs.select_related("clip", "system"):
        name = output.audio.name.lower()
        assert output.system.name.split()[0] not in name
        assert output.system.kind not in name
        assert output.clip.name.split(".")[0] not in name


def test_running_generation_again_adds_nothing(testset):
    before = set(testset.outputs.values_list("id", flat=True))
    testset_generate(testset=testset)
    assert set(testset.outputs.values_list("id", flat=True)) == before


def test_a_failing_system_is_recorded_by_name_and_the_rest_is_kept():
    testset = testset_make([corpus_make("en", 2)], generate=False)
    broken = System.objects.create(name="broken one", kind="spectral_gating", params={"bogus": 1})
    testset.systems.add(broken)
    result = testset_generate(testset=testset)
    assert result.status == TestSet.Status.FAILED
    assert "broken one" in result.error and "bogus" in result.error
    assert not Output.objects.filter(system=broken).exists()
    assert Output.objects.filter(testset=testset).count() == 4


def test_a_device_that_cannot_run_fails_the_test_set_instead_of_leaving_it_running(settings):
    settings.AURICLE_DEVICE = "tpu"
    testset = testset_make([corpus_make("en", 1)], generate=False)
    result = testset_generate(testset=testset)
    assert result.status == TestSet.Status.FAILED
    assert "AURICLE_DEVICE must be auto, cpu, cuda or cuda:N" in result.error
    assert not result.outputs.exists()
