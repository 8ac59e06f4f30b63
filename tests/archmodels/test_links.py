"""Link technologies and network power."""

import math

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from archmodels.errors import InputError
from archmodels.links import (
    breakeven_utilisation,
    link_power_w,
    link_technologies,
    link_technology,
    network_breakeven_utilisation,
    network_power,
    technology_breakeven_utilisation,
)


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


def test_network_breakeven_matches_network_power():
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
