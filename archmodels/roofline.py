"""Roofline chart geometry: attainable rate and ridge point (SI units).

The model itself (power-capped hierarchical energy roofline) is :mod:`archmodels.physics`, which
cites the roofline of Williams, Waterman and Patterson (CACM 2009) drawn here and its energy form.
"""

from __future__ import annotations

import numpy as np


def attainable_flop_per_s(intensity_flop_per_byte, peak_flop_per_s, bandwidth_bytes_per_s):
    """Attainable rate at an arithmetic intensity I: min(P, I·B) [FLOP/s] (Williams et al. 2009).

    Parameters
    ----------
    intensity_flop_per_byte : float or array_like
        Arithmetic intensity I [FLOP/B].
    peak_flop_per_s : float or array_like
        Compute ceiling P [FLOP/s].
    bandwidth_bytes_per_s : float or array_like
        Memory bandwidth B [B/s].

    Returns
    -------
    numpy.ndarray or numpy.float64
        min(P, I·B) [FLOP/s], broadcast over the arguments.

    Examples
    --------
    With P = 10 FLOP/s and B = 4 B/s, I = 0.5 and 2 FLOP/B are memory-bound (0.5·4 = 2,
    2·4 = 8 FLOP/s); at 8 FLOP/B, 8·4 = 32 is above the peak, which caps it at 10:

    >>> attainable_flop_per_s([0.5, 2.0, 8.0], 10.0, 4.0)
    array([ 2.,  8., 10.])
    """
    return np.minimum(peak_flop_per_s, np.multiply(intensity_flop_per_byte, bandwidth_bytes_per_s))


def ridge_flop_per_byte(peak_flop_per_s, bandwidth_bytes_per_s):
    """Ridge point P / B [FLOP/B]: intensities above it are compute-bound.

    Parameters
    ----------
    peak_flop_per_s, bandwidth_bytes_per_s : float or array_like
        The compute ceiling P [FLOP/s] and memory bandwidth B [B/s] of :func:`attainable_flop_per_s`.

    Returns
    -------
    numpy.ndarray or numpy.float64
        P / B [FLOP/B], where ``attainable_flop_per_s`` turns from I·B to P.

    Examples
    --------
    10 FLOP/s over 4 B/s: the two ceilings meet at 10 / 4 = 2.5 FLOP/B.

    >>> float(ridge_flop_per_byte(10.0, 4.0))
    2.5
    """
    return np.divide(peak_flop_per_s, bandwidth_bytes_per_s)
