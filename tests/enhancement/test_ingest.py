"""Corpus ingest: every malformed input is named with its problem, and nothing is half-ingested."""

from __future__ import annotations

import io
import os
import warnings
import zipfile

import numpy as np
import pytest
import soundfile as sf
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import IntegrityError

from enhancement.models import Clip, Corpus
from enhancement.services import SourceRejected, corpus_ingest
from tests.conftest import speech

pytestmark = pytest.mark.django_db


def encoded(audio, rate=16000, *, fmt="WAV", subtype="PCM_16") -> bytes:
    buffer = io.BytesIO()
    sf.write(buffer, audio, rate, format=fmt, subtype=subtype)
    return buffer.getvalue()


def good(number=1) -> bytes:
    audio, rate = speech("en", number)
    return encoded(audio, rate)


def folder(tmp_path, files: dict) -> str:
    root = tmp_path / "upload"
    root.mkdir(exist_ok=True)
    for name, data in files.items():
        path = root / os.fsdecode(name) if isinstance(name, bytes) else root / name
        path.write_bytes(data)
    return str(root)


def ingest(source, **kwargs):
    return corpus_ingest(name="c", language="en", source=source, **kwargs)


def stored_files(media_root) -> list:
    return [p for p in media_root.rglob("*") if p.is_file()] if media_root.exists() else []


def rejected_reason(tmp_path, name, data: bytes, *, shown=None) -> str:
    """Ingest one bad file beside a good one; the good one goes in, the bad one is named."""
    report = ingest(folder(tmp_path, {"good.wav": good(), name: data}))
    assert report.ingested == ["good.wav"]
    assert Clip.objects.count() == 1
    (rejected,) = report.rejected
    assert rejected[0] == (shown or name)
    return rejected[1]


def test_a_folder_of_good_files_goes_in_with_levels_rates_and_sidecar(tmp_path):
    csv = b"file,transcript,speaker\nen-01.wav,hello there,spk1\n"
    source = folder(tmp_path, {"en-01.wav": good(1), "en-02.wav": good(2), "metadata.csv": csv})
    report = ingest(source)
    assert sorted(report.ingested) == ["en-01.wav", "en-02.wav"] and not report.rejected
    clip = Clip.objects.get(name="en-01.wav")
    assert (clip.transcript, clip.speaker, clip.utterance) == ("hello there", "spk1", "en-01")
    assert clip.sample_rate == 16000 and clip.effective_rate in (8000, 16000)
    audio, _ = speech("en", 1)
    level = 10 * np.log10(np.mean(audio[np.abs(audio) > 0.01] ** 2))
    assert abs(clip.speech_level_db - level) < 6  # a P.56-like level near the loud-sample RMS


def test_band_limited_audio_is_labelled_with_its_effective_rate(tmp_path):
    from scipy.signal import resample_poly

    audio, _rate = speech("en", 1)
    upsampled = resample_poly(resample_poly(audio, 1, 2), 6, 1)  # 8 kHz content at 48 kHz
    report = ingest(folder(tmp_path, {"narrow.wav": encoded(upsampled, 48000)}))
    assert Clip.objects.get().effective_rate == 8000
    assert "fits a 8000 Hz rate" in report.notes[0][1]


def test_a_zip_goes_in_like_a_folder(tmp_path):
    path = tmp_path / "c.zip"
    with zipfile.ZipFile(path, "w") as archive:
        archive.writestr("sub/en-01.wav", good(1))
        archive.writestr("sub/readme.txt", "ignored")
    assert ingest(str(path)).ingested == ["sub/en-01.wav"]


def test_a_chosen_channel_of_a_stereo_file_is_used(tmp_path):
    audio, rate = speech("en", 1)
    stereo = np.stack([np.zeros_like(audio), audio], axis=1)
    report = ingest(folder(tmp_path, {"st.wav": encoded(stereo, rate)}), channel=1)
    assert report.ingested == ["st.wav"]


# ---- malformed files: each rejected by name with its problem, the good file still goes in ----

BAD_FILES = {
    "truncated WAV": ("t.wav", lambda: good()[:20000], "truncated: the header promises"),
    "wrong header": ("h.wav", lambda: b"RIFX" + good()[4:], "cannot be decoded as audio"),
    "zero-length": ("z.wav", lambda: b"", "empty (0 bytes)"),
    "one sample": ("one.wav", lambda: encoded(np.array([0.5])), "lasts 0.000 s"),
    "NaN samples": (
        "nan.wav",
        lambda: encoded(np.r_[np.full(16000, 0.1), np.nan], subtype="FLOAT"),
        "1 NaN or infinite samples",
    ),
    "inf samples": (
        "inf.wav",
        lambda: encoded(np.r_[np.full(16000, 0.1), np.inf, -np.inf], subtype="FLOAT"),
        "2 NaN or infinite samples",
    ),
    "8-bit": ("u8.wav", lambda: encoded(speech("en", 1)[0], subtype="PCM_U8"), "too coarse"),
    "6-channel": (
        "six.wav",
        lambda: encoded(np.tile(speech("en", 1)[0][:, None], (1, 6))),
        "has 6 channels; choose one",
    ),
    "192 kHz": (
        "fast.wav",
        lambda: encoded(np.random.default_rng(0).standard_normal(192000) * 0.1, 192000),
        "sample rate 192000 Hz is outside",
    ),
    "MP3 named .wav": (
        "mp3.wav",
        lambda: encoded(speech("en", 1)[0], fmt="MP3", subtype="MPEG_LAYER_III"),
        "holds MP3 audio but is named .wav",
    ),
    "text named .flac": ("notes.flac", lambda: b"just some text\n" * 50, "cannot be decoded"),
    "digital silence": ("quiet.wav", lambda: encoded(np.zeros(16000)), "digital silence"),
    "clipped": (
        "clip.wav",
        lambda: encoded(np.clip(speech("en", 1)[0] * 20, -1, 1)),
        "is clipped",
    ),
    "too quiet": ("low.wav", lambda: encoded(speech("en", 1)[0] * 1e-4), "below -60.0 dBFS"),
    "unsupported format": ("a.aiff", lambda: good(), "holds WAV audio but is named .aiff"),
}


@pytest.mark.parametrize("case", BAD_FILES)
def test_a_malformed_file_is_named_with_its_problem(tmp_path, case):
    name, make, problem = BAD_FILES[case]
    assert problem in rejected_reason(tmp_path, name, make())


def test_a_channel_that_does_not_exist_is_named(tmp_path):
    report = ingest(folder(tmp_path, {"b.wav": good(2)}), channel=3)
    assert report.rejected == [("b.wav", "has 1 channel(s); channel 3 does not exist")]
    assert report.corpus is None and not Corpus.objects.exists()


def test_a_file_over_the_size_limit_is_refused_unread(tmp_path, settings):
    settings.AURICLE_INGEST_MAX_FILE_MB = 1
    big = encoded(np.random.default_rng(0).standard_normal(48000 * 12) * 0.1, 48000)
    assert "the limit is 1048576" in rejected_reason(tmp_path, "big.wav", big)


def test_a_name_that_is_not_utf8_is_reported_as_such(tmp_path):
    reason = rejected_reason(tmp_path, b"caf\xe9.wav", good(2), shown="caf\\xe9.wav")
    assert reason == "the file name is not valid UTF-8"


def test_the_same_bytes_twice_are_ingested_once(tmp_path):
    report = ingest(folder(tmp_path, {"a.wav": good(), "b.wav": good()}))
    assert report.ingested == ["a.wav"]
    assert report.rejected == [("b.wav", "the same bytes as a.wav")]


def test_rows_refused_after_the_audio_was_stored_leave_no_file(tmp_path, media_root):
    path = tmp_path / "twice.zip"
    with warnings.catch_warnings(), zipfile.ZipFile(path, "w") as archive:
        warnings.simplefilter("ignore")  # zipfile warns that the name is there already
        archive.writestr("x.wav", good(1))
        archive.writestr("x.wav", good(2))
    with pytest.raises(IntegrityError):  # two clips of one name in one corpus
        ingest(str(path))
    assert stored_files(media_root) == []
    assert not Corpus.objects.exists()


# ---- malformed sources: refused as a whole, nothing stored, no corpus created ----


def zip_with(tmp_path, members: dict, name="up.zip") -> str:
    path = tmp_path / name
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as archive:
        for member, data in members.items():
            archive.writestr(member, data)
    return str(path)


BAD_SOURCES = {
    "zip with ../ paths": (
        lambda tmp: zip_with(tmp, {"ok.wav": good(), "../../evil.wav": good(2)}),
        "path that leaves the archive: '../../evil.wav'",
    ),
    "zip bomb": (
        lambda tmp: zip_with(tmp, {"ok.wav": good(), "bomb.wav": b"\0" * (50 * 2**20)}),
        "refused as a possible zip bomb",
    ),
    "empty zip": (lambda tmp: zip_with(tmp, {}), "the zip file is empty"),
    "sidecar with missing columns": (
        lambda tmp: folder(tmp, {"a.wav": good(), "metadata.csv": b"name,transcript\na.wav,x\n"}),
        "lacks the column(s) file; it has name, transcript",
    ),
    "sidecar with an unknown column": (
        lambda tmp: folder(tmp, {"a.wav": good(), "metadata.csv": b"file,trancript\na.wav,x\n"}),
        "unknown column(s) trancript",
    ),
    "corrupt zip": (
        lambda tmp: (
            (tmp / "bad.zip").write_bytes(b"PK\x03\x04" + b"\0" * 100) and str(tmp / "bad.zip")
        ),
        "neither a folder nor a zip file",
    ),
    "missing path": (lambda tmp: str(tmp / "nowhere"), "does not exist"),
}


@pytest.mark.parametrize("case", BAD_SOURCES)
def test_a_malformed_source_is_refused_whole(tmp_path, media_root, case):
    make, problem = BAD_SOURCES[case]
    with pytest.raises(SourceRejected) as caught:
        ingest(make(tmp_path))
    assert problem in str(caught.value)
    assert not Corpus.objects.exists() and not Clip.objects.exists()
    assert stored_files(media_root) == []


def test_the_command_prints_rejections_and_fails_when_nothing_goes_in(tmp_path, capsys):
    source = folder(tmp_path, {"good.wav": good(), "z.wav": b""})
    call_command("ingest_corpus", source, name="cmd", language="de")
    printed = capsys.readouterr()
    assert "ingested 1 file(s), rejected 1" in printed.out
    assert "REJECTED z.wav: the file is empty" in printed.err
    with pytest.raises(CommandError, match="nothing ingested: every file was rejected"):
        call_command("ingest_corpus", source, name="cmd", language="de")
    with pytest.raises(CommandError, match="exists as speech in 'de'; asked for speech in 'fr'"):
        call_command("ingest_corpus", source, name="cmd", language="fr")


def test_the_admin_ingests_an_uploaded_zip_as_a_job_and_its_page_shows_the_report(
    admin_client, tmp_path
):
    from django.core.files.uploadedfile import SimpleUploadedFile
    from django.urls import reverse

    url = reverse("admin:enhancement_corpus_ingest")
    assert admin_client.get(reverse("admin:enhancement_corpus_changelist")).content.count(
        url.encode()
    )
    with open(zip_with(tmp_path, {"a.wav": good(1), "b.wav": b""}), "rb") as handle:
        upload = SimpleUploadedFile("up.zip", handle.read())
    page = admin_client.post(
        url, {"name": "from-admin", "language": "fr", "kind": "speech", "upload": upload},
        follow=True,
    )  # fmt: skip
    assert page.redirect_chain[0][0].startswith("/jobs/")
    assert "ingested 1 file(s), rejected 1" in page.text
    assert "<td>b.wav</td><td>the file is empty (0 bytes)</td>" in page.text
    assert Corpus.objects.get(name="from-admin").clips.count() == 1
    page = admin_client.post(
        url, {"name": "x", "language": "fr", "kind": "speech", "source": "/nope"}
    )
    assert "Nothing ingested: /nope does not exist" in page.text
    page = admin_client.post(url, {"name": "x", "language": "fr", "kind": "speech"})
    assert "Give either a zip upload or a source path" in page.text
    assert not Corpus.objects.filter(name="x").exists()
