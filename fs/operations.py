"""Operability from a scheduling simulation: utilisation and wait of each candidate running the
study's representative trace (``ops.simulate``, EASY backfilling).

The trace (default: the Lublin–Feitelson synthetic workload shipped with ``ops``, 10,000 jobs on
256 nodes) stands for the centre's demand at the reference's speed. On a candidate of ``N`` nodes
and system speedup ``S`` every job asks for the same share of the machine (``ceil(p * N / P)``
nodes, ``P`` the trace's size) and every time in the trace — submits, run times, estimates — is
divided by ``S``: the same relative load, served ``S`` times faster. Utilisation then differs by
node granularity (rounding jobs up to whole nodes) and waits shrink with speed.

The same run is the candidate's operation at the study's site: each node draws the candidate's
idle and maximum power (its share of the storage included), the facility the study's PUE, on the
site's grid (:func:`ops.grid.load_grid` of the study's grid name: ``tokyo-2025`` half-hourly
carbon and JEPX prices, ``kansai-2025`` JEPX Kansai prices and the annual-mix carbon) under the
area's tariff (``ops.tariff``: energy price, retail adders, renewable surcharge, demand charge).
Its carbon over its energy is the intensity the candidate's load actually meets, and its cost over
its energy the price it pays; the scorecard's carbon and cost axes take those
(``carbon_intensity_g_per_kwh``, ``price_jpy_per_kwh``) in place of the grid's plain means. A
study grid the operations engine does not ship keeps the means.

The run is on the grid as measured (2024-2026), the machine runs ``[lifetime] start_year`` onwards on
a grid its country's plan decarbonises: with ``grid_trajectory`` (default the plan of the grid's
country, :mod:`ops.grid_trajectory`) the run's carbon and intensity are multiplied by the trajectory's
lifetime-mean intensity over the grid's measured one, the year-mean factor (the half-hourly shape is
kept); ``"none"`` leaves the run as measured.

The run is also the centre's operation: ``[operations] policy`` (``ops.policies``), a battery,
on-site renewables and an off-site PPA (``study.operating``, :mod:`ops.ppa`) are in it, and with any
of them each candidate's trace also runs under plain EASY on the grid alone and under each measure
alone, to say what each saves (``measures`` in the result, :func:`operating_json` in run.json),
net of what the measure costs to own (:mod:`fs.measures_capital`; that lifetime cost also enters the
candidate's lifetime cost as ``measures_cost_jpy``).

Carbon is reported both ways (GHG Protocol Scope 2 Guidance, 2015): location-based (the grid's
intensity on the metered import, which a PPA through the grid does not change) and market-based
(PPA-matched energy at 0 g/kWh). ``[operations] carbon_accounting`` picks the one the scorecard's
carbon axis takes; the default, ``location``, scores what the grid actually burns for the centre.
"""

from __future__ import annotations

from functools import cache
from importlib import resources
from pathlib import Path

import numpy as np

from fs.study import Operating

DEFAULT_TRACE = "lublin_256"


def trace_path(trace: str | None, base: Path | None = None) -> Path:
    """A trace file: a path (relative to the study's folder), else a trace shipped with ``ops``."""
    from archmodels.errors import InputError

    name = trace or DEFAULT_TRACE
    if base is not None and (base / name).is_file():
        return base / name
    if Path(name).is_file():
        return Path(name)
    shipped = resources.files("ops") / "data" / "traces" / f"{name}.swf"
    if Path(str(shipped)).is_file():
        return Path(str(shipped))
    raise InputError(f"no trace file {name!r} next to the study and no trace of that name shipped with ops",
                     location="operations.trace")


def grid_lifetime(study) -> tuple[float, float]:
    """(first-year, lifetime-mean) intensity [g/kWh] of the study's grid over its life.

    Both are the grid's measured mean where ``study.grid_trajectory`` is ``"none"``. The scorecard's
    carbon uses the lifetime mean with or without the operations engine (``--no-ops``).
    """
    return _grid_lifetime(study.grid_trajectory, study.grid.name, study.grid.carbon_intensity_g_per_kwh,
                          study.start_year, study.lifetime_years)


@cache
def _grid_lifetime(plan: str, grid: str, measured: float, start_year: int, years: float) -> tuple[float, float]:
    if plan == "none":
        return measured, measured
    from ops.grid_trajectory import grid_trajectory

    return grid_trajectory(plan, grid, measured).lifetime(start_year, years)


def trajectory_factors(study) -> tuple[float, float]:
    """(first-year, lifetime-mean) intensity of :func:`grid_lifetime` over the measured one [-]."""
    first, mean = grid_lifetime(study)
    measured = study.grid.carbon_intensity_g_per_kwh
    return first / measured, mean / measured


def simulate_operations(study, nominal) -> dict[str, dict[str, float]]:
    """Utilisation, mean wait [s] and mean bounded slowdown of each candidate on the study's trace.

    Parameters
    ----------
    study : Study
    nominal : DataFrame
        The nominal scorecard (columns ``candidate``, ``nodes``, ``performance``).

    Returns
    -------
    dict
        Candidate label -> {"utilisation", "wait_s", "bounded_slowdown"} and, on a grid the
        operations engine ships, {"carbon_intensity_g_per_kwh", "price_jpy_per_kwh", "energy_j",
        "carbon_g", "cost_jpy", "tariff", "grid_trajectory", "first_year_carbon_intensity_g_per_kwh"} of
        the run (facility energy [J], [g], [JPY]; carbon over the life, :func:`trajectory_factors`).
    """
    from fs.evaluate import node_profiles
    from ops.grid import GRIDS
    from ops.power import PowerModel
    from ops.simulate import machine_size
    from ops.swf import read_swf

    tr = read_swf(trace_path(study.trace, Path(study.file).parent))
    size = machine_size(tr, None).procs
    grid = study.grid.name if study.grid.name in GRIDS else None
    _, profiles, _ = node_profiles(study)
    first_factor, lifetime_factor = trajectory_factors(study)
    power = {p.label: PowerModel(idle_w=p.idle_power_w + p.storage_power_w, max_w=p.max_power_w + p.storage_power_w,
                                 pue=study.pue, source=f"the study's {p.label} node (fs.evaluate.node_profile)")
             for p in profiles}
    out = {}
    for _, row in nominal.iterrows():
        n = int(row["nodes"])
        speed = float(row["performance"])
        jobs = tr.jobs.copy()
        for col in ("alloc_procs", "req_procs"):
            p = jobs[col].to_numpy(float)
            jobs[col] = np.where(p > 0, np.ceil(p * n / size), p).astype(np.int64)
        for col in ("submit_s", "run_s", "req_time_s"):
            t = jobs[col].to_numpy(float)
            jobs[col] = np.where(t > 0, t / speed, t) if col != "submit_s" else t / speed
        op = study.operating if grid is not None else Operating()
        s = _run(jobs, n, power[row["candidate"]], grid, op).summary
        entry = {"utilisation": float(s["utilization"]), "wait_s": float(s["mean_wait_s"]),
                 "bounded_slowdown": float(s["mean_bounded_slowdown"])}
        if grid is not None and s["energy_j"] > 0:
            kwh = s["energy_j"] / 3.6e6
            run_carbon = float(s["carbon_market_g"] if op.carbon_accounting == "market" else s["carbon_g"])
            carbon_g = run_carbon * lifetime_factor
            entry.update(carbon_intensity_g_per_kwh=carbon_g / kwh, carbon_accounting=op.carbon_accounting,
                         carbon_location_g=float(s["carbon_g"]) * lifetime_factor,
                         carbon_market_g=float(s["carbon_market_g"]) * lifetime_factor,
                         price_jpy_per_kwh=float(s["cost_jpy"]) / kwh, energy_j=float(s["energy_j"]),
                         carbon_g=carbon_g, cost_jpy=float(s["cost_jpy"]), tariff=s["tariff"],
                         grid_trajectory=study.grid_trajectory,
                         first_year_carbon_intensity_g_per_kwh=run_carbon * first_factor / kwh)
            if op.measures:
                entry["measures"] = _measure_savings(jobs, n, power[row["candidate"]], grid, op, s,
                                                     study.lifetime_years)
                entry["measures_cost_jpy"] = entry["measures"]["all"]["lifetime_jpy"]
        out[row["candidate"]] = entry
    return out


def _run(jobs, nodes: int, power, grid: str | None, op: Operating):
    """One engine run of a candidate's scaled trace under the operating measures ``op``."""
    from ops.policies import make_policy
    from ops.simulate import simulate
    from ops.storage import Battery, OnsiteRenewables

    battery = (Battery(capacity_j=op.battery_capacity_j, power_w=op.battery_power_w)
               if op.battery_capacity_j is not None else None)
    onsite = OnsiteRenewables(solar_w=op.solar_w, wind_w=op.wind_w) if op.solar_w > 0 or op.wind_w > 0 else None
    ppa = op.ppa if op.ppa is not None and op.ppa.nameplate_w > 0 else None
    return simulate(jobs, nodes=nodes, policy=make_policy(op.policy, **op.policy_params), power=power, grid=grid,
                    battery=battery, onsite=onsite, ppa=ppa, timeseries=False)


def _measure_savings(jobs, nodes: int, power, grid: str, op: Operating, combined: dict, years: float) -> dict:
    """What each measure saves against plain EASY on the grid alone, each alone and all together.

    For ``baseline`` and every measure (``policy``, ``battery``, ``onsite``, ``ppa``, ``all``): the
    run's carbon [g] both ways (``carbon_location_g``, ``carbon_market_g``; ``carbon_g`` is the one
    ``op.carbon_accounting`` picks) and cost [JPY] (the tariff's whole bill, battery wear and the
    PPA's settlement included), their saving over the baseline as a share of the baseline's
    (``carbon_saving``, ``carbon_location_saving``, ``carbon_market_saving``, ``cost_saving`` [-],
    > 0 saves), the mean wait [s] (a policy that delays jobs pays in wait), what the measure costs to
    own (:func:`fs.measures_capital.measures_capital`: ``capital_jpy``, ``fixed_om_jpy_per_year``,
    ``lifetime_jpy``), the operating cost it saves per year (``cost_saving_jpy_per_year``: the run's
    saving over the baseline run's span ``span_s``, first submit to last end, scaled to 365.25 days) and its ``net_lifetime_saving_jpy`` over ``years``
    (:func:`fs.measures_capital.net_lifetime_saving_jpy`). The run's intensity is on the grid as
    measured: the trajectory factor scales the baseline and the measures alike, so it leaves the
    shares unchanged.
    """
    from fs.measures_capital import measures_capital, net_lifetime_saving_jpy
    from fs.study import SECONDS_PER_YEAR

    base = _run(jobs, nodes, power, grid, Operating()).summary
    runs = {"baseline": base}
    alone = {"policy": Operating(policy=op.policy, policy_params=op.policy_params),
             "battery": Operating(battery_capacity_j=op.battery_capacity_j, battery_power_w=op.battery_power_w),
             "onsite": Operating(solar_w=op.solar_w, wind_w=op.wind_w),
             "ppa": Operating(ppa=op.ppa)}
    for name in op.measures:
        runs[name] = _run(jobs, nodes, power, grid, alone[name]).summary
    runs["all"] = combined
    owned = measures_capital(op, years)
    per_year = SECONDS_PER_YEAR / float(base["makespan_s"]) if base["makespan_s"] > 0 else 0.0
    chosen = "carbon_market_g" if op.carbon_accounting == "market" else "carbon_g"
    out = {}
    for name, r in runs.items():
        saved_per_year = (float(base["cost_jpy"]) - float(r["cost_jpy"])) * per_year
        own = owned.get(name, {"capital_jpy": 0.0, "fixed_om_jpy_per_year": 0.0, "lifetime_jpy": 0.0})
        out[name] = {"carbon_g": float(r[chosen]), "carbon_location_g": float(r["carbon_g"]),
                     "carbon_market_g": float(r["carbon_market_g"]), "cost_jpy": float(r["cost_jpy"]),
                     "carbon_saving": 1.0 - float(r[chosen]) / float(base[chosen]),
                     "carbon_location_saving": 1.0 - float(r["carbon_g"]) / float(base["carbon_g"]),
                     "carbon_market_saving": 1.0 - float(r["carbon_market_g"]) / float(base["carbon_market_g"]),
                     "cost_saving": 1.0 - float(r["cost_jpy"]) / float(base["cost_jpy"]),
                     "wait_s": float(r["mean_wait_s"]), "capital_jpy": own["capital_jpy"],
                     "fixed_om_jpy_per_year": own["fixed_om_jpy_per_year"], "lifetime_jpy": own["lifetime_jpy"],
                     "cost_saving_jpy_per_year": saved_per_year,
                     "net_lifetime_saving_jpy": net_lifetime_saving_jpy(saved_per_year, own["lifetime_jpy"], years)}
    out["baseline"]["span_s"] = float(base["makespan_s"])
    return out


def operating_json(op: Operating, operations: dict | None) -> dict:
    """The study's operating measures and, per candidate, what each saves (``run.json``'s
    ``operating``): ``policy``, ``policy_params``, ``battery`` ({capacity_j, power_w} or None),
    ``onsite`` ({solar_w, wind_w}), ``ppa`` ({solar_w, wind_w, price_jpy_per_kwh, kind, route,
    wheeling_jpy_per_kwh, surplus} or None), ``carbon_accounting``, ``measures`` (names) and
    ``savings`` ({candidate: {measure: the entries of :func:`_measure_savings`}}, empty without
    measures or without the operations engine)."""
    from dataclasses import asdict

    savings = {c: e["measures"] for c, e in (operations or {}).items() if "measures" in e}
    return {"policy": op.policy, "policy_params": dict(op.policy_params),
            "battery": ({"capacity_j": op.battery_capacity_j, "power_w": op.battery_power_w}
                        if op.battery_capacity_j is not None else None),
            "onsite": {"solar_w": op.solar_w, "wind_w": op.wind_w},
            "ppa": asdict(op.ppa) if op.ppa is not None else None, "carbon_accounting": op.carbon_accounting,
            "measures": list(op.measures), "savings": savings}
