"""Dynamic voltage and frequency scaling (DVFS): a machine run at a fraction of its nominal clock.

Model: at a clock ratio ``r = f / f_nominal`` the peak rates scale as ``r``, and the dynamic power
budget as ``r^α`` with ``α = 3`` (P_dyn = C·V²·f with V roughly proportional to f inside the DVFS
range; Weiser et al., "Scheduling for reduced CPU energy", OSDI 1994; Horowitz, ISSCC 2014), so the
dynamic energy per operation scales as ``r^(α−1) = r²``. Static power (leakage, uncore) is unchanged;
memory bandwidth is not scaled (memory runs on its own clock). The ratio is limited to [0.3, 1.2]: below
that, voltage no longer scales with frequency and the cube law overstates the saving.

The transform itself is :func:`archmodels.transforms.at_clock`.

The classic reading follows from the roofline: a memory-bound workload loses little time at a lower
clock while its processor's dynamic power falls as r³, so it saves energy; a compute-bound one slows
down in proportion and saves less.
"""

from __future__ import annotations


#: Exponent of the dynamic power in the clock ratio (P_dyn ∝ f·V², V ∝ f).
DYNAMIC_POWER_EXPONENT = 3.0


def dynamic_power_scale(clock_ratio: float, exponent: float = DYNAMIC_POWER_EXPONENT) -> float:
    """Factor on a processor's dynamic power at a clock ratio: r^α [-]."""
    return clock_ratio ** exponent
