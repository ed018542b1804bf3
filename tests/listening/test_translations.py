"""The rater interface speaks English, German, French, Spanish, Chinese and Japanese."""

from __future__ import annotations

import gettext
from pathlib import Path

import pytest
from django.urls import reverse

from listening.models import Session
from tests.conftest import corpus_make, live_test_make, testset_make

LOCALE = Path(__file__).resolve().parents[2] / "locale"
LANGUAGES = ["de", "fr", "es", "zh_Hans", "ja"]


def catalogue(language: str) -> dict[str, str]:
    """The compiled catalogue read by the standard library, not by Django."""
    with open(LOCALE / language / "LC_MESSAGES" / "django.mo", "rb") as handle:
        return {k: v for k, v in gettext.GNUTranslations(handle)._catalog.items() if k}


def source_messages(language: str) -> set[str]:
    """Every msgid of a .po file (what makemessages found in the code and templates)."""
    text = (LOCALE / language / "LC_MESSAGES" / "django.po").read_text(encoding="utf-8")
    ids, current, inside = set(), [], False
    for line in [*text.splitlines(), ""]:
        if line.startswith("msgid "):
            current, inside = [line[6:].strip('"')], True
        elif inside and line.startswith('"'):
            current.append(line.strip('"'))
        else:
            if inside and "".join(current):
                ids.add("".join(current).replace('\\"', '"'))
            inside = False
    return ids


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_message_is_translated_and_compiled(language):
    compiled = catalogue(language)
    missing = {m for m in source_messages(language) if not compiled.get(m)}
    assert not missing, f"{language}: {sorted(missing)[:5]}"
    assert source_messages(language) == source_messages("de")


@pytest.mark.parametrize("language", LANGUAGES)
def test_placeholders_survive_translation(language):
    for msgid, msgstr in catalogue(language).items():
        for name in ("%(date)s", "%(number)s", "%(position)s", "%(total)s"):
            assert (name in msgid) == (name in msgstr), (language, msgid)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("language", "expected"),
    [
        ("de", "Qualifikation"),
        ("fr", "Test auditif"),
        ("es", "Prueba de audición"),
        ("zh", "听力测试"),
        ("ja", "聴力テスト"),
    ],
)
def test_the_qualification_page_speaks_the_test_language(client, language, expected):
    corpus = corpus_make("en", 2)  # the speech does not matter here, only the language
    corpus.language = language
    corpus.save()
    test = live_test_make(testset_make([corpus]))
    entry = client.get(reverse("listening:entry", args=[test.entry_token]))
    assert "Speech quality listening test" not in entry.content.decode()
    client.post(
        reverse("listening:entry", args=[test.entry_token]), {"language": language, "consent": "1"}
    )
    page = client.get(reverse("listening:session", args=[Session.objects.get().token]))
    html = page.content.decode()
    assert expected in html
    assert "Hearing test" not in html and ">Continue<" not in html
