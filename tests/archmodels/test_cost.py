"""Capital cost from components, the procurement factor's fit, contract validation, lifetime cost."""

import dataclasses

import pytest

import archmodels
from archmodels.cost import (
    Exchange,
    cost_validation,
    default_exchange,
    fit_procurement_factor,
    integration_cost_jpy,
    lifetime_cost_jpy,
    network_cost_per_node_jpy,
    node_capital_cost_jpy,
    node_cost,
    part_price,
    present_value_factor,
    procurement_factor,
    procurement_fit_set,
    processor_price_jpy,
    system_cost,
)
from archmodels.errors import InputError
from archmodels.memtech import memory_technology
from archmodels.links import link_technology


def test_generic_prices_convert_at_the_exchange_rate_and_unknown_type_is_refused():
    assert processor_price_jpy("cpu") == pytest.approx(10710 * 150)
    assert processor_price_jpy("cpu", Exchange(jpy_per_usd=100)) == pytest.approx(10710 * 100)
    assert processor_price_jpy("gpu") > processor_price_jpy("cpu")
    with pytest.raises(InputError):
        processor_price_jpy("fpga")


def test_network_cost_counts_links_nics_and_ports():
    # 1024 nodes at 100 GB/s on a radix-64 fat tree: 2 levels -> 2 cables of 100 GB/s per node,
    # 2 NICs of 50 GB/s, 3 switch ports per node (2 per switch-switch cable, 1 for the terminal cable)
    link = link_technology("electrical")
    cost = network_cost_per_node_jpy("fat-tree", 1024, 100e9, "electrical")
    assert cost == pytest.approx(2 * link.cost_jpy + 2 * 2000 * 150 + 3 * 600 * 150)
    torus = network_cost_per_node_jpy("torus", 1024, 100e9, "electrical", dimensions=3)
    assert 0 < torus < cost
    assert network_cost_per_node_jpy("fat-tree", 1024, 100e9, "pluggable-optics") > cost


def test_node_cost_adds_up_and_prices_parts_memory_and_storage():
    dgx = archmodels.load_machine("dgx-h100")
    c = node_cost(dgx)
    assert c.total_jpy == pytest.approx(c.processors_jpy + c.memory_jpy + c.network_jpy + c.integration_jpy
                                        + c.storage_jpy)
    assert node_capital_cost_jpy(dgx) == c.total_jpy
    k = procurement_factor()
    gpu, cpu = part_price("H100-SXM5", "gpu"), part_price("Xeon-8480C", "cpu")
    assert c.processors_jpy == pytest.approx(k * (8 * gpu.price_jpy + 2 * cpu.price_jpy))
    # the H100's quoted price includes its 80 GB: only the DDR5 is priced per GB
    assert c.memory_jpy == pytest.approx(2 * 2**40 / 1e9 * memory_technology("ddr5").cost_jpy_per_gb)
    assert c.integration_jpy == pytest.approx(integration_cost_jpy(10))
    # 8 x 3.84 TB NVMe at 100 USD/TB, twice that with the system overhead
    assert c.storage_jpy == pytest.approx(30.72 * 100 * 150 * 2)


def test_more_hbm_than_the_quoted_stock_costs_more():
    base = node_cost(archmodels.load_machine("dgx-h100"))
    bigger = node_cost(archmodels.load_machine("dgx-h200"))
    assert bigger.memory_jpy > base.memory_jpy
    fugaku = node_cost(archmodels.load_machine("fugaku"))
    hbm3e = node_cost(archmodels.load_machine("fugaku-hbm3e"))
    assert fugaku.memory_jpy == 0.0 and hbm3e.memory_jpy > 0


def test_system_cost_components_and_node_override():
    m = archmodels.load_machine("frontier")
    c = system_cost(m)
    assert c.nodes == m.nodes
    assert c.hardware_jpy == pytest.approx(c.processors_jpy + c.memory_jpy + c.network_jpy + c.integration_jpy
                                           + c.storage_jpy)
    assert c.capital_jpy == pytest.approx(c.hardware_jpy + c.nre_jpy)
    assert c.nre_jpy == pytest.approx(100e6 * 150)
    half = system_cost(m, nodes=m.nodes // 2)
    assert half.processors_jpy == pytest.approx(c.processors_jpy * (m.nodes // 2) / m.nodes)
    d = c.as_dict()
    assert d["capital_usd"] == pytest.approx(d["capital_jpy"] / 150)
    with pytest.raises(InputError):
        system_cost(m, nodes=0)


def test_exchange_rate_is_a_parameter_for_usd_priced_systems():
    # El Capitan is priced from USD parts, USD-based tables and USD media prices only
    m = archmodels.load_machine("el-capitan")
    a = system_cost(m).as_dict()
    b = system_cost(m, exchange=dataclasses.replace(default_exchange(), jpy_per_usd=200.0)).as_dict()
    assert b["capital_jpy"] == pytest.approx(a["capital_jpy"] * 200 / 150)
    assert b["capital_usd"] == pytest.approx(a["capital_usd"])


def test_procurement_factor_is_the_refit_of_its_fit_set():
    assert fit_procurement_factor() == pytest.approx(procurement_factor(), abs=5e-4)
    assert set(procurement_fit_set()) == {"lumi", "alps"}


# Errors seen when this was written (factor 0.423 fitted on LUMI and Alps): Fugaku +10.8 %, Frontier
# -12.8 %, El Capitan -27.1 % (out of sample); Aurora +31.4 %, JUPITER -36.2 % (an upper bound:
# the 500 M EUR include the data centre and operation); LUMI -25.9 %, Alps +93.0 % (in sample).
@pytest.mark.parametrize("system, low, high", [
    ("fugaku", 0.0, 0.20), ("frontier", -0.20, 0.0), ("el-capitan", -0.35, -0.15),
    ("aurora", 0.20, 0.40), ("jupiter-booster", -0.45, -0.25), ("lumi", -0.35, -0.15), ("alps", 0.8, 1.1),
])
def test_contract_validation_errors_are_pinned(system, low, high):
    (row,) = cost_validation([system])
    assert low < row.error < high, row
    assert row.in_sample == (system in {"lumi", "alps"})
    assert row.source_title and row.source_url


def test_issue_targets_within_35_percent_out_of_sample():
    rows = {r.system: r for r in cost_validation(["fugaku", "frontier", "el-capitan"])}
    assert set(rows) == {"fugaku", "frontier", "el-capitan"}
    for r in rows.values():
        assert abs(r.error) <= 0.35 and not r.in_sample


def test_present_value_and_lifetime_cost():
    assert present_value_factor(10, 0.0) == 10
    assert present_value_factor(1, 0.04) == pytest.approx(1 / 1.04)
    assert present_value_factor(2.5, 0.04) == pytest.approx(1 / 1.04 + 1 / 1.04**2 + 0.5 / 1.04**3)
    c = lifetime_cost_jpy(100.0, 80.0, 10.0, 2.0, 3, maintenance_per_year=0.1, discount_rate=0.0,
                          staff_per_year_jpy=5.0)
    assert c == pytest.approx(100 + 3 * (8 + 20 + 5))
