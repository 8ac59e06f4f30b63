"""Node power (archmodels/power.py): TDPs from a spec, from a node's power_max or from the FP64 peak,
static share, rest of the node, idle and maximum, checked against hand arithmetic.

Shipped tables used below (archmodels/data/energy.toml): FP64 FLOP floor 20 pJ (cpu), 8.7 pJ (gpu);
fp32 scale 0.5; static share f_s = 0.30 of TDP; rest of node f_o = 0.10 of the processors' TDP.
"""

from __future__ import annotations

import pytest

from archmodels.machine import Machine, MemoryLevel, Node, Processor
from archmodels.power import NodePower, node_power, node_power_range_w
from archmodels.technology import default_technology

HBM = (MemoryLevel("HBM", "hbm3e", 32 * 2**30, 1e12),)


def proc(name="c", type="cpu", count=1, peak=1e12, tdp_w=None, precision="fp64"):
    return Processor(name, type, count, {precision: peak}, {}, HBM, tdp_w=tdp_w)


def test_tdp_from_the_fp64_peak_when_nothing_is_published():
    # TDP = eps * peak / (1 - f_s) = 20e-12 J * 1e12 FLOP/s / 0.7 = 28.571 W per CPU, two of them
    p = node_power(Node((proc(count=2),)))
    tdp = 20.0 / 0.7
    assert isinstance(p, NodePower)
    assert p.tdp_w == {"c": pytest.approx(tdp, rel=1e-12)}
    assert p.counts == {"c": 2}
    assert p.static_w["c"] == pytest.approx(0.3 * tdp, rel=1e-12)          # 8.571 W
    # no power_max: rest of node = f_o * sum TDP = 0.1 * 57.143 = 5.714 W
    assert p.other_w == pytest.approx(0.1 * 2 * tdp, rel=1e-12)
    assert p.max_w == pytest.approx(1.1 * 2 * tdp, rel=1e-12)              # 62.857 W
    # idle = rest of node + static of every processor = 5.714 + 2 * 8.571 = 22.857 W
    assert p.idle_w == pytest.approx(0.1 * 2 * tdp + 2 * 0.3 * tdp, rel=1e-12)


def test_a_processor_without_fp64_takes_its_first_precision_scaled():
    # fp32 only: 20 pJ * 0.5 * 2e12 FLOP/s / 0.7 = 28.571 W
    p = node_power(Node((proc(peak=2e12, precision="fp32"),)))
    assert p.tdp_w["c"] == pytest.approx(20e-12 * 0.5 * 2e12 / 0.7, rel=1e-12)


def test_published_tdp_is_kept_and_the_rest_of_the_node_fills_power_max():
    # TDPs given (2 x 100 W + 1 x 300 W = 500 W), power_max 650 W: other = 650 - 500 = 150 W
    node = Node((proc("c", tdp_w=100.0, count=2), proc("g", "gpu", tdp_w=300.0)), power_max_w=650.0)
    p = node_power(node)
    assert p.tdp_w == {"c": 100.0, "g": 300.0}
    assert p.other_w == pytest.approx(150.0) and p.max_w == 650.0
    # idle = 150 + 0.3 * (2 * 100 + 300) = 300 W
    assert p.idle_w == pytest.approx(300.0)


def test_tdp_split_from_power_max_after_the_rest_of_the_node():
    # budget = P_max / (1 + f_o) - known = 220 / 1.1 - 50 = 150 W, shared by 2 CPUs: 75 W each
    node = Node((proc("g", "gpu", tdp_w=50.0), proc("c", count=2)), power_max_w=220.0)
    p = node_power(node)
    assert p.tdp_w["c"] == pytest.approx(75.0, rel=1e-12)
    assert p.tdp_w["g"] == 50.0
    assert p.other_w == pytest.approx(220.0 - 200.0)                       # 20 W
    assert p.max_w == 220.0
    assert p.idle_w == pytest.approx(20.0 + 0.3 * 200.0)                   # 80 W


def test_two_unknown_processors_share_the_budget_by_their_peak_power():
    # budget = 110 / 1.1 = 100 W; weights eps*peak/0.7: cpu 20 pJ * 1e12, gpu 8.7 pJ * 1e12 -> 20 : 8.7
    node = Node((proc("c"), proc("g", "gpu")), power_max_w=110.0)
    p = node_power(node)
    assert p.tdp_w["c"] == pytest.approx(100.0 * 20 / 28.7, rel=1e-12)    # 69.686 W
    assert p.tdp_w["g"] == pytest.approx(100.0 * 8.7 / 28.7, rel=1e-12)   # 30.314 W
    assert p.other_w == pytest.approx(10.0)


def test_no_budget_left_falls_back_to_the_peak_power_and_max_exceeds_power_max():
    # known 100 W already above 50 / 1.1 = 45.5 W: the CPU gets its peak power 28.571 W;
    # processors 128.571 W > power_max 50 W -> other = 0, max = 128.571 W
    node = Node((proc("g", "gpu", tdp_w=100.0), proc("c")), power_max_w=50.0)
    p = node_power(node)
    assert p.tdp_w["c"] == pytest.approx(20.0 / 0.7, rel=1e-12)
    assert p.other_w == 0.0
    assert p.max_w == pytest.approx(100.0 + 20.0 / 0.7, rel=1e-12)


def test_published_idle_power_wins():
    p = node_power(Node((proc(tdp_w=100.0),), power_max_w=200.0, power_idle_w=42.0))
    assert p.idle_w == 42.0 and p.max_w == 200.0


def test_zero_idle_power_is_a_value_not_a_missing_one():
    # a node that powers off when idle (built in code; the spec asks for a positive power)
    p = node_power(Node((proc(tdp_w=100.0),), power_max_w=200.0, power_idle_w=0.0))
    assert p.idle_w == 0.0 and p.max_w == 200.0
    # without a published idle it is the static 30 W plus the rest of the node 100 W
    assert node_power(Node((proc(tdp_w=100.0),), power_max_w=200.0)).idle_w == pytest.approx(130.0)


def test_a_changed_technology_changes_static_and_other_shares():
    # f_s = 0.5, f_o = 0.2: TDP 100 W given -> static 50 W, other 20 W, idle 70 W, max 120 W
    tech = default_technology().replaced(static_fraction=0.5, node_other_fraction=0.2)
    p = node_power(Node((proc(tdp_w=100.0),)), tech)
    assert p.static_w["c"] == pytest.approx(50.0)
    assert p.other_w == pytest.approx(20.0) and p.max_w == pytest.approx(120.0)
    assert p.idle_w == pytest.approx(70.0)
    # and the FP64-peak TDP divides by 1 - f_s = 0.5: 20 pJ * 1e12 / 0.5 = 40 W
    assert node_power(Node((proc(),)), tech).tdp_w["c"] == pytest.approx(40.0, rel=1e-12)
    assert node_power(Node((proc(tdp_w=100.0),))).static_w["c"] == pytest.approx(30.0)  # default untouched


def test_node_power_range_is_idle_and_max_of_the_machine_node():
    node = Node((proc("c", tdp_w=100.0, count=2),), power_max_w=260.0)
    machine = Machine("tiny", "Tiny", 4, node)
    # other = 260 - 200 = 60 W; idle = 60 + 2 * 30 = 120 W; max = 260 W
    assert node_power_range_w(machine) == (pytest.approx(120.0), 260.0)
