"""Topologies, link technologies, network power and validation against published measurements."""

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from archmodels.errors import InputError
from archmodels.network import (
    breakeven_utilisation,
    bisection_fraction,
    dragonfly,
    fat_tree,
    link_power_w,
    link_technologies,
    link_technology,
    network_power,
    network_validation,
    optical,
    technology_breakeven_utilisation,
    topology_metrics,
    torus,
    torus_shape,
)


def test_fat_tree_levels_hops_and_links():
    # radix 64: one switch holds 64 nodes, two levels 64*32 = 2048, three levels 65,536 (Leiserson; Al-Fares 2008)
    assert fat_tree(64).diameter_hops == 2 and fat_tree(64).links_per_node == 1.0
    two = fat_tree(2048)
    assert two.diameter_hops == 4 and two.links_per_node == 2.0 and two.bisection_fraction == 1.0
    # same leaf (31 of 2047 others) 2 hops, the rest 4
    assert two.average_hops == pytest.approx((31 * 2 + 2016 * 4) / 2047)
    assert fat_tree(65_536).diameter_hops == 6 and fat_tree(65_537).diameter_hops == 8
    assert fat_tree(2048, taper=0.5).bisection_fraction == 0.5


def test_high_radix_optical_needs_fewer_levels_than_electrical():
    n = 158_976
    assert optical(n).diameter_hops < fat_tree(n).diameter_hops
    assert optical(n).links_per_node < fat_tree(n).links_per_node
    assert optical(n).bisection_fraction == 1.0


def test_dragonfly_balanced_kim_2008():
    p, a, h = 4, 8, 4   # balanced a = 2p = 2h: at most a*p*(a*h+1) = 1056 nodes
    full = dragonfly(1056, terminals_per_router=p, routers_per_group=a, global_links_per_router=h)
    assert full.diameter_hops == 5
    # 33 groups joined all-to-all by one global link per pair: 16*17 cross a balanced cut
    assert full.bisection_links == pytest.approx(16 * 17 * (a * h) / 32)
    assert full.bisection_fraction == pytest.approx(0.515, abs=0.01)
    assert 0.45 < dragonfly(158_976).bisection_fraction < 0.55
    with pytest.raises(InputError):
        dragonfly(5000, terminals_per_router=p, routers_per_group=a, global_links_per_router=h)


def test_torus_diameter_average_and_bisection():
    t = torus(512, shape=(8, 8, 8))
    assert t.diameter_hops == 12
    assert t.average_hops == pytest.approx(3 * 2 * 512 / 511)   # k/4 per even ring
    assert t.bisection_links == 2 * 512 / 8
    assert t.bisection_fraction == pytest.approx(2 / (8 * 3))   # 4b/(k B) with b = B/(2d)
    assert t.links_per_node == 3.0


def test_fugaku_is_laid_out_as_tofu():
    # Fugaku: 24 x 23 x 24 x 2 x 3 x 2 = 158,976 nodes (RIKEN); Tofu-D link = injection / 6 (Ajima 2018)
    shape = torus_shape(158_976, 6)
    assert shape[3:] == (2, 3, 2) and math.prod(shape) >= 158_976
    tofu = torus(158_976, shape=(24, 23, 24, 2, 3, 2))
    assert tofu.bisection_links == 2 * 158_976 / 24
    assert tofu.bisection_fraction == pytest.approx(4 / (24 * 6))
    assert tofu.diameter_hops == 12 + 11 + 12 + 1 + 1 + 1
    assert bisection_fraction("torus", 158_976, dimensions=6) < 0.05


@settings(max_examples=100, deadline=None)
@given(topology=st.sampled_from(["fat-tree", "dragonfly", "torus", "optical"]), n=st.integers(2, 300_000),
       d=st.sampled_from([1, 2, 3, 6]))
def test_metrics_are_consistent_for_any_size(topology, n, d):
    m = topology_metrics(topology, n, dimensions=d)
    assert 0.0 < m.bisection_fraction <= 1.0
    assert 1.0 <= m.average_hops <= m.diameter_hops
    assert m.links_per_node > 0


def test_link_technologies_and_breakeven():
    assert {"electrical", "electrical-retimed", "pluggable-optics", "co-packaged-optics"} <= set(link_technologies())
    cpo, plug = link_technology("co-packaged-optics"), link_technology("pluggable-optics")
    assert cpo.energy_per_bit_at_line_rate_j < plug.energy_per_bit_at_line_rate_j
    # CPO beats pluggables at every load: no crossing
    assert technology_breakeven_utilisation("pluggable-optics", "co-packaged-optics") == math.inf
    # copper has the higher static and lower per-bit energy: optics pay off below u*
    u = technology_breakeven_utilisation("electrical", "co-packaged-optics")
    assert 0.0 < u < 1.0
    cu = link_technology("electrical")
    rate = cu.line_rate_bytes_per_s
    p_cu = link_power_w(cu.static_power_w, cu.energy_per_bit_j, 2 * u * rate)
    p_cpo = link_power_w(cpo.static_power_w, cpo.energy_per_bit_j, 2 * u * rate)
    assert p_cu == pytest.approx(p_cpo)
    assert breakeven_utilisation(1.0, 2e-12, 1.0, 2e-12, 1e11) == math.inf


def test_network_power_static_part_is_paid_idle_and_grows_with_traffic():
    idle = network_power("fat-tree", 4096, 400e9, "pluggable-optics", 0.0)
    busy = network_power("fat-tree", 4096, 400e9, "pluggable-optics", 0.5)
    assert idle.dynamic_power_w == 0.0 and idle.static_power_w > 0
    assert busy.power_w > idle.power_w and busy.static_power_w == idle.static_power_w
    assert 0.0 < busy.link_utilisation <= 1.0
    # 4096 nodes need 3 levels of radix-64 switches: 3 links of 400 GB/s per node = 6 x 800G links
    assert idle.links == pytest.approx(4096 * 3 * 400e9 / 100e9)
    cpo = network_power("fat-tree", 4096, 400e9, "co-packaged-optics", 0.1, terminal_technology="electrical")
    assert cpo.power_w < network_power("fat-tree", 4096, 400e9, "pluggable-optics", 0.1,
                                       terminal_technology="electrical").power_w
    with pytest.raises(InputError):
        network_power("fat-tree", 16, 400e9, "pluggable-optics", 1.5)
    with pytest.raises(InputError):
        link_technology("smoke-signals")


def test_validation_against_published_measurements():
    rows = {r["case"]: r for r in network_validation()}
    assert set(rows) == {"dgx-h100-nvlink-ring-busbw", "dgx-h100-2node-ring-busbw", "fugaku-tofu-d-injection"}
    for r in rows.values():
        assert r["error"] == pytest.approx(r["model"] / r["published"] - 1)
        assert r["source"]
    # NVLink ring: the model runs at line rate (450 GB/s); NCCL reaches 370 GB/s, the ~20% protocol
    # overhead its maintainer describes (nccl-tests#212). The model over-predicts by 21.6%.
    assert 0.15 < rows["dgx-h100-nvlink-ring-busbw"]["error"] < 0.25
    # across nodes the NICs bound the ring (8 x 50 GB/s); measured 46-48 GB/s per NIC: +6%
    assert abs(rows["dgx-h100-2node-ring-busbw"]["error"]) < 0.10
    # Tofu-D: 6 TNIs x 2 lanes x 28.05 Gb/s x 64/66 = 40.8 GB/s against 38.1 GB/s measured: +7%
    assert abs(rows["fugaku-tofu-d-injection"]["error"]) < 0.10


def test_network_breakeven_matches_network_power():
    from archmodels.network import network_breakeven_utilisation

    u = network_breakeven_utilisation("fat-tree", 4096, 400e9, "electrical", "co-packaged-optics")
    assert 0.0 < u < 1.0
    a = network_power("fat-tree", 4096, 400e9, "electrical", u)
    b = network_power("fat-tree", 4096, 400e9, "co-packaged-optics", u)
    assert a.power_w == pytest.approx(b.power_w)
    # below the breakeven the low-static optics draw less, above it copper does
    assert (network_power("fat-tree", 4096, 400e9, "co-packaged-optics", u / 2).power_w
            < network_power("fat-tree", 4096, 400e9, "electrical", u / 2).power_w)
    assert network_breakeven_utilisation("fat-tree", 4096, 400e9, "pluggable-optics", "co-packaged-optics") == math.inf


@settings(max_examples=60, deadline=None)
@given(topology=st.sampled_from(["fat-tree", "dragonfly", "torus", "optical"]), n=st.integers(2, 200_000),
       tech=st.sampled_from(["electrical", "electrical-retimed", "pluggable-optics", "co-packaged-optics"]),
       u=st.floats(0.0, 1.0), du=st.floats(0.0, 1.0))
def test_network_power_never_falls_with_more_traffic(topology, n, tech, u, du):
    low = network_power(topology, n, 100e9, tech, u, dimensions=3)
    high = network_power(topology, n, 100e9, tech, min(1.0, u + du), dimensions=3)
    assert high.power_w >= low.power_w
    assert low.static_power_w == pytest.approx(low.links * link_technology(tech).static_power_w)


def test_every_link_figure_is_sourced():
    for name in link_technologies():
        tech = link_technology(name)
        assert {field for field, _ in tech.sources} == {"line_rate", "energy_per_bit", "static_power", "cost"}
        assert all(title for _, title in tech.sources)
