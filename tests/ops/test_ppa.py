"""Off-site corporate PPA (ops.ppa): matching, the bill, both carbon accountings, and its place in
the simulation."""

import numpy as np
import pytest

from archmodels.errors import InputError
from ops.grid import load_grid
from ops.ppa import PPA, default_wheeling_jpy_per_kwh, settle
from ops.simulate import PPA_KEYS, simulate
from ops.storage import Battery, OnsiteRenewables
from ops.swf import read_swf
from ops_traces import trace_path

J = 3.6e6


@pytest.fixture(scope="module")
def jobs():
    """The first 400 jobs of the Lublin–Feitelson trace (about two weeks on 256 nodes)."""
    return read_swf(trace_path("lublin_256.swf")).jobs.head(400).copy()


def _run(jobs, **kw):
    return simulate(jobs, nodes=256, machine="fugaku", grid="kansai-2025", timeseries=True, **kw)


def test_settle_matches_within_load_and_generation_and_bills_price_plus_wheeling():
    cf_s = np.array([0.0, 0.5, 0.9, 0.2])
    cf_w = np.array([0.3, 0.0, 0.1, 0.4])
    dt = np.full(4, 1800.0)
    load = np.array([2e9, 1e9, 0.5e9, 3e9])
    spot = np.array([10.0, 8.0, 5.0, 12.0])
    ppa = PPA(solar_w=1e6, wind_w=2e6, price_jpy_per_kwh=13.0, route="self-wheeling")
    s = settle(ppa, cf_s, cf_w, dt, load, spot, np.full(4, 3.98), 0.0, 0.0, 2.06)
    gen = (1e6 * cf_s + 2e6 * cf_w) * dt  # [1.08, 0.9, 1.98, 1.8] GJ
    np.testing.assert_array_equal(s.generation_j, gen)
    assert np.all(s.matched_j <= s.generation_j) and np.all(s.matched_j <= load)
    np.testing.assert_array_equal(s.matched_j, [1.08e9, 0.9e9, 0.5e9, 1.8e9])
    # no surcharge on self-wheeling, no tax here: matched energy at price + wheeling, the surplus
    # (slot 2: 1.48 GJ) paid at the price and resold at spot
    expected = (4.28e9 * (13.0 + 2.06) + 1.48e9 * (13.0 - 5.0)) / J
    assert s.cost_jpy.sum() == pytest.approx(expected, rel=1e-12)
    retail = settle(PPA(solar_w=1e6, wind_w=2e6, price_jpy_per_kwh=13.0), cf_s, cf_w, dt, load, spot,
                    np.full(4, 3.98), 0.375, 0.10, 2.06)
    delivered = (13.0 + 2.06 + 0.375) * 1.10 + 3.98  # through a retailer: the surcharge applies
    assert retail.cost_jpy.sum() == pytest.approx((4.28e9 * delivered + 1.48e9 * 8.0 * 1.10) / J, rel=1e-12)
    curtailed = settle(PPA(solar_w=1e6, wind_w=2e6, price_jpy_per_kwh=13.0, route="self-wheeling", surplus="curtailed"),
                       cf_s, cf_w, dt, load, spot, np.zeros(4), 0.0, 0.0, 2.06)
    assert curtailed.cost_jpy.sum() == pytest.approx(4.28e9 * 15.06 / J, rel=1e-12)
    virtual = settle(PPA(solar_w=1e6, wind_w=2e6, price_jpy_per_kwh=13.0, kind="virtual"), cf_s, cf_w, dt, load,
                     spot, np.full(4, 3.98), 0.375, 0.10, 2.06)
    assert virtual.cost_jpy.sum() == pytest.approx(float((gen * (13.0 - spot)).sum()) / J, rel=1e-12)
    np.testing.assert_array_equal(virtual.displaced_j, 0.0)  # the load still buys everything


def test_a_zero_size_ppa_reproduces_the_run_without_it_exactly(jobs):
    kw = dict(battery=Battery(capacity_j=2 * 3.6e9, power_w=1e6), onsite=OnsiteRenewables(solar_w=1e5))
    plain = _run(jobs, **kw)
    zero = _run(jobs, ppa=PPA(price_jpy_per_kwh=13.0), **kw)
    for key, value in plain.summary.items():
        if key in PPA_KEYS or key == "simulation_wall_s":
            continue
        assert zero.summary[key] == value, key
    assert zero.summary["carbon_market_g"] == plain.summary["carbon_g"] and zero.summary["cost_ppa_jpy"] == 0.0
    cols = [c for c in plain.timeseries.columns]
    assert zero.timeseries[cols].equals(plain.timeseries)


def test_physical_ppa_lowers_market_carbon_not_location_carbon_and_bills_independently(jobs):
    grid = load_grid("kansai-2025")
    plain = _run(jobs, tariff="spot")
    ppa = PPA(solar_w=3e5, wind_w=1e5, price_jpy_per_kwh=13.0, surplus="curtailed")
    run = _run(jobs, tariff="spot", ppa=ppa)
    s, ts = run.summary, run.timeseries
    # the grid delivers the same energy and burns the same: location-based carbon is unchanged
    assert s["grid_energy_j"] == plain.summary["grid_energy_j"] and s["carbon_g"] == plain.summary["carbon_g"]
    assert 0 < s["carbon_market_g"] < s["carbon_g"]
    assert np.all(ts["ppa_matched_j"] <= ts["ppa_generation_j"]) and np.all(ts["ppa_matched_j"] <= ts["grid_energy_j"])
    assert 0 < s["ppa_matched_j"] <= s["ppa_generation_j"]
    ci = ts["carbon_intensity_g_per_kwh"].to_numpy()
    assert s["carbon_market_g"] == pytest.approx(float(((ts["grid_energy_j"] - ts["ppa_matched_j"]) * ci).sum()) / J,
                                                 rel=1e-12)
    # the spot tariff (no tax, surcharge or adders): matched energy at price + the area's wheeling,
    # the rest at spot
    wheeling = default_wheeling_jpy_per_kwh("kansai")
    assert wheeling == 2.06
    spot = grid.price_jpy_per_kwh[grid.slot_of(ts["time_s"] - ts["time_s"].iloc[0])]
    matched = ts["ppa_matched_j"].to_numpy()
    assert s["cost_ppa_jpy"] == pytest.approx(matched.sum() * (13.0 + wheeling) / J, rel=1e-12)
    rest = ((ts["grid_energy_j"].to_numpy() - matched) * spot).sum() / J
    assert s["cost_jpy"] == pytest.approx(rest + s["cost_ppa_jpy"], rel=1e-9)


def test_virtual_ppa_settles_on_the_generation_and_leaves_the_load_bill(jobs):
    plain = _run(jobs).summary
    v = _run(jobs, ppa=PPA(solar_w=3e5, price_jpy_per_kwh=13.0, kind="virtual"))
    s, ts = v.summary, v.timeseries
    assert s["carbon_g"] == plain["carbon_g"] and s["carbon_market_g"] < plain["carbon_g"]
    assert s["cost_jpy"] - s["cost_ppa_jpy"] == pytest.approx(plain["cost_jpy"], rel=1e-12)
    grid = load_grid("kansai-2025")
    spot = grid.price_jpy_per_kwh[grid.slot_of(ts["time_s"] - ts["time_s"].iloc[0])]
    assert s["cost_ppa_jpy"] == pytest.approx(float((ts["ppa_generation_j"] * (13.0 - spot)).sum()) / J, rel=1e-12)


def test_the_surcharge_is_paid_through_a_retailer_not_on_self_wheeling(jobs):
    retail = _run(jobs, ppa=PPA(solar_w=3e5, price_jpy_per_kwh=13.0)).summary
    own = _run(jobs, ppa=PPA(solar_w=3e5, price_jpy_per_kwh=13.0, route="self-wheeling")).summary
    surcharge = retail["cost_renewable_surcharge_jpy"] / ((retail["grid_energy_j"] - retail["ppa_matched_j"]) / J)
    assert retail["cost_ppa_jpy"] - own["cost_ppa_jpy"] == pytest.approx(retail["ppa_matched_j"] / J * surcharge,
                                                                        rel=1e-6)


@pytest.mark.parametrize("kw, field", [
    (dict(solar_w=-1.0), "solar_w"), (dict(price_jpy_per_kwh=float("nan")), "price_jpy_per_kwh"),
    (dict(kind="financial"), "kind"), (dict(route="direct"), "route"), (dict(surplus="sold"), "surplus"),
    (dict(wheeling_jpy_per_kwh=-2.0), "wheeling_jpy_per_kwh"),
])
def test_bad_ppa_fields_are_refused(kw, field):
    with pytest.raises(InputError, match=field):
        PPA(**kw)


def test_a_ppa_needs_a_grid_and_a_known_area(jobs):
    with pytest.raises(InputError, match="need a grid"):
        simulate(jobs, nodes=256, ppa=PPA(solar_w=1e5))
    with pytest.raises(InputError, match="no PPA wheeling charge for area 'hokkaido'"):
        default_wheeling_jpy_per_kwh("hokkaido")
