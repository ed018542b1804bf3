"""Held-out evaluation of an enhancer: PESQ and ESTOI before and after, on simulated noise."""

from __future__ import annotations

import numpy as np

from enhancement.distortions import recipe_apply, recipe_draw
from enhancement.metrics.estoi import Estoi
from enhancement.metrics.pesq import Pesq


def held_out_scores(enhancer, clips: list[tuple[np.ndarray, int]], seed: int = 1000) -> dict:
    """Mean (unprocessed, enhanced) PESQ and ESTOI over clips, each mixed with white, pink or
    babble noise at 0–15 dB by a seeded recipe (no extra distortions)."""
    pesq, estoi = Pesq(), Estoi()
    rows = {"PESQ": ([], []), "ESTOI": ([], [])}
    for index, (clean, rate) in enumerate(clips):
        recipe = recipe_draw(seed + index, sample_rate=rate, snr_range_db=(0.0, 15.0))
        recipe["extras"] = []
        others = [(str(i), a) for i, (a, r) in enumerate(clips) if i != index and r == rate]
        noisy, reference, _ = recipe_apply(clean, rate, recipe, pools={"babble": others})
        (enhanced,) = enhancer.enhance([noisy], rate)
        for name, metric, key in (("PESQ", pesq, "pesq"), ("ESTOI", estoi, "estoi")):
            rows[name][0].append(metric.compute(noisy, rate, reference)[key])
            rows[name][1].append(metric.compute(enhanced, rate, reference)[key])
    return {name: (float(np.mean(a)), float(np.mean(b))) for name, (a, b) in rows.items()}
