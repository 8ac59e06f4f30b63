"""The metric functions against hand-worked cases and the papers they cite."""

import math

import numpy as np
import pytest

from fs import metrics as M


def test_speedup_is_weighted_geometric_mean_of_throughput_ratios():
    # two workloads: 4x faster on one (weight 0.75), 2x slower on the other (0.25), same node count
    s = M.portfolio_speedup([1.0, 2.0], [4.0, 1.0], 100, 100, [0.75, 0.25])
    assert s == pytest.approx(4.0**0.75 * 0.5**0.25)
    # twice the nodes: twice the throughput
    assert M.portfolio_speedup([1.0, 2.0], [4.0, 1.0], 200, 100, [0.75, 0.25]) == pytest.approx(2 * s)


def test_speedup_broadcasts_over_cases():
    t = np.array([[1.0, 1.0], [2.0, 2.0]])
    s = M.portfolio_speedup(t, [1.0, 1.0], np.array([10, 10]), 10, [0.5, 0.5])
    np.testing.assert_allclose(s, [1.0, 0.5])


def test_daly_interval_reduces_to_young_for_short_checkpoints():
    d, m = 10.0, 1e7
    assert M.daly_interval_s(d, m) == pytest.approx(math.sqrt(2 * d * m), rel=1e-3)
    # Daly's first-order correction is positive then minus delta: check the formula at d/2M = 0.01
    d, m = 200.0, 1e4
    x = d / (2 * m)
    assert M.daly_interval_s(d, m) == pytest.approx(math.sqrt(2 * d * m) * (1 + math.sqrt(x) / 3 + x / 9) - d)
    # beyond 2M the interval is M
    assert M.daly_interval_s(3e4, 1e4) == pytest.approx(1e4)


def test_checkpoint_waste_grows_with_checkpoint_time_and_failure_rate():
    w = M.checkpoint_waste(np.array([10.0, 100.0, 1000.0]), 3600.0 * 3)
    assert np.all(np.diff(w) > 0) and np.all((w > 0) & (w < 1))
    assert M.checkpoint_waste(60.0, 3600.0) > M.checkpoint_waste(60.0, 36000.0)
    # first order (Young): waste ~ sqrt(2 d / M) for d << M
    assert M.checkpoint_waste(1.0, 1e8) == pytest.approx(math.sqrt(2 / 1e8), rel=0.01)


def test_checkpoint_time_by_tier():
    assert M.checkpoint_time_s(32 * 2**30, 1000, "node-local-flash", 4e9, 1e12) == pytest.approx(32 * 2**30 / 4e9)
    assert M.checkpoint_time_s(32 * 2**30, 1000, "parallel-fs", 4e9, 1e12) == pytest.approx(1000 * 32 * 2**30 / 1e12)
    with pytest.raises(ValueError):
        M.checkpoint_time_s(1.0, 1, "tape", 1.0, 1.0)


def test_fit_nodes_takes_the_tighter_budget():
    # 40 MW / (200 W x 1.25) = 160,000 nodes; 1e9 JPY / 1e4 JPY = 100,000 nodes -> capital decides
    assert M.fit_nodes(40e6, 200.0, 1.25, 1e9, 1e4) == 100_000
    assert M.fit_nodes(40e6, 200.0, 1.25, np.nan, 1e4) == 160_000


def test_system_mtbf_scales_with_power_and_nodes():
    year = 365.25 * 86400
    assert M.system_mtbf_s(1000, 200.0, 50 * year, 200.0) == pytest.approx(50 * year / 1000)
    assert M.system_mtbf_s(1000, 400.0, 50 * year, 200.0) == pytest.approx(25 * year / 1000)


def test_energy_cost_and_carbon():
    e = M.lifetime_energy_j(1e6, 1.0)  # 1 MW for a year = 8766 MWh
    assert e / M.J_PER_KWH == pytest.approx(8766e3)
    # one year, discounted at 4 %: 5 + (0.05 x 5 maintenance + 8766e3 kWh x 20) / 1.04
    assert M.total_cost_jpy(5.0, e, 20.0, 1.0) == pytest.approx(5.0 + (0.05 * 5.0 + 8766e3 * 20) / 1.04)
    # six years of the same yearly payments: the annuity factor (1 - 1.04^-6) / 0.04 = 5.2421
    six = M.total_cost_jpy(1e9, 6 * e, 20.0, 6.0)
    assert six == pytest.approx(1e9 + (1 - 1.04**-6) / 0.04 * (0.05 * 1e9 + 8766e3 * 20))
    assert M.total_carbon_g(7.0, e, 500.0) == pytest.approx(7.0 + 8766e3 * 500)


def test_normalise_to_best_feasible():
    v = np.array([2.0, 4.0, 8.0])
    np.testing.assert_allclose(M.normalise(v, +1), [0.25, 0.5, 1.0])
    np.testing.assert_allclose(M.normalise(v, -1), [1.0, 0.5, 0.25])
    # the best is taken among feasible candidates only
    np.testing.assert_allclose(M.normalise(v, +1, [True, True, False]), [0.5, 1.0, 2.0])


def test_part_score_weights_by_peak_share():
    assert M.part_score([1.0, 3.0], [1.0, 0.0]) == pytest.approx(0.25)


def test_delivered_work_in_reference_node_hours():
    # 1.5x the throughput of 1,000 reference nodes, 80 % useful, 6 years: 1.5 * 1000 * 0.8 * 6 * 8766 h
    w = M.delivered_work_node_hours(1.5, 1000, 0.8, 6)
    assert w == pytest.approx(1.5 * 1000 * 0.8 * 6 * 8766.0, rel=1e-12)
    np.testing.assert_allclose(M.delivered_work_node_hours(np.array([1.0, 2.0]), 10, 1.0, 1), [87660.0, 175320.0])
