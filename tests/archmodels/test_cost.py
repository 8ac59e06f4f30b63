"""Capital cost from components."""

import pytest

import archmodels
from archmodels.cost import (
    integration_cost_jpy,
    network_cost_per_node_jpy,
    node_capital_cost_jpy,
    node_cost,
    processor_price_jpy,
)
from archmodels.errors import InputError
from archmodels.memtech import memory_technology
from archmodels.network import link_technology


def test_processor_prices_and_unknown_type():
    assert processor_price_jpy("cpu") == pytest.approx(1.6e6)
    assert processor_price_jpy("gpu") > processor_price_jpy("cpu")
    with pytest.raises(InputError):
        processor_price_jpy("fpga")


def test_network_cost_counts_links_nics_and_ports():
    # 1024 nodes at 100 GB/s on a radix-64 fat tree: 2 levels -> 2 cables of 100 GB/s per node,
    # 2 NICs of 50 GB/s, 3 switch ports per node (2 per switch-switch cable, 1 for the terminal cable)
    link = link_technology("electrical")
    cost = network_cost_per_node_jpy("fat-tree", 1024, 100e9, "electrical")
    assert cost == pytest.approx(2 * link.cost_jpy + 2 * 300_000 + 3 * 90_000)
    # a torus routes inside the node: links only
    torus = network_cost_per_node_jpy("torus", 1024, 100e9, "electrical", dimensions=3)
    assert 0 < torus < cost
    # optics cost more per link than copper
    assert network_cost_per_node_jpy("fat-tree", 1024, 100e9, "pluggable-optics") > cost


def test_node_cost_adds_up_and_prices_memory_by_technology():
    dgx = archmodels.load_machine("dgx-h100")
    c = node_cost(dgx)
    assert c.total_jpy == pytest.approx(c.processors_jpy + c.memory_jpy + c.network_jpy + c.integration_jpy)
    assert node_capital_cost_jpy(dgx) == c.total_jpy
    assert c.processors_jpy == pytest.approx(8 * processor_price_jpy("gpu") + 2 * processor_price_jpy("cpu"))
    hbm = 8 * 80e9 / 1e9 * memory_technology("hbm3").cost_jpy_per_gb
    ddr = 2 * 2**40 / 1e9 * memory_technology("ddr5").cost_jpy_per_gb
    assert c.memory_jpy == pytest.approx(hbm + ddr)
    assert c.integration_jpy == pytest.approx(integration_cost_jpy(10))


def test_more_hbm_costs_more():
    base = node_cost(archmodels.load_machine("dgx-h100"))
    bigger = node_cost(archmodels.load_machine("dgx-h200"))
    assert bigger.memory_jpy > base.memory_jpy
