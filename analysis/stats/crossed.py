"""REML for `y ~ 0 + system` with crossed random intercepts for rater and clip, at crowd scale.

The model is statsmodels MixedLM's variance-components model with one group, and the tests check
the numbers against it; MixedLM builds a dense votes × (raters + clips) design, which does not fit
in memory at 100,000 votes. Here the work is sparse, in the formulation of Bates et al. (lme4):
with relative standard deviations θ = (σ_rater/σ, σ_clip/σ) and Λ = diag(θ), the penalised normal
equations C·[β; v] = [X'y; ΛZ'y] with C = [[X'X, X'ZΛ], [ΛZ'X, ΛZ'ZΛ + I]] give the profiled
REML criterion log|C| + (n − p)(1 + log(2π·r/(n − p))), r = y'y − [β; v]·[X'y; ΛZ'y].

Z'Z has diagonal rater and clip blocks, so the larger factor is eliminated in closed form and
only a dense (systems + smaller factor) square is factored: milliseconds for a small test, seconds
for 100,000 votes.

Intervals use t quantiles with Satterthwaite's degrees of freedom (as lmerTest does): the Wald
interval with a normal quantile under-covers when the clips or raters are few.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import scipy.linalg
import scipy.sparse as sp
from scipy import optimize


@dataclass(frozen=True)
class CrossedFit:
    beta: np.ndarray  # one estimate per system
    cov: np.ndarray  # their covariance
    dof: np.ndarray  # Satterthwaite degrees of freedom per system
    rater_var: float
    clip_var: float
    residual_var: float
    converged: bool


def _indicator(index: np.ndarray, levels: int) -> sp.csr_matrix:
    n = len(index)
    return sp.csr_matrix((np.ones(n), (np.arange(n), index)), shape=(n, levels))


class _Design:
    """Cross-products that do not depend on θ, arranged for eliminating the larger factor."""

    def __init__(self, y, system, rater, clip):
        self.n = len(y)
        x = _indicator(system, system.max() + 1)
        factors = [_indicator(rater, rater.max() + 1), _indicator(clip, clip.max() + 1)]
        # kept: the smaller factor stays in the dense square; the larger is eliminated
        self.small = 0 if factors[0].shape[1] <= factors[1].shape[1] else 1
        zs, zl = factors[self.small], factors[1 - self.small]
        self.p, self.m = x.shape[1], zs.shape[1]
        self.xtx = np.asarray(x.sum(axis=0)).ravel()
        self.xtzs = (x.T @ zs).toarray()
        self.zs_diag = np.asarray(zs.sum(axis=0)).ravel()
        self.xtzl = (x.T @ zl).tocsr()
        self.zstzl = (zs.T @ zl).tocsr()
        self.zl_diag = np.asarray(zl.sum(axis=0)).ravel()
        self.xty, self.zsty, self.zlty = x.T @ y, zs.T @ y, zl.T @ y
        self.yty = float(y @ y)

    def thetas(self, theta_rater: float, theta_clip: float) -> tuple[float, float]:
        """(θ of the kept factor, θ of the eliminated factor)."""
        pair = (theta_rater, theta_clip)
        return pair[self.small], pair[1 - self.small]

    def solve(self, theta_rater: float, theta_clip: float):
        """β, the penalised residual sum of squares, log|C| and the Cholesky factor of the Schur
        complement (whose inverse's leading block is (X'H⁻¹X)⁻¹ up to σ²)."""
        ts, tl = self.thetas(theta_rater, theta_clip)
        d = tl * tl * self.zl_diag + 1.0
        kept = np.zeros((self.p + self.m, self.p + self.m))
        kept[: self.p, : self.p] = np.diag(self.xtx)
        kept[: self.p, self.p :] = ts * self.xtzs
        kept[self.p :, : self.p] = ts * self.xtzs.T
        kept[self.p :, self.p :] = np.diag(ts * ts * self.zs_diag + 1.0)
        cross = sp.vstack([tl * self.xtzl, ts * tl * self.zstzl]).tocsr()
        kept -= (cross @ sp.diags(1.0 / d) @ cross.T).toarray()
        rhs_k = np.concatenate([self.xty, ts * self.zsty])
        rhs_l = tl * self.zlty
        factor = scipy.linalg.cho_factor(kept, lower=True)
        b_k = scipy.linalg.cho_solve(factor, rhs_k - cross @ (rhs_l / d))
        b_l = (rhs_l - cross.T @ b_k) / d
        prss = max(self.yty - b_k @ rhs_k - b_l @ rhs_l, 1e-300)
        logdet = float(np.sum(np.log(d)) + 2 * np.sum(np.log(np.diag(factor[0]))))
        return b_k[: self.p], prss, logdet, factor

    def criterion(self, theta: np.ndarray) -> float:
        """Profiled −2·REML log-likelihood, constants dropped."""
        _, prss, logdet, _ = self.solve(*theta)
        dof = self.n - self.p
        return logdet + dof * (1 + np.log(2 * np.pi * prss / dof))

    def full_criterion(self, variances: np.ndarray) -> float:
        """−2·REML as a function of (σ², σ²_rater, σ²_clip), not profiled: for the Hessian."""
        s2, vr, vc = variances
        if s2 <= 0:
            return np.inf
        theta = np.sqrt(np.maximum([vr / s2, vc / s2], 0.0))
        _, prss, logdet, _ = self.solve(*theta)
        return logdet + (self.n - self.p) * np.log(s2) + prss / s2

    def beta_cov(self, variances: np.ndarray) -> np.ndarray:
        s2, vr, vc = variances
        theta = np.sqrt(np.maximum([vr / s2, vc / s2], 0.0))
        factor = self.solve(*theta)[3]
        size = self.p + self.m
        inverse = scipy.linalg.cho_solve(factor, np.eye(size)[:, : self.p])
        return s2 * inverse[: self.p]


def _hessian(f, x: np.ndarray, steps: np.ndarray) -> np.ndarray:
    k = len(x)
    h = np.zeros((k, k))
    for i in range(k):
        for j in range(i, k):
            ei, ej = np.eye(k)[i] * steps[i], np.eye(k)[j] * steps[j]
            value = (f(x + ei + ej) - f(x + ei - ej) - f(x - ei + ej) + f(x - ei - ej)) / (
                4 * steps[i] * steps[j]
            )
            h[i, j] = h[j, i] = value
    return h


def _satterthwaite(design: _Design, variances: np.ndarray, cov: np.ndarray) -> np.ndarray:
    """ν = 2·V² / (g'Ag) per system: V its variance, g the gradient of V in the variance
    parameters, A their asymptotic covariance (twice the inverse Hessian of −2·REML). Parameters
    estimated at (or within a thousandth of the residual of) zero are held fixed, as lmerTest
    holds those at zero; the others are stepped by a thousandth of themselves, so no step
    crosses zero."""
    free = np.flatnonzero(variances > 1e-3 * variances[0])
    fallback = np.full(design.p, float(design.n - design.p))
    steps = 1e-3 * variances

    def at(sub: np.ndarray) -> np.ndarray:
        full = variances.copy()
        full[free] = sub
        return full

    hessian = _hessian(lambda s: design.full_criterion(at(s)), variances[free], steps[free])
    try:
        a = 2 * np.linalg.inv(hessian)
    except np.linalg.LinAlgError:
        return fallback
    grads = []
    for i, k in enumerate(free):
        step = np.zeros(len(free))
        step[i] = steps[k]
        upper = np.diag(design.beta_cov(at(variances[free] + step)))
        lower = np.diag(design.beta_cov(at(variances[free] - step)))
        grads.append((upper - lower) / (2 * steps[k]))
    g = np.array(grads)  # parameters × systems
    spread = np.einsum("is,ij,js->s", g, a, g)
    with np.errstate(invalid="ignore", divide="ignore"):
        dof = 2 * np.diag(cov) ** 2 / spread
    return np.where(np.isfinite(dof) & (dof > 0), np.clip(dof, 1.0, design.n - design.p), fallback)


def _ratios_fit(design: _Design):
    """Minimise over the variance ratios ρ = θ² ≥ 0. In θ the criterion is even, so θ = 0 is
    a stationary point a gradient search stops at even when a small variance fits better
    (seen against statsmodels: boundary fits 0.001–0.01 off in the estimates); in ρ a zero
    variance is a boundary the gradient can leave."""

    def criterion(ratios: np.ndarray) -> float:
        return design.criterion(np.sqrt(np.maximum(ratios, 0.0)))

    best = None
    for start in ([1.0, 1.0], [0.04, 0.04]):
        found = optimize.minimize(
            criterion, np.array(start), method="L-BFGS-B", bounds=[(0.0, None)] * 2
        )
        if best is None or found.fun < best.fun:
            best = found
    return best


def crossed_reml(
    y: np.ndarray,
    system: np.ndarray,
    rater: np.ndarray,
    clip: np.ndarray,
    *,
    satterthwaite: bool = True,
) -> CrossedFit:
    """Fit by REML; indices are 0-based integer codes (every level present). Without
    satterthwaite the degrees of freedom are left at n − p (the Hessian costs most of a fit;
    vote allocation refits often and uses its own, more cautious degrees of freedom)."""
    design = _Design(np.asarray(y, float), system, rater, clip)
    best = _ratios_fit(design)
    theta = np.sqrt(best.x)
    beta, prss, _, _ = design.solve(*theta)
    s2 = prss / (design.n - design.p)
    variances = np.array([s2, s2 * theta[0] ** 2, s2 * theta[1] ** 2])
    cov = design.beta_cov(variances)
    return CrossedFit(
        beta=beta,
        cov=cov,
        dof=(
            _satterthwaite(design, variances, cov)
            if satterthwaite
            else np.full(design.p, float(design.n - design.p))
        ),
        rater_var=float(variances[1]),
        clip_var=float(variances[2]),
        residual_var=float(s2),
        converged=bool(best.success),
    )
