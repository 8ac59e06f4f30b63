"""Dynamic voltage and frequency scaling (DVFS): a machine run at a fraction of its nominal clock.

Model: at a clock ratio ``r = f / f_nominal`` the peak rates scale as ``r``, and the dynamic power
budget as ``r^α`` with ``α = 3`` (P_dyn = C·V²·f with V roughly proportional to f inside the DVFS
range; Weiser et al., "Scheduling for reduced CPU energy", OSDI 1994; Horowitz, ISSCC 2014), so the
dynamic energy per operation scales as ``r^(α−1) = r²``. Static power (leakage, uncore) is unchanged;
memory bandwidth is not scaled (memory runs on its own clock). The ratio is limited to [0.3, 1.2]: below
that, voltage no longer scales with frequency and the cube law overstates the saving.

The classic reading follows from the roofline: a memory-bound workload loses little time at a lower
clock while its processor's dynamic power falls as r³, so it saves energy; a compute-bound one slows
down in proportion and saves less.
"""

from __future__ import annotations

from dataclasses import replace
from types import MappingProxyType

from archmodels.errors import InputError
from archmodels.machine import Machine
from archmodels.power import node_power

#: Exponent of the dynamic power in the clock ratio (P_dyn ∝ f·V², V ∝ f).
DYNAMIC_POWER_EXPONENT = 3.0


def dynamic_power_scale(clock_ratio: float, exponent: float = DYNAMIC_POWER_EXPONENT) -> float:
    """Factor on a processor's dynamic power at a clock ratio: r^α [-]."""
    return clock_ratio ** exponent


def at_clock(machine: Machine, clock_ratio: float, exponent: float = DYNAMIC_POWER_EXPONENT) -> Machine:
    """The machine with every processor run at ``clock_ratio`` of its nominal clock.

    Peaks (vector and matrix) and clocks scale by r; each processor's TDP becomes
    ``P_static + (TDP − P_static) · r^α`` (static share as in :mod:`archmodels.power`), so its
    energy per FLOP from the datasheet term scales as r^(α−1). The rest of the node keeps its power,
    so a given node ``power_max`` falls by the processors' saving. Memory and network are unchanged.

    Raises
    ------
    InputError
        A clock ratio outside [0.3, 1.2].
    """
    if not 0.3 <= clock_ratio <= 1.2:
        raise InputError(f"clock ratio must be within [0.3, 1.2], got {clock_ratio!r}", location="clock_ratio")
    power = node_power(machine.node)
    scale = dynamic_power_scale(clock_ratio, exponent)
    procs = []
    for p in machine.node.processors:
        static = power.static_w[p.name]
        procs.append(replace(
            p,
            peak_flop_per_s=MappingProxyType({k: v * clock_ratio for k, v in p.peak_flop_per_s.items()}),
            peak_matrix_flop_per_s=MappingProxyType({k: v * clock_ratio for k, v in p.peak_matrix_flop_per_s.items()}),
            clock_hz=None if p.clock_hz is None else p.clock_hz * clock_ratio,
            tdp_w=static + (power.tdp_w[p.name] - static) * scale))
    # the rest of the node draws what it did; the node's maximum falls with its processors' budget
    power_max = None
    if machine.node.power_max_w:
        power_max = power.other_w + sum(p.tdp_w * p.count for p in procs)
    node = replace(machine.node, processors=tuple(procs), power_max_w=power_max)
    return replace(machine, node=node, name=f"{machine.name}@{clock_ratio:g}x-clock")
