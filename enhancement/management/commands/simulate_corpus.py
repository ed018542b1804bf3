from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from enhancement import services
from enhancement.distortions import DEFAULT_NOISE_KINDS, NOISE_KINDS
from enhancement.management.progress import progress_bar
from enhancement.models import Corpus


def _corpus(name: str, what: str) -> Corpus:
    corpus = Corpus.objects.filter(name=name).first()
    if corpus is None:
        raise CommandError(f"no {what} corpus named {name!r}")
    return corpus


class Command(BaseCommand):
    help = (
        "Make a noisy corpus from a clean one: additive noise at an SNR on active speech plus "
        "0-3 URGENT-style extra distortions per clip, each clip's recipe seeded and stored."
    )

    def add_arguments(self, parser):
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

    def handle(self, *args, **options):
        source = _corpus(options["source"], "source")
        noise_corpus = options["noise_corpus"] and _corpus(options["noise_corpus"], "noise")
        try:
            low, high = (float(v) for v in options["snr"].split(","))
        except ValueError:
            raise CommandError(
                f"--snr must be two numbers, low,high; got {options['snr']!r}"
            ) from None
        with progress_bar("simulating", "clip") as progress:
            try:
                corpus = services.corpus_simulate(
                    source=source,
                    name=options["name"],
                    seed=options["seed"],
                    noise_kinds=tuple(k.strip() for k in options["noise"].split(",") if k.strip()),
                    noise_corpus=noise_corpus or None,
                    snr_range_db=(low, high),
                    on_progress=progress,
                )
            except services.SimulationError as exc:
                raise CommandError(str(exc)) from None
        self.stdout.write(f"created corpus {corpus.name} with {corpus.clips.count()} clips")
