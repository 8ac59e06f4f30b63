"""Monte Carlo streams, quantiles and tornado cases; the operations simulation."""

import numpy as np
import pytest
from scipy import stats

from fs import uncertainty as U
from fs.study import Uncertainty

TRI = {"kind": "triangular", "low": 0.5, "mode": 1.0, "high": 1.5}
UNI = {"kind": "uniform", "low": 0.8, "high": 2.0}


def _u(target, dist):
    return Uncertainty(target, *target.split(":"), dist)


def test_sample_stream_is_the_spawned_child():
    children = np.random.SeedSequence(42).spawn(5)
    for i, child in enumerate(children):
        a = np.random.default_rng(child).random(3)
        b = U.sample_stream(42, i).random(3)
        np.testing.assert_array_equal(a, b)


def test_samples_do_not_depend_on_order_or_chunking():
    us = [_u("memory:hbm3e:energy_per_bit", UNI), _u("memory:sram-3d:bandwidth", TRI)]
    forward = [U.sample_multipliers(us, 7, i) for i in range(20)]
    backward = [U.sample_multipliers(us, 7, i) for i in reversed(range(20))][::-1]
    assert forward == backward
    assert len({m["memory:hbm3e:energy_per_bit"] for m in forward}) == 20


def test_draws_follow_their_distributions():
    rng = np.random.default_rng(0)
    x = np.array([U.draw(TRI, rng) for _ in range(4000)])
    assert stats.kstest(x, stats.triang(0.5, loc=0.5, scale=1.0).cdf).pvalue > 0.01
    y = np.array([U.draw(UNI, rng) for _ in range(4000)])
    assert y.min() >= 0.8 and y.max() <= 2.0


def test_a_normal_multiplier_is_truncated_to_positive_values_and_its_quantiles_match_its_draws():
    wide = {"kind": "normal", "mean": 1.0, "sd": 1.5}   # untruncated, a third of its draws would be <= 0
    rng = np.random.default_rng(1)
    x = np.array([U.draw(wide, rng) for _ in range(4000)])
    assert x.min() > 0
    truncated = stats.truncnorm(-1.0 / 1.5, np.inf, loc=1.0, scale=1.5)
    assert stats.kstest(x, truncated.cdf).pvalue > 0.01
    assert U.quantile(wide, 0.05) > 0
    assert np.quantile(x, 0.05) == pytest.approx(U.quantile(wide, 0.05), rel=0.1)
    assert np.quantile(x, 0.95) == pytest.approx(U.quantile(wide, 0.95), rel=0.05)


def test_quantiles_and_nominals():
    assert U.quantile(UNI, 0.05) == pytest.approx(0.86)
    assert U.quantile(TRI, 0.5) == pytest.approx(1.0)
    assert _u("memory:hbm3e:energy_per_bit", UNI).nominal == 1.0
    assert _u("grid:*:price", {"kind": "uniform", "low": 1.2, "high": 1.5}).nominal == 1.2


def test_tornado_moves_one_parameter_at_a_time():
    us = [_u("memory:hbm3e:energy_per_bit", UNI), _u("memory:sram-3d:bandwidth", TRI)]
    cases = U.tornado_cases(us)
    assert [(t, lv) for t, lv, _ in cases] == [("memory:hbm3e:energy_per_bit", "low"), ("memory:hbm3e:energy_per_bit", "high"),
                                               ("memory:sram-3d:bandwidth", "low"), ("memory:sram-3d:bandwidth", "high")]
    _, _, m = cases[3]
    assert m["memory:hbm3e:energy_per_bit"] == 1.0 and m["memory:sram-3d:bandwidth"] == pytest.approx(U.quantile(TRI, 0.95))
