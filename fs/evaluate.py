"""Evaluate a study's candidates in one case (nominal, or one Monte Carlo sample).

Two steps. :func:`node_profiles` asks archmodels what one node of each candidate does on the
portfolio (time and power per workload, memory, capital cost and embodied carbon per node) after
the case's technology multipliers are applied to the machine. :func:`score_case` is pure
arithmetic on those per-node numbers: it sizes each system to the budgets, computes every axis
(:mod:`fs.metrics`), flags constraint violations and scores the feasible candidates.
"""

from __future__ import annotations

import dataclasses
import math
from collections.abc import Mapping
from dataclasses import dataclass

import numpy as np
import pandas as pd

from fs import metrics as M
from fs.spec import AXES
from fs.study import SECONDS_PER_YEAR, Study

#: Multiplier targets applied to the machine (the rest apply at scoring time).
MACHINE_KINDS = ("memory", "network", "processor")

_MEMORY_FIELD = {"bandwidth": "bandwidth_bytes_per_s", "energy_per_bit": "energy_per_bit_j",
                 "capacity": "capacity_bytes", "latency": "latency_s"}
_NETWORK_FIELD = {"bandwidth": "injection_bandwidth_bytes_per_s", "energy_per_bit": "energy_per_bit_j",
                  "latency": "latency_s", "link_static_power": "link_static_power_w"}


def selector_matches(selector: str, *names: str | None) -> bool:
    """Whether a target's selector picks a part known by ``names`` (technology, name, type).

    ``*`` picks everything; otherwise a case-insensitive match of a whole name, or of the
    selector's initials as a word of a name (``co-packaged-optics`` picks "CPO fat tree").
    """
    if selector == "*":
        return True
    sel = selector.lower()
    initials = "".join(w[0] for w in sel.replace("_", "-").split("-") if w)
    for name in names:
        if not name:
            continue
        low = name.lower()
        if low == sel:
            return True
        words = low.replace("-", " ").replace("_", " ").split()
        if len(initials) > 1 and initials in words:
            return True
    return False


def _scaled(obj, field: str, factor: float):
    value = getattr(obj, field)
    return obj if value is None else dataclasses.replace(obj, **{field: value * factor})


def apply_multipliers(machine, multipliers: Mapping[str, float]):
    """A copy of ``machine`` with each ``memory:``, ``network:`` or ``processor:`` target scaled.

    Returns the new machine and the set of targets that changed something.
    """
    hit: set[str] = set()
    node = machine.node
    network = machine.network
    processors = list(node.processors)
    for target, factor in multipliers.items():
        kind, selector, parameter = target.split(":")
        if kind == "memory":
            for i, p in enumerate(processors):
                levels = []
                for lv in p.memory:
                    if selector_matches(selector, lv.technology, lv.name):
                        new = _scaled(lv, _MEMORY_FIELD[parameter], factor)
                        if new is not lv:
                            hit.add(target)
                        lv = new
                    levels.append(lv)
                processors[i] = dataclasses.replace(p, memory=tuple(levels))
        elif kind == "network" and network is not None:
            if selector_matches(selector, network.technology, network.name):
                new = _scaled(network, _NETWORK_FIELD[parameter], factor)
                if new is not network:
                    hit.add(target)
                network = new
        elif kind == "processor":
            for i, p in enumerate(processors):
                if selector_matches(selector, p.name, p.type):
                    if parameter == "peak":
                        processors[i] = dataclasses.replace(
                            p,
                            peak_flop_per_s={k: v * factor for k, v in p.peak_flop_per_s.items()},
                            peak_matrix_flop_per_s={k: v * factor for k, v in p.peak_matrix_flop_per_s.items()},
                        )
                        hit.add(target)
                    elif p.tdp_w is not None:
                        processors[i] = dataclasses.replace(p, tdp_w=p.tdp_w * factor)
                        hit.add(target)
    if not hit & {t for t in multipliers if t.split(":")[0] in MACHINE_KINDS}:
        return machine, hit
    node = dataclasses.replace(node, processors=tuple(processors))
    return dataclasses.replace(machine, node=node, network=network), hit


@dataclass(frozen=True)
class NodeProfile:
    """What one node of a machine does on the portfolio (SI)."""

    label: str
    machine: str
    machine_nodes: int
    hypothetical: bool
    time_per_unit_s: tuple[float, ...]  #: per workload, node-seconds per unit of work in a JOB_NODES-node job [s]
    busy_power_w: float  #: node-hour-weighted mean node power while running the portfolio [W]
    idle_power_w: float
    max_power_w: float
    memory_bytes: float
    capital_per_node_jpy: float
    embodied_per_node_g: float
    productivity: float
    commercial_reach: float


def _part_shares(machine) -> tuple[list[str], list[str], list[float]]:
    names, types, shares = [], [], []
    for p in machine.node.processors:
        peak = max([*p.peak_flop_per_s.values(), *p.peak_matrix_flop_per_s.values(), 0.0])
        names.append(p.name)
        types.append(p.type)
        shares.append(peak * p.count)
    return names, types, shares


def stated_score(machine, table: Mapping[str, float]) -> float:
    """A node's stated score from a table keyed by part name or type (see fs/data/defaults.toml)."""
    names, types, shares = _part_shares(machine)
    scores = [table.get(n.lower(), table.get(t.lower(), table.get("cpu", 0.5))) for n, t in zip(names, types)]
    score = M.part_score(shares, scores) if sum(shares) > 0 else float(np.mean(scores))
    if getattr(machine, "hypothetical", False) and "hypothetical_factor" in table:
        score *= table["hypothetical_factor"]
    return score


#: Nodes of the representative job each workload is predicted on (weak scaling, the workload's
#: default size per node), so that the network and its energy count. Assumption: a mid-size
#: capability job; machines without a network run single-node jobs.
JOB_NODES = 256


def system_nodes_estimate(study: Study, machine, nodes: int | None) -> int:
    """The node count a candidate's network is priced at: its given size, its spec's size
    (``as-specified``), else the budget fit with the node priced at its spec's size.

    archmodels.cost charges each node a share of the network, which depends on the system's size;
    a machine specified as one node (a DGX) would otherwise carry no network at all.
    """
    from archmodels.cost import node_capital_cost_jpy
    from archmodels.power import node_power_range_w

    if nodes is not None:
        return int(nodes)
    if study.scale_mode == "as-specified":
        return int(machine.nodes)
    nan = float("nan")
    n = M.fit_nodes(study.power_budget_w if study.power_budget_w is not None else nan,
                    node_power_range_w(machine)[1], study.pue,
                    study.capital_budget_jpy if study.capital_budget_jpy is not None else nan,
                    node_capital_cost_jpy(machine))
    return max(int(n), 1) if np.isfinite(n) else int(machine.nodes)


def node_profile(study: Study, label: str, machine) -> NodeProfile:
    """Predict what one node of ``machine`` does on each workload of the study's portfolio.

    Throughput, not time, is compared across machines: a node with more memory runs a larger
    problem, so the per-node rate (units of work per second, ``units_per_s / nodes``) of a
    ``JOB_NODES``-node job is what the speedup uses. Capital and embodied carbon per node are
    archmodels.cost and archmodels.carbon on ``machine`` at its ``nodes`` (see
    :func:`system_nodes_estimate`).
    """
    import archmodels
    from archmodels.carbon import node_embodied_carbon_g
    from archmodels.cost import node_capital_cost_jpy
    from archmodels.power import node_power_range_w

    times, powers = [], []
    job_nodes = JOB_NODES if machine.network is not None else 1
    for w in study.workloads:
        p = archmodels.predict(machine, archmodels.load_workload(w), nodes=job_nodes)
        times.append(job_nodes / float(p.units_per_s))
        powers.append(float(p.power_w) / job_nodes)
    idle_w, max_w = node_power_range_w(machine)
    busy = float(np.dot(study.workload_weights, powers))
    return NodeProfile(
        label=label,
        machine=machine.name,
        machine_nodes=int(machine.nodes),
        hypothetical=bool(machine.hypothetical),
        time_per_unit_s=tuple(times),
        busy_power_w=min(busy, float(max_w)),
        idle_power_w=float(idle_w),
        max_power_w=float(max_w),
        memory_bytes=float(machine.node.memory_bytes),
        capital_per_node_jpy=float(node_capital_cost_jpy(machine)),
        embodied_per_node_g=float(node_embodied_carbon_g(machine)),
        productivity=stated_score(machine, study.productivity),
        commercial_reach=stated_score(machine, study.commercial_reach),
    )


def node_profiles(study: Study, multipliers: Mapping[str, float] | None = None) -> tuple[NodeProfile, list[NodeProfile], set[str]]:
    """Profiles of the reference and of every candidate under ``multipliers``; also the targets hit."""
    machine_mult = {t: f for t, f in (multipliers or {}).items() if t.split(":")[0] in MACHINE_KINDS}
    hit: set[str] = set()
    out = []
    for c in (study.reference, *study.candidates):
        m, h = apply_multipliers(c.machine, machine_mult)
        if c is not study.reference:
            m = m.with_nodes(system_nodes_estimate(study, c.machine, c.nodes))
        hit |= h
        key = (id(study), c.label, tuple(sorted((t, machine_mult[t]) for t in h)))
        cached = _PROFILE_CACHE.get(key)
        if cached is None or cached[0] is not study:
            if len(_PROFILE_CACHE) > 4096:
                _PROFILE_CACHE.clear()
            cached = _PROFILE_CACHE[key] = (study, node_profile(study, c.label, m))
        out.append(cached[1])
    return out[0], out[1:], hit


#: Profiles of machines a case left unchanged are reused: (id(study), label, hits) -> (study, profile).
_PROFILE_CACHE: dict[tuple, tuple[Study, NodeProfile]] = {}


def _factor(multipliers: Mapping[str, float], kind: str, parameter: str) -> float:
    f = 1.0
    for target, value in multipliers.items():
        k, _, p = target.split(":")
        if k == kind and p == parameter:
            f *= value
    return f


def score_case(study: Study, reference: NodeProfile, profiles: list[NodeProfile],
               multipliers: Mapping[str, float] | None = None,
               operations: Mapping[str, Mapping[str, float]] | None = None) -> pd.DataFrame:
    """Size, measure and score the candidates of one case: one row per candidate.

    Parameters
    ----------
    study : Study
    reference, profiles : NodeProfile
        From :func:`node_profiles`.
    multipliers : mapping
        Target -> factor; the ``grid:``, ``cost:``, ``node:``, ``storage:`` and ``reliability:``
        kinds apply here (the machine kinds were applied to the profiles).
    operations : mapping
        Candidate label -> {"utilisation": u, "wait_s": w} from a scheduling simulation; the
        study's stated utilisation otherwise.

    Returns
    -------
    DataFrame
        Inputs, sizing, every axis's raw value (``<axis>``), its normalised score (``score_<axis>``),
        the weighted ``score``, ``feasible``, ``violations`` and ``rank`` (1 = best; NaN if infeasible).
    """
    mult = dict(multipliers or {})
    ops = operations or {}
    f_cap = _factor(mult, "cost", "capital")
    f_emb = _factor(mult, "cost", "embodied_carbon")
    f_ci = _factor(mult, "grid", "carbon_intensity")
    f_price = _factor(mult, "grid", "price")
    f_power = _factor(mult, "node", "power")
    f_store = _factor(mult, "storage", "bandwidth")
    f_mtbf = _factor(mult, "reliability", "node_mtbf")
    w = np.asarray(study.workload_weights)
    nan = float("nan")
    mtbf_ref_s = study.node_mtbf_years_at_reference * SECONDS_PER_YEAR * f_mtbf
    mtbf_ref_w = study.mtbf_reference_power_w

    def system(p: NodeProfile, nodes: float) -> dict:
        busy, idle, pmax = p.busy_power_w * f_power, p.idle_power_w * f_power, p.max_power_w * f_power
        util = ops.get(p.label, {}).get("utilisation", study.utilisation)
        avg_w = M.facility_power_w(nodes, M.average_node_power_w(busy, idle, util), study.pue)
        energy = M.lifetime_energy_j(avg_w, study.lifetime_years)
        capital = nodes * p.capital_per_node_jpy * f_cap
        ckpt = M.checkpoint_time_s(p.memory_bytes, nodes, study.storage.tier,
                                   study.storage.node_flash_bandwidth_bytes_per_s * f_store,
                                   study.storage.pfs_bandwidth_bytes_per_s * f_store)
        if study.node_mtbf_s is not None:
            mtbf = study.node_mtbf_s * f_mtbf / nodes
        else:
            mtbf = M.system_mtbf_s(nodes, pmax, mtbf_ref_s, mtbf_ref_w)
        waste = M.checkpoint_waste(ckpt, mtbf)
        return {
            "power_w": float(M.facility_power_w(nodes, pmax, study.pue)),
            "average_power_w": float(avg_w),
            "energy_j": float(energy),
            "capital_cost_jpy": float(capital),
            "total_cost_jpy": float(M.total_cost_jpy(capital, energy, study.grid.price_jpy_per_kwh * f_price)),
            "embodied_carbon_g": float(nodes * p.embodied_per_node_g * f_emb),
            "carbon_g": float(M.total_carbon_g(nodes * p.embodied_per_node_g * f_emb, energy,
                                               study.grid.carbon_intensity_g_per_kwh * f_ci)),
            "checkpoint_s": float(ckpt),
            "system_mtbf_s": float(mtbf),
            "checkpoint_waste": float(waste),
            "utilisation": float(util),
            "wait_s": float(ops.get(p.label, {}).get("wait_s", nan)),
            "operability": float(M.operability(util, waste)),
        }

    ref_nodes = reference.machine_nodes
    ref = system(reference, ref_nodes)
    power_budget = study.power_budget_w if study.power_budget_w is not None else nan
    capital_budget = study.capital_budget_jpy if study.capital_budget_jpy is not None else nan
    rows = []
    for p, cand in zip(profiles, study.candidates):
        if cand.nodes is not None:
            nodes, sized_by = float(cand.nodes), "given"
        elif study.scale_mode == "as-specified":
            nodes, sized_by = float(p.machine_nodes), "as-specified"
        else:
            by_power = power_budget / (p.max_power_w * f_power * study.pue)
            by_cost = capital_budget / (p.capital_per_node_jpy * f_cap)
            nodes = float(M.fit_nodes(power_budget, p.max_power_w * f_power, study.pue, capital_budget, p.capital_per_node_jpy * f_cap))
            sized_by = "power" if not by_cost <= by_power else "capital"
        s = system(p, max(nodes, 1.0))
        speedup = float(M.portfolio_speedup(p.time_per_unit_s, reference.time_per_unit_s, max(nodes, 1.0), ref_nodes, w))
        violations = []
        if not nodes >= 1:
            violations.append("not one node fits the budgets")
        if s["power_w"] > power_budget * (1 + 1e-9):
            violations.append(f"power {s['power_w'] / 1e6:.1f} MW > budget {power_budget / 1e6:.1f} MW")
        if s["capital_cost_jpy"] > capital_budget * (1 + 1e-9):
            violations.append(f"capital {s['capital_cost_jpy'] / 1e9:.1f}e9 JPY > budget {capital_budget / 1e9:.1f}e9 JPY")
        store = study.storage
        if store.tier == "node-local-flash" and p.memory_bytes > store.node_flash_capacity_bytes:
            violations.append(f"a node's memory ({p.memory_bytes / 1e12:.2f} TB) exceeds its flash "
                              f"({store.node_flash_capacity_bytes / 1e12:.2f} TB): no room for a checkpoint")
        if store.tier == "parallel-fs" and p.memory_bytes * max(nodes, 1.0) > store.pfs_capacity_bytes:
            violations.append("the system's memory exceeds the parallel file system: no room for a checkpoint")
        rows.append({
            "candidate": p.label,
            "machine": p.machine,
            "hypothetical": p.hypothetical,
            "nodes": int(max(nodes, 1.0)),
            "sized_by": sized_by,
            **s,
            "performance": speedup,
            "performance_per_watt": float(M.performance_per_watt(speedup, s["average_power_w"], ref["average_power_w"])),
            "io": s["checkpoint_s"],
            "cost": s["total_cost_jpy"],
            "productivity": p.productivity,
            "commercial_reach": p.commercial_reach,
            "carbon": s["carbon_g"],
            "feasible": not violations,
            "violations": "; ".join(violations),
        })
    df = pd.DataFrame(rows)
    return add_scores(df, study.axis_weights)


def add_scores(df: pd.DataFrame, axis_weights: Mapping[str, float]) -> pd.DataFrame:
    """Normalise each axis over the feasible candidates, weight, and rank the feasible ones.

    ``score = sum_a w_a * score_a`` with :func:`fs.metrics.normalise` per axis; infeasible
    candidates keep their score for reference but get no rank (NaN): they are never ranked
    silently among the feasible.
    """
    df = df.copy()
    feasible = df["feasible"].to_numpy(bool)
    total = np.zeros(len(df))
    for axis in AXES:
        s = M.normalise(df[axis].to_numpy(float), M.DIRECTION[axis], feasible if feasible.any() else None)
        df[f"score_{axis}"] = s
        total += axis_weights[axis] * s
    df["score"] = total
    order = np.where(feasible, -total, math.inf)
    ranks = pd.Series(order).rank(method="min").to_numpy()
    df["rank"] = np.where(feasible, ranks, np.nan)
    return df
