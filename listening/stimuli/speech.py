"""Spoken prompts for platform-built stimuli, synthesised with espeak-ng in the test's language.

The texts are written for what espeak-ng can say: Japanese in kana (its Japanese voice spells
kanji out as letters), Chinese in tone-numbered pinyin (its Mandarin dictionary is read
through the pinyin voice). A language missing here cannot have traps or a hearing test, and
publishing a test in it says so.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile

import numpy as np
import soundfile as sf

from enhancement.audio import resample


class SpeechUnavailable(RuntimeError):
    """espeak-ng is missing, or there are no prompts for the language."""


# language → (voice, one-scale trap, every-scale trap, calibration sentence)
PROMPTS: dict[str, tuple[str, str, str, str]] = {
    "en": (
        "en-us",
        "This is an interruption. Please select the answer {n} to show that you are listening.",
        "This is an interruption. Please select the answer {n} on every scale.",
        "Please set the volume of your headphones to a comfortable level.",
    ),
    "de": (
        "de",
        "Dies ist eine Unterbrechung. Bitte wählen Sie die Antwort {n}, "
        "um zu zeigen, dass Sie zuhören.",
        "Dies ist eine Unterbrechung. Bitte wählen Sie auf jeder Skala die Antwort {n}.",
        "Bitte stellen Sie die Lautstärke Ihrer Kopfhörer auf ein angenehmes Maß ein.",
    ),
    "fr": (
        "fr-fr",
        "Ceci est une interruption. Veuillez choisir la réponse {n} pour montrer que vous écoutez.",
        "Ceci est une interruption. Veuillez choisir la réponse {n} sur chaque échelle.",
        "Veuillez régler le volume de votre casque à un niveau confortable.",
    ),
    "es": (
        "es",
        "Esto es una interrupción. Por favor, elija la respuesta {n} "
        "para mostrar que está escuchando.",
        "Esto es una interrupción. Por favor, elija la respuesta {n} en cada escala.",
        "Por favor, ajuste el volumen de sus auriculares a un nivel cómodo.",
    ),
    "zh": (
        "cmn-latn-pinyin",
        "zhe4 shi4 yi2 ci4 da3 duan4. qing3 xuan3 ze2 da2 an4 {n}, biao3 ming2 ni3 zai4 ting1.",
        "zhe4 shi4 yi2 ci4 da3 duan4. qing3 zai4 mei3 ge4 liang4 biao3 shang4 xuan3 ze2 "
        "da2 an4 {n}.",
        "qing3 ba3 er3 ji1 de yin1 liang4 tiao2 dao4 shu1 shi4 de shui3 ping2.",
    ),
    "ja": (
        "ja",
        "これは ちゅうだんです。 きいている ことを しめすために、 こたえ {n} を えらんでください。",
        "これは ちゅうだんです。 すべての しつもんで、 こたえ {n} を えらんでください。",
        "ヘッドホンの おんりょうを ここちよい おおきさに ちょうせつしてください。",
    ),
}

# language → (one-scale trap, every-scale trap): a second wording, so that a rater who has
# met many traps is not simply waiting for one sentence.
SECOND_WORDINGS: dict[str, tuple[str, str]] = {
    "en": (
        "Attention please. Now select the answer {n}.",
        "Attention please. Now select the answer {n} on every scale.",
    ),
    "de": (
        "Achtung, bitte. Wählen Sie jetzt die Antwort {n}.",
        "Achtung, bitte. Wählen Sie jetzt auf jeder Skala die Antwort {n}.",
    ),
    "fr": (
        "Attention, s'il vous plaît. Choisissez maintenant la réponse {n}.",
        "Attention, s'il vous plaît. Choisissez maintenant la réponse {n} sur chaque échelle.",
    ),
    "es": (
        "Atención, por favor. Elija ahora la respuesta {n}.",
        "Atención, por favor. Elija ahora la respuesta {n} en cada escala.",
    ),
    "zh": (
        "qing3 zhu4 yi4. xian4 zai4 qing3 xuan3 ze2 da2 an4 {n}.",
        "qing3 zhu4 yi4. xian4 zai4 qing3 zai4 mei3 ge4 liang4 biao3 shang4 xuan3 ze2 da2 an4 {n}.",
    ),
    "ja": (
        "ちゅういしてください。 いま、 こたえ {n} を えらんでください。",
        "ちゅういしてください。 いま、 すべての しつもんで、 こたえ {n} を えらんでください。",
    ),
}
WORDINGS = 2

# How digits are written for the voice: pinyin syllables for Chinese, numerals elsewhere.
_PINYIN_DIGITS = ["ling2", "yi1", "er4", "san1", "si4", "wu3", "liu4", "qi1", "ba1", "jiu3"]

RATE = 48000


def languages() -> set[str]:
    return set(PROMPTS)


def digit_text(language: str, digit: int) -> str:
    return _PINYIN_DIGITS[digit] if language == "zh" else str(digit)


def trap_text(language: str, answer: int, *, every_scale: bool, wording: int = 0) -> str:
    """The trap's spoken instruction; wording 0 or 1 (WORDINGS) picks one of two phrasings."""
    _voice, one, every, _calibration = _prompts(language)
    if wording % WORDINGS:
        one, every = SECOND_WORDINGS[language]
    return (every if every_scale else one).format(n=digit_text(language, answer))


def calibration_text(language: str) -> str:
    return _prompts(language)[3]


def _prompts(language: str) -> tuple[str, str, str, str]:
    try:
        return PROMPTS[language]
    except KeyError:
        raise SpeechUnavailable(
            f"no spoken prompts for language {language!r}; Auricle speaks "
            f"{', '.join(sorted(PROMPTS))}"
        ) from None


def speak(language: str, text: str) -> np.ndarray:
    """Mono float32 speech at RATE (48 kHz), trimmed of leading and trailing silence."""
    if shutil.which("espeak-ng") is None:
        raise SpeechUnavailable("espeak-ng is not installed (Debian package espeak-ng)")
    voice = _prompts(language)[0]
    with tempfile.NamedTemporaryFile(suffix=".wav") as wav:
        subprocess.run(
            ["espeak-ng", "-v", voice, "-s", "150", "-w", wav.name, text],
            check=True,
            capture_output=True,
        )
        audio, rate = sf.read(wav.name, dtype="float32")
    return _trim(resample(audio, rate, RATE))


def _trim(x: np.ndarray, threshold: float = 1e-3) -> np.ndarray:
    loud = np.flatnonzero(np.abs(x) > threshold)
    return x[loud[0] : loud[-1] + 1] if len(loud) else x
