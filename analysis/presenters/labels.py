"""Readable names for what the tables hold under machine names: metric columns, their ranks and
category scores, screening tiers. The files keep the machine names (the P.808 toolkit's and
the API's); the page and the PDF show these."""

from __future__ import annotations

from analysis.stats.screening import NOT_USED, REJECTED

METRICS = {
    "mos": "human MOS",
    "dnsmos_ovrl": "DNSMOS OVRL",
    "dnsmos_sig": "DNSMOS SIG",
    "dnsmos_bak": "DNSMOS BAK",
    "dnsmos_p808": "DNSMOS P.808",
    "plcmos": "PLCMOS",
    "utmos": "UTMOS",
    "nisqa": "NISQA",
    "pesq": "PESQ",
    "estoi": "ESTOI",
    "sdr": "SDR",
    "si_sdr": "SI-SDR",
    "lsd": "LSD",
    "mcd": "MCD",
    "speechbertscore": "SpeechBERTScore",
    "lps": "LPS",
    "speaker_similarity": "speaker similarity",
    "character_accuracy": "character accuracy",
    "objective_overall": "objective overall",
}
TIERS = {REJECTED: "rejected (unpaid)", NOT_USED: "paid, not used"}
SUFFIXES = {"_rank": "rank", "_score": "score"}


def metric_label(name: str) -> str:
    """A metric's readable name; a plug-in the list does not know keeps its name, spaced."""
    return METRICS.get(name, name.replace("_", " "))


def column_label(name: str) -> str:
    """A ranking column's readable name: `pesq` PESQ, `pesq_rank` PESQ rank,
    `non-intrusive_score` non-intrusive score, `overall` overall score."""
    if name == "overall":
        return "overall score"
    for suffix, word in SUFFIXES.items():
        if name.endswith(suffix) and name != suffix.lstrip("_"):
            return f"{metric_label(name.removesuffix(suffix))} {word}"
    return metric_label(name)


def tier_label(tier: str | None) -> str:
    return TIERS.get(tier, tier or "")
