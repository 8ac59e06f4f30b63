"""The report's "Operating measures" section: what the study's policy, battery, on-site renewables
and off-site PPA save each candidate, from the operations engine's runs
(:func:`fs.operations._measure_savings`), and what they cost to own (:mod:`fs.measures_capital`).

A measure's lifetime carbon saving [kt CO2e] is its share of the baseline's operational carbon,
``s_m · C_op / (1 − s_all)``: ``C_op`` the scorecard's lifetime operational carbon (``carbon_g −
embodied_carbon_g``, which runs with every measure on, in the study's ``carbon_accounting``) and
``s_all`` the share all measures save together in that accounting, so ``C_op / (1 − s_all)`` is the
lifetime operational carbon without them. Carbon saved is shown both ways, location- and
market-based; the net lifetime saving is the discounted operating saving less the capital and the
discounted fixed O&M (:func:`fs.measures_capital.net_lifetime_saving_jpy`).
"""

from __future__ import annotations

import pandas as pd

from fs.runner import in_rank_order

MEASURE_ORDER = ("baseline", "policy", "battery", "onsite", "ppa", "all")

MEASURE_NOTE = ("Each measure alone against plain EASY on the grid alone, then all together (what the scorecard "
                "uses). Carbon saved is location-based (the grid's intensity on the metered import, which a PPA does "
                "not change) and market-based (GHG Protocol Scope 2: PPA-matched energy at 0 g/kWh); the lifetime "
                "kt are in the study's carbon accounting. Cost is the tariff's whole bill, battery wear, the "
                "end-of-run state of charge and the PPA's settlement included; a negative saving costs. Capital + O&M "
                "is the measure's capital and its discounted fixed O&M over the life (in the lifetime cost as "
                "'measures'); the net saving is the discounted operating saving less that.")


def operating_text(operating: dict) -> str:
    """One sentence naming the study's measures and its carbon accounting."""
    parts = []
    if operating["policy"] != "easy":
        params = ", ".join(f"{k} {v}" for k, v in operating["policy_params"].items())
        parts.append(f"policy {operating['policy']}" + (f" ({params})" if params else ""))
    if operating["battery"]:
        b = operating["battery"]
        parts.append(f"a {b['capacity_j'] / 3.6e9:g} MWh / {b['power_w'] / 1e6:g} MW battery")
    onsite = operating["onsite"]
    if onsite["solar_w"] or onsite["wind_w"]:
        parts.append(f"{onsite['solar_w'] / 1e6:g} MW solar and {onsite['wind_w'] / 1e6:g} MW wind on site")
    ppa = operating.get("ppa")
    if ppa and (ppa["solar_w"] or ppa["wind_w"]):
        route = f", {ppa['route']}, surplus {ppa['surplus']}" if ppa["kind"] == "physical" else ""
        parts.append(f"a {ppa['kind']} PPA for {ppa['solar_w'] / 1e6:g} MW solar and {ppa['wind_w'] / 1e6:g} MW wind "
                     f"at {ppa['price_jpy_per_kwh']:g} JPY/kWh{route}")
    accounting = f" Carbon axis: {operating.get('carbon_accounting', 'location')}-based."
    return ("Operating measures: " + "; ".join(parts) + "." + accounting if parts
            else "No operating measures: plain EASY on the grid." + accounting)


def measures_table(operating: dict, summary: pd.DataFrame) -> list[list[str]]:
    """Candidate × measure: carbon saved [%, both ways; kt over the life], cost saved [%], capital +
    O&M and net lifetime saving [1e6 JPY], mean wait [h]."""
    rows = [["candidate", "measure", "carbon saved (location)", "carbon saved (market)",
             "lifetime carbon saved [kt CO2e]", "cost saved", "capital + O&M [1e6 JPY]",
             "net lifetime saving [1e6 JPY]", "mean wait [h]"]]
    by_label = summary.set_index("candidate")
    for cand in (c for c in in_rank_order(summary)["candidate"] if c in operating["savings"]):
        measures = operating["savings"][cand]
        op_carbon = float(by_label.loc[cand, "carbon_g"] - by_label.loc[cand, "embodied_carbon_g"])
        kept = 1.0 - measures["all"]["carbon_saving"]
        without = op_carbon / kept if kept > 0 else float("nan")
        for name in MEASURE_ORDER:
            if name not in measures:
                continue
            m = measures[name]
            owned = "net_lifetime_saving_jpy" in m  # runs written before the measures were costed: a dash
            rows.append([cand, name, f"{m.get('carbon_location_saving', m['carbon_saving']):+.1%}",
                         f"{m.get('carbon_market_saving', m['carbon_saving']):+.1%}",
                         f"{m['carbon_saving'] * without / 1e9:+.2f}", f"{m['cost_saving']:+.1%}",
                         f"{m['lifetime_jpy'] / 1e6:,.0f}" if owned else "–",
                         f"{m['net_lifetime_saving_jpy'] / 1e6:+,.0f}" if owned else "–",
                         f"{m['wait_s'] / 3600:.1f}"])
    return rows
