"""Confidence intervals for system means when votes cluster by rater and by clip.

A pooled t interval treats every vote as independent; in a crowd test a rater's leniency and a
clip's difficulty are shared by many votes, so it is too narrow. Two intervals that respect the
crossed clustering:
- a linear mixed model `vote ~ 0 + system` with crossed random intercepts for rater and clip
  (REML, the model of statsmodels MixedLM fitted sparsely: see crossed.py), t interval with
  Satterthwaite's degrees of freedom;
- Owen's bootstrap variance: the variance of a system mean under resampling raters, plus that
  under resampling clips, less that under resampling single votes; t interval with
  min(clips, raters) − 1 degrees of freedom.
"""

from __future__ import annotations

import numpy as np
import pandas as pd
from scipy import stats

from analysis.stats.crossed import crossed_reml


def mixed_model_intervals(
    votes: pd.DataFrame, *, value: str = "score", confidence: float = 0.95
) -> tuple[pd.DataFrame, dict[str, float]]:
    """System estimates with intervals (t, Satterthwaite degrees of freedom), and the variance
    components (rater, clip, residual)."""
    systems, system_index = np.unique(votes["system"].astype(str).to_numpy(), return_inverse=True)
    codes = {
        column: np.unique(votes[column].astype(str).to_numpy(), return_inverse=True)[1]
        for column in ("rater", "clip")
    }
    fit = crossed_reml(
        votes[value].to_numpy(dtype=float), system_index, codes["rater"], codes["clip"]
    )
    se = np.sqrt(np.diag(fit.cov))
    half = stats.t.ppf(0.5 + confidence / 2, fit.dof) * se
    table = pd.DataFrame(
        {"system": systems, "estimate": fit.beta, "se": se, "dof": fit.dof,
         "ci_low": fit.beta - half, "ci_high": fit.beta + half, "converged": fit.converged}
    )  # fmt: skip
    components = {"rater": fit.rater_var, "clip": fit.clip_var, "residual": fit.residual_var}
    return table, components


def _weighted_means(weights: np.ndarray, y: np.ndarray, system_index, n_systems) -> np.ndarray:
    totals = np.bincount(system_index, weights=weights * y, minlength=n_systems)
    counts = np.bincount(system_index, weights=weights, minlength=n_systems)
    with np.errstate(invalid="ignore", divide="ignore"):
        return totals / counts


def _counts(rng: np.random.Generator, n: int) -> np.ndarray:
    return np.bincount(rng.integers(0, n, n), minlength=n)


def bootstrap_intervals(
    votes: pd.DataFrame,
    *,
    value: str = "score",
    draws: int = 1000,
    seed: int = 0,
    confidence: float = 0.95,
) -> pd.DataFrame:
    """Owen's (2007) bootstrap for crossed random effects. Resampling raters and clips at once
    (the "pigeonhole" bootstrap) counts the residual variance twice and gives intervals that
    are too wide; instead the variance of a system mean is the variance under resampling
    raters, plus that under resampling clips, less that under resampling single votes (which
    both of the others contain). Interval: mean ± t·√variance, with min(clips, raters) − 1
    degrees of freedom as for the mixed model."""
    rng = np.random.default_rng(seed)
    raters, rater_index = np.unique(votes["rater"].to_numpy(), return_inverse=True)
    clips, clip_index = np.unique(votes["clip"].to_numpy(), return_inverse=True)
    systems, system_index = np.unique(votes["system"].to_numpy(), return_inverse=True)
    y = votes[value].to_numpy(dtype=float)
    schemes = {
        "rater": lambda: _counts(rng, len(raters))[rater_index],
        "clip": lambda: _counts(rng, len(clips))[clip_index],
        "vote": lambda: _counts(rng, len(y)),
    }
    variance = {}
    for name, weights in schemes.items():
        means = np.array(
            [_weighted_means(weights(), y, system_index, len(systems)) for _ in range(draws)]
        )
        variance[name] = np.nanvar(means, axis=0, ddof=1)
    combined = np.maximum(variance["rater"] + variance["clip"] - variance["vote"], 0.0)
    estimate = _weighted_means(np.ones_like(y), y, system_index, len(systems))
    dof = max(1, min(len(clips), len(raters)) - 1)
    half = stats.t.ppf(0.5 + confidence / 2, dof) * np.sqrt(combined)
    return pd.DataFrame(
        {"system": systems, "estimate": estimate, "ci_low": estimate - half,
         "ci_high": estimate + half}
    )  # fmt: skip


def clustered_intervals(
    votes: pd.DataFrame, *, value: str = "score", draws: int = 1000, seed: int = 0
) -> tuple[pd.DataFrame, dict[str, float]]:
    """Mixed-model and bootstrap intervals side by side, by system, and the mixed model's
    variance components; empty when the votes are too few to estimate clip and rater variance
    (fewer than 3 clips or 3 raters). value: the vote column (P.835's sig and bak too)."""
    votes = votes[votes[value].notna()]
    if votes["clip"].nunique() < 3 or votes["rater"].nunique() < 3:
        columns = ["system", "mixed_low", "mixed_high", "boot_low", "boot_high"]
        return pd.DataFrame(columns=columns), {}
    mixed, components = mixed_model_intervals(votes, value=value)
    boot = bootstrap_intervals(votes, value=value, draws=draws, seed=seed)
    table = pd.DataFrame(
        {"system": mixed["system"], "mixed_estimate": mixed["estimate"],
         "mixed_low": mixed["ci_low"], "mixed_high": mixed["ci_high"], "mixed_dof": mixed["dof"],
         "boot_low": boot["ci_low"].to_numpy(), "boot_high": boot["ci_high"].to_numpy(),
         "converged": mixed["converged"]}
    )  # fmt: skip
    return table, components
