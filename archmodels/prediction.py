"""``predict``: how a workload runs on a machine, from one node to the whole system.

For each processor type of the node (the workload runs on the type that gives the most units per
second; the others idle at their static power) this module translates the machine, the workload and
the technology tables into the numbers of :mod:`archmodels.physics` — the one place the model's
equations live (power-capped hierarchical energy roofline of a processor, node power, network step)
— and assembles the whole-system :class:`Prediction`:

1. the problem per processor (the workload's default size, a share of the outermost memory, or the
   caller's ``units_per_node``), the bytes through every memory level from the workload's reuse step
   function (:func:`level_traffic_bytes`), the peaks, efficiencies, energies and the power cap
   (:func:`processor_step_arguments`);
2. :func:`archmodels.physics.processor_step` for the node time, bound and dynamic power;
3. :func:`archmodels.physics.network_step` for a step's communication over the machine's network
   (``T_step = T_node + T_net``, no overlap — a conservative first term);
4. :func:`archmodels.physics.running_node_power_w` for the node's power, ``E = P · T`` over all nodes.

The constants (η, ε, static share) come from :mod:`archmodels.technology` (a ``technology=`` argument), keyed by processor type,
workload class, precision and memory technology — never by system.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field

from archmodels.collectives import communication_time_s
from archmodels.errors import InputError
from archmodels.loaders import load_machine
from archmodels.machine import Machine, Processor
from archmodels.power import NodePower, node_power
from archmodels.physics import (BOUND_COMPUTE, BOUND_MEMORY, BOUND_POWER, network_step, processor_cap_w,
                                processor_step, running_node_power_w)
from archmodels.roofline import ridge_flop_per_byte
from archmodels.technology import Technology, default_technology
from archmodels.workload import Workload, load_workload

#: Machine-spec topology names -> the topology names of :mod:`archmodels.collectives`.
TOPOLOGY_FOR_COLLECTIVES = {"optical-high-radix": "optical", "none": "fat-tree"}


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
    """Power a processor of the active type may draw [W] (:func:`archmodels.physics.processor_cap_w`)."""
    others = sum(power.static_w[name] * count for name, count in power.counts.items() if name != proc.name)
    return float(processor_cap_w(power.tdp_w[proc.name], node_power_max_w or float("nan"), power.other_w, others,
                                 power.counts[proc.name]))


def level_traffic_bytes(wl: Workload, capacities_bytes, units: float) -> list[float]:
    """Bytes through each memory level for ``units`` of work [B], innermost first: level k carries
    what misses every level above it, ``q(C_<k) · n`` with ``C_<k`` the largest capacity above k."""
    out, cap_above = [], 0.0
    for cap in capacities_bytes:
        out.append(wl.bytes_per_unit_below(cap_above, units) * units)
        cap_above = max(cap_above, cap)
    return out


def processor_step_arguments(proc: Processor, power: NodePower, wl: Workload, precision: str, units: float,
                             cap_w: float, technology: Technology) -> dict:
    """The arguments of :func:`archmodels.physics.processor_step` for ``units`` of ``wl`` on one
    processor of type ``proc`` in ``precision`` (the translation of a machine into numbers)."""
    eff = technology.efficiency(proc.type, wl.workload_class)
    stream = technology.efficiency(proc.type, "stream").memory
    return {
        "flops": wl.flop_per_unit * units,
        "level_bytes": level_traffic_bytes(wl, [lv.capacity_bytes for lv in proc.memory], units),
        "peak_flop_per_s": proc.peak_for(precision, wl.matrix),
        "peak_any_flop_per_s": proc.peak_for(precision, True),
        "compute_efficiency": eff.compute,
        "memory_efficiency": [eff.memory / stream if lv.measured else eff.memory for lv in proc.memory],
        "bandwidth_bytes_per_s": [lv.bandwidth_bytes_per_s for lv in proc.memory],
        "energy_per_bit_j": [lv.energy_per_bit_j or technology.memory_energy_per_bit_j(lv.technology)
                             for lv in proc.memory],
        "tdp_w": power.tdp_w[proc.name],
        "static_w": power.static_w[proc.name],
        "power_cap_w": cap_w,
        "energy_per_flop_floor_j": technology.processor_energy_per_flop_floor_j(proc, precision),
    }


def bound_name(code: int, level_names) -> str:
    """``compute``, ``power`` or ``memory:<level>`` for a bound code of :func:`archmodels.physics.processor_step`."""
    if code == BOUND_COMPUTE:
        return "compute"
    if code == BOUND_POWER:
        return "power"
    return f"memory:{level_names[code - BOUND_MEMORY]}"


def _run_on(proc: Processor, power: NodePower, wl: Workload, precision: str, units: float,
            cap_w: float, technology: Technology) -> _ProcessorRun | None:
    prec = proc.precision_for(precision, wl.matrix)
    if prec is None:
        return None
    if wl.footprint_for(units) > proc.outer_memory.capacity_bytes:
        return None
    args = processor_step_arguments(proc, power, wl, prec, units, cap_w, technology)
    step = processor_step(**args)
    time_s = float(step.time_s)
    if not time_s > 0:
        return None
    levels = tuple(LevelTraffic(lv.name, float(q), float(t))
                   for lv, q, t in zip(proc.memory, args["level_bytes"], step.level_time_s))
    return _ProcessorRun(proc, prec, units, time_s, float(step.compute_time_s),
                         bound_name(int(step.bound), [lv.name for lv in proc.memory]), levels, float(step.dynamic_w))


def network_step_arguments(machine: Machine, wl: Workload) -> dict:
    """The keyword arguments of :func:`archmodels.physics.network_step` for a machine's network."""
    net = machine.network
    return {"injection_bandwidth_bytes_per_s": net.injection_bandwidth_bytes_per_s, "latency_s": net.latency_s,
            "topology": TOPOLOGY_FOR_COLLECTIVES.get(net.topology, net.topology), "dimensions": net.dimensions}


def communications(wl: Workload) -> list[tuple]:
    """``(pattern, count, bytes_per_node_fn)`` of each collective of a step of ``wl``."""
    return [(c.pattern, c.count, c.bytes_per_node) for c in wl.communication]


def _network_time_s(machine: Machine, wl: Workload, units_per_node: float, nodes: int) -> tuple[float, float]:
    """(time [s], bytes per node [B]) of one step's communication."""
    if nodes <= 1 or not wl.communication:
        return 0.0, 0.0
    if machine.network is None:
        raise InputError(f"machine {machine.name!r} has no [network]: cannot predict on {nodes} nodes",
                         location="network")
    t, b = network_step(communications(wl), units_per_node, nodes, **network_step_arguments(machine, wl))
    return float(t), float(b)


def predict(machine: Machine | str, workload: Workload | str, nodes: int | None = None,
            precision: str | None = None, units_per_node: float | None = None,
            technology: Technology | None = None) -> Prediction:
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
    technology : Technology, optional
        Efficiencies and energies (default :func:`archmodels.technology.default_technology`, the
        shipped tables); pass :meth:`~archmodels.technology.Technology.replaced` ones to vary them.

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
    tech = technology or default_technology()
    power = node_power(m.node, tech)

    best: _ProcessorRun | None = None
    best_rate = -1.0
    for proc in m.node.processors:
        units = (units_per_node / proc.count if units_per_node is not None
                 else wl.units_for(proc.outer_memory.capacity_bytes))
        if units <= 0:
            continue
        run = _run_on(proc, power, wl, prec, units, _processor_cap_w(proc, power, m.node.power_max_w), tech)
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
    net = m.network
    on_network = net is not None and n > 1
    node_w = float(running_node_power_w(
        other_w=power.other_w, idle_others_w=others, count=proc.count, static_w=power.static_w[proc.name],
        dynamic_w=best.dynamic_w, node_time_s=best.node_time_s, step_time_s=step_t,
        network_bytes=net_bytes if on_network else 0.0,
        network_energy_per_bit_j=(net.energy_per_bit_j or 0.0) if on_network else 0.0,
        link_static_w=(net.link_static_power_w or 0.0) if on_network else 0.0))
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
