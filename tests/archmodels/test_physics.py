"""archmodels.physics: the model's equations on hand-computed cases, and their broadcasting."""

import numpy as np
import pytest

from archmodels.physics import (BOUND_COMPUTE, BOUND_MEMORY, BOUND_POWER, energy_per_flop_j, network_step,
                                processor_cap_w, processor_step, processors_power_budget_w,
                                reuse_bytes_per_unit, running_node_power_w)

PART = dict(peak_flop_per_s=1e12, peak_any_flop_per_s=1e12, compute_efficiency=0.5, memory_efficiency=[1.0, 0.8],
            bandwidth_bytes_per_s=[1e12, 1e11], energy_per_bit_j=[0.5e-12, 4e-12], tdp_w=300.0, static_w=90.0,
            power_cap_w=300.0, energy_per_flop_floor_j=1e-11)


def test_compute_bound_step_by_hand():
    # 1 TFLOP at eta 0.5 on 1 TFLOP/s: 2 s; levels 1e9 B / 1e12 and 1e9 B / 0.8e11 B/s: 1 ms, 12.5 ms
    s = processor_step(1e12, [1e9, 1e9], **PART)
    assert float(s.compute_time_s) == pytest.approx(2.0)
    assert s.level_time_s == pytest.approx([1e-3, 1.25e-2])
    assert float(s.time_s) == pytest.approx(2.0) and int(s.bound) == BOUND_COMPUTE
    # eps = max(1e-11, 210 W / 1e12) = 2.1e-10 J; R = min(1e12, 210 / 2.1e-10) = 1e12
    assert float(s.energy_per_flop_j) == pytest.approx(2.1e-10)
    # dynamic = min(210, (eps R Tc + 8 (1e9 0.5e-12 + 1e9 4e-12)) / T) = min(210, (420 + 0.036) / 2)
    assert float(s.dynamic_w) == pytest.approx(210.0)


def test_power_cap_binds_and_memory_bound_picks_the_slowest_level():
    capped = processor_step(1e12, [0.0, 0.0], **{**PART, "power_cap_w": 195.0})   # 105 W / 2.1e-10 = 5e11
    assert float(capped.driven_flop_per_s) == pytest.approx(5e11)
    assert float(capped.time_s) == pytest.approx(4.0) and int(capped.bound) == BOUND_POWER
    mem = processor_step(1e9, [1e12, 1e12], **PART)      # 1 s through L0, 12.5 s through L1
    assert float(mem.time_s) == pytest.approx(12.5) and int(mem.bound) == BOUND_MEMORY + 1


def test_a_tie_reports_the_first_term():
    s = processor_step(0.5e12, [0.5e12, 0.0], **{**PART, "compute_efficiency": 1.0, "memory_efficiency": [1.0, 1.0]})
    assert float(s.compute_time_s) == float(s.level_time_s[0]) == 0.5
    assert int(s.bound) == BOUND_COMPUTE


def test_arrays_broadcast_and_equal_the_scalar_calls():
    flops = np.array([[1e9, 1e12], [1e11, 3e12]])
    q = np.stack([flops * 2.0, flops * 0.5], axis=-1)
    caps = np.array([[300.0], [200.0]])
    batch = processor_step(flops, q, **{**PART, "power_cap_w": caps})
    for i in range(2):
        for j in range(2):
            one = processor_step(flops[i, j], q[i, j], **{**PART, "power_cap_w": float(caps[i, 0])})
            assert float(batch.time_s[i, j]) == float(one.time_s)
            assert float(batch.dynamic_w[i, j]) == float(one.dynamic_w)
            assert int(batch.bound[i, j]) == int(one.bound)


def test_energy_per_flop_is_the_floor_or_what_the_tdp_implies():
    assert float(energy_per_flop_j(300.0, 90.0, 7e12, 8.7e-12)) == pytest.approx(3e-11)      # TDP-implied
    assert float(energy_per_flop_j(300.0, 90.0, 1e14, 8.7e-12)) == pytest.approx(8.7e-12)    # the floor
    assert float(energy_per_flop_j(50.0, 90.0, 1e12, 8.7e-12)) == pytest.approx(8.7e-12)     # no budget


def test_node_power_helpers_by_hand():
    assert float(processors_power_budget_w(2200.0, 0.1, 500.0)) == pytest.approx(1500.0)
    assert float(processor_cap_w(500.0, 1800.0, 200.0, 100.0, 4)) == pytest.approx(375.0)
    assert float(processor_cap_w(500.0, float("nan"), 200.0, 100.0, 4)) == 500.0
    # half the step communicating: the processors' dynamic power counts for half
    p = running_node_power_w(other_w=100.0, idle_others_w=20.0, count=2, static_w=90.0, dynamic_w=200.0,
                             node_time_s=1.0, step_time_s=2.0, network_bytes=1e9, network_energy_per_bit_j=1e-11,
                             link_static_w=5.0)
    assert float(p) == pytest.approx(100 + 20 + 2 * (90 + 100) + 8e9 * 1e-11 / 2 + 5)


def test_reuse_step_function():
    ws = np.array([1e6, 1e8, 1e10])
    b = np.array([100.0, 10.0, 1.0])
    assert reuse_bytes_per_unit(0.0, ws, b) == 100.0
    assert reuse_bytes_per_unit(1e8, ws, b) == 10.0
    assert np.array_equal(reuse_bytes_per_unit(np.array([0.0, 2e6, 1e12]), ws, b), [100.0, 100.0, 1.0])


def test_reuse_step_function_broadcasts_and_matches_its_definition():
    """q(C) = min(q_0, min{q_p : W_p <= C}) elementwise, for capacities of any shape and working
    sets given per capacity (point axis last) or once for all."""
    rng = np.random.default_rng(3)
    cap = 10.0 ** rng.uniform(4, 11, size=(7, 3))
    ws = np.sort(10.0 ** rng.uniform(4, 11, size=(7, 3, 5)), axis=-1)
    b = rng.uniform(1.0, 100.0, size=5)
    got = reuse_bytes_per_unit(cap, ws, b)
    assert got.shape == cap.shape
    for idx in np.ndindex(cap.shape):
        fits = [q for w, q in zip(ws[idx], b) if w <= cap[idx]]
        assert got[idx] == min([b[0], *fits])
    one = reuse_bytes_per_unit(cap, ws[0, 0], b)  # one set of working sets for every capacity
    for idx in np.ndindex(cap.shape):
        assert one[idx] == reuse_bytes_per_unit(float(cap[idx]), ws[0, 0], b)


def test_network_step_sums_the_collectives_and_one_node_is_free():
    comms = [("allreduce", 2, lambda u: 8.0 * u), ("halo", 1, lambda u: 1e6)]
    net = dict(injection_bandwidth_bytes_per_s=25e9, latency_s=2e-6, topology="fat-tree")
    t1, b1 = network_step(comms, 1e6, 1, **net)
    assert float(t1) == 0.0 and float(b1) == 0.0
    t, b = network_step(comms, np.array([1e6, 2e6]), 64, **net)
    assert b == pytest.approx([2 * 8e6 + 1e6, 2 * 16e6 + 1e6])
    assert t[1] > t[0] > 0
