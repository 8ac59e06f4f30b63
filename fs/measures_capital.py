"""What the study's operating measures cost to own: capital at year 0 and fixed O&M each year.

Per measure (values and sources in ``fs/data/measures_capital.toml``):

    battery   K = C_nom [kWh] · c_kWh (US$ at cost.toml's rate)      O&M = f · K per year
    onsite    K = P_solar [W] · c_solar + P_wind [W] · c_wind        O&M = P_solar · o_solar + P_wind · o_wind
    ppa       K = 0 (the contract price carries the plant's cost)    O&M = 0
    policy    K = 0                                                  O&M = 0

The lifetime cost of a measure is ``K + PV(r, Y) · O&M`` with the scorecard's discounting
(:func:`archmodels.cost.present_value_factor`, cost.toml ``[lifetime]`` discount rate), and its
net lifetime saving ``PV(r, Y) · ΔC_yr − K − PV(r, Y) · O&M`` with ``ΔC_yr`` the operating cost it
saves per year (the engine run's saving over the run's span, scaled to a year).

**Battery replacement.** The engine charges each run the battery's wear (``ops.storage``: the
capacity lost × the replacement cost / (1 − end-of-life capacity)), so the operating cost already
pays a replacement pro rata as the battery fades towards end of life (80 %); K is the first
battery only. NREL's 2.5 %/yr fixed O&M includes augmentation that holds the rated capacity, which
overlaps the wear charge: the two together overstate the battery's cost by up to the wear charge
(kept, on the cautious side).
"""

from __future__ import annotations

import tomllib
from functools import cache
from importlib import resources

from fs.study import Operating

J_PER_KWH = 3.6e6


@cache
def _table() -> dict:
    return tomllib.loads((resources.files("fs") / "data" / "measures_capital.toml").read_text(encoding="utf-8"))


def _value(entry):
    return entry["value"] if isinstance(entry, dict) else entry


def capital_sources() -> dict[str, dict]:
    """The citations of ``fs/data/measures_capital.toml`` (id -> {title, url})."""
    return _table()["sources"]


def measures_capital(op: Operating, years: float) -> dict[str, dict[str, float]]:
    """Capital [JPY], fixed O&M per year [JPY/yr], its present value over ``years`` [JPY] and the
    lifetime cost [JPY] of each measure of ``op`` and of ``all`` together (module docstring)."""
    from archmodels.cost import default_exchange, lifetime_defaults, parse_money, present_value_factor

    t = _table()
    pv = present_value_factor(years, lifetime_defaults()["discount_rate"])
    own = {"policy": (0.0, 0.0), "ppa": (0.0, 0.0)}
    if op.battery_capacity_j is not None:
        k = op.battery_capacity_j / J_PER_KWH * parse_money(_value(t["battery"]["capital_per_kwh"]), default_exchange())
        own["battery"] = (k, k * float(_value(t["battery"]["fixed_om_share_per_year"])))
    own["onsite"] = (op.solar_w * float(_value(t["solar"]["capital_jpy_per_w"]))
                     + op.wind_w * float(_value(t["wind"]["capital_jpy_per_w"])),
                     op.solar_w * float(_value(t["solar"]["fixed_om_jpy_per_w_year"]))
                     + op.wind_w * float(_value(t["wind"]["fixed_om_jpy_per_w_year"])))
    out = {}
    for name in op.measures:
        k, om = own[name]
        out[name] = {"capital_jpy": k, "fixed_om_jpy_per_year": om, "fixed_om_jpy": pv * om,
                     "lifetime_jpy": k + pv * om}
    out["all"] = {key: sum(v[key] for v in out.values()) for key in
                  ("capital_jpy", "fixed_om_jpy_per_year", "fixed_om_jpy", "lifetime_jpy")}
    return out


def net_lifetime_saving_jpy(cost_saving_per_year_jpy: float, lifetime_jpy: float, years: float) -> float:
    """``PV(r, Y) · ΔC_yr − (K + PV(r, Y) · O&M)`` [JPY] (> 0: the measure pays for itself)."""
    from archmodels.cost import lifetime_defaults, present_value_factor

    return present_value_factor(years, lifetime_defaults()["discount_rate"]) * cost_saving_per_year_jpy - lifetime_jpy
