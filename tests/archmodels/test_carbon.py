"""Embodied (ACT) and operational carbon."""

import pytest

import archmodels
from archmodels.carbon import (
    carbon_per_area_g_per_mm2,
    die_embodied_carbon_g,
    lifetime_carbon,
    memory_carbon_per_gb_g,
    memory_embodied_carbon_g,
    node_embodied_carbon_g,
    operational_carbon_g,
    process_nodes_nm,
)
from archmodels.errors import InputError
from archmodels.memtech import memory_technologies


def test_act_logic_formula_at_7nm():
    # ACT: CPA = (CI_fab·EPA + GPA + MPA)/Y; 7 nm: EPA 2.15 kWh/cm2, GPA (350+200)/2, MPA 500,
    # Taiwan fab grid 583 g/kWh, yield 0.875
    expected_per_cm2 = (583 * 2.15 + 275 + 500) / 0.875
    assert carbon_per_area_g_per_mm2(7) == pytest.approx(expected_per_cm2 / 100)
    assert carbon_per_area_g_per_mm2(7, gas_abatement="99", fab_yield=1.0,
                                     fab_carbon_intensity_g_per_kwh=0.0) == pytest.approx((200 + 500) / 100)
    # a cleaner fab grid lowers it; a worse yield raises it
    assert carbon_per_area_g_per_mm2(5, fab_carbon_intensity_g_per_kwh=100) < carbon_per_area_g_per_mm2(5)
    assert carbon_per_area_g_per_mm2(5, fab_yield=0.5) > carbon_per_area_g_per_mm2(5)


def test_die_carbon_scales_with_area_and_newer_nodes_cost_more_per_area():
    bare = dict(packaged=False)
    assert die_embodied_carbon_g(800, 5, **bare) == pytest.approx(2 * die_embodied_carbon_g(400, 5, **bare))
    assert die_embodied_carbon_g(100, 5) - die_embodied_carbon_g(100, 5, packaged=False) == pytest.approx(150)
    per_area = [carbon_per_area_g_per_mm2(p) for p in sorted(process_nodes_nm(), reverse=True)]
    assert per_area[0] < per_area[-1]   # 28 nm cheaper per mm2 than 3 nm
    with pytest.raises(InputError, match="nm"):
        carbon_per_area_g_per_mm2(6)


def test_memory_carbon_per_gb_orders_dram_hbm_sram():
    # ACT ddr4_10nm: 65 g/GB before yield
    assert memory_carbon_per_gb_g("ddr4") == pytest.approx(65 / 0.875)
    assert memory_carbon_per_gb_g("flash") < memory_carbon_per_gb_g("ddr5") < memory_carbon_per_gb_g("hbm3")
    assert memory_carbon_per_gb_g("hbm3") < memory_carbon_per_gb_g("sram-3d")
    # every technology in the memory table has a carbon figure
    for tech in memory_technologies():
        assert memory_carbon_per_gb_g(tech) > 0
    assert memory_embodied_carbon_g(2e9, "ddr5") == pytest.approx(2 * memory_carbon_per_gb_g("ddr5"))
    with pytest.raises(InputError):
        memory_carbon_per_gb_g("core-rope")


def test_operational_carbon_and_lifetime_split():
    # 1 MW for one year at 450 g/kWh and PUE 1.2: 1000 kW * 8766 h * 1.2 * 450 g
    year = 365.25 * 86400
    assert operational_carbon_g(1e6, year, 450, 1.2) == pytest.approx(1000 * 8766 * 1.2 * 450)
    dirty = lifetime_carbon(1e9, 1e6, 5 * year, 450, 1.2)
    clean = lifetime_carbon(1e9, 1e6, 5 * year, 20, 1.2)
    assert clean.embodied_share > dirty.embodied_share
    assert dirty.total_g == pytest.approx(dirty.embodied_g + dirty.operational_g)
    with pytest.raises(InputError):
        lifetime_carbon(0, 1, 1, 1, pue=0.9)


def test_node_embodied_carbon_from_catalog_machines():
    fugaku = node_embodied_carbon_g(archmodels.load_machine("fugaku"))
    dgx = node_embodied_carbon_g(archmodels.load_machine("dgx-h100"))
    cand = node_embodied_carbon_g(archmodels.load_machine("cand-cpu-3dsram-cpo"))
    assert 0 < fugaku < cand < dgx
    # the candidate's 2 x 1 GiB of stacked SRAM alone is ~30 kg: the price of capacity on logic
    sram = 2 * memory_embodied_carbon_g(2**30, "sram-3d")
    assert 20e3 < sram < 40e3
