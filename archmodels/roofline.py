"""Roofline chart geometry: attainable rate and ridge point (SI units).

The model itself (power-capped hierarchical energy roofline) is :mod:`archmodels.physics`.

References
----------
S. Williams, A. Waterman, D. Patterson, "Roofline: an insightful visual performance model for
multicore architectures", CACM 52(4), 2009, https://doi.org/10.1145/1498765.1498785.
J. W. Choi, D. Bedard, R. Fowler, R. Vuduc, "A roofline model of energy", IPDPS 2013,
https://doi.org/10.1109/IPDPS.2013.77.
"""

from __future__ import annotations

import numpy as np


def attainable_flop_per_s(intensity_flop_per_byte, peak_flop_per_s, bandwidth_bytes_per_s):
    """Attainable rate at an arithmetic intensity I: min(P, I·B) [FLOP/s] (Williams et al. 2009)."""
    return np.minimum(peak_flop_per_s, np.multiply(intensity_flop_per_byte, bandwidth_bytes_per_s))


def ridge_flop_per_byte(peak_flop_per_s, bandwidth_bytes_per_s):
    """Ridge point P / B [FLOP/B]: intensities above it are compute-bound."""
    return np.divide(peak_flop_per_s, bandwidth_bytes_per_s)
