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
from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from archmodels.transforms import MACHINE_KINDS, scale_parts
from fs import metrics as M
from fs.ecosystems import ECOSYSTEM_AXES, stated_score
from fs.operations import grid_lifetime
from fs.requirements import PEAK_PRECISIONS, node_peak_flop_per_s, requirement_columns
from fs.spec import AXES
from fs.study import Study

@dataclass(frozen=True)
class NodeProfile:
    """What one node of a machine does on the portfolio (SI)."""

    label: str
    machine: str
    machine_nodes: int
    hypothetical: bool
    year: int | None = field(default=None, kw_only=True)  #: the machine's year (its delivery or datasheet year)
    #: per workload, what bounds its JOB_NODES-node job (``compute``, ``power``, ``memory:<level>``, ``network``)
    bounds: tuple[str, ...] = field(default=(), kw_only=True)
    time_per_unit_s: tuple[float, ...]  #: per workload, node-seconds per unit of work in a JOB_NODES-node job [s]
    busy_power_w: float  #: node-hour-weighted mean node power while running the portfolio [W]
    idle_power_w: float
    max_power_w: float
    memory_bytes: float
    capital_per_node_jpy: float
    embodied_per_node_g: float
    productivity: float
    commercial_reach: float
    checkpoint: "JobCheckpoint | None" = None  #: a JOB_NODES-node job's checkpoint; None without [storage]
    storage_power_w: float = 0.0      #: the node's share of the storage's power [W]
    storage_capital_jpy: float = 0.0  #: the node's share of the shared storage tiers' price [JPY]
    fp64_peak_flop_per_s: float = math.nan  #: the node's peaks (fs.requirements.node_peak_flop_per_s) [FLOP/s]
    bf16_peak_flop_per_s: float = math.nan
    fp8_peak_flop_per_s: float = math.nan
    memory_bandwidth_bytes_per_s: float = math.nan  #: of every processor's outermost memory [B/s]
    #: what a ``cost:``/``node:``/``storage:``/``reliability:`` selector is matched against: the
    #: label, the machine's name and its processors' names and types (:func:`fs.scoring.factor`)
    selector_names: tuple[str, ...] = ()
    #: per workload, the case's model-error factor on its rate (fs.model_error); empty: none
    model_rate_factors: tuple[float, ...] = ()
    spec: object = field(default=None, compare=False, repr=False)  #: the machine profiled (fs.capability runs it)


@dataclass(frozen=True)
class JobCheckpoint:
    """A job's checkpoint of all its nodes' memory on a machine's own storage (from
    :func:`archmodels.io_model.job_io`), split as :class:`fs.scoring.CheckpointInputs` wants it."""

    job_nodes: int
    write_transfer_s: float
    write_metadata_s: float
    read_transfer_s: float
    read_metadata_s: float
    storage_failures_per_s: float
    fits: bool
    tier: str | None


def job_checkpoint(machine, job_nodes: int, storage_nodes: int | None = None,
                   node_memory_bytes: float | None = None) -> JobCheckpoint | None:
    """The checkpoint of a ``job_nodes``-node job on ``machine``'s ``[storage]`` (None without one).

    The storage is the spec's, for the node count it was specified for (``storage_nodes``, default
    the machine's): shared tiers are split among ``storage_nodes / job_nodes`` such jobs writing at
    once. A candidate sized to another node count is taken to keep each node's share of its shared
    tiers (assumption), so the job's checkpoint does not depend on the sized count.
    """
    from archmodels.io_model import job_io

    if machine.storage is None:
        return None
    nodes = max(int(storage_nodes or machine.nodes), int(job_nodes))
    io = job_io(machine.with_nodes(nodes), int(job_nodes), node_memory_bytes=node_memory_bytes)
    rows = {t.tier: t for t in io.tiers}
    if not io.feasible and io.checkpoint_tier is None:
        return JobCheckpoint(int(job_nodes), math.inf, 0.0, math.inf, 0.0, 0.0, False, None)
    write = rows[io.checkpoint_tier]
    read = rows[io.drain_tier] if io.drain_tier is not None else write
    return JobCheckpoint(int(job_nodes), write.write_s - write.metadata_s, write.metadata_s,
                         read.read_s - read.metadata_s, read.metadata_s, io.storage_failures_per_s, True,
                         io.checkpoint_tier)


def storage_share_per_node(machine, storage_nodes: int | None = None) -> tuple[float, float]:
    """Each node's share of the machine's storage: (power [W], capital of the shared tiers [JPY]).

    Power is every tier's (``archmodels.io_model.storage_power_w``: node-local and per-group units
    and the shared tiers) over the node count the storage was specified for; capital is the shared
    tiers' price (``archmodels.cost.system_storage_cost_jpy``) over that count, the node-local and
    per-group tiers being in the node's own price already (``archmodels.cost.node_cost``). A
    candidate sized to another node count keeps these shares (the assumption of :func:`job_checkpoint`).
    """
    from archmodels.cost import system_storage_cost_jpy
    from archmodels.io_model import storage_power_w

    n = int(storage_nodes or machine.nodes)
    return storage_power_w(machine, n) / n, system_storage_cost_jpy(machine) / n


#: Scorecard columns per workload: its throughput ratio over the reference (the term of the
#: portfolio's geometric mean, :func:`fs.metrics.portfolio_speedup`) and what bounds its job.
WORKLOAD_SPEEDUP_PREFIX = "speedup:"
BOUND_PREFIX = "bound:"

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


def node_profile(study: Study, label: str, machine, storage_nodes: int | None = None) -> NodeProfile:
    """Predict what one node of ``machine`` does on each workload of the study's portfolio.

    Throughput, not time, is compared across machines: a node with more memory runs a larger
    problem, so the per-node rate (units of work per second, ``units_per_s / nodes``) of a
    ``JOB_NODES``-node job is what the speedup uses. Capital and embodied carbon per node are
    archmodels.cost and archmodels.carbon on ``machine`` at its ``nodes`` (see
    :func:`system_nodes_estimate`). Power and capital include the node's share of the storage
    (:func:`storage_share_per_node`), so sizing to a budget sizes the storage with the nodes. The checkpoint is the same job's (:func:`job_checkpoint`, on
    the storage as specified for ``storage_nodes`` nodes, default the machine's).
    """
    import archmodels
    from archmodels.carbon import node_embodied_carbon_g
    from archmodels.cost import node_capital_cost_jpy
    from archmodels.power import node_power_range_w
    from archmodels.transforms import system_names

    times, powers, bounds = [], [], []
    job_nodes = JOB_NODES if machine.network is not None else 1
    workloads = study_workloads(study)
    for w in workloads:
        p = archmodels.predict(machine, w, nodes=job_nodes)
        times.append(job_nodes / float(p.units_per_s))
        powers.append(float(p.power_w) / job_nodes)
        bounds.append(str(p.bound))
    idle_w, max_w = node_power_range_w(machine)
    busy = float(np.dot(study.workload_weights, powers))
    store_w, store_jpy = storage_share_per_node(machine, storage_nodes)
    peaks = {f"{p}_peak_flop_per_s": node_peak_flop_per_s(machine, p) for p in PEAK_PRECISIONS}
    return NodeProfile(
        label=label,
        machine=machine.name,
        machine_nodes=int(machine.nodes),
        hypothetical=bool(machine.hypothetical),
        year=getattr(machine, "year", None),
        bounds=tuple(bounds),
        time_per_unit_s=tuple(times),
        busy_power_w=min(busy, float(max_w)),
        idle_power_w=float(idle_w),
        max_power_w=float(max_w),
        memory_bytes=float(machine.node.memory_bytes),
        memory_bandwidth_bytes_per_s=float(machine.node.memory_bandwidth_bytes_per_s),
        **peaks,
        capital_per_node_jpy=float(node_capital_cost_jpy(machine)),
        storage_power_w=store_w,
        storage_capital_jpy=store_jpy,
        embodied_per_node_g=float(node_embodied_carbon_g(machine)),
        productivity=stated_score(machine, "productivity", study.productivity, workloads, study.workload_weights),
        commercial_reach=stated_score(machine, "commercial_reach", study.commercial_reach, workloads,
                                      study.workload_weights),
        checkpoint=job_checkpoint(machine, job_nodes, storage_nodes),
        selector_names=(label, *system_names(machine)),
        spec=machine,
    )


def node_profiles(study: Study, multipliers: Mapping[str, float] | None = None) -> tuple[NodeProfile, list[NodeProfile], set[str]]:
    """Profiles of the reference and of every candidate under ``multipliers``; also the targets hit."""
    machine_mult = {t: f for t, f in (multipliers or {}).items() if t.split(":")[0] in MACHINE_KINDS}
    hit: set[str] = set()
    out = []
    for c in (study.reference, *study.candidates):
        m, h = scale_parts(c.machine, machine_mult)
        if c is not study.reference:
            m = m.with_nodes(system_nodes_estimate(study, c.machine, c.nodes))
        hit |= h
        key = (id(study), c.label, tuple(sorted((t, machine_mult[t]) for t in h)))
        cached = _PROFILE_CACHE.get(key)
        if cached is None or cached[0] is not study:
            if len(_PROFILE_CACHE) > 4096:
                _PROFILE_CACHE.clear()
            cached = _PROFILE_CACHE[key] = (study, node_profile(study, c.label, m, storage_nodes=c.machine.nodes))
        out.append(with_model_error(with_ecosystem_multipliers(study, cached[1], multipliers or {}), multipliers or {}))
    return out[0], out[1:], hit


def with_model_error(profile: NodeProfile, multipliers: Mapping[str, float]) -> NodeProfile:
    """``profile`` under the case's ``model:`` multipliers (:mod:`fs.model_error`): each workload's
    node-seconds per unit divided by the rate factor of its bound's class, the busy power multiplied
    by the power factor and kept under the node's maximum (unchanged without any)."""
    from fs.model_error import rate_and_power_factors, selector_names

    if not any(t.startswith("model:") for t in multipliers):
        return profile
    rates, power = rate_and_power_factors(multipliers, selector_names(profile.label, profile.spec), profile.bounds)
    return dataclasses.replace(profile, time_per_unit_s=tuple(t / f for t, f in zip(profile.time_per_unit_s, rates)),
                               busy_power_w=min(profile.busy_power_w * power, profile.max_power_w),
                               model_rate_factors=rates)


def with_ecosystem_multipliers(study: Study, profile: NodeProfile, multipliers: Mapping[str, float]) -> NodeProfile:
    """``profile`` with its stated scores under the case's ``ecosystem:`` multipliers (unchanged without any)."""
    if not any(t.startswith("ecosystem:") for t in multipliers):
        return profile
    workloads = study_workloads(study)
    return dataclasses.replace(profile, **{
        axis: stated_score(profile.spec, axis, getattr(study, axis), workloads, study.workload_weights, multipliers)
        for axis in ECOSYSTEM_AXES})


#: Profiles of machines a case left unchanged are reused: (id(study), label, hits) -> (study, profile).
_PROFILE_CACHE: dict[tuple, tuple[Study, NodeProfile]] = {}


def study_workloads(study: Study) -> tuple:
    """The study's portfolio as :class:`archmodels.workload.Workload` objects, loaded once per study
    (resolving a workload's name costs a directory listing, and every case asks)."""
    import archmodels

    hit = _WORKLOADS.get(id(study))
    if hit is None or hit[0] is not study:
        if len(_WORKLOADS) > 64:
            _WORKLOADS.clear()
        hit = _WORKLOADS[id(study)] = (study, tuple(archmodels.load_workload(w) for w in study.workloads))
    return hit[1]


#: id(study) -> (study, its workloads).
_WORKLOADS: dict[int, tuple[Study, tuple]] = {}


def score_case(study: Study, reference: NodeProfile, profiles: list[NodeProfile],
               multipliers: Mapping[str, float] | None = None,
               operations: Mapping[str, Mapping[str, float]] | None = None) -> pd.DataFrame:
    """Size, measure and score the candidates of one case: one row per candidate.

    The arithmetic is :func:`fs.scoring.score_systems`, the function the design sweep uses too.

    Parameters
    ----------
    study : Study
    reference, profiles : NodeProfile
        From :func:`node_profiles`.
    multipliers : mapping
        Target -> factor; the ``grid:``, ``cost:``, ``node:``, ``storage:`` and ``reliability:``
        kinds apply here (the machine kinds were applied to the profiles).
    operations : mapping
        Candidate label -> {"utilisation": u, "wait_s": w, "carbon_intensity_g_per_kwh": c,
        "price_jpy_per_kwh": p, "measures_cost_jpy": m} from a scheduling simulation
        (:func:`fs.operations.simulate_operations`; m, the operating measures' capital and discounted
        O&M, is added to the lifetime cost as its own column ``measures_cost_jpy``);
        the study's stated utilisation and its grid's means otherwise.

    Returns
    -------
    DataFrame
        Inputs, sizing, every axis's raw value (``<axis>``), its normalised score (``score_<axis>``),
        the weighted ``score``, ``feasible``, ``violations``, the capability columns of
        :func:`fs.capability.capability_columns` (the stated problems on the sized system), each requirement's ``requirement:<i>:value``,
        ``:factor`` and ``:met`` with ``meets_requirements`` (:mod:`fs.requirements`), and ``rank``
        (1 = best; NaN if infeasible).
    """
    from fs.capability import capability_columns
    from fs.scoring import CheckpointInputs, SystemInputs, score_systems, violation_text

    ops = operations or {}
    nan = float("nan")
    given = []
    for p, cand in zip(profiles, study.candidates):
        if cand.nodes is not None:
            given.append(float(cand.nodes))
        elif study.scale_mode == "as-specified":
            given.append(float(p.machine_nodes))
        else:
            given.append(nan)

    def col(name):
        return np.array([getattr(p, name) for p in profiles], dtype=float)

    systems = SystemInputs(
        time_per_unit_s=np.array([p.time_per_unit_s for p in profiles], dtype=float).reshape(len(profiles), -1),
        busy_power_w=col("busy_power_w"), idle_power_w=col("idle_power_w"), max_power_w=col("max_power_w"),
        memory_bytes=col("memory_bytes"), capital_per_node_jpy=col("capital_per_node_jpy"),
        embodied_per_node_g=col("embodied_per_node_g"), nodes=np.array(given),
        utilisation=np.array([ops.get(p.label, {}).get("utilisation", study.utilisation) for p in profiles], dtype=float),
        carbon_intensity_g_per_kwh=np.array([ops.get(p.label, {}).get("carbon_intensity_g_per_kwh", nan)
                                             for p in profiles], dtype=float),
        price_jpy_per_kwh=np.array([ops.get(p.label, {}).get("price_jpy_per_kwh", nan) for p in profiles], dtype=float),
        checkpoint=CheckpointInputs.stack([p.checkpoint for p in profiles]),
        storage_power_w=col("storage_power_w"), storage_capital_jpy=col("storage_capital_jpy"),
        selector_names=tuple(p.selector_names for p in profiles),
        measures_cost_jpy=np.array([ops.get(p.label, {}).get("measures_cost_jpy", 0.0) for p in profiles], dtype=float))
    out = score_systems(study, reference, systems, multipliers,
                        reference_utilisation=ops.get(reference.label, {}).get("utilisation", study.utilisation))
    first_year, lifetime_mean = grid_lifetime(study)
    first_over_mean = first_year / lifetime_mean
    rows = []
    for k, (p, cand) in enumerate(zip(profiles, study.candidates)):
        v = {name: (value[k] if np.ndim(value) else value) for name, value in out.items()}
        v.update(capability_columns(study, p.spec, int(v["nodes"]), reference.spec, reference.machine_nodes,
                                    p.model_rate_factors, reference.model_rate_factors))
        sized_by = str(v["sized_by"])
        if cand.nodes is None and study.scale_mode == "as-specified":
            sized_by = "as-specified"
        rows.append({
            "candidate": p.label,
            "machine": p.machine,
            "hypothetical": p.hypothetical,
            "year": float("nan") if p.year is None else float(p.year),
            "projection": cand.projection_label,  # "projected 2023→2030, iso-power", or "" (fs.projected_candidates)
            "nodes": int(v["nodes"]),
            "sized_by": sized_by,
            **{name: float(v[name]) for name in ("power_w", "average_power_w", "energy_j", "capital_cost_jpy",
                                                  "measures_cost_jpy", "total_cost_jpy", "embodied_carbon_g", "carbon_g", "checkpoint_s",
                                                  "system_mtbf_s", "checkpoint_mtbf_s", "checkpoint_waste",
                                                  "utilisation", "grid_carbon_intensity_g_per_kwh",
                                                  "grid_price_jpy_per_kwh")},
            "grid_source": ("operations engine" if "carbon_intensity_g_per_kwh" in ops.get(p.label, {})
                            else f"{study.grid.name} mean"),
            "grid_trajectory": study.grid_trajectory,
            "grid_first_year_carbon_intensity_g_per_kwh": float(ops.get(p.label, {}).get(
                "first_year_carbon_intensity_g_per_kwh",
                v["grid_carbon_intensity_g_per_kwh"] * first_over_mean)),
            "checkpoint_tier": (p.checkpoint.tier if p.checkpoint is not None else f"study: {study.storage.tier}"),
            "checkpoint_job_nodes": (p.checkpoint.job_nodes if p.checkpoint is not None else int(v["nodes"])),
            "wait_s": float(ops.get(p.label, {}).get("wait_s", nan)),
            "operability": float(v["operability"]),
            "performance": float(v["performance"]),
            **{f"{WORKLOAD_SPEEDUP_PREFIX}{w}": float(x) for w, x in zip(study.workloads, v["workload_speedup"])},
            **{f"{BOUND_PREFIX}{w}": b for w, b in zip(study.workloads, p.bounds)},
            "performance_per_watt": float(v["performance_per_watt"]),
            "io": float(v["io"]),
            "work_node_hours": float(v["work_node_hours"]),
            "cost": float(v["cost"]),
            "productivity": p.productivity,
            "commercial_reach": p.commercial_reach,
            "carbon": float(v["carbon"]),
            "feasible": bool(v["feasible"]),
            "violations": violation_text(study, {**v, "memory_bytes": p.memory_bytes}),
            **{name: value for name, value in v.items() if name.startswith("capability_")},
            **requirement_columns(study, p, v, v["workload_speedup"]),
        })
    df = pd.DataFrame(rows)
    return add_scores(df, study.axis_weights)


def add_scores(df: pd.DataFrame, axis_weights: Mapping[str, float]) -> pd.DataFrame:
    """Normalise each axis over the feasible candidates, weight, and rank the feasible ones.

    ``score = sum_a w_a * score_a`` with :func:`fs.metrics.normalise` per axis; infeasible
    candidates keep their score for reference but get no rank (NaN): they are never ranked
    silently among the feasible. The feasible candidates that meet every requirement
    (``meets_requirements``, all of them when the column is absent) rank above those that do
    not, each group by score: no score makes up for a missed requirement.
    """
    df = df.copy()
    feasible = df["feasible"].to_numpy(bool)
    meets = df["meets_requirements"].to_numpy(bool) if "meets_requirements" in df else np.ones(len(df), bool)
    total = np.zeros(len(df))
    for axis in AXES:
        s = M.normalise(df[axis].to_numpy(float), M.DIRECTION[axis], feasible if feasible.any() else None)
        df[f"score_{axis}"] = s
        total += axis_weights[axis] * s
    df["score"] = total
    ranks = np.full(len(df), np.nan)
    ranked = 0
    for group in (feasible & meets, feasible & ~meets):
        ranks[group] = ranked + pd.Series(-total[group]).rank(method="min").to_numpy()
        ranked += int(group.sum())
    df["rank"] = ranks
    return df


def rebuilt_at_budget(study: Study, machine, capital_budget_jpy: float) -> dict:
    """``machine`` rebuilt by the study's sizing at a capital budget, against itself as built.

    The study's settings with ``machine`` as both reference (its own node count) and the one
    candidate, sized to ``capital_budget_jpy`` alone (no power budget). Given the machine's
    published contract value, the ratio of the rebuilt performance to the machine's is the cost
    model's error seen through the study: 1 when capital per node (storage share included) times
    the real node count is the contract.

    Returns
    -------
    dict
        ``nodes`` (rebuilt), ``reference_nodes``, ``performance`` (rebuilt / as built [-]),
        ``capital_cost_jpy`` (rebuilt) and ``sized_by``.
    """

    from fs.study import Candidate

    ref = Candidate(machine.name, machine, None, machine.name)
    rebuilt = Candidate(f"{machine.name}-rebuilt", machine, None, machine.name)
    s = dataclasses.replace(study, reference=ref, candidates=(rebuilt,), power_budget_w=None,
                            capital_budget_jpy=float(capital_budget_jpy), scale_mode="fit-budget")
    reference, profiles, _ = node_profiles(s)
    row = score_case(s, reference, profiles).iloc[0]
    return {"nodes": int(row["nodes"]), "reference_nodes": int(machine.nodes), "performance": float(row["performance"]),
            "capital_cost_jpy": float(row["capital_cost_jpy"]), "sized_by": str(row["sized_by"])}
