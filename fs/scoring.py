"""The one scoring function: size systems to the budgets and compute every study axis, vectorised.

The scorecard (:func:`fs.evaluate.score_case`, one row per candidate) and the design sweep
(:meth:`fs.sweep.DesignEvaluator.evaluate`, one row per design point) both call
:func:`score_systems`, so that they agree on sizing, feasibility, budgets and every axis.

Per system of ``N`` nodes (equations in :mod:`fs.metrics`):

* sizing: ``N = ⌊min(P_budget / (P_max · PUE), C_budget / C_node)⌋`` unless given;
* performance: portfolio speedup over the reference (weighted geometric mean of per-node
  throughput ratios, times ``N / N_ref``); performance per watt against the reference;
* power ``N · (P_max + P_store) · PUE``; mean power ``N · (u·P_busy + (1 − u)·P_idle + P_store) · PUE``
  with ``P_store`` each node's share of the storage's power; lifetime energy;
* capital ``N · (C_node + C_store)``, ``C_store`` each node's share of the shared storage tiers; total cost = capital + energy at the grid price; carbon = embodied +
  energy at the grid's intensity;
* per unit of work: the work delivered over the lifetime in reference node-hours,
  ``W = S · N_ref · Y · 8766 h · u · (1 − waste)`` (:func:`fs.metrics.delivered_work_node_hours`);
  the **cost** axis is total cost / ``W`` [JPY per reference node-hour] and the **carbon** axis
  carbon / ``W`` [g CO2e per reference node-hour];
* I/O: the checkpoint of a job of the performance axis's size (``JOB_NODES`` nodes, all their
  memory) on the machine's own storage tiers (:func:`archmodels.io_model.job_io`: the fastest tier
  that holds it, shared tiers at the fair share of a machine full of such jobs, metadata time), its
  restart, the job's MTBF ``1 / (n / M_node + λ_storage)`` with the drives it writes to, Young/Daly
  waste with the restart, operability ``u · (1 − waste)``. A machine without a ``[storage]``
  section falls back to the study's ``[storage]`` tier for the whole system (time of the node's
  memory to node-local flash or of all memory to the parallel file system, system MTBF);
* feasibility: every workload runs, ``N ≥ 1``, power and capital within budget, and a checkpoint
  fits a tier (the job's on the machine's tiers; else the study tier's capacity).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass

import numpy as np

from fs import metrics as M
from fs.operations import grid_lifetime
from fs.study import SECONDS_PER_YEAR, Study

#: Reasons a system is infeasible, as bits of the ``violation_bits`` column.
VIOLATIONS = ("does not run every workload", "not one node fits the budgets", "power over budget",
              "capital over budget", "no room for a checkpoint")


@dataclass(frozen=True)
class SystemInputs:
    """Per-node figures of ``n`` systems (arrays of length n; ``time_per_unit_s`` is (n, workloads))."""

    time_per_unit_s: np.ndarray   #: node-seconds per unit of work in a JOB_NODES-node job [s]
    busy_power_w: np.ndarray      #: node power while running the portfolio [W]
    idle_power_w: np.ndarray      #: [W]
    max_power_w: np.ndarray       #: [W]
    memory_bytes: np.ndarray      #: node memory (outermost levels) [B]
    capital_per_node_jpy: np.ndarray
    embodied_per_node_g: np.ndarray
    nodes: np.ndarray             #: given node count, NaN to size to the budgets
    runs: np.ndarray | bool = True  #: every workload of the portfolio runs on the node
    utilisation: np.ndarray | float | None = None  #: from a scheduling simulation; the study's otherwise
    checkpoint: "CheckpointInputs | None" = None  #: the job-scale checkpoint; None: the study's tier
    storage_power_w: np.ndarray | float = 0.0      #: each node's share of the storage's power [W]
    storage_capital_jpy: np.ndarray | float = 0.0  #: each node's share of the shared storage tiers' price [JPY]
    #: the grid as the system's own operation sees it (from the operations engine: carbon of the run
    #: over its energy, and its tariff cost per kWh); NaN or None: the study grid's means
    carbon_intensity_g_per_kwh: np.ndarray | float | None = None
    price_jpy_per_kwh: np.ndarray | float | None = None
    #: per system, the names a multiplier's selector is matched against (:func:`factor`); None: only
    #: ``*`` selectors may be given (a design sweep, which applies no multipliers)
    selector_names: tuple[tuple[str, ...], ...] | None = None
    #: lifetime cost of the site's operating measures (battery, on-site plant: capital + discounted
    #: fixed O&M, fs.measures_capital) [JPY], added to the lifetime cost; 0 without measures
    measures_cost_jpy: np.ndarray | float = 0.0


@dataclass(frozen=True)
class CheckpointInputs:
    """A job's checkpoint on each system's own storage (arrays of length n; NaN where a system has
    no ``[storage]`` section, which then takes the study's tier). Times split into transfer and
    metadata parts so that a ``storage:*:bandwidth`` multiplier scales only the transfer."""

    job_nodes: np.ndarray           #: nodes of the job [-]
    write_transfer_s: np.ndarray    #: checkpoint bytes / write bandwidth of the tier it goes to [s]
    write_metadata_s: np.ndarray    #: metadata time of the write [s]
    read_transfer_s: np.ndarray     #: restart: bytes / read bandwidth of the tier it reads from [s]
    read_metadata_s: np.ndarray     #: [s]
    storage_failures_per_s: np.ndarray  #: failure rate of the drives the checkpoint lands on [1/s]
    fits: np.ndarray                #: some tier holds the checkpoint [bool]

    @classmethod
    def stack(cls, items) -> "CheckpointInputs":
        """One array per field from per-system records with the same fields (None: no storage)."""
        def value(it, f):  # a system without storage: NaN figures (the study's tier), nothing refused
            if it is None:
                return True if f == "fits" else float("nan")
            return getattr(it, f)

        return cls(**{f: np.array([value(it, f) for it in items], dtype=bool if f == "fits" else float)
                      for f in cls.__dataclass_fields__})

    def take(self, index) -> "CheckpointInputs":
        """The records at ``index`` (a design sweep's memory option per point)."""
        return CheckpointInputs(**{f: getattr(self, f)[index] for f in self.__dataclass_fields__})


def factor(multipliers: Mapping[str, float] | None, kind: str, parameter: str,
           names: Sequence[Sequence[str]] | None = None):
    """Product of the multipliers of ``kind:<selector>:parameter`` that pick each system [-].

    Parameters
    ----------
    multipliers : mapping
        Target -> multiplier.
    kind, parameter : str
    names : sequence of sequences of str, optional
        Per system, what a selector is matched against
        (:func:`archmodels.transforms.selector_matches`: ``*``, a whole name, or initials).

    Returns
    -------
    numpy.ndarray or float
        One factor per system; with ``names`` None a float, and only ``*`` selectors allowed.
    """
    from archmodels.transforms import selector_matches

    f = 1.0 if names is None else np.ones(len(names))
    for target, value in (multipliers or {}).items():
        k, selector, p = target.split(":")
        if k != kind or p != parameter:
            continue
        if names is None:
            if selector != "*":
                raise ValueError(f"{target}: a selector other than '*' needs the systems' names")
            f *= value
        else:
            f = f * np.array([value if selector_matches(selector, *n) else 1.0 for n in names])
    return f


def _own_or_study(value, study_value):
    """Per-system grid figures where given (not NaN), else the study grid's [same unit]."""
    if value is None:
        return study_value
    v = np.asarray(value, dtype=float)
    return np.where(np.isnan(v), study_value, v)


def _system(study: Study, nodes, busy, idle, pmax, memory, capital_node, embodied_node, util, mult,
            checkpoint: CheckpointInputs | None = None, storage_w=0.0, storage_jpy=0.0, intensity_g_per_kwh=None,
            price_jpy_per_kwh=None, names=None):
    f_cap = factor(mult, "cost", "capital", names)
    f_emb = factor(mult, "cost", "embodied_carbon", names)
    f_store = factor(mult, "storage", "bandwidth", names)
    f_mtbf = factor(mult, "reliability", "node_mtbf", names)
    avg_w = M.facility_power_w(nodes, M.average_node_power_w(busy, idle, util) + storage_w, study.pue)
    energy = M.lifetime_energy_j(avg_w, study.lifetime_years)
    capital = nodes * (capital_node + storage_jpy) * f_cap
    embodied = nodes * embodied_node * f_emb
    study_ckpt = M.checkpoint_time_s(memory, nodes, study.storage.tier,
                                     study.storage.node_flash_bandwidth_bytes_per_s * f_store,
                                     study.storage.pfs_bandwidth_bytes_per_s * f_store)
    if study.node_mtbf_s is not None:
        node_mtbf = np.broadcast_to(study.node_mtbf_s * f_mtbf, np.shape(pmax)).astype(float)
    else:
        node_mtbf = M.system_mtbf_s(1.0, pmax, study.node_mtbf_years_at_reference * SECONDS_PER_YEAR * f_mtbf,
                                    study.mtbf_reference_power_w)
    system_mtbf = node_mtbf / nodes
    study_waste = M.checkpoint_waste(study_ckpt, system_mtbf)
    if checkpoint is None:
        ckpt, mtbf, waste, own = study_ckpt, system_mtbf, study_waste, False
    else:
        c = checkpoint
        own = ~np.isnan(c.job_nodes)
        job_ckpt = c.write_transfer_s / f_store + c.write_metadata_s
        restart = c.read_transfer_s / f_store + c.read_metadata_s
        job_mtbf = 1.0 / (c.job_nodes / node_mtbf + c.storage_failures_per_s)
        ckpt = np.where(own, job_ckpt, study_ckpt)
        mtbf = np.where(own, job_mtbf, system_mtbf)
        held = own & c.fits  # a checkpoint no tier holds loses everything (waste 1, as job_io says)
        job_waste = M.checkpoint_waste(np.where(held, job_ckpt, 1.0), np.where(held, job_mtbf, 1.0),
                                       np.where(held, restart, 1.0))
        waste = np.where(own, np.where(held, job_waste, 1.0), study_waste)
    grid = [(study.grid.name,)]  # a grid selector picks the study's grid by name, or is '*'
    price = _own_or_study(price_jpy_per_kwh, study.grid.price_jpy_per_kwh) * factor(mult, "grid", "price", grid)[0]
    intensity = (_own_or_study(intensity_g_per_kwh, grid_lifetime(study)[1])  # the grid's lifetime mean
                 * factor(mult, "grid", "carbon_intensity", grid)[0])
    return {
        "power_w": M.facility_power_w(nodes, pmax + storage_w, study.pue),
        "average_power_w": avg_w,
        "energy_j": energy,
        "capital_cost_jpy": capital,
        "total_cost_jpy": M.total_cost_jpy(capital, energy, price, study.lifetime_years),
        "embodied_carbon_g": embodied,
        "carbon_g": M.total_carbon_g(embodied, energy, intensity),
        "grid_carbon_intensity_g_per_kwh": np.broadcast_to(intensity, np.shape(nodes)),
        "grid_price_jpy_per_kwh": np.broadcast_to(price, np.shape(nodes)),
        "checkpoint_s": ckpt,
        "system_mtbf_s": system_mtbf,
        "checkpoint_mtbf_s": mtbf,
        "own_storage": np.broadcast_to(own, np.shape(ckpt)),
        "checkpoint_waste": waste,
        "utilisation": np.broadcast_to(np.asarray(util, dtype=float), np.shape(nodes)),
        "operability": M.operability(util, waste),
    }


def size_nodes(study: Study, max_power_w, capital_per_node_jpy, multipliers=None, storage_power_w=0.0,
               storage_capital_jpy=0.0, names=None):
    """Nodes that fit the power and capital budgets, and which budget binds (``power``/``capital``);
    each node brings its share of the storage (power [W], capital [JPY]); ``names`` per system are
    what the multipliers' selectors pick (:func:`factor`)."""
    nan = float("nan")
    power_budget = study.power_budget_w if study.power_budget_w is not None else nan
    capital_budget = study.capital_budget_jpy if study.capital_budget_jpy is not None else nan
    pmax = np.asarray(max_power_w, dtype=float) * factor(multipliers, "node", "power", names) + storage_power_w
    cnode = ((np.asarray(capital_per_node_jpy, dtype=float) + storage_capital_jpy)
             * factor(multipliers, "cost", "capital", names))
    nodes = M.fit_nodes(power_budget, pmax, study.pue, capital_budget, cnode)
    by_power = power_budget / (pmax * study.pue) if study.power_budget_w is not None else np.inf
    by_cost = capital_budget / cnode if study.capital_budget_jpy is not None else np.inf
    return nodes, np.where(by_cost <= by_power, "capital", "power")  # the one budget there is binds


def score_systems(study: Study, reference, systems: SystemInputs, multipliers: Mapping[str, float] | None = None,
                  reference_utilisation: float | None = None):
    """Size each system and compute every axis of the study (module docstring).

    Parameters
    ----------
    study : Study
    reference : fs.evaluate.NodeProfile
        The reference machine's node profile (its own node count).
    systems : SystemInputs
    multipliers : mapping, optional
        ``grid:``, ``cost:``, ``node:``, ``storage:`` and ``reliability:`` multipliers (the machine
        kinds were applied to the machines already), each applied to the systems (and the
        reference) its selector picks by ``selector_names`` (:func:`factor`).
    reference_utilisation : float, optional
        The reference's utilisation from a scheduling simulation (default: the study's).

    Returns
    -------
    dict of numpy arrays
        ``nodes`` (at least 1), ``sized_by``, every axis and its raw inputs, ``workload_speedup``
        (n, workloads: each workload's throughput ratio, the terms of ``performance``), ``feasible``
        and ``violation_bits`` (bit k set: ``VIOLATIONS[k]``).
    """
    names, ref_names = systems.selector_names, [reference.selector_names]
    f_power = factor(multipliers, "node", "power", names)
    f_power_ref = factor(multipliers, "node", "power", ref_names)[0]
    given = np.asarray(systems.nodes, dtype=float)
    sized, binding = size_nodes(study, systems.max_power_w, systems.capital_per_node_jpy, multipliers,
                                systems.storage_power_w, systems.storage_capital_jpy, names)
    nodes_raw = np.where(np.isnan(given), sized, given)
    nodes = np.maximum(nodes_raw, 1.0)
    util = study.utilisation if systems.utilisation is None else systems.utilisation
    busy = np.asarray(systems.busy_power_w, dtype=float) * f_power
    idle = np.asarray(systems.idle_power_w, dtype=float) * f_power
    pmax = np.asarray(systems.max_power_w, dtype=float) * f_power
    out = _system(study, nodes, busy, idle, pmax, systems.memory_bytes, systems.capital_per_node_jpy,
                  systems.embodied_per_node_g, util, multipliers, systems.checkpoint, systems.storage_power_w,
                  systems.storage_capital_jpy, systems.carbon_intensity_g_per_kwh, systems.price_jpy_per_kwh, names)
    out["measures_cost_jpy"] = np.broadcast_to(np.asarray(systems.measures_cost_jpy, dtype=float), np.shape(nodes))
    out["total_cost_jpy"] = out["total_cost_jpy"] + out["measures_cost_jpy"]
    ref_nodes = float(reference.machine_nodes)
    ref = _system(study, np.array([ref_nodes]), reference.busy_power_w * f_power_ref, reference.idle_power_w * f_power_ref,
                  reference.max_power_w * f_power_ref, reference.memory_bytes, reference.capital_per_node_jpy,
                  reference.embodied_per_node_g,
                  study.utilisation if reference_utilisation is None else reference_utilisation, multipliers,
                  CheckpointInputs.stack([reference.checkpoint]), reference.storage_power_w,
                  reference.storage_capital_jpy, names=ref_names)
    ref_average_w = float(ref["average_power_w"][0])  # the reference scored as a one-system batch
    speed, workload_speed = M.portfolio_speedup(systems.time_per_unit_s, reference.time_per_unit_s, nodes, ref_nodes,
                                                study.workload_weights, per_workload=True)
    runs = np.broadcast_to(np.asarray(systems.runs, dtype=bool), nodes.shape)
    nan = float("nan")
    power_budget = study.power_budget_w if study.power_budget_w is not None else nan
    capital_budget = study.capital_budget_jpy if study.capital_budget_jpy is not None else nan
    store = study.storage
    memory = np.asarray(systems.memory_bytes, dtype=float)
    if store.tier == "node-local-flash":
        no_room = memory > store.node_flash_capacity_bytes
    elif store.tier == "parallel-fs":
        no_room = memory * nodes > store.pfs_capacity_bytes
    else:
        no_room = np.zeros(nodes.shape, dtype=bool)
    if systems.checkpoint is not None:
        no_room = np.where(out["own_storage"], ~systems.checkpoint.fits, no_room)
    bad = [~runs, ~(nodes_raw >= 1), out["power_w"] > power_budget * (1 + 1e-9),
           out["capital_cost_jpy"] > capital_budget * (1 + 1e-9), np.broadcast_to(no_room, nodes.shape)]
    bits = np.zeros(nodes.shape, dtype=np.int64)
    for k, b in enumerate(bad):
        bits |= np.asarray(b, dtype=np.int64) << k
    work = M.delivered_work_node_hours(speed, ref_nodes, out["operability"], study.lifetime_years)
    with np.errstate(divide="ignore", invalid="ignore"):  # no useful work (waste 1): infinite per unit
        cost_per_work, carbon_per_work = out["total_cost_jpy"] / work, out["carbon_g"] / work
    out.update({
        "nodes": nodes,
        "sized_by": np.where(np.isnan(given), binding, "given"),
        "performance": np.where(runs, speed, nan),
        "workload_speedup": np.where(runs[..., None], workload_speed, nan),
        "performance_per_watt": np.where(runs, M.performance_per_watt(speed, out["average_power_w"],
                                                                      ref_average_w), nan),
        "io": out["checkpoint_s"],
        "work_node_hours": np.where(runs, work, nan),
        "cost": np.where(runs, cost_per_work, nan),
        "carbon": np.where(runs, carbon_per_work, nan),
        "feasible": bits == 0,
        "violation_bits": bits,
        "reference_average_power_w": ref_average_w,
        "checkpoint_job_nodes": (np.full(nodes.shape, np.nan) if systems.checkpoint is None
                                 else np.broadcast_to(systems.checkpoint.job_nodes, nodes.shape)),
    })
    return out


def violation_text(study: Study, row: Mapping) -> str:
    """The reasons a scored system is infeasible, in words (one system's ``score_systems`` values)."""
    bits = int(row["violation_bits"])
    out = []
    if bits & 1:
        out.append(VIOLATIONS[0])
    if bits & 2:
        out.append(VIOLATIONS[1])
    if bits & 4:
        out.append(f"power {row['power_w'] / 1e6:.1f} MW > budget {study.power_budget_w / 1e6:.1f} MW")
    if bits & 8:
        out.append(f"capital {row['capital_cost_jpy'] / 1e9:.1f}e9 JPY > budget {study.capital_budget_jpy / 1e9:.1f}e9 JPY")
    if bits & 16:
        store = study.storage
        if row.get("own_storage", False):
            out.append(f"no storage tier of the machine holds a {int(row['checkpoint_job_nodes'])}-node job's "
                       "checkpoint of all its memory")
        elif store.tier == "node-local-flash":
            out.append(f"a node's memory ({row['memory_bytes'] / 1e12:.2f} TB) exceeds its flash "
                       f"({store.node_flash_capacity_bytes / 1e12:.2f} TB): no room for a checkpoint")
        else:
            out.append("the system's memory exceeds the parallel file system: no room for a checkpoint")
    return "; ".join(out)
