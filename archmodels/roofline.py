"""Hierarchical roofline and energy roofline: pure functions of numbers (SI units).

References
----------
S. Williams, A. Waterman, D. Patterson, "Roofline: an insightful visual performance model for
multicore architectures", CACM 52(4), 2009, https://doi.org/10.1145/1498765.1498785.
J. W. Choi, D. Bedard, R. Fowler, R. Vuduc, "A roofline model of energy", IPDPS 2013,
https://doi.org/10.1109/IPDPS.2013.77.
"""

from __future__ import annotations

import numpy as np


def time_roofline(flops, bytes_moved, peak_flop_per_s, bandwidth_bytes_per_s):
    """Time of a kernel bound by compute or by one memory level [s].

    Parameters
    ----------
    flops : numeric
        Floating-point operations W [FLOP].
    bytes_moved : numeric
        Bytes Q through the memory level [B].
    peak_flop_per_s : numeric
        Sustainable compute rate P [FLOP/s].
    bandwidth_bytes_per_s : numeric
        Sustainable bandwidth B of the level [B/s].

    Returns
    -------
    numeric
        T = max(W / P, Q / B) [s].
    """
    return np.maximum(np.divide(flops, peak_flop_per_s), np.divide(bytes_moved, bandwidth_bytes_per_s))


def attainable_flop_per_s(intensity_flop_per_byte, peak_flop_per_s, bandwidth_bytes_per_s):
    """Attainable rate at an arithmetic intensity I: min(P, I·B) [FLOP/s] (Williams et al. 2009)."""
    return np.minimum(peak_flop_per_s, np.multiply(intensity_flop_per_byte, bandwidth_bytes_per_s))


def ridge_flop_per_byte(peak_flop_per_s, bandwidth_bytes_per_s):
    """Ridge point P / B [FLOP/B]: intensities above it are compute-bound."""
    return np.divide(peak_flop_per_s, bandwidth_bytes_per_s)


def energy_roofline(flops, bytes_moved, time_s, energy_per_flop_j, energy_per_byte_j, constant_power_w):
    """Energy of a kernel: E = W·ε_flop + Q·ε_byte + π0·T [J] (Choi et al. 2013, eq. 2).

    The constant power π0 [W] is paid for the whole time T [s], which is why a slower design can cost
    more energy. ``bytes_moved`` and ``energy_per_byte_j`` may be arrays over memory levels (summed).
    """
    moved = np.sum(np.multiply(bytes_moved, energy_per_byte_j))
    return flops * energy_per_flop_j + moved + constant_power_w * time_s


def power_capped_flop_per_s(power_cap_w, static_power_w, energy_per_flop_j):
    """Highest FLOP rate a processor sustains within its power cap [FLOP/s].

    From the energy roofline with the power ceiling (Choi et al. 2013, sec. V):
    P_static + ε_flop·F ≤ P_cap  ⇒  F ≤ (P_cap − P_static) / ε_flop. This is why a GPU's FP64 matrix
    peak is not reached in HPL when ε_flop × peak exceeds its TDP.
    """
    return np.maximum(np.subtract(power_cap_w, static_power_w), 0.0) / energy_per_flop_j
