"""ops.grid_trajectory: the national plans' mixes and an area's intensity over a machine's life."""

import pytest

from ops.grid import EMISSION_FACTORS_G_PER_KWH
from ops.grid_trajectory import (default_plan, grid_trajectory, mix_intensity_g_per_kwh, plan_mix, plan_names,
                                 trajectory_table)

PLAN = "japan-strategic-energy-plan"


def test_every_plan_year_mix_sums_to_one_and_cites_a_source():
    table = trajectory_table()
    for plan in plan_names():
        split = table[plan]["renewable_split"]
        assert sum(split.values()) == pytest.approx(1.0, abs=1e-12)
        for year, entry in table[plan]["years"].items():
            shares = {k: v for k, v in entry.items() if k != "source"}
            assert sum(shares.values()) == pytest.approx(1.0, abs=1e-12), (plan, year)
            assert entry["source"] in table["sources"] and table["sources"][entry["source"]]["url"]
            assert sum(plan_mix(plan, int(year)).values()) == pytest.approx(1.0, abs=1e-12)


def test_2030_intensity_is_the_6th_plan_mix_times_the_ar5_factors():
    ef = {k: v[0] for k, v in EMISSION_FACTORS_G_PER_KWH.items()}
    assert (ef["solar_actual"], ef["coal_thermal"], ef["lng_thermal"]) == (48.0, 820.0, 490.0)
    renewables = 0.40 * 48 + 0.30 * 24 + 0.15 * 11 + 0.13 * 230 + 0.02 * 38  # the file's split, by hand
    by_hand = 0.37 * renewables + 0.21 * 12 + 0.20 * 490 + 0.19 * 820 + 0.02 * 840 + 0.01 * 490
    assert by_hand == pytest.approx(299.7427, abs=1e-4)
    assert mix_intensity_g_per_kwh(plan_mix(PLAN, 2030)) == pytest.approx(by_hand, rel=1e-12)


def test_the_area_runs_linearly_from_its_measured_value_to_the_plan():
    t = grid_trajectory(PLAN, "kansai-2025", 365.5)
    p2030, p2040 = (mix_intensity_g_per_kwh(plan_mix(PLAN, y)) for y in (2030, 2040))
    assert t.at(2024) == 365.5 and t.at(2030) == pytest.approx(p2030) and t.at(2050) == pytest.approx(p2040)
    assert t.at(2027) == pytest.approx((365.5 + p2030) / 2)
    first, mean = t.lifetime(2030, 6)
    assert first == pytest.approx(t.at(2030.5)) and p2040 < mean < first < 365.5
    assert mean == pytest.approx(sum(t.at(2030.5 + k) for k in range(6)) / 6)


def test_japanese_grids_default_to_the_plan_and_others_refuse_it():
    assert default_plan("kansai-2025") == PLAN == default_plan("tokyo-2025")
    assert default_plan("elsewhere") == "none"
    from archmodels.errors import InputError
    with pytest.raises(InputError):
        grid_trajectory(PLAN, "elsewhere", 400.0)
