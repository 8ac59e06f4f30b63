"""Requirements: the bounds a study's candidates are screened against before any score.

A ``[[requirement]]`` of a study (:class:`fs.study.Requirement`) bounds one quantity of a candidate
system from below (``at_least``) or above (``at_most``). Screening is non-compensatory: no score
on another axis makes up for a miss. Each candidate of each case gets, per requirement, its
``value``, ``met`` and ``factor`` (value / required for ``at_least``, required / value for
``at_most``: below 1 it misses by that factor), and ``meets_requirements``; the ranking puts the
candidates that meet every requirement above those that do not (:func:`fs.evaluate.add_scores`).

Quantities (system totals of the candidate at its sized node count ``N``):

================  ============================================================================
quantity          value
================  ============================================================================
fp64_peak         ``N`` x the node's FP64 peak [FLOP/s] (:func:`node_peak_flop_per_s`)
bf16_peak         ``N`` x the node's BF16 peak [FLOP/s]
fp8_peak          ``N`` x the node's FP8 peak [FLOP/s]
memory_bandwidth  ``N`` x the bandwidth of every processor's outermost memory [B/s]
memory_capacity   ``N`` x the capacity of every processor's outermost memory [B]
power             the facility power of the scorecard, ``N (P_max + P_store) PUE`` [W]
capital_cost      the scorecard's capital [JPY]
checkpoint_time   the scorecard's ``checkpoint_s``: a 256-node job's checkpoint on the machine's
                  own storage [s]
speedup           the portfolio's throughput speedup over the reference, or with ``workload``
                  that workload's throughput ratio (the terms of the portfolio's mean) [-]
time_to_solution  with ``workload`` (required): the time to solution of its stated problem on
                  the largest job the candidate runs (:mod:`fs.capability`) [s]
capability_speedup  the portfolio's capability speedup over the reference (:mod:`fs.capability`),
                  or with ``workload`` that workload's ``T_ref / T`` [-]
================  ============================================================================
"""

from __future__ import annotations

import math
from collections.abc import Mapping

from fs.capability import SPEEDUP_PREFIX, TIME_PREFIX
from fs.spec import REQUIREMENT_QUANTITIES

#: Column prefix of the per-requirement columns of the scorecard rows: ``requirement:<i>:value``,
#: ``requirement:<i>:factor``, ``requirement:<i>:met``.
PREFIX = "requirement:"

#: The precisions of the peak quantities.
PEAK_PRECISIONS = ("fp64", "bf16", "fp8")


def node_peak_flop_per_s(machine, precision: str) -> float:
    """A node's peak in ``precision`` [FLOP/s]: the sum over its processors of ``count`` x the
    processor's peak in the precision it runs ``precision`` work in (archmodels' fallback to a
    wider format, ``Processor.precision_for``), matrix units included (``Processor.peak_for``).
    A processor that runs no such format adds nothing."""
    total = 0.0
    for p in machine.node.processors:
        prec = p.precision_for(precision, matrix=True)
        if prec is not None:
            total += p.count * p.peak_for(prec, True)
    return total


def requirement_value(requirement, profile, row: Mapping, workloads, workload_speedup) -> float:
    """The quantity ``requirement`` bounds for one scored candidate (SI; module docstring).

    Parameters
    ----------
    requirement : fs.study.Requirement
    profile : fs.evaluate.NodeProfile
        The candidate's node (peaks, memory bandwidth and capacity per node).
    row : mapping
        The candidate's scorecard values (``nodes``, ``power_w``, ``capital_cost_jpy``,
        ``checkpoint_s``, ``performance`` and the capability columns of
        :func:`fs.capability.capability_columns`).
    workloads : sequence of str
        The portfolio, in the order of ``workload_speedup``.
    workload_speedup : sequence of float
        The candidate's per-workload throughput ratios (``fs.scoring.score_systems``).
    """
    q, n = requirement.quantity, float(row["nodes"])
    if q.endswith("_peak"):
        return n * getattr(profile, f"{q.removesuffix('_peak')}_peak_flop_per_s")
    if q == "memory_bandwidth":
        return n * profile.memory_bandwidth_bytes_per_s
    if q == "memory_capacity":
        return n * profile.memory_bytes
    if q == "speedup":
        if requirement.workload is None:
            return float(row["performance"])
        return float(workload_speedup[list(workloads).index(requirement.workload)])
    if q == "time_to_solution":
        return float(row[f"{TIME_PREFIX}{requirement.workload}"])
    if q == "capability_speedup":
        return float(row["capability_speedup" if requirement.workload is None
                         else f"{SPEEDUP_PREFIX}{requirement.workload}"])
    return float(row[{"power": "power_w", "capital_cost": "capital_cost_jpy", "checkpoint_time": "checkpoint_s"}[q]])


def check(bound: str, required: float, value: float) -> tuple[bool, float]:
    """``(met, factor)`` of a value against a bound: factor = value / required (``at_least``) or
    required / value (``at_most``), below 1 a miss by that factor; a NaN value is not met."""
    if bound == "at_least":
        return bool(value >= required), value / required
    return bool(value <= required), (required / value if value != 0 else math.inf)


def requirement_columns(study, profile, row: Mapping, workload_speedup) -> dict:
    """The scorecard columns of one candidate's requirements (``PREFIX``) and ``meets_requirements``."""
    out, meets = {}, True
    for i, r in enumerate(study.requirements):
        value = requirement_value(r, profile, row, study.workloads, workload_speedup)
        met, factor = check(r.bound, r.required, value)
        out.update({f"{PREFIX}{i}:value": value, f"{PREFIX}{i}:factor": factor, f"{PREFIX}{i}:met": met})
        meets = meets and met
    out["meets_requirements"] = meets
    return out


def requirements_json(study) -> list[dict]:
    """The study's requirements as ``run.json`` keeps them (SI ``required``)."""
    return [{"quantity": r.quantity, "workload": r.workload, "bound": r.bound, "required": r.required,
             "text": r.text, "source": r.source} for r in study.requirements]


def candidate_requirements(row: Mapping, requirements: list[dict]) -> list[dict]:
    """One candidate's requirement rows from its scorecard row and :func:`requirements_json`:
    ``quantity, workload, bound, required, value, met, factor`` (NaN as None)."""
    def num(v):
        v = float(v)
        return v if math.isfinite(v) else None

    return [{"quantity": r["quantity"], "workload": r["workload"], "bound": r["bound"], "required": r["required"],
             "value": num(row[f"{PREFIX}{i}:value"]), "met": bool(row[f"{PREFIX}{i}:met"]),
             "factor": num(row[f"{PREFIX}{i}:factor"])} for i, r in enumerate(requirements)]


def describe(requirement: Mapping) -> str:
    """A requirement in words, its bound as the study wrote it: ``memory_bandwidth >= 808 PB/s``,
    ``speedup (stencil-7pt) >= 5``."""
    what = requirement["quantity"] + (f" ({requirement['workload']})" if requirement.get("workload") else "")
    op = ">=" if requirement["bound"] == "at_least" else "<="
    return f"{what} {op} {requirement['text']}"


def format_value(quantity: str, value: float | None) -> str:
    """A requirement quantity's value for people, with a decimal prefix (``232.1 PB/s``)."""
    from archmodels.quantities import format_quantity

    if value is None or not math.isfinite(value):
        return "–"
    kind = REQUIREMENT_QUANTITIES[quantity]
    if kind == "dimensionless":
        return f"{value:.3g}"
    if kind == "jpy":
        return f"{value / 1e9:.1f}e9 JPY"
    if kind == "bytes":  # memory capacities are quoted in binary prefixes
        prefix, scale = next(((p, 2.0**e) for p, e in (("Ei", 60), ("Pi", 50), ("Ti", 40), ("Gi", 30))
                              if value >= 2.0**e), ("", 1.0))
        return f"{value / scale:.4g} {prefix}B"
    return format_quantity(value, kind)


def status(row: Mapping) -> str:
    """A candidate's requirement row in words: ``met (×1.21)``, ``missed (×0.29)``."""
    factor = "no value" if row["factor"] is None else f"×{row['factor']:.2f}"
    return f"{'met' if row['met'] else 'missed'} ({factor})"
