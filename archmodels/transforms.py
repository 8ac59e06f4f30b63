"""Machine transforms: pure ``Machine -> Machine`` functions, the one place a machine is changed.

Variant files (:mod:`archmodels.variants`), DVFS (:func:`at_clock`), the study's uncertainty
multipliers (:func:`scale_parts`) and the design sweep (:func:`design_point`) all change machines
through these functions, so that one knob gives one answer whichever path turns it.

Rules stated once:

* **memory technology swap** (:func:`memory_level_figures`): a level of ``u`` units (stacks,
  channels, packages) of technology T has capacity ``u·c_T``, bandwidth ``u·b_T`` and T's energy
  per bit (archmodels/data/memory_technologies.toml); a measured bandwidth or latency belongs to
  the old part and is dropped;
* **link technology swap** (:func:`link_swap_figures`): every link of the network in the new
  technology, counted for the machine's topology and size — hops and switch-to-switch links count
  (:func:`archmodels.links.network_power`: ``P_static = Σ_links P_link / N`` per node and
  ``e_inj = P_dyn(u = 1) / (8·N·B_inj)`` per injected bit). A technology whose reach is shorter
  than the longest cable of the machine room (:func:`longest_cable_m`) is refused: an all-copper
  11,000-node fat tree cannot be cabled;
* **power cap** (:func:`cap_power`): ``node.power_max = cap``; below the processors' summed TDP the
  TDPs are dropped so that :func:`archmodels.power.node_power` shares the cap among them.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import replace
from types import MappingProxyType

from archmodels.errors import InputError
from archmodels.machine import Machine, MemoryLevel

# ------------------------------------------------------------------------------------ memory


def memory_level_figures(technology: str, units: float) -> tuple[float, float, float]:
    """(capacity [B], bandwidth [B/s], energy per bit [J]) of ``units`` units of a memory technology."""
    from archmodels.memtech import memory_technology

    tech = memory_technology(technology)
    return (units * tech.capacity_per_unit_bytes, units * tech.bandwidth_per_unit_bytes_per_s,
            tech.energy_per_bit_j)


def _levels(machine: Machine, level: str):
    found = False
    for proc in machine.node.processors:
        for lv in proc.memory:
            if lv.name == level:
                found = True
    if not found:
        have = sorted({lv.name for p in machine.node.processors for lv in p.memory})
        raise InputError(f"machine {machine.name!r} has no memory level {level!r} (have {have})", location="level")


def _map_levels(machine: Machine, fn) -> Machine:
    procs = tuple(replace(p, memory=tuple(x for lv in p.memory if (x := fn(p, lv)) is not None))
                  for p in machine.node.processors)
    return replace(machine, node=replace(machine.node, processors=procs))


def set_level_capacity(machine: Machine, level: str, capacity_bytes: float) -> Machine:
    """The machine with memory level ``level``'s capacity per processor replaced (bandwidth and energy kept).

    Raises
    ------
    InputError
        No level of that name, or a non-positive capacity.
    """
    if not capacity_bytes > 0:
        raise InputError(f"capacity must be positive, got {capacity_bytes!r}", location="capacity")
    _levels(machine, level)
    return _map_levels(machine, lambda p, lv: replace(lv, capacity_bytes=float(capacity_bytes)) if lv.name == level else lv)


def remove_level(machine: Machine, level: str) -> Machine:
    """The machine without memory level ``level`` (a processor keeps at least its outermost level)."""
    _levels(machine, level)
    for p in machine.node.processors:
        if [lv.name for lv in p.memory] == [level]:
            raise InputError(f"cannot remove {level!r}: it is {p.name!r}'s only memory level", location="level")
    return _map_levels(machine, lambda p, lv: None if lv.name == level else lv)


def swap_memory(machine: Machine, level: str, technology: str, units: float) -> Machine:
    """The machine with memory level ``level`` rebuilt as ``units`` units of ``technology``
    (:func:`memory_level_figures`); the level takes the technology's name in capitals."""
    cap, bw, e_bit = memory_level_figures(technology, units)
    _levels(machine, level)

    def swap(p, lv: MemoryLevel):
        if lv.name != level:
            return lv
        return MemoryLevel(name=technology.upper(), technology=technology, capacity_bytes=cap,
                           bandwidth_bytes_per_s=bw, energy_per_bit_j=e_bit)
    return _map_levels(machine, swap)


# ------------------------------------------------------------------------------------ network

#: Cabling geometry of a machine room (assumption, see :func:`longest_cable_m`).
NODES_PER_RACK = 128        # HPE Cray EX4000 cabinet: 64 blades x 2 nodes (Frontier); see docs/technology.md
RACK_FOOTPRINT_M2 = 2.4     # 0.6 m x 1.2 m cabinet plus its share of a 1.2 m aisle: assumption
VERTICAL_RUN_M = 4.0        # up and down to the overhead cable tray, 2 m each end: assumption


def longest_cable_m(nodes: int, nodes_per_rack: int = NODES_PER_RACK) -> float:
    """Length of the longest cable of a machine room [m] (an assumption-labelled geometry).

    Within one rack: ``VERTICAL_RUN_M / 2`` (2 m). Across ``R = ⌈N / n_rack⌉`` racks laid out in a
    square of side ``s = √(R · A_rack)``: a cable runs up, across the room in Manhattan distance
    ``2·s`` and down: ``L = 2·s + h``. Frontier (74 cabinets) gives ~31 m; a 4096-node system of
    128-node racks ~22 m.

    Examples
    --------
    >>> longest_cable_m(64)
    2.0
    >>> round(longest_cable_m(9408), 1)
    30.7
    """
    racks = math.ceil(max(int(nodes), 1) / nodes_per_rack)
    if racks <= 1:
        return VERTICAL_RUN_M / 2.0
    return 2.0 * math.sqrt(racks * RACK_FOOTPRINT_M2) + VERTICAL_RUN_M


def check_reach(technology: str, nodes: int) -> None:
    """Refuse a link technology that cannot span the machine room of ``nodes`` nodes.

    Raises
    ------
    InputError
        The technology's ``reach_m`` is shorter than :func:`longest_cable_m`.
    """
    from archmodels.links import link_technology

    tech = link_technology(technology)
    need = longest_cable_m(nodes)
    if tech.reach_m < need:
        raise InputError(f"link technology {tech.name!r} reaches {tech.reach_m:g} m, but a {nodes}-node machine "
                         f"room needs cables of about {need:.0f} m (assumed {NODES_PER_RACK} nodes per rack): "
                         "use a longer-reach technology (electrical-retimed, pluggable-optics, co-packaged-optics)",
                         location="network.technology")


def link_swap_figures(technology: str, topology: str, nodes: int, injection_bandwidth_bytes_per_s: float,
                      dimensions: int | None = None) -> tuple[float, float]:
    """(energy per injected bit [J], static link power per node [W]) of a network built with
    ``technology`` (module docstring), after :func:`check_reach`."""
    from archmodels.links import network_power
    from archmodels.topology import canonical_topology

    check_reach(technology, nodes)
    power = network_power(canonical_topology(topology), nodes, injection_bandwidth_bytes_per_s, technology, 1.0,
                          dimensions=dimensions)
    return (power.dynamic_power_w / (8.0 * nodes * injection_bandwidth_bytes_per_s),
            power.static_power_w / nodes)


def swap_link_technology(machine: Machine, technology: str, nodes: int | None = None) -> Machine:
    """The machine's network rebuilt with ``technology`` (:func:`link_swap_figures`), priced for
    ``nodes`` (default the machine's ``system.nodes``)."""
    net = machine.network
    if net is None:
        raise InputError(f"machine {machine.name!r} has no [network] to swap links of", location="network")
    e_bit, static = link_swap_figures(technology, net.topology, nodes or machine.nodes,
                                      net.injection_bandwidth_bytes_per_s, net.dimensions)
    return replace(machine, network=replace(net, technology=technology, energy_per_bit_j=e_bit,
                                            link_static_power_w=static))


# ------------------------------------------------------------------------------------ power and clock


def cap_power(machine: Machine, power_cap_w: float, *, keep_tdp: bool = True) -> Machine:
    """The node capped at ``power_cap_w`` [W] (module docstring); an idle power above the cap is dropped.

    Published processor TDPs are kept while they fit under the cap; with ``keep_tdp=False`` they are
    always dropped, so the processors share the cap (:func:`archmodels.physics.processors_power_budget_w`)
    as a design whose TDP is set by its node budget does (the design sweep).
    """
    if not power_cap_w > 0:
        raise InputError(f"power cap must be positive, got {power_cap_w!r}", location="power_cap")
    node = machine.node
    tdp_total = sum(p.tdp_w * p.count for p in node.processors if p.tdp_w)
    procs = node.processors
    if power_cap_w < tdp_total or not keep_tdp:
        procs = tuple(replace(p, tdp_w=None) for p in procs)
    idle = node.power_idle_w if node.power_idle_w is None or node.power_idle_w <= power_cap_w else None
    return replace(machine, node=replace(node, processors=procs, power_max_w=float(power_cap_w), power_idle_w=idle))


def renamed(machine: Machine, name: str) -> Machine:
    """The same machine under another name (a variant's label)."""
    return replace(machine, name=str(name))


def at_clock(machine: Machine, clock_ratio: float, exponent: float | None = None) -> Machine:
    """The machine with every processor run at ``clock_ratio`` of its nominal clock.

    Peaks (vector and matrix) and clocks scale by r; each processor's TDP becomes
    ``P_static + (TDP − P_static) · r^α`` (:mod:`archmodels.dvfs`), so its energy per FLOP from the
    datasheet term scales as r^(α−1). The rest of the node keeps its power, so a given node
    ``power_max`` falls by the processors' saving. Memory and network are unchanged.

    Raises
    ------
    InputError
        A clock ratio outside [0.3, 1.2].
    """
    from archmodels.dvfs import DYNAMIC_POWER_EXPONENT, dynamic_power_scale
    from archmodels.power import node_power

    if not 0.3 <= clock_ratio <= 1.2:
        raise InputError(f"clock ratio must be within [0.3, 1.2], got {clock_ratio!r}", location="clock_ratio")
    power = node_power(machine.node)
    scale = dynamic_power_scale(clock_ratio, DYNAMIC_POWER_EXPONENT if exponent is None else exponent)
    procs = []
    for p in machine.node.processors:
        static = power.static_w[p.name]
        procs.append(replace(
            p,
            peak_flop_per_s=MappingProxyType({k: v * clock_ratio for k, v in p.peak_flop_per_s.items()}),
            peak_matrix_flop_per_s=MappingProxyType({k: v * clock_ratio for k, v in p.peak_matrix_flop_per_s.items()}),
            clock_hz=None if p.clock_hz is None else p.clock_hz * clock_ratio,
            tdp_w=static + (power.tdp_w[p.name] - static) * scale))
    power_max = None
    if machine.node.power_max_w:
        power_max = power.other_w + sum(p.tdp_w * p.count for p in procs)
    node = replace(machine.node, processors=tuple(procs), power_max_w=power_max)
    return replace(machine, node=node, name=f"{machine.name}@{clock_ratio:g}x-clock")


# ------------------------------------------------------------------------------------ multipliers

_MEMORY_FIELD = {"bandwidth": "bandwidth_bytes_per_s", "energy_per_bit": "energy_per_bit_j",
                 "capacity": "capacity_bytes", "latency": "latency_s"}
_NETWORK_FIELD = {"bandwidth": "injection_bandwidth_bytes_per_s", "energy_per_bit": "energy_per_bit_j",
                  "latency": "latency_s", "link_static_power": "link_static_power_w"}
#: Target kinds :func:`scale_parts` applies to a machine.
MACHINE_KINDS = ("memory", "network", "processor")


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


def system_names(machine: Machine) -> tuple[str, ...]:
    """What a system-wide target's selector (``cost:``, ``node:``, ``storage:``, ``reliability:``)
    is matched against besides a study's label: the machine's name and its processors' names and
    types, as :func:`selector_matches` takes them."""
    return (machine.name, *(n for p in machine.node.processors for n in (p.name, p.type) if n))


def _scaled(obj, field: str, factor: float):
    value = getattr(obj, field)
    return obj if value is None else replace(obj, **{field: value * factor})


def split_selector(kind: str, selector: str) -> tuple[str, str, str]:
    """A machine kind's selector as (machine, processor, part) selectors, each ``*`` when not given.

    Grammar (``/`` separates the segments, each one matched by :func:`selector_matches`):

    * ``part``: every machine's part (``hbm3e``, ``gpu``, ``co-packaged-optics``);
    * ``machine/part``: that part of the machine named ``machine`` only
      (``processor:fugakunext-like/GPU-2030:peak``, ``network:fugakunext-like/*:latency``);
    * ``machine/processor/level`` (``memory`` only): memory level ``level`` of that processor of that
      machine (``memory:fugakunext-like/GPU-2030/HBM4:bandwidth``), for a level name that several
      processors of one machine share.

    Raises
    ------
    ValueError
        More segments than the kind takes, or an empty segment.
    """
    segments = selector.split("/")
    most = 3 if kind == "memory" else 2
    if len(segments) > most or not all(segments):
        raise ValueError(f"selector {selector!r}: expected part, machine/part"
                         + (" or machine/processor/level" if kind == "memory" else ""))
    if len(segments) == 1:
        return "*", "*", segments[0]
    if len(segments) == 2:
        return segments[0], "*", segments[1]
    return segments[0], segments[1], segments[2]


def scale_parts(machine: Machine, multipliers: Mapping[str, float]) -> tuple[Machine, set[str]]:
    """A copy of ``machine`` with each ``memory:``, ``network:`` or ``processor:`` target scaled.

    A target is ``kind:selector:parameter`` (``memory:hbm3e:bandwidth``, ``processor:gpu:peak``,
    ``processor:*:tdp``, ``processor:*:energy_per_flop``: a processor's own FP64 energy floor, only where
    its machine file gives one, as a projected machine does); a selector may name one machine's part (:func:`split_selector`:
    ``processor:fugakunext-like/GPU-2030:peak``), the machine being matched by its name. Returns
    the new machine and the set of targets that changed something.
    """
    hit: set[str] = set()
    node = machine.node
    network = machine.network
    processors = list(node.processors)
    for target, factor in multipliers.items():
        kind, selector, parameter = target.split(":")
        if kind not in MACHINE_KINDS:
            continue
        machine_sel, proc_sel, part = split_selector(kind, selector)
        if not selector_matches(machine_sel, machine.name):
            continue
        if kind == "memory":
            for i, p in enumerate(processors):
                if not selector_matches(proc_sel, p.name, p.type):
                    continue
                levels = []
                for lv in p.memory:
                    if selector_matches(part, lv.technology, lv.name):
                        new = _scaled(lv, _MEMORY_FIELD[parameter], factor)
                        if new is not lv:
                            hit.add(target)
                        lv = new
                    levels.append(lv)
                processors[i] = replace(p, memory=tuple(levels))
        elif kind == "network" and network is not None:
            if selector_matches(part, network.technology, network.name):
                new = _scaled(network, _NETWORK_FIELD[parameter], factor)
                if new is not network:
                    hit.add(target)
                network = new
        elif kind == "processor":
            for i, p in enumerate(processors):
                if selector_matches(part, p.name, p.type):
                    if parameter == "peak":
                        processors[i] = replace(
                            p,
                            peak_flop_per_s={k: v * factor for k, v in p.peak_flop_per_s.items()},
                            peak_matrix_flop_per_s={k: v * factor for k, v in p.peak_matrix_flop_per_s.items()},
                        )
                        hit.add(target)
                    elif parameter == "energy_per_flop":
                        if p.energy_per_flop_fp64_j is not None:  # only a processor's own floor
                            processors[i] = replace(p, energy_per_flop_fp64_j=p.energy_per_flop_fp64_j * factor)
                            hit.add(target)
                    elif p.tdp_w is not None:
                        processors[i] = replace(p, tdp_w=p.tdp_w * factor)
                        hit.add(target)
    if not hit:
        return machine, hit
    node = replace(node, processors=tuple(processors))
    return replace(machine, node=node, network=network), hit
