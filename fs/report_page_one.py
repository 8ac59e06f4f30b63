"""The report's first page: what a reader needs to accept or challenge the verdict.

Tables of strings (header row first) built from a run's summary (:func:`fs.runner.summarise`) and
``run.json`` (:mod:`fs.provenance`); :mod:`fs.report` lays them out in Markdown and HTML.

* :func:`workload_table`: per candidate and workload the throughput speedup over the reference
  (the term of the portfolio's geometric mean), what bounds the workload's job, and the capability
  time to solution (:mod:`fs.capability`); hypothetical candidates flagged with their year, projected
  ones with their datasheet and delivery years and rule (:mod:`fs.projected_candidates`).
* :func:`margin_table`: the winner's lead over the runner-up split by axis, ``w_a (s_a,1 − s_a,2)``,
  which sums to the score difference (the score is the weighted sum of axis scores,
  :func:`fs.evaluate.add_scores`).
* :func:`uncertainty_table`: each sampled input with its distribution.
* :func:`provenance_table`: the code and the digest of every input file.
"""

from __future__ import annotations

import math

import pandas as pd

from fs.evaluate import BOUND_PREFIX, WORKLOAD_SPEEDUP_PREFIX
from fs.spec import AXES

CAPABILITY_TIME_PREFIX = "capability_time_s:"


def _num(row, col: str) -> float:
    v = row.get(col, math.nan)
    try:
        return float(v)
    except (TypeError, ValueError):
        return math.nan


def _seconds(t: float) -> str:
    if not math.isfinite(t):
        return "–" if math.isnan(t) else "never"
    return f"{t:.3g} s"


def candidate_flag(row) -> str:
    """``hypothetical (2030)``, ``shipping (2023)`` or ``projected 2023→2030, iso-power (2030)``:
    whether the machine exists, and its year (a projected one: its datasheet year, the delivery year
    it was projected to and the rule, fs.projected_candidates)."""
    year = _num(row, "year")
    when = f" ({int(year)})" if math.isfinite(year) else ""
    projection = row.get("projection", "")
    if isinstance(projection, str) and projection:
        return projection + when
    return ("hypothetical" if bool(row.get("hypothetical", False)) else "shipping") + when


def workload_table(ordered: pd.DataFrame, portfolio: dict[str, float]) -> list[list[str]]:
    """Per candidate (rank order) and workload: ``speedup× · bound · capability time``.

    Parameters
    ----------
    ordered : DataFrame
        Summary rows in rank order (:func:`fs.runner.in_rank_order`).
    portfolio : dict
        Workload name -> weight (share of node-hours) [-].
    """
    head = ["candidate", "status"] + [f"{w} ({share:g})" for w, share in portfolio.items()] + ["portfolio"]
    out = [head]
    for _, r in ordered.iterrows():
        cells = []
        for w in portfolio:
            s = _num(r, WORKLOAD_SPEEDUP_PREFIX + w)
            bound = r.get(BOUND_PREFIX + w)
            cells.append(" · ".join([f"{s:.2f}×" if math.isfinite(s) else "–",
                                     bound if isinstance(bound, str) else "–",
                                     _seconds(_num(r, CAPABILITY_TIME_PREFIX + w))]))
        cap = _num(r, "capability_speedup")
        total = f"{_num(r, 'performance'):.2f}× throughput" + (f", {cap:.2f}× capability" if math.isfinite(cap) else "")
        status = candidate_flag(r) + ("" if bool(r["feasible"]) else ", infeasible")
        out.append([r["candidate"], status] + cells + [total])
    return out


#: What a cell of :func:`workload_table` holds.
WORKLOAD_NOTE = ("Each cell: the throughput speedup over the reference on that workload "
                 "((N / t) / (N_ref / t_ref), the term of the portfolio's weighted geometric mean), what bounds its "
                 "job (compute, power, memory:<level>, network), and the capability time to solution of the stated "
                 "problem on the largest job the candidate runs (fs.capability). Workload weights in brackets.")


def margin_table(ranked: pd.DataFrame, axis_weights: dict[str, float]) -> tuple[list[list[str]], str]:
    """The winner's margin over the runner-up by axis, and a sentence naming the largest terms.

    ``ranked`` are the feasible rows in rank order. Each row: the axis, its weight ``w``, both
    candidates' axis scores and ``w · (s_winner − s_runner-up)``; the last row is the total, the
    score difference.
    """
    if len(ranked) < 2:
        return [], "Only one feasible candidate: no runner-up to compare with."
    a, b = ranked.iloc[0], ranked.iloc[1]
    out = [["axis", "weight", a["candidate"], b["candidate"], "weighted margin"]]
    terms = {}
    for axis in AXES:
        w = float(axis_weights.get(axis, 0.0))
        sa, sb = float(a[f"score_{axis}"]), float(b[f"score_{axis}"])
        terms[axis] = w * (sa - sb)
        shown = terms[axis] if abs(terms[axis]) >= 5e-4 else 0.0  # no "-0.000"
        out.append([axis, f"{w:g}", f"{sa:.3f}", f"{sb:.3f}", f"{shown:+.3f}"])
    out.append(["total (score)", f"{sum(axis_weights.values()):g}", f"{float(a['score']):.3f}",
                f"{float(b['score']):.3f}", f"{float(a['score']) - float(b['score']):+.3f}"])
    ahead = sorted((t, ax) for ax, t in terms.items() if t >= 5e-4)[::-1]  # what rounds to +0.000 is a tie
    behind = sorted((t, ax) for ax, t in terms.items() if t <= -5e-4)
    words = f"{a['candidate']} leads {b['candidate']} by {float(a['score']) - float(b['score']):.3f}"
    if ahead:
        words += " on " + ", ".join(f"{ax} ({t:+.3f})" for t, ax in ahead[:3])
    if behind:
        words += "; it trails on " + ", ".join(f"{ax} ({t:+.3f})" for t, ax in behind[:3])
    if bool(a.get("meets_requirements", True)) != bool(b.get("meets_requirements", True)):
        words += "; it ranks above because it meets every requirement and the runner-up does not"
    return out, words + "."


_PARAMETERS = ("low", "mode", "high", "mean", "sd")


def uncertainty_table(uncertainties: list[dict]) -> list[list[str]]:
    """Each sampled input: its target, distribution and parameters (multipliers on the nominal)."""
    out = [["target", "distribution", "parameters", "source"]]
    for u in uncertainties:
        params = ", ".join(f"{k} {u[k]:g}" for k in _PARAMETERS if k in u)
        out.append([u["target"], u["kind"], params, str(u.get("source", "the study"))])
    return out


def provenance_table(provenance: dict | None) -> list[list[str]]:
    """The code (version, git commit, source digest) and the SHA-256 of every file the run read."""
    if not provenance:
        return [["item", "value"], ["provenance", "not recorded (run.json written before provenance existed)"]]
    commit = provenance.get("git_commit") or "unknown (not a git checkout)"
    if provenance.get("git_dirty"):
        commit += " with uncommitted changes"
    out = [["item", "value"], ["fs-workbench version", str(provenance.get("version"))], ["git commit", commit],
           ["source SHA-256 (archmodels, fs, ops)", str(provenance.get("source_sha256"))]]
    files = provenance.get("files", {})
    study = files.get("study", {})
    out.append([f"study file {study.get('path')}", str(study.get("sha256"))])
    for label, m in files.get("machines", {}).items():
        out.append([f"machine {label} ({m.get('machine')}) {m.get('path')}", str(m.get("sha256"))])
    for name, w in files.get("workloads", {}).items():
        out.append([f"workload {name} {w.get('path')}", str(w.get("sha256"))])
    return out
