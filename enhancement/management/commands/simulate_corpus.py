from __future__ import annotations

from enhancement.distortions import DEFAULT_NOISE_KINDS, NOISE_KINDS
from enhancement.models import Corpus
from jobs.cli import JobCommand, refused


def _corpus(name: str, what: str) -> Corpus:
    corpus = Corpus.objects.filter(name=name).first()
    if corpus is None:
        raise refused(f"no {what} corpus named {name!r}")
    return corpus


class Command(JobCommand):
    help = (
        "Make a noisy corpus from a clean one: additive noise at an SNR on active speech plus "
        "0-3 URGENT-style extra distortions per clip, each clip's recipe seeded and stored. "
        "All of it is made, or nothing (a cancel or failure leaves no corpus and no file)."
    )
    kind, description, unit = "simulate", "simulating", "clip"

    def job_arguments(self, parser):
        parser.add_argument("source", help="name of the clean corpus")
        parser.add_argument("--name", required=True, help="name of the new corpus")
        parser.add_argument("--seed", type=int, default=0)
        parser.add_argument(
            "--noise",
            default=",".join(DEFAULT_NOISE_KINDS),
            help=f"kinds: {', '.join(NOISE_KINDS)}",
        )
        parser.add_argument("--noise-corpus", help="corpus of uploaded noises (for 'file')")
        parser.add_argument("--snr", default="-5,20", help="SNR range in dB, low,high")

    def job_params(self, options):
        source = _corpus(options["source"], "source")
        noise_corpus = options["noise_corpus"] and _corpus(options["noise_corpus"], "noise")
        try:
            low, high = (float(v) for v in options["snr"].split(","))
        except ValueError:
            raise refused(f"--snr must be two numbers, low,high; got {options['snr']!r}") from None
        params = {
            "name": options["name"],
            "seed": options["seed"],
            "noise": [k.strip() for k in options["noise"].split(",") if k.strip()],
            "noise_corpus": noise_corpus.pk if noise_corpus else None,
            "snr": [low, high],
        }
        return params, source
