"""Capability: the time to solution of one stated problem on the largest job a machine can run.

The performance axis (:func:`fs.metrics.portfolio_speedup`) is throughput: every workload runs as
weak-scaled mid-size jobs over the whole system. A flagship is also bought for capability, one
problem solved as fast as the whole machine can. Here each workload of the portfolio has a
**stated problem** and each machine solves it by strong scaling (Amdahl 1967; the model of
``fsw scale``, :func:`archmodels.predict` with ``units_per_node = U / n``).

* **The stated problem** ``U`` of a workload: the workload files define a problem per processor,
  not a global one, so the rule is the reference machine's full-system problem,
  ``U = N_ref x U_default(ref)`` with ``U_default`` the problem per node that ``predict`` runs on
  the reference by default (:func:`archmodels.problem_size.default_units_per_node`: the workload's
  share of the reference node's memory, or its fixed size per processor). It is taken from the
  study's reference as specified, so it is the same problem in every Monte Carlo case.
* **The job**: the fastest of the node counts ``1, 2, 4, ...`` below the candidate's sized node
  count ``N`` and ``N`` itself (the strong-scaling optimum when fewer nodes are faster: the network
  takes over); counts whose share ``U / n`` fits no processor's memory are skipped. A machine
  without a network runs one node. A machine on which no count fits takes an infinite time
  (capability speedup 0).
* **Parallel efficiency** of that job: :func:`archmodels.scaling.strong_efficiency` against the
  smallest count that fits.
* **Capability speedup** on a workload: ``T_ref / T`` with the reference on its own full system;
  over the portfolio the weighted geometric mean with the study's workload weights.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

#: Scorecard column prefixes, each followed by a workload name.
TIME_PREFIX = "capability_time_s:"
NODES_PREFIX = "capability_nodes:"
EFFICIENCY_PREFIX = "capability_efficiency:"
SPEEDUP_PREFIX = "capability_speedup:"


@dataclass(frozen=True)
class Capability:
    """A workload's stated problem solved on one machine."""

    workload: str
    total_units: float         #: the stated problem [workload units]
    time_s: float              #: time to solution [s]; inf when no job size holds the problem
    nodes: int                 #: nodes of the fastest job [-]; 0 when none holds it
    parallel_efficiency: float  #: strong-scaling efficiency of that job [-]; NaN when none holds it


def job_sizes(max_nodes: int) -> list[int]:
    """The node counts tried: the powers of two below ``max_nodes`` and ``max_nodes`` [-]."""
    n = max(int(max_nodes), 1)
    return sorted({2**k for k in range(n.bit_length()) if 2**k < n} | {n})


def stated_problem_units(reference_machine, workload) -> float:
    """The stated problem of ``workload`` [workload units]: the reference's full-system default
    problem ``N_ref x U_default(ref)`` (module docstring); NaN if the reference cannot run it."""
    from archmodels.problem_size import default_units_per_node

    u = default_units_per_node(reference_machine, workload)
    return float(reference_machine.nodes) * u if u else math.nan


def time_to_solution(machine, workload, total_units: float, max_nodes: int) -> Capability:
    """Strong-scale ``total_units`` of ``workload`` on up to ``max_nodes`` nodes of ``machine``
    and keep the fastest job (module docstring).

    Parameters
    ----------
    machine : archmodels.machine.Machine
    workload : archmodels.workload.Workload
    total_units : float
        The problem [workload units].
    max_nodes : int
        The largest job: the candidate's sized node count [-].
    """
    import archmodels
    from archmodels.errors import InputError
    from archmodels.scaling import strong_efficiency

    if not total_units > 0:
        return Capability(workload.name, total_units, math.inf, 0, math.nan)
    counts = job_sizes(max_nodes) if machine.network is not None else [1]
    m = machine.with_nodes(max(counts[-1], 1))
    times = {}
    for n in counts:
        try:
            times[n] = float(archmodels.predict(m, workload, nodes=n, units_per_node=total_units / n).time_s)
        except InputError:  # the share does not fit the node's memory
            continue
    if not times:
        return Capability(workload.name, total_units, math.inf, 0, math.nan)
    n0 = min(times)
    best = min(times, key=lambda n: (times[n], n))
    return Capability(workload.name, total_units, times[best], best,
                      float(strong_efficiency(times[best], times[n0], best, n0)))


def capabilities(machine, max_nodes: int, reference_machine, workloads) -> list[Capability]:
    """:func:`time_to_solution` of each workload's stated problem (that of ``reference_machine``,
    :func:`stated_problem_units`); cached, since a Monte Carlo case that leaves a machine and its
    size unchanged asks again. Without a machine (a profile built by hand) every value is NaN."""
    import archmodels

    if machine is None or reference_machine is None:
        return [Capability(w, math.nan, math.nan, 0, math.nan) for w in workloads]
    out = []
    for w in workloads:
        key = (id(machine), int(max_nodes), id(reference_machine), w)
        hit = _CACHE.get(key)
        if hit is None or hit[0] is not machine or hit[1] is not reference_machine:
            if len(_CACHE) > 16384:
                _CACHE.clear()
            wl = archmodels.load_workload(w)
            hit = _CACHE[key] = (machine, reference_machine,
                                 time_to_solution(machine, wl, stated_problem_units(reference_machine, wl), max_nodes))
        out.append(hit[2])
    return out


#: (id(machine), nodes, id(reference machine), workload) -> (machine, reference machine, Capability).
_CACHE: dict[tuple, tuple] = {}


def capability_speedup(time_s, time_ref_s, weights) -> tuple[float, list[float]]:
    """Capability speedup over the reference: the weighted geometric mean over the portfolio of
    ``T_ref / T`` [-], and the per-workload ratios. An infinite ``T`` gives 0."""
    ratios = np.asarray(time_ref_s, dtype=float) / np.asarray(time_s, dtype=float)
    w = np.asarray(weights, dtype=float)
    with np.errstate(divide="ignore"):
        mean = float(np.exp(np.log(ratios) @ (w / w.sum())))
    return mean, [float(r) for r in ratios]


def capability_columns(study, machine, nodes: int, reference_machine, reference_nodes: int,
                       rate_factors=(), reference_rate_factors=()) -> dict:
    """A candidate's scorecard columns: per workload ``capability_time_s:``, ``capability_nodes:``,
    ``capability_efficiency:`` and ``capability_speedup:`` (the prefixes), and the portfolio's
    ``capability_speedup``.

    ``machine`` runs on up to ``nodes`` nodes, ``reference_machine`` (the case's reference, its
    multipliers applied) on up to ``reference_nodes``; the stated problems are those of the study's
    reference as specified (``study.reference.machine``). ``rate_factors`` (per workload, empty:
    all 1) divide the candidate's times and ``reference_rate_factors`` the reference's: the case's
    model-error multipliers (:func:`fs.model_error.rate_and_power_factors`)."""
    problem = study.reference.machine
    cand = capabilities(machine, nodes, problem, study.workloads)
    ref = capabilities(reference_machine, reference_nodes, problem, study.workloads)
    times = [c.time_s / f for c, f in zip(cand, rate_factors or [1.0] * len(cand))]
    ref_times = [r.time_s / f for r, f in zip(ref, reference_rate_factors or [1.0] * len(ref))]
    mean, ratios = capability_speedup(times, ref_times, study.workload_weights)
    out = {}
    for w, c, t, ratio in zip(study.workloads, cand, times, ratios):
        out.update({f"{TIME_PREFIX}{w}": t, f"{NODES_PREFIX}{w}": c.nodes,
                    f"{EFFICIENCY_PREFIX}{w}": c.parallel_efficiency, f"{SPEEDUP_PREFIX}{w}": ratio})
    out["capability_speedup"] = mean
    return out


def capability_json(row) -> dict:
    """A scorecard row's capability for the JSON output: ``{"speedup": S, "workloads": {w: {time_s,
    nodes, parallel_efficiency, speedup}}}``, non-finite values as None; empty for rows written
    before capability existed."""
    def num(v):
        v = float(v)
        return v if math.isfinite(v) else None

    names = [k.removeprefix(TIME_PREFIX) for k in row.keys() if k.startswith(TIME_PREFIX)]
    if "capability_speedup" not in row.keys():
        return {}
    return {"speedup": num(row["capability_speedup"]),
            "workloads": {w: {"time_s": num(row[f"{TIME_PREFIX}{w}"]), "nodes": int(row[f"{NODES_PREFIX}{w}"]),
                              "parallel_efficiency": num(row[f"{EFFICIENCY_PREFIX}{w}"]),
                              "speedup": num(row[f"{SPEEDUP_PREFIX}{w}"])} for w in names}}
