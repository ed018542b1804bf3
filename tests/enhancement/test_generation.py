from __future__ import annotations

import io
import zipfile

import numpy as np
import pytest
import soundfile as sf
from django.core.files.base import ContentFile

from enhancement import storage
from enhancement.audio import active_level_db
from enhancement.models import Output, System, TestSet
from enhancement.services import testset_generate
from tests.conftest import corpus_make, testset_make
from tests.enhancement import user_models

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def calls_reset():
    user_models.CALLS.clear()


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


def add_system(testset, name, kind, params=None, model_file=None) -> System:
    system = System.objects.create(name=name, kind=kind, params=params or {})
    if model_file is not None:
        system.model_file.save(f"{name}.bin", ContentFile(model_file))
    testset.systems.add(system)
    return system


def fresh(count=2, *systems) -> TestSet:
    testset = testset_make([corpus_make("en", count)], generate=False)
    testset.systems.clear()
    for args in systems:
        add_system(testset, *args)
    return testset


def test_a_rerun_skips_finished_outputs_and_remakes_missing_or_altered_files(media_root):
    testset = fresh(
        3, ("counted", "entry_point", {"target": "tests.enhancement.user_models:counted"})
    )
    assert testset_generate(testset=testset).status == TestSet.Status.DONE
    assert user_models.CALLS == [3]
    outputs = list(testset.outputs.order_by("id"))
    (media_root / outputs[0].audio.name).unlink()  # a lost file
    (media_root / outputs[1].audio.name).write_bytes(b"half-written")  # an altered file
    result = testset_generate(testset=testset)
    assert result.status == TestSet.Status.DONE and result.outputs.count() == 3
    assert user_models.CALLS == [3, 2]  # only the two bad ones were made again
    assert result.outputs.filter(pk=outputs[2].pk).exists()
    for output in result.outputs.all():
        assert storage.stored_sha256(output.audio.name) == output.sha256
    testset_generate(testset=testset)
    assert user_models.CALLS == [3, 2]  # nothing left to do, nothing done


def test_a_system_that_crashes_keeps_what_was_finished_and_resumes(settings):
    settings.AURICLE_GENERATE_BATCH = 2
    target = "tests.enhancement.user_models:crash_after_first"
    testset = fresh(4, ("flaky", "entry_point", {"target": target}))
    result = testset_generate(testset=testset)
    assert result.status == TestSet.Status.FAILED
    assert "system flaky failed on en-03.flac, en-04.flac" in result.error
    assert "the GPU fell over" in result.error
    assert result.outputs.count() == 2 and result.progress_done == 2
    System.objects.filter(name="flaky").update(
        params={"target": "tests.enhancement.user_models:halve"}
    )
    result = testset_generate(testset=testset)
    assert result.status == TestSet.Status.DONE and result.outputs.count() == 4


BAD_SYSTEMS = {
    "bad parameters": (
        ("broken one", "spectral_gating", {"bogus": 1}),
        "broken one: bad parameters",
    ),
    "wrong length": (
        ("short", "entry_point", {"target": "tests.enhancement.user_models:one_short"}),
        "system short returned (",
    ),
    "NaN output": (
        ("nan", "entry_point", {"target": "tests.enhancement.user_models:with_nan"}),
        "system nan returned NaN or infinite samples for clip en-01.flac",
    ),
    "missing function": (
        ("gone", "entry_point", {"target": "tests.enhancement.user_models:nothing"}),
        "system gone: 'tests.enhancement.user_models' has no function 'nothing'",
    ),
    "not a TorchScript file": (
        ("ts", "torchscript", {}, b"PK\x03\x04 this is no model"),
        "system ts: not a TorchScript model",
    ),
    "not an ONNX file": (("ox", "onnx", {}, b"\x08\x01garbage"), "system ox: not an ONNX model"),
    "no model file": (("none", "torchscript", {}), "upload a model file or set params.path"),
    "reference without references": (
        ("clean", "clean_reference", {}),
        "system clean plays the clean reference, and these clips have none: en-01.flac",
    ),
}


@pytest.mark.parametrize("case", BAD_SYSTEMS)
def test_a_bad_system_fails_the_test_set_by_name_and_stores_nothing_bad(case, media_root):
    spec, message = BAD_SYSTEMS[case]
    testset = fresh(2, spec)
    if case == "reference without references":
        testset.corpora.first().clips.filter(name="en-01.flac").update(reference="")
    result = testset_generate(testset=testset)
    assert result.status == TestSet.Status.FAILED
    assert message in result.error
    assert not Output.objects.exists()
    assert not list(media_root.rglob("audio/*/*.flac"))[4:]  # only the 2 inputs + 2 references


def test_an_output_row_refused_after_its_file_was_stored_leaves_no_file(media_root):
    target = "tests.enhancement.user_models:finished_elsewhere"
    testset = fresh(2, ("elsewhere", "entry_point", {"target": target}))
    inputs = sorted(media_root.rglob("audio/*/*.flac"))
    assert len(inputs) == 4  # 2 inputs + 2 references
    result = testset_generate(testset=testset)
    assert result.status == TestSet.Status.FAILED and "IntegrityError" in result.error
    assert sorted(media_root.rglob("audio/*/*.flac")) == inputs


def test_a_torchscript_model_runs_batched():
    import torch

    class Half(torch.nn.Module):
        def forward(self, audio: torch.Tensor) -> torch.Tensor:
            return audio * 0.5

    buffer = io.BytesIO()
    torch.jit.save(torch.jit.script(Half()), buffer)
    testset = fresh(2, ("half-ts", "torchscript", {"sample_rate": 8000}, buffer.getvalue()))
    assert testset_generate(testset=testset).status == TestSet.Status.DONE
    assert testset.outputs.count() == 2


def onnx_half() -> bytes:
    from onnx import TensorProto, helper

    graph = helper.make_graph(
        [helper.make_node("Mul", ["audio", "half"], ["out"])],
        "half",
        [helper.make_tensor_value_info("audio", TensorProto.FLOAT, ["batch", "samples"])],
        [helper.make_tensor_value_info("out", TensorProto.FLOAT, ["batch", "samples"])],
        [helper.make_tensor("half", TensorProto.FLOAT, [], [0.5])],
    )
    model = helper.make_model(graph, opset_imports=[helper.make_opsetid("", 13)])
    model.ir_version = 8
    return model.SerializeToString()


def test_an_onnx_model_runs_batched():
    testset = fresh(2, ("half-onnx", "onnx", {}, onnx_half()))
    result = testset_generate(testset=testset)
    assert result.status == TestSet.Status.DONE, result.error
    output = result.outputs.select_related("clip").first()
    out, _ = storage.audio_load(output.audio.name)
    source, _ = storage.audio_load(output.clip.audio.name)
    assert np.corrcoef(out, source)[0, 1] > 0.999  # the input, halved, then level-normalised


def test_long_clips_go_through_in_overlapping_chunks(settings):
    settings.AURICLE_GENERATE_CHUNK_SECONDS = 2  # the demo clips last about 3 s
    testset = fresh(
        2, ("halve", "entry_point", {"target": "tests.enhancement.user_models:counted"})
    )
    assert testset_generate(testset=testset).status == TestSet.Status.DONE
    assert all(n >= 2 for n in user_models.CALLS)  # each clip came as a batch of its chunks
    for output in testset.outputs.select_related("clip"):
        out, _ = storage.audio_load(output.audio.name)
        source, _ = storage.audio_load(output.clip.audio.name)
        assert len(out) == len(source) and np.corrcoef(out, source)[0, 1] > 0.9999


def outputs_zip(testset, tmp_path, *, drop=(), extra=(), short=()) -> str:
    path = tmp_path / "submission.zip"
    with zipfile.ZipFile(path, "w") as archive:
        for clip in testset.corpora.first().clips.all():
            stem = clip.name.rsplit(".", 1)[0]
            if stem in drop:
                continue
            audio, rate = storage.audio_load(clip.audio.name)
            audio = audio[: rate // 2] if stem in short else audio
            buffer = io.BytesIO()
            sf.write(buffer, audio * 0.3, rate, format="WAV")
            archive.writestr(f"team-x/{stem}.wav", buffer.getvalue())
        for name in extra:
            archive.writestr(f"team-x/{name}", b"RIFF")
    return str(path)


def test_imported_outputs_are_matched_to_inputs_by_name(tmp_path):
    testset = fresh(3)
    add_system(testset, "team x", "imported", {"source": outputs_zip(testset, tmp_path)})
    result = testset_generate(testset=testset)
    assert result.status == TestSet.Status.DONE, result.error
    assert result.outputs.count() == 3


def test_an_imported_submission_with_missing_extra_and_wrong_files_names_them(tmp_path):
    testset = fresh(3)
    source = outputs_zip(testset, tmp_path, drop={"en-02"}, extra={"en-09.wav"}, short={"en-03"})
    with open(source, "rb") as handle:
        add_system(testset, "team x", "imported", {}, handle.read())
    result = testset_generate(testset=testset)
    assert result.status == TestSet.Status.FAILED
    assert "missing outputs for en-02.flac" in result.error
    assert "files that match no input: team-x/en-09.wav" in result.error
    assert "team-x/en-03.wav: lasts 0.50 s" in result.error
    assert not result.outputs.exists()


def test_a_device_that_cannot_run_fails_the_test_set_instead_of_leaving_it_running(settings):
    settings.AURICLE_DEVICE = "tpu"
    testset = testset_make([corpus_make("en", 1)], generate=False)
    result = testset_generate(testset=testset)
    assert result.status == TestSet.Status.FAILED
    assert "AURICLE_DEVICE must be auto, cpu, cuda or cuda:N" in result.error
    assert not result.outputs.exists()


def test_the_command_adds_mnru_anchors_and_generates_with_progress(capsys):
    from django.core.management import call_command
    from django.core.management.base import CommandError

    testset = testset_make([corpus_make("en", 2)], generate=False)
    call_command("generate_testset", testset.name, mnru="5,25")
    assert f"{testset.name}: 8 outputs" in capsys.readouterr().out
    anchors = testset.systems.filter(kind="mnru").order_by("name")
    assert [s.params["q_db"] for s in anchors] == [25.0, 5.0]
    with pytest.raises(CommandError, match="--mnru takes numbers"):
        call_command("generate_testset", testset.name, mnru="high")
    with pytest.raises(CommandError, match="no test set with id or name 'nope'"):
        call_command("generate_testset", "nope")
