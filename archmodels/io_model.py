"""Checkpoint I/O at a job's scale: tier times, burst-buffer drain, metadata, failure rate and waste.

A job of ``n`` nodes, each with memory ``m``, checkpoints ``S = f · n · m`` bytes. What it can reach
of each storage tier of the machine (:class:`archmodels.machine.StorageTier`, values per unit):

* ``scope = "node"``: its own ``n`` units, privately: ``B = n · b_unit``, capacity ``n · c_unit``;
* ``scope = "group"``: the ``⌈n / g⌉`` groups its nodes fill (jobs are placed in whole groups);
* ``scope = "system"``: a share of a shared tier when ``k`` jobs checkpoint at once, no faster
  than the job's nodes can inject: ``B = min(b_sys / k, n · B_inj)``, capacity ``c_sys / k``. The
  default ``k = N / n`` is the fair share of a full machine of such jobs all writing at once (a
  whole-system job has the tier to itself); ``k = 1`` is a job alone on the machine.

Write time ``δ = S / B + t_md`` with metadata time ``t_md = F · o / r`` for ``F = n · files_per_node``
files of ``o`` operations (create, write-close, stat) at the rate ``r`` the job reaches (per unit
for node and group tiers, ``r_sys / k`` for shared ones). Restart reads back at the read bandwidth.
The checkpoint goes to the fastest tier (shortest ``δ``) that holds it; when that tier is not a file
system (node-local, burst buffer) and one exists, the copy drains to it in the background in
``S / min(B_read,fast, B_write,pfs)`` and a restart after a node failure reads from there.

Failures: the job's rate is ``λ = n / M_node + u · d · AFR / year`` for the ``u`` units of ``d``
drives of a node-local or group tier it checkpoints to (losing one loses a piece of the
checkpoint); shared tiers are taken as redundant (RAID / erasure coding) and add nothing.
``M_node`` defaults to the study's assumption (50 years for a 200 W node, rate ∝ power).
Waste at Daly's interval: :func:`checkpoint_waste`.

References
----------
J. W. Young, "A first order approximation to the optimum checkpoint interval", CACM 17(9), 1974.
J. T. Daly, "A higher order estimate of the optimum checkpoint interval for restart dumps", FGCS
22(3), 2006, https://doi.org/10.1016/j.future.2004.11.016.
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass

import numpy as np

from archmodels.cost import tier_units
from archmodels.errors import InputError

SECONDS_PER_YEAR = 365.25 * 86400.0

#: Operations per checkpoint file: create/open, close, stat [-] (assumption).
OPS_PER_FILE = 3


def daly_interval_s(checkpoint_s, mtbf_s):
    """Optimum checkpoint interval of Daly (2006), eq. (37) [s].

        tau = sqrt(2 d M) [1 + (1/3) sqrt(d / 2M) + (1/9) (d / 2M)] - d    for d < 2M,
        tau = M                                                             otherwise,

    which reduces to Young's ``sqrt(2 d M)`` (Young, CACM 17(9), 1974) for ``d << M``.
    J. T. Daly, "A higher order estimate of the optimum checkpoint interval for restart dumps",
    FGCS 22(3), 2006, https://doi.org/10.1016/j.future.2004.11.016.
    """
    d = np.asarray(checkpoint_s, dtype=float)
    m = np.asarray(mtbf_s, dtype=float)
    x = d / (2.0 * m)
    tau = np.sqrt(2.0 * d * m) * (1.0 + np.sqrt(x) / 3.0 + x / 9.0) - d
    return np.where(d < 2.0 * m, tau, m)


def checkpoint_waste(checkpoint_s, mtbf_s, restart_s=None):
    """Share of wall time lost to checkpoints, rework and restarts at Daly's interval [-].

    Daly (2006), eq. (20): the expected wall time of ``T_s`` seconds of work, checkpointing every
    ``tau`` for ``d`` seconds with restart time ``R`` and exponential failures of mean ``M``, is

        T_w = M exp(R / M) (exp((tau + d) / M) - 1) T_s / tau,

    and the waste is ``1 - T_s / T_w``. ``R`` defaults to ``d`` (reading back what was written).
    """
    d = np.asarray(checkpoint_s, dtype=float)
    m = np.asarray(mtbf_s, dtype=float)
    r = d if restart_s is None else np.asarray(restart_s, dtype=float)
    tau = daly_interval_s(d, m)
    wall_per_work = m * np.exp(r / m) * np.expm1((tau + d) / m) / tau
    return 1.0 - 1.0 / wall_per_work


def node_mtbf_s(node_power_w, node_mtbf_years_at_reference=50.0, reference_power_w=200.0):
    """MTBF of one node with failure rate proportional to power [s]: ``M = M_ref · p_ref / p``.

    Defaults are the study's stated assumption (fs/data/defaults.toml ``[reliability]``): a 200 W
    node fails once in 50 years; node power stands in for component count.
    """
    return node_mtbf_years_at_reference * SECONDS_PER_YEAR * reference_power_w / np.asarray(node_power_w, dtype=float)


def job_write_bandwidth_bytes_per_s(scope, unit_bandwidth_bytes_per_s, units, job_nodes,
                                    injection_bandwidth_bytes_per_s=math.inf, concurrent_jobs=1.0):
    """Bandwidth a job reaches on a tier [B/s]: ``u · b`` privately, ``min(b / k, n · B_inj)`` shared."""
    if scope == "system":
        return min(unit_bandwidth_bytes_per_s / concurrent_jobs, job_nodes * injection_bandwidth_bytes_per_s)
    return units * unit_bandwidth_bytes_per_s


def metadata_time_s(files, ops_per_file, rate_ops_per_s):
    """Time for ``files · ops_per_file`` metadata operations at ``rate_ops_per_s`` [s] (0 without a rate)."""
    if rate_ops_per_s is None or not rate_ops_per_s > 0:
        return 0.0
    return files * ops_per_file / rate_ops_per_s


@dataclass(frozen=True)
class TierIO:
    """One tier seen by a job: what it reaches and how long a checkpoint takes there."""

    tier: str
    kind: str
    scope: str
    units: int
    capacity_bytes: float
    write_bandwidth_bytes_per_s: float
    read_bandwidth_bytes_per_s: float
    metadata_s: float
    write_s: float
    read_s: float
    fits: bool


@dataclass(frozen=True)
class JobIO:
    """Checkpoint I/O of one job on a machine (SI units)."""

    machine: str
    job_nodes: int
    checkpoint_bytes: float
    concurrent_jobs: float
    tiers: tuple[TierIO, ...]
    checkpoint_tier: str | None
    checkpoint_s: float
    restart_s: float
    drain_tier: str | None
    drain_s: float
    node_mtbf_s: float
    storage_failures_per_s: float
    job_mtbf_s: float
    interval_s: float
    waste: float
    feasible: bool
    reason: str

    def as_dict(self) -> dict:
        d = asdict(self)
        d["tiers"] = [asdict(t) for t in self.tiers]
        return d


def job_io(machine, job_nodes: int, *, checkpoint_fraction: float = 1.0, concurrent_jobs: float | None = None,
           files_per_node: int = 4, node_mtbf: float | None = None, node_memory_bytes: float | None = None) -> JobIO:
    """Checkpoint write, drain and restart of a ``job_nodes``-node job on ``machine``, and its waste.

    Parameters
    ----------
    machine : archmodels.machine.Machine
        With a ``[storage]`` section (else an InputError).
    job_nodes : int
        Nodes of the job [-] (at most the machine's).
    checkpoint_fraction : float
        Share of node memory in a checkpoint [-] (1: all memory, the MEXT/RIKEN tier-1 target).
    concurrent_jobs : float, optional
        Jobs checkpointing to a shared tier at once [-] (contention); default ``N / n``, the fair share.
    files_per_node : int
        Checkpoint files per node (one per rank) [-].
    node_mtbf : float, optional
        MTBF of one node [s]; default :func:`node_mtbf_s` of the node's maximum power.
    node_memory_bytes : float, optional
        Memory of one node [B]; default the machine's (a design sweep changes it without a new Machine).
    """
    from archmodels.power import node_power_range_w
    from archmodels.cost import storage_failure_rate_per_year

    if machine.storage is None:
        raise InputError(f"machine {machine.name!r} has no [storage] section: no tier to checkpoint to",
                         location="storage")
    n = int(job_nodes)
    if not 1 <= n <= machine.nodes:
        raise InputError(f"job nodes must be between 1 and the machine's {machine.nodes}, got {n}",
                         location="--job-nodes")
    if not 0 < checkpoint_fraction <= 1:
        raise InputError(f"checkpoint fraction must be in (0, 1], got {checkpoint_fraction}", location="--fraction")
    if concurrent_jobs is None:
        concurrent_jobs = machine.nodes / n
    if not concurrent_jobs >= 1:
        raise InputError(f"concurrent jobs must be >= 1, got {concurrent_jobs}", location="--concurrent-jobs")
    memory = machine.node.memory_bytes if node_memory_bytes is None else float(node_memory_bytes)
    size = checkpoint_fraction * n * memory
    inj = machine.network.injection_bandwidth_bytes_per_s if machine.network is not None else math.inf
    files = n * files_per_node
    rows = []
    for t in machine.storage.tiers:
        units = tier_units(t.scope, t.nodes_per_unit, n)  # the units a job of n nodes reaches
        shared = t.scope == "system"
        k = concurrent_jobs if shared else 1.0
        w = job_write_bandwidth_bytes_per_s(t.scope, t.write_bandwidth_bytes_per_s, units, n, inj, k)
        r = job_write_bandwidth_bytes_per_s(t.scope, t.read_bandwidth_bytes_per_s, units, n, inj, k)
        cap = t.capacity_bytes / k if shared else units * t.capacity_bytes
        rate = None if t.metadata_ops_per_s is None else (t.metadata_ops_per_s / k if shared else units * t.metadata_ops_per_s)
        md = metadata_time_s(files, OPS_PER_FILE, rate)
        rows.append(TierIO(t.name, t.kind, t.scope, units, cap, w, r, md, size / w + md, size / r + md, cap >= size))
    usable = [row for row in rows if row.fits]
    p_node = node_power_range_w(machine)[1]
    m_node = float(node_mtbf_s(p_node)) if node_mtbf is None else float(node_mtbf)
    if not usable:
        return JobIO(machine.name, n, size, concurrent_jobs, tuple(rows), None, math.inf, math.inf, None, 0.0,
                     m_node, 0.0, m_node / n, math.nan, 1.0, False,
                     f"no tier holds the job's checkpoint ({size / 1e12:.2f} TB)")
    best = min(usable, key=lambda row: row.write_s)
    tier = machine.storage.tier(best.tier)
    persistent = [row for row in usable if row.kind in ("parallel-fs", "object") and row is not best]
    drain_row = None
    drain = 0.0
    restart = best.read_s
    if best.kind in ("node-local", "burst-buffer") and persistent:
        drain_row = min(persistent, key=lambda row: row.write_s)
        drain = size / min(best.read_bandwidth_bytes_per_s, drain_row.write_bandwidth_bytes_per_s)
        restart = drain_row.read_s
    storage_rate = 0.0
    if tier.scope in ("node", "group"):
        drives = tier.drives or 1
        afr = tier.annual_failure_rate or storage_failure_rate_per_year(tier.media)
        storage_rate = best.units * drives * afr / SECONDS_PER_YEAR
    mtbf = 1.0 / (n / m_node + storage_rate)
    interval = float(daly_interval_s(best.write_s, mtbf))
    waste = float(checkpoint_waste(best.write_s, mtbf, restart))
    return JobIO(machine.name, n, size, concurrent_jobs, tuple(rows), best.tier, best.write_s, restart,
                 drain_row.tier if drain_row else None, drain, m_node, storage_rate, mtbf, interval, waste, True,
                 "" if drain <= interval else f"drain to {drain_row.tier} ({drain:.0f} s) exceeds the checkpoint interval ({interval:.0f} s)")


def storage_power_w(machine, nodes: int | None = None) -> float:
    """Power of a system's storage at ``nodes`` (default its own) [W]: Σ units · power per unit."""
    n = int(machine.nodes if nodes is None else nodes)
    if machine.storage is None:
        return 0.0
    return sum(tier_units(t.scope, t.nodes_per_unit, n) * (t.power_w or 0.0) for t in machine.storage.tiers)


def storage_validation() -> list[dict]:
    """Storage tiers against published benchmark figures (``archmodels/data/io500.toml``).

    ``model = units · tier bandwidth per unit`` (the units of the tier the run used) at the catalog
    machine; ``error = model / published − 1``. A figure the tier was built from is flagged
    ``in_sample`` (its list says so).
    """
    import tomllib
    from pathlib import Path

    from archmodels.loaders import load_machine
    from archmodels.quantities import parse_quantity

    with (Path(__file__).parent / "data" / "io500.toml").open("rb") as fh:
        raw = tomllib.load(fh)
    out = []
    for fig in raw["figure"]:
        tier = load_machine(fig["system"]).storage.tier(fig["tier"])
        model = fig["units"] * getattr(tier, f"{fig['metric']}_bytes_per_s")
        published = parse_quantity(fig["value"], "bytes_per_s")
        src = raw["sources"][fig["source"]]
        out.append({"system": fig["system"], "tier": fig["tier"], "metric": fig["metric"],
                    "model_bytes_per_s": model, "published_bytes_per_s": published, "error": model / published - 1.0,
                    "list": fig["list"], "in_sample": "input" in fig["list"], "source_title": src["title"],
                    "source_url": src.get("url")})
    return out
