import numpy as np
import pytest

from archmodels.errors import InputError
from ops.grid import EMISSION_FACTORS_G_PER_KWH, load_grid
from ops.policies import signal_integral
from ops.power import (PowerModel, integrate_steps, step_function, window_max_kernel,
                       window_max_reference)
from ops.simulate import simulate
from ops.storage import Battery, OnsiteRenewables, dispatch
from ops_traces import trace_path


def test_tokyo_grid_carbon_intensity_is_plausible():
    grid = load_grid("tokyo-2025")
    f = grid.frame()
    assert f.index[0].isoformat() == "2025-04-01T00:00:00" and len(f) == 16368
    assert not f.isna().any().any()
    # TEPCO area is LNG/coal heavy: a mean of a few hundred g/kWh, bounded by the factors used
    ci = f["carbon_intensity_g_per_kwh"]
    factors = [v for v, _ in EMISSION_FACTORS_G_PER_KWH.values()]
    assert min(factors) < ci.min() and ci.max() < max(factors)
    assert 350 < ci.mean() < 600
    # solar lowers carbon at noon compared with midnight
    hourly = ci.groupby(ci.index.hour).mean()
    assert hourly[12] < hourly[0] - 50
    assert (f["price_jpy_per_kwh"] > 0).all() and f["solar_cf"].between(0, 1).all()
    assert all(src for _, src in EMISSION_FACTORS_G_PER_KWH.values())


def test_kansai_grid_has_kansai_prices_and_the_annual_mix_carbon():
    import pandas as pd

    from ops.grid import KANSAI_2024_MIX, GRID_DIR

    kansai, tokyo = load_grid("kansai-2025"), load_grid("tokyo-2025")
    assert (kansai.start, len(kansai), kansai.area) == (tokyo.start, len(tokyo), "kansai")
    prices = pd.read_csv(GRID_DIR / "jepx_spot_prices_2025.csv.gz", usecols=["timestamp", "kansai_price_jpy_kwh"])
    first = prices.set_index("timestamp")["kansai_price_jpy_kwh"].iloc[:48].to_numpy()
    assert np.allclose(kansai.price_jpy_per_kwh[:48], first)  # the slots without gaps, as published
    # flat: sum of share x factor over the 2024 shares (they sum to 1), by hand for the big four
    assert sum(KANSAI_2024_MIX.values()) == pytest.approx(1.0, abs=1e-8)  # as published, 4e-9 short
    ci = (sum(share * EMISSION_FACTORS_G_PER_KWH[src][0] for src, share in KANSAI_2024_MIX.items())
          / sum(KANSAI_2024_MIX.values()))  # generation-weighted mean
    assert np.all(kansai.carbon_g_per_kwh == pytest.approx(ci, rel=1e-12))
    assert 0.2308 * 820 + 0.2550 * 490 + 0.2882 * 12 + 0.0311 * 840 < ci < 370  # coal, gas, nuclear, oil
    assert ci == pytest.approx(361.77, rel=0.02)  # Electricity Maps' own 2024 life-cycle average, JP-KN
    assert (kansai.carbon_basis, tokyo.carbon_basis) == ("annual mix", "half-hourly mix")
    assert kansai.renewables_scope == tokyo.renewables_scope == "national"
    assert np.array_equal(kansai.solar_cf, tokyo.solar_cf)


def test_unknown_grid_is_input_error():
    with pytest.raises(InputError, match="unknown grid"):
        load_grid("atlantis")


def test_window_max_kernel_matches_reference():
    rng = np.random.default_rng(1)
    on = np.sort(rng.uniform(0, 1000, 200))
    off = on + rng.uniform(1, 300, 200)
    t, v = step_function(on, off, rng.integers(1, 9, 200).astype(float))
    for window in (0.0, 5.0, 60.0, 400.0):
        a_t, a_v = window_max_kernel(t, v, window)
        b_t, b_v = window_max_reference(t, v, window)
        np.testing.assert_allclose(a_t, b_t)
        np.testing.assert_allclose(a_v, b_v)


def test_step_integral_and_closed_form_energy_agree():
    a = simulate(trace_path("lublin_256.swf"), timeseries=True).summary
    b = simulate(trace_path("lublin_256.swf"), timeseries=False).summary
    assert a["it_energy_j"] == pytest.approx(b["it_energy_j"], rel=1e-12)
    t, v = step_function(np.array([0.0, 5.0]), np.array([10.0, 7.0]), np.array([2.0, 3.0]))
    np.testing.assert_allclose(integrate_steps(t, v, np.array([0.0, 6.0, 20.0])), [2 * 6 + 3 * 1, 2 * 4 + 3 * 1])


def test_switching_idle_nodes_off_saves_energy_and_power_scales_with_machine():
    base = simulate(trace_path("theta_argonne.swf"), machine="fugaku").summary
    off = simulate(trace_path("theta_argonne.swf"), machine="fugaku", off_after_s=600).summary
    assert off["energy_j"] < base["energy_j"]
    assert off["mean_wait_s"] == base["mean_wait_s"]  # switch-off does not change the schedule
    # energy = PUE * (N * idle * makespan + dynamic): the closed form with the machine's node power
    from archmodels import load_machine
    from archmodels.power import node_power_range_w

    idle, peak = node_power_range_w(load_machine("fugaku"))
    assert base["node_idle_w"] == idle and base["node_max_w"] == peak
    assert base["energy_j"] >= 1.2 * 4392 * idle * base["makespan_s"]


def test_power_model_cap_to_nodes():
    pm = PowerModel(idle_w=100, max_w=400)
    assert pm.busy_limit(10, 10 * 100 + 3 * 300) == 3
    assert pm.busy_limit(10, 1e9) == 10 and pm.busy_limit(10, 10) == 0
    with pytest.raises(InputError):
        PowerModel(idle_w=500, max_w=400)


def test_battery_conserves_energy_and_shifts_to_low_carbon():
    grid = load_grid("tokyo-2025")
    n = 48 * 14
    load = np.full(n, 1e9)
    ci = grid.carbon_g_per_kwh[:n]
    day = np.arange(n) // 48
    ren = grid.renewable_fraction[:n]
    bat = Battery(capacity_j=4e9, power_w=1e6, charge_efficiency=0.95, discharge_efficiency=0.95)
    g0 = dispatch(load, np.zeros(n), ci, day, ren, None, 1800.0).grid_j
    f1 = dispatch(load, np.zeros(n), ci, day, ren, bat, 1800.0)
    g1, dis = f1.grid_j, f1.discharge_j
    assert np.all(g1 >= 0) and np.all(dis <= 1e6 * 1800 + 1e-6)
    # every joule: load = grid - charging + discharge
    np.testing.assert_allclose(g1 - f1.grid_charge_j + dis, load)
    # imported = load - discharge + charge; losses make total import larger, carbon-weighted import smaller
    assert g1.sum() >= g0.sum() - bat.capacity_j
    assert (g1 * ci).sum() < (g0 * ci).sum()
    solar = grid.solar_cf[:n] * 3e6 * 1800
    f2 = dispatch(load, solar, ci, day, ren, None, 1800.0)
    np.testing.assert_allclose(f2.grid_j + f2.direct_j, load)


def test_onsite_solar_and_battery_lower_carbon_in_simulation():
    kw = dict(machine="fugaku", grid="tokyo-2025")
    base = simulate(trace_path("lublin_256.swf"), **kw).summary
    solar = simulate(trace_path("lublin_256.swf"), onsite=OnsiteRenewables(solar_w=30e3), **kw).summary
    bat = simulate(trace_path("lublin_256.swf"), battery=Battery(capacity_j=200 * 3.6e6, power_w=50e3), **kw).summary
    assert solar["carbon_g"] < base["carbon_g"] and solar["renewable_share"] > base["renewable_share"]
    assert bat["carbon_g"] < base["carbon_g"]
    assert solar["energy_j"] == base["energy_j"]


def test_signal_integral_wraps_around():
    v = np.array([1.0, 2.0, 3.0])
    assert signal_integral(v, 10.0, np.array([15.0]))[0] == 10 + 2 * 5
    assert signal_integral(v, 10.0, np.array([35.0]))[0] == 60 + 5
