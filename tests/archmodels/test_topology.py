"""Topologies: diameter, average hops, bisection and links per node as functions of size."""

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from archmodels.errors import InputError
from archmodels.topology import (
    bisection_fraction,
    dragonfly,
    fat_tree,
    optical,
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
