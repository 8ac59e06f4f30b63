"""How much the winner of a study depends on its axis weights.

The normalised axis scores ``score_<axis>`` of the nominal scorecard (:func:`fs.evaluate.add_scores`)
do not depend on the weights, so every question here is a function of that table and the stated
weights alone: no machine is re-evaluated. Only the candidates of the group that ranks first can
be first — feasible and meeting every requirement, else feasible and not (the order of
``add_scores``) — so the others never win, whatever the weights.

* :func:`p_first` — the share of random weight vectors under which each candidate scores highest:
  Dirichlet around the stated weights (``alpha = k * w``; axes the study weights 0 stay 0) and
  uniform on the simplex (Dirichlet of ones over every axis). One matrix product per draw set.
* :func:`smallest_change` — the least L1 distance ``sum |w - w0|`` from the stated weights to a
  weight vector on the simplex under which a rival's score ties or passes the winner's; one
  linear programme per rival (exact, not sampled).
"""

from __future__ import annotations

from collections.abc import Mapping

import numpy as np
import pandas as pd

from fs.spec import AXES

#: Dirichlet concentration ``k`` of ``alpha = k * w`` [-]: each weight's standard deviation is
#: ``sqrt(w (1 - w) / (k + 1))``, so at 20 a weight of 0.2 moves by about 0.09.
CONCENTRATION = 20.0

#: Random weight vectors per distribution [-].
SAMPLES = 10_000


def contenders(summary: pd.DataFrame) -> pd.DataFrame:
    """The candidates that can rank first: the first non-empty group of ``add_scores``'s order
    (feasible and meeting every requirement, then feasible and not), by ``rank`` where given."""
    feasible = summary["feasible"].to_numpy(bool)
    meets = summary["meets_requirements"].to_numpy(bool) if "meets_requirements" in summary else np.ones(len(summary), bool)
    for group in (feasible & meets, feasible & ~meets):
        if group.any():
            return summary[group].sort_values("rank", kind="stable") if "rank" in summary else summary[group]
    return summary.iloc[:0]


def _scores(group: pd.DataFrame, axes: list[str]) -> np.ndarray:
    """The normalised axis scores of ``group`` [candidates × axes]."""
    return group[[f"score_{a}" for a in axes]].to_numpy(float)


def p_first(scores: np.ndarray, weights: np.ndarray) -> np.ndarray:
    """Share of the weight vectors ``weights`` [draws × axes] under which each candidate of
    ``scores`` [candidates × axes] scores highest (the first on an exact tie) [-]."""
    best = np.argmax(weights @ scores.T, axis=1)
    return np.bincount(best, minlength=scores.shape[0]) / weights.shape[0]


def dirichlet_weights(stated: np.ndarray, concentration: float, samples: int, seed: int) -> np.ndarray:
    """``samples`` weight vectors from Dirichlet(``concentration * stated``) [samples × axes];
    an axis with stated weight 0 stays 0 (its alpha would be 0, outside the distribution)."""
    rng = np.random.default_rng(seed)
    out = np.zeros((samples, len(stated)))
    on = stated > 0
    out[:, on] = rng.dirichlet(concentration * stated[on], size=samples)
    return out


def smallest_change(scores: np.ndarray, stated: np.ndarray, winner: int) -> tuple[np.ndarray, list]:
    """Least L1 change of the weights that lets each rival tie or pass candidate ``winner``.

    For rival ``j`` with gap ``d = scores[j] - scores[winner]``, solve
    ``min sum |w - w0|`` over ``w >= 0``, ``sum w = 1``, ``d · w >= 0`` as a linear programme in
    ``w = w0 + p - q`` (``p, q >= 0``, ``q <= w0``).

    Returns
    -------
    distance : ndarray
        Per candidate [-] (L1 on the simplex, at most 2); 0 for the winner, inf where no weights
        on the simplex let the rival reach the winner (it is dominated).
    weights : list
        Per candidate the nearest weight vector (ndarray) where the rival ties, None where none.
    """
    from scipy.optimize import linprog

    m = len(stated)
    distance = np.full(scores.shape[0], np.inf)
    weights: list = [None] * scores.shape[0]
    distance[winner], weights[winner] = 0.0, stated.copy()
    for j in range(scores.shape[0]):
        if j == winner:
            continue
        d = scores[j] - scores[winner]
        gap = float(d @ stated)
        if gap >= 0:
            distance[j], weights[j] = 0.0, stated.copy()
            continue
        # variables [p, q]; d·(p - q) >= -gap  ->  -d·p + d·q <= gap
        res = linprog(np.ones(2 * m), A_ub=np.concatenate([-d, d])[None, :], b_ub=[gap],
                      A_eq=np.concatenate([np.ones(m), -np.ones(m)])[None, :], b_eq=[0.0],
                      bounds=[(0, None)] * m + [(0, w) for w in stated], method="highs")
        if res.status == 0:
            distance[j] = float(res.fun)
            weights[j] = np.clip(stated + res.x[:m] - res.x[m:], 0.0, None)
    return distance, weights


def weight_sensitivity(summary: pd.DataFrame, axis_weights: Mapping[str, float], seed: int, *,
                       concentration: float = CONCENTRATION, samples: int = SAMPLES) -> dict:
    """The weight sensitivity of a nominal scorecard, as JSON-ready data.

    Parameters
    ----------
    summary : DataFrame
        One row per candidate with ``candidate``, ``feasible``, optionally ``meets_requirements``,
        ``rank`` and ``score_<axis>`` for each axis of ``axis_weights``.
    axis_weights : Mapping
        The study's stated weights [-], summing to 1. Axes are taken in :data:`fs.spec.AXES`
        order whatever the mapping's order (run.json stores them sorted), so the draws and the
        answer do not depend on it.
    seed : int
        The study's seed; the Dirichlet draws use ``seed``, the uniform draws ``seed + 1``.

    Returns
    -------
    dict
        ``stated`` ({candidate: 1 or 0}), ``dirichlet`` and ``uniform`` ({concentration, samples,
        seed, p_first: {candidate: p}}), ``smallest_change`` ({rival, distance, norm: "L1",
        weights: {axis: w}}, rival None when no candidate can pass the winner) and ``per_rival``
        ({candidate: distance or None}). Only the candidates that can rank first are listed.
    """
    axes = sorted(axis_weights, key=lambda a: (AXES.index(a) if a in AXES else len(AXES), a))
    stated = np.array([axis_weights[a] for a in axes], float)
    group = contenders(summary)
    names = [str(c) for c in group["candidate"]]
    s = _scores(group, axes)
    winner = int(np.argmax(s @ stated)) if names else -1
    p_dir = p_first(s, dirichlet_weights(stated, concentration, samples, seed)) if names else []
    p_uni = p_first(s, np.random.default_rng(seed + 1).dirichlet(np.ones(len(axes)), size=samples)) if names else []
    distance, nearest = smallest_change(s, stated, winner) if names else ([], [])
    rivals = [j for j in range(len(names)) if j != winner and np.isfinite(distance[j])]
    best = min(rivals, key=lambda j: distance[j]) if rivals else None
    return {
        "stated": {n: float(j == winner) for j, n in enumerate(names)},
        "dirichlet": {"concentration": concentration, "samples": samples, "seed": seed,
                      "p_first": dict(zip(names, map(float, p_dir)))},
        "uniform": {"concentration": 1.0, "samples": samples, "seed": seed + 1,
                    "p_first": dict(zip(names, map(float, p_uni)))},
        "smallest_change": {
            "rival": None if best is None else names[best],
            "distance": None if best is None else float(distance[best]),
            "norm": "L1",
            "weights": None if best is None else dict(zip(axes, map(float, nearest[best]))),
        },
        "per_rival": {n: (float(distance[j]) if np.isfinite(distance[j]) else None)
                      for j, n in enumerate(names) if j != winner},
    }
