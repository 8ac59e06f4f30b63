"""ops.marginal: the short-run marginal intensity fitted on a half-hourly mix, and its use."""

import numpy as np
import pandas as pd
import pytest

from archmodels.errors import InputError
from ops.grid import EMISSION_FACTORS_G_PER_KWH, load_grid
from ops.marginal import marginal_intensity
from ops.policies import make_policy
from ops.simulate import simulate

INDEX = pd.date_range("2025-01-01", periods=365 * 48, freq="30min")
HOURS = np.asarray(INDEX.hour) + np.asarray(INDEX.minute) / 60
RNG = np.random.default_rng(7)
LOAD = 30_000 + 8_000 * np.sin(2 * np.pi * HOURS / 24) + RNG.normal(0, 500, len(INDEX))  # [MW]
SOLAR = np.clip(10_000 * np.sin(np.pi * (HOURS - 6) / 12), 0, None) * RNG.uniform(0.5, 1, len(INDEX))


def test_the_dispatchable_source_that_follows_load_is_the_margin_whatever_the_sun_does():
    # nuclear flat, solar weather-driven, gas takes the rest: every change of dispatchable output is gas
    mix = pd.DataFrame({"nuclear": 10_000.0, "solar_actual": SOLAR, "lng_thermal": LOAD - 10_000 - SOLAR},
                       index=INDEX)
    fit = marginal_intensity(mix, {"nuclear": 12.0, "lng_thermal": 490.0, "solar_actual": 0.0})
    np.testing.assert_allclose(fit.per_slot_g_per_kwh, 490.0, rtol=1e-9)
    assert (fit.groups["pairs"] > 80).all() and len(fit.groups) == 4 * 24


def test_the_margin_changes_with_the_hour_when_another_plant_follows_load():
    night = HOURS < 12
    coal = np.where(night, LOAD - 20_000, 5_000.0)
    gas = np.where(night, 15_000.0, LOAD - 10_000)
    mix = pd.DataFrame({"nuclear": 5_000.0, "coal_thermal": coal, "lng_thermal": gas}, index=INDEX)
    fit = marginal_intensity(mix, {k: v[0] for k, v in EMISSION_FACTORS_G_PER_KWH.items()})
    g = fit.groups.set_index("hour")["mef_g_per_kwh"]
    # hour 0's first pair and hour 12's first pair straddle the switch; the other hours are exact
    for h in (1, 5, 11):
        assert g.loc[h].to_numpy() == pytest.approx(820.0, rel=1e-9)
    for h in (13, 18, 23):
        assert g.loc[h].to_numpy() == pytest.approx(490.0, rel=1e-9)


def test_tokyo_has_a_marginal_series_and_kansai_none():
    tokyo, kansai = load_grid("tokyo-2025"), load_grid("kansai-2025")
    mef = tokyo.marginal_carbon_g_per_kwh
    assert mef.shape == tokyo.carbon_g_per_kwh.shape and np.isfinite(mef).all()
    assert 12.0 < mef.min() and mef.max() < 840.0  # within the factors of the sources that can respond
    assert "marginal_carbon_intensity_g_per_kwh" in tokyo.frame()
    assert kansai.marginal_carbon_g_per_kwh is None


def test_a_run_counts_its_grid_energy_at_the_marginal_intensity(tmp_path):
    grid = load_grid("tokyo-2025")
    res = simulate("lublin_256", machine="fugaku", grid=grid)
    ts = res.timeseries
    slot = grid.slot_of((ts["grid_time"] - grid.start).dt.total_seconds().to_numpy())
    expected = float((ts["grid_energy_j"].to_numpy() * grid.marginal_carbon_g_per_kwh[slot]).sum()) / 3.6e6
    assert res.summary["carbon_marginal_g"] == pytest.approx(expected, rel=1e-12)
    assert simulate("lublin_256", machine="fugaku", grid="kansai-2025").summary["carbon_marginal_g"] is None


def test_marginal_carbon_policies_read_the_marginal_series_and_refuse_a_grid_without_one():
    grid = load_grid("tokyo-2025")
    assert make_policy("marginal-carbon-delay")._values(grid) is grid.marginal_carbon_g_per_kwh
    assert make_policy("marginal-carbon-queue-delay")._values(grid) is grid.marginal_carbon_g_per_kwh
    with pytest.raises(InputError, match="no marginal intensity"):
        simulate("lublin_256", machine="fugaku", grid="kansai-2025", policy="marginal-carbon-delay")
