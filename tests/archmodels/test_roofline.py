"""archmodels.roofline: attainable rate and ridge point on hand-computed cases."""

import numpy as np
import pytest

from archmodels.roofline import attainable_flop_per_s, ridge_flop_per_byte

# A64FX: 3.3792 TFLOP/s FP64, 1024 GB/s HBM2 (Fugaku spec)
PEAK, BW = 3.3792e12, 1.024e12


def test_ridge_of_a64fx_is_3_3_flop_per_byte():
    assert float(ridge_flop_per_byte(PEAK, BW)) == pytest.approx(3.3)


def test_below_the_ridge_the_bandwidth_bounds_above_it_the_peak():
    assert float(attainable_flop_per_s(1.0, PEAK, BW)) == pytest.approx(1.024e12)    # 1 FLOP/B x 1024 GB/s
    assert float(attainable_flop_per_s(0.125, PEAK, BW)) == pytest.approx(128e9)      # STREAM-like intensity
    assert float(attainable_flop_per_s(10.0, PEAK, BW)) == pytest.approx(PEAK)        # 10.24 TFLOP/s capped
    assert float(attainable_flop_per_s(3.3, PEAK, BW)) == pytest.approx(PEAK)         # both ceilings meet


def test_arguments_broadcast_one_curve_per_machine():
    intensity = np.array([0.5, 2.0, 8.0])
    peaks = np.array([[10.0], [20.0]])          # two machines sharing B = 4 B/s
    got = attainable_flop_per_s(intensity, peaks, 4.0)
    assert got.shape == (2, 3)
    assert got.tolist() == [[2.0, 8.0, 10.0], [2.0, 8.0, 20.0]]
    assert ridge_flop_per_byte(peaks[:, 0], np.array([4.0, 5.0])).tolist() == [2.5, 4.0]
