"""``predict``: how a workload runs on a machine, from one node to the whole system.

For each processor type of the node (the workload runs on the type that gives the most units per
second; the others idle at their static power), per step:

1. compute: ``T_c = W / (η_c · R)`` with the driven rate ``R = min(P_peak, (TDP − P_static) / ε_flop)``
   — the hierarchical roofline's compute ceiling with the class's achievable fraction η_c, under the
   power the processor may draw (energy roofline with a power cap, Choi et al. 2013). ``P_peak``
   includes matrix units when the workload can use them. ``ε_flop`` is the larger of the technology
   floor and what the datasheet implies (``(TDP − P_static) / peak``, see
   :func:`archmodels.technology.energy_per_flop_j`). A binding power cap reports ``bound = "power"``;
2. memory: for every level k (innermost first), ``Q_k = q(C_k) · n`` bytes, where q is the workload's
   reuse step function and ``C_k`` the largest capacity above level k; ``T_k = Q_k / (η_m · B_k)``;
3. node time ``T_node = max(T_c, max_k T_k)`` (Williams et al. 2009);
4. network: ``T_net = Σ count · t_collective(pattern, bytes, nodes)`` with the alpha-beta costs of
   :mod:`archmodels.collectives` over the machine's injection bandwidth, latency and topology;
   ``T_step = T_node + T_net`` (no overlap — a conservative first term);
5. power: ``P_node = P_other + Σ_idle P_static + n_active · min(TDP, P_static + ε_flop·R·T_c/T +
   Σ_k ε_k · 8 · Q_k / T)`` — busy compute units draw ε·R, stalls included; when the node's
   ``power_max`` leaves the active processors less than their TDP, that smaller cap bounds R; plus the network's energy per bit
   and static link power; ``E = P · T`` over all nodes (energy roofline, Choi et al. 2013).

The constants (η, ε, static share) come from :mod:`archmodels.technology`, keyed by processor type,
workload class, precision and memory technology — never by system.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

from archmodels.collectives import communication_time_s
from archmodels.errors import InputError
from archmodels.loaders import load_machine
from archmodels.machine import Machine, Processor
from archmodels.power import NodePower, node_power
from archmodels.roofline import power_capped_flop_per_s, ridge_flop_per_byte
from archmodels.technology import (efficiency, energy_per_flop_j, memory_energy_per_bit_j)
from archmodels.workload import Workload, load_workload

_TOPOLOGY_FOR_COLLECTIVES = {"optical-high-radix": "optical", "none": "fat-tree"}


@dataclass(frozen=True)
class LevelTraffic:
    name: str
    bytes: float
    time_s: float


@dataclass(frozen=True)
class Prediction:
    """Predicted run of ``workload`` on ``nodes`` nodes of ``machine`` (SI units, whole system)."""

    machine: str
    workload: str
    nodes: int
    precision: str
    processor: str
    time_s: float
    flop_per_s: float
    bandwidth_bytes_per_s: float | None
    bound: str
    power_w: float
    energy_j: float
    units_per_node: float
    units_per_s: float
    unit: str
    compute_time_s: float
    network_time_s: float
    levels: tuple[LevelTraffic, ...] = field(default_factory=tuple)

    @property
    def flop_per_j(self) -> float:
        return self.flop_per_s / self.power_w if self.power_w else 0.0

    def as_dict(self) -> dict:
        """JSON-ready dict with stable, unit-suffixed keys."""
        out = asdict(self)
        out["levels"] = [asdict(level) for level in self.levels]
        out["flop_per_j"] = self.flop_per_j
        if out["bandwidth_bytes_per_s"] is None:
            del out["bandwidth_bytes_per_s"]
        return out


@dataclass(frozen=True)
class _ProcessorRun:
    proc: Processor
    precision: str
    units: float
    node_time_s: float
    compute_time_s: float
    rate_bound: str
    levels: tuple[LevelTraffic, ...]
    dynamic_w: float


def _processor_cap_w(proc: Processor, power: NodePower, node_power_max_w: float | None) -> float:
    """Power a processor of the active type may draw [W]: its TDP, or less when the node's
    ``power_max`` minus the rest of the node and the idle processors leaves less per processor."""
    cap = power.tdp_w[proc.name]
    if node_power_max_w:
        others = sum(power.static_w[name] * count for name, count in power.counts.items() if name != proc.name)
        cap = min(cap, (node_power_max_w - power.other_w - others) / power.counts[proc.name])
    return cap


def _run_on(proc: Processor, power: NodePower, wl: Workload, precision: str, units: float,
            cap_w: float) -> _ProcessorRun | None:
    prec = proc.precision_for(precision, wl.matrix)
    if prec is None:
        return None
    if wl.footprint_for(units) > proc.outer_memory.capacity_bytes:
        return None
    peak = proc.peak_for(prec, wl.matrix)
    eff = efficiency(proc.type, wl.workload_class)
    stream = efficiency(proc.type, "stream").memory
    tdp = power.tdp_w[proc.name]
    static = power.static_w[proc.name]
    eps = energy_per_flop_j(proc.type, prec, tdp - static, proc.peak_for(prec, True))
    flops = wl.flop_per_unit * units
    driven = min(peak, float(power_capped_flop_per_s(cap_w, static, eps)))
    compute_t = flops / (eff.compute * driven) if flops > 0 else 0.0
    best_t, bound = compute_t, ("power" if driven < peak * (1.0 - 1e-9) else "compute")
    levels = []
    cap_above = 0.0
    energy_mem = 0.0
    for level in proc.memory:
        moved = wl.bytes_per_unit_below(cap_above, units) * units
        eta = eff.memory / stream if level.measured else eff.memory
        t = moved / (min(eta, 1.0) * level.bandwidth_bytes_per_s)
        levels.append(LevelTraffic(level.name, moved, t))
        e_bit = level.energy_per_bit_j or memory_energy_per_bit_j(level.technology)
        energy_mem += 8.0 * moved * e_bit
        if t > best_t:
            best_t, bound = t, f"memory:{level.name}"
        cap_above = max(cap_above, level.capacity_bytes)
    if best_t <= 0:
        return None
    # compute units draw ε·R while busy (stalls included: η is lost time, not saved power)
    dynamic = min(max(cap_w - static, 0.0), (eps * driven * compute_t + energy_mem) / best_t)
    return _ProcessorRun(proc, prec, units, best_t, compute_t, bound, tuple(levels), dynamic)


def _network_time_s(machine: Machine, wl: Workload, units_per_node: float, nodes: int) -> tuple[float, float]:
    """(time [s], bytes per node [B]) of one step's communication."""
    if nodes <= 1 or not wl.communication:
        return 0.0, 0.0
    net = machine.network
    if net is None:
        raise InputError(f"machine {machine.name!r} has no [network]: cannot predict on {nodes} nodes",
                         location="network")
    total_t = total_b = 0.0
    for comm in wl.communication:
        nbytes = comm.bytes_per_node(units_per_node)
        t = communication_time_s(
            comm.pattern, nbytes, nodes,
            injection_bandwidth_bytes_per_s=net.injection_bandwidth_bytes_per_s, latency_s=net.latency_s,
            topology=_TOPOLOGY_FOR_COLLECTIVES.get(net.topology, net.topology), dimensions=net.dimensions)
        total_t += comm.count * t
        total_b += comm.count * nbytes
    return total_t, total_b


def predict(machine: Machine | str, workload: Workload | str, nodes: int | None = None,
            precision: str | None = None, units_per_node: float | None = None) -> Prediction:
    """Predict time, achieved rates, bound, power and energy of a workload on a machine.

    Parameters
    ----------
    machine : Machine or str
        A machine, a catalog name or a spec path.
    workload : Workload or str
        A workload, a portfolio name or a workload file.
    nodes : int, optional
        Node count [-]; default the machine's ``system.nodes``.
    precision : str, optional
        Override of the workload's precision (``fp64``, ``fp32``, ``bf16``...).
    units_per_node : float, optional
        Problem size per node in the workload's units (strong scaling: total / nodes); default the
        workload's size per processor times the processors of the type that runs it.

    Returns
    -------
    Prediction
        Whole-system figures: ``time_s`` [s], ``flop_per_s`` [FLOP/s], ``bandwidth_bytes_per_s``
        [B/s] (for bandwidth-type workloads), ``bound``, ``power_w`` [W], ``energy_j`` [J].

    Raises
    ------
    archmodels.errors.InputError
        Non-positive nodes or size, a workload that fits no processor's memory, or a multi-node
        request on a machine without a network.
    """
    m = load_machine(machine)
    wl = load_workload(workload)
    n = m.nodes if nodes is None else int(nodes)
    if n <= 0:
        raise InputError(f"nodes must be a positive integer, got {nodes!r}", location="nodes")
    if units_per_node is not None and not units_per_node > 0:
        raise InputError(f"units_per_node must be positive, got {units_per_node!r}", location="units_per_node")
    prec = precision or wl.precision
    power = node_power(m.node)

    best: _ProcessorRun | None = None
    best_rate = -1.0
    for proc in m.node.processors:
        units = (units_per_node / proc.count if units_per_node is not None
                 else wl.units_for(proc.outer_memory.capacity_bytes))
        if units <= 0:
            continue
        run = _run_on(proc, power, wl, prec, units, _processor_cap_w(proc, power, m.node.power_max_w))
        if run is None:
            continue
        rate = proc.count * units / run.node_time_s
        if rate > best_rate:
            best, best_rate = run, rate
    if best is None:
        need = [f"{p.name}: {wl.footprint_for(units_per_node / p.count if units_per_node else wl.units_for(p.outer_memory.capacity_bytes)) / 2**30:.3g} GiB needed, "
                f"{p.outer_memory.capacity_bytes / 2**30:.3g} GiB available" for p in m.node.processors]
        raise InputError(f"workload {wl.name!r} ({prec}) cannot run on a node of {m.name!r}: no processor "
                         f"has the precision or enough memory ({'; '.join(need)})", location="workload")

    proc = best.proc
    upn = best.units * proc.count
    net_t, net_bytes = _network_time_s(m, wl, upn, n)
    step_t = best.node_time_s + net_t
    bound = "network" if net_t > best.node_time_s else best.rate_bound
    time_s = wl.steps * step_t

    # power per node while running
    others = sum(power.static_w[p.name] * p.count for p in m.node.processors if p is not proc)
    active = proc.count * (power.static_w[proc.name] + best.dynamic_w * best.node_time_s / step_t)
    node_w = power.other_w + others + active     # <= power_max: the active processors' cap saw to that
    net = m.network
    if net is not None and n > 1:
        if net.energy_per_bit_j and step_t > 0:
            node_w += 8.0 * net_bytes * net.energy_per_bit_j / step_t
        node_w += net.link_static_power_w or 0.0
    power_w = node_w * n

    total_units = upn * n * wl.steps
    flops = wl.flop_per_unit * total_units
    levels = tuple(LevelTraffic(lv.name, lv.bytes * n * wl.steps, lv.time_s * wl.steps) for lv in best.levels)
    bw = None
    if wl.bandwidth_bound:
        if best.rate_bound.startswith("memory:"):
            name = best.rate_bound.split(":", 1)[1]
            level = next(lv for lv in levels if lv.name == name)
        else:
            level = levels[-1]
        bw = level.bytes / time_s
    return Prediction(
        machine=m.name, workload=wl.name, nodes=n, precision=best.precision, processor=proc.name,
        time_s=time_s, flop_per_s=flops / time_s, bandwidth_bytes_per_s=bw, bound=bound,
        power_w=power_w, energy_j=power_w * time_s, units_per_node=upn, units_per_s=total_units / time_s,
        unit=wl.unit, compute_time_s=best.compute_time_s * wl.steps, network_time_s=net_t * wl.steps,
        levels=levels)


def machine_roofline(machine: Machine | str, precision: str = "fp64") -> list[dict]:
    """Roofline ceilings of every processor type of a machine's node.

    Returns one dict per processor type with per-node figures (all processors of the type together):
    ``machine, processor, precision, peak_flop_per_s``, ``peak_matrix_flop_per_s`` (where present) and
    ``levels: [{name, capacity_bytes, bandwidth_bytes_per_s, ridge_flop_per_byte}]``, innermost first.
    """
    m = load_machine(machine)
    out = []
    for proc in m.node.processors:
        prec = proc.precision_for(precision, matrix=True)
        if prec is None:
            continue
        vec = proc.peak_flop_per_s.get(prec, 0.0) * proc.count
        mat = proc.peak_matrix_flop_per_s.get(prec, 0.0) * proc.count
        ceiling = vec or mat
        entry = {"machine": m.name, "processor": proc.name, "processor_type": proc.type,
                 "precision": prec, "peak_flop_per_s": vec or mat,
                 "levels": [{"name": lv.name, "capacity_bytes": lv.capacity_bytes * proc.count,
                             "bandwidth_bytes_per_s": lv.bandwidth_bytes_per_s * proc.count,
                             "ridge_flop_per_byte": float(ridge_flop_per_byte(ceiling, lv.bandwidth_bytes_per_s * proc.count))}
                            for lv in proc.memory]}
        if mat:
            entry["peak_matrix_flop_per_s"] = mat
        out.append(entry)
    return out
