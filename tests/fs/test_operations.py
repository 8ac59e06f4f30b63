"""fs.operations: each candidate's scaled trace through the operations engine at the study's site."""

from pathlib import Path

import numpy as np
import pytest

from fs.operations import simulate_operations
from fs.runner import evaluate_case
from fs.study import load_study

DATA = Path(__file__).parents[1] / "data" / "study"


@pytest.fixture(scope="module")
def tokyo():
    study = load_study(DATA / "study-fugakunext.toml")  # grid tokyo-2025 (its machines name no site)
    nominal = evaluate_case(study, {})
    return study, nominal, simulate_operations(study, nominal)


def test_operations_simulation_scales_waits_with_speed(tokyo):
    study, nominal, ops = tokyo
    assert set(ops) == set(nominal["candidate"])
    for v in ops.values():
        assert 0.5 < v["utilisation"] <= 1.0 and v["wait_s"] > 0
    speed = nominal.set_index("candidate")["performance"]
    fastest, slowest = speed.idxmax(), speed.idxmin()
    assert ops[fastest]["wait_s"] < ops[slowest]["wait_s"]


def test_carbon_and_cost_axes_come_from_the_run_on_the_half_hourly_grid(tokyo):
    from ops.grid import load_grid

    study, nominal, ops = tokyo
    ci = load_grid("tokyo-2025").carbon_g_per_kwh
    for v in ops.values():
        kwh = v["energy_j"] / 3.6e6
        assert v["carbon_intensity_g_per_kwh"] == pytest.approx(v["carbon_g"] / kwh, rel=1e-12)
        assert ci.min() < v["carbon_intensity_g_per_kwh"] < ci.max()  # the hours its load met
        assert v["price_jpy_per_kwh"] == pytest.approx(v["cost_jpy"] / kwh, rel=1e-12) and v["tariff"] == "tepco-ehv"
    df = evaluate_case(study, {}, ops).set_index("candidate")
    for label, v in ops.items():
        row = df.loc[label]
        assert row["grid_source"] == "operations engine"
        assert row["grid_carbon_intensity_g_per_kwh"] == v["carbon_intensity_g_per_kwh"]
        # carbon = embodied + lifetime energy [kWh] x the run's intensity
        assert row["carbon_g"] == pytest.approx(row["embodied_carbon_g"] + row["energy_j"] / 3.6e6
                                                * v["carbon_intensity_g_per_kwh"], rel=1e-12)
        pv = (1 - 1.04**-study.lifetime_years) / 0.04  # cost.toml: 4 % discount, 5 % maintenance
        assert row["total_cost_jpy"] == pytest.approx(row["capital_cost_jpy"] + pv * (
            0.05 * row["capital_cost_jpy"] + row["energy_j"] / 3.6e6 / study.lifetime_years * v["price_jpy_per_kwh"]),
            rel=1e-12)
    plain = evaluate_case(study, {}).set_index("candidate")
    assert (plain["grid_source"] == "tokyo-2025 mean").all()
    # without the engine the grid's mean, over the life as the trajectory runs (as the engine's run is)
    from dataclasses import replace

    from fs.operations import grid_lifetime

    first, mean = grid_lifetime(study)
    assert mean < study.grid.carbon_intensity_g_per_kwh
    assert (plain["grid_carbon_intensity_g_per_kwh"] == mean).all()
    assert plain["grid_first_year_carbon_intensity_g_per_kwh"].to_numpy() == pytest.approx(first, rel=1e-12)
    measured = evaluate_case(replace(study, grid_trajectory="none"), {}).set_index("candidate")
    assert (measured["grid_carbon_intensity_g_per_kwh"] == study.grid.carbon_intensity_g_per_kwh).all()
    assert measured["carbon_g"].to_numpy() == pytest.approx(
        (measured["embodied_carbon_g"] + (plain["carbon_g"] - plain["embodied_carbon_g"]) / mean
         * study.grid.carbon_intensity_g_per_kwh).to_numpy(), rel=1e-12)


def test_the_built_in_study_runs_at_kobe_on_a_decarbonising_kansai_grid():
    from dataclasses import replace

    from fs.operations import grid_lifetime

    study = load_study("fugakunext")
    assert (study.start_year, study.grid_trajectory) == (2030, "japan-strategic-energy-plan")  # a Japanese site
    nominal = evaluate_case(study, {})
    measured = replace(study, grid_trajectory="none")
    ops, off = simulate_operations(study, nominal), simulate_operations(measured, nominal)
    values = np.array([v["carbon_intensity_g_per_kwh"] for v in off.values()])
    assert values == pytest.approx(365.5229, rel=1e-5)  # off: the flat annual-mix intensity, as measured
    assert {v["tariff"] for v in ops.values()} == {"kansai-ehv"}
    first, mean = grid_lifetime(study)
    assert grid_lifetime(measured) == (365.5, 365.5) and mean < first < 365.5
    for label, v in ops.items():
        assert v["carbon_g"] == pytest.approx(off[label]["carbon_g"] * mean / 365.5, rel=1e-12)
        assert v["first_year_carbon_intensity_g_per_kwh"] == pytest.approx(
            off[label]["carbon_intensity_g_per_kwh"] * first / 365.5, rel=1e-12)
        assert v["energy_j"] == off[label]["energy_j"] and v["cost_jpy"] == off[label]["cost_jpy"]
    on, plain = evaluate_case(study, {}, ops).set_index("candidate"), evaluate_case(measured, {}, off).set_index("candidate")
    assert (on["grid_trajectory"] == "japan-strategic-energy-plan").all() and (plain["grid_trajectory"] == "none").all()
    assert (on["carbon_g"] < plain["carbon_g"]).all() and (on["total_cost_jpy"] == plain["total_cost_jpy"]).all()
    assert (plain["grid_first_year_carbon_intensity_g_per_kwh"] == plain["grid_carbon_intensity_g_per_kwh"]).all()
    # off reproduces the run without a trajectory exactly: the factor is 1.0, not a rounding of it
    assert (plain["grid_carbon_intensity_g_per_kwh"].to_numpy() == values).all()
