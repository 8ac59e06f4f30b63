"""The report's "Operating measures" section: what the study's policy, battery and on-site
renewables save each candidate, from the operations engine's runs (:func:`fs.operations._measure_savings`).

A measure's lifetime carbon saving [kt CO2e] is its share of the baseline's operational carbon,
``s_m · C_op / (1 − s_all)``: ``C_op`` the scorecard's lifetime operational carbon (``carbon_g −
embodied_carbon_g``, which runs with every measure on) and ``s_all`` the share all measures save
together, so ``C_op / (1 − s_all)`` is the lifetime operational carbon without them.
"""

from __future__ import annotations

import pandas as pd

from fs.runner import in_rank_order

MEASURE_ORDER = ("baseline", "policy", "battery", "onsite", "all")

MEASURE_NOTE = ("Each measure alone against plain EASY on the grid alone, then all together (what the scorecard "
                "uses). Cost is the tariff's whole bill, battery wear and the end-of-run state of charge included; "
                "a negative saving costs. On-site plant and battery capital are not in the capital cost.")


def operating_text(operating: dict) -> str:
    """One sentence naming the study's measures."""
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
    return "Operating measures: " + "; ".join(parts) + "." if parts else "No operating measures: plain EASY on the grid."


def measures_table(operating: dict, summary: pd.DataFrame) -> list[list[str]]:
    """Candidate × measure: carbon saved [%, kt over the life], cost saved [%], mean wait [h]."""
    rows = [["candidate", "measure", "carbon saved", "lifetime carbon saved [kt CO2e]", "cost saved", "mean wait [h]"]]
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
            rows.append([cand, name, f"{m['carbon_saving']:+.1%}", f"{m['carbon_saving'] * without / 1e9:+.2f}",
                         f"{m['cost_saving']:+.1%}", f"{m['wait_s'] / 3600:.1f}"])
    return rows
