"""Monte Carlo draws and one-at-a-time ranges of a study's uncertain multipliers.

Sample ``i`` of a study with seed ``s`` draws from its own stream,
``numpy.random.default_rng(SeedSequence(s, spawn_key=(i,)))`` — the ``i``-th child of
``SeedSequence(s).spawn(n)`` (NumPy, "Parallel random number generation",
https://numpy.org/doc/stable/reference/random/parallel.html) — so a sample's multipliers do not
depend on how samples are split into chunks or which worker computes them.

A multiplier never reaches zero or below: uniform and triangular ranges need ``low > 0`` and a
normal ``mean > 0`` (both checked when the study loads, :class:`fs.spec.Distribution`), and a
normal is truncated to (0, ∞) — ``scipy.stats.truncnorm`` with ``a = -mean / sd``, ``b = ∞`` —
so a draw is the truncated distribution's inverse CDF at a uniform variate and :func:`quantile`
gives the quantiles of the very distribution the draws follow. Lognormal multipliers are positive
by construction.
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence

import numpy as np
from scipy import stats

from fs.study import Uncertainty


def sample_stream(seed: int, sample: int) -> np.random.Generator:
    """The random stream of one Monte Carlo sample."""
    return np.random.default_rng(np.random.SeedSequence(seed, spawn_key=(sample,)))


def sample_seed(seed: int, sample: int) -> int:
    """A 64-bit integer that identifies sample ``sample``'s stream (recorded with its rows)."""
    state = np.random.SeedSequence(seed, spawn_key=(sample,)).generate_state(2, dtype=np.uint32)
    return int(state[0]) << 32 | int(state[1])


def _positive_normal(dist: Mapping):
    """A normal multiplier truncated to (0, ∞) (frozen ``scipy.stats.truncnorm``)."""
    return stats.truncnorm(-dist["mean"] / dist["sd"], np.inf, loc=dist["mean"], scale=dist["sd"])


def draw(dist: Mapping, rng: np.random.Generator) -> float:
    """One multiplier from a distribution table (kind: uniform, triangular, normal truncated to
    (0, ∞), lognormal)."""
    kind = dist["kind"]
    if kind == "uniform":
        return float(rng.uniform(dist["low"], dist["high"]))
    if kind == "triangular":
        return float(rng.triangular(dist["low"], dist["mode"], dist["high"]))
    if kind == "normal":
        return float(_positive_normal(dist).ppf(rng.uniform()))
    if kind == "lognormal":
        return float(dist["mean"] * math.exp(rng.normal(0.0, dist["sd"])))
    raise ValueError(f"unknown distribution {kind!r}")


def quantile(dist: Mapping, q: float) -> float:
    """The ``q`` quantile of a multiplier's distribution (inverse CDF)."""
    kind = dist["kind"]
    if kind == "uniform":
        return dist["low"] + q * (dist["high"] - dist["low"])
    if kind == "triangular":
        lo, mode, hi = dist["low"], dist["mode"], dist["high"]
        return float(stats.triang.ppf(q, (mode - lo) / (hi - lo), loc=lo, scale=hi - lo))
    if kind == "normal":
        return float(_positive_normal(dist).ppf(q))
    if kind == "lognormal":
        return float(dist["mean"] * math.exp(dist["sd"] * stats.norm.ppf(q)))
    raise ValueError(f"unknown distribution {kind!r}")


def sample_multipliers(uncertainties: Sequence[Uncertainty], seed: int, sample: int) -> dict[str, float]:
    """Multipliers of Monte Carlo sample ``sample``: one draw per uncertainty, in spec order.

    Two uncertainties on the same target multiply.
    """
    rng = sample_stream(seed, sample)
    out: dict[str, float] = {}
    for u in uncertainties:
        out[u.target] = out.get(u.target, 1.0) * draw(u.distribution, rng)
    return out


def nominal_multipliers(uncertainties: Sequence[Uncertainty]) -> dict[str, float]:
    """Every uncertainty at its nominal multiplier (1 where the range holds 1)."""
    out: dict[str, float] = {}
    for u in uncertainties:
        out[u.target] = out.get(u.target, 1.0) * u.nominal
    return out


def tornado_cases(uncertainties: Sequence[Uncertainty], low_q: float = 0.05, high_q: float = 0.95) -> list[tuple[str, str, dict[str, float]]]:
    """One-at-a-time cases: each uncertainty at its ``low_q`` and ``high_q`` quantiles, the rest nominal.

    Returns (target, level, multipliers) tuples, level ``"low"`` or ``"high"``.
    """
    cases = []
    for k, u in enumerate(uncertainties):
        for level, q in (("low", low_q), ("high", high_q)):
            mult: dict[str, float] = {}
            for j, v in enumerate(uncertainties):
                value = quantile(v.distribution, q) if j == k else v.nominal
                mult[v.target] = mult.get(v.target, 1.0) * value
            cases.append((u.target, level, mult))
    return cases
