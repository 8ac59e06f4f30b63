"""Roofline chart geometry: attainable rate and ridge point (SI units).

The model itself (power-capped hierarchical energy roofline) is :mod:`archmodels.physics`, which
cites the roofline of Williams, Waterman and Patterson (CACM 2009) drawn here and its energy form.
"""

from __future__ import annotations

import numpy as np


def attainable_flop_per_s(intensity_flop_per_byte, peak_flop_per_s, bandwidth_bytes_per_s):
    """Attainable rate at an arithmetic intensity I: min(P, I·B) [FLOP/s] (Williams et al. 2009)."""
    return np.minimum(peak_flop_per_s, np.multiply(intensity_flop_per_byte, bandwidth_bytes_per_s))


def ridge_flop_per_byte(peak_flop_per_s, bandwidth_bytes_per_s):
    """Ridge point P / B [FLOP/B]: intensities above it are compute-bound."""
    return np.divide(peak_flop_per_s, bandwidth_bytes_per_s)
