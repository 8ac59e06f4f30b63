"""Simulate a trace on a machine under a policy, with power, grid carbon, price and storage.

:func:`simulate` chains the layers — trace rules (:mod:`ops.jobs`), the policy hooks
(:mod:`ops.policies`), the scheduling kernel (:mod:`ops.kernels`), power (:mod:`ops.power`), grid
(:mod:`ops.grid`) and storage (:mod:`ops.storage`) — and returns per-job and per-slot DataFrames
and a summary dict.

Clock: simulation times stay in the trace's own time base. The first submit is placed at
``grid_offset_s`` after the grid's first slot (default: 2025-04-01 00:00 for ``tokyo-2025``);
traces longer than the grid series wrap around it.

Energy is counted from the first submit to the last job end: every node draws idle power unless
switched off, plus the dynamic power of the jobs it runs; the facility draws PUE × IT. On-site
renewables and the battery sit between the facility and the grid; carbon and cost are for the
energy imported from the grid. An off-site PPA (:mod:`ops.ppa`) is matched to what the load still
imports: it changes the bill and the market-based carbon (``carbon_market_g``), not the
location-based carbon (``carbon_g``) nor the metered import.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field, replace

import numpy as np
import pandas as pd

from archmodels.errors import InputError
from ops.grid import Grid, load_grid
from ops.jobs import JobSet, prepare_jobs
from ops.kernels import POLICY_CODES, schedule
from ops.metrics import bounded_slowdown, schedule_metrics
from ops.policies import Context, Policy, make_policy, signal_integral
from ops.power import (PowerModel, it_energy_per_bin_j, power_model_for_machine, power_profile,
                       switching_per_bin)
from ops.ppa import PPA, default_wheeling_jpy_per_kwh, settle
from ops.storage import Battery, OnsiteRenewables, account, dispatch
from ops.tariff import (DEFAULT_TARIFF_BY_AREA, Tariff, demand_charge_jpy, energy_rate_jpy_per_kwh, load_tariff,
                        spot_price_jpy_per_kwh)
from ops.swf import Trace, read_swf

J_PER_KWH = 3.6e6
DEFAULT_STEP_S = 1800.0
#: Most time slots an energy series may have (285 years of 30-min slots, 40 MB per column).
MAX_SLOTS = 5_000_000


@dataclass(frozen=True)
class SimulationResult:
    """Per-job rows, per-slot rows, and the summary (numbers in SI units, names carry units)."""

    jobs: pd.DataFrame
    timeseries: pd.DataFrame
    summary: dict = field(default_factory=dict)


def resolve_trace(trace) -> Trace:
    """A :class:`~ops.swf.Trace` from a Trace, a DataFrame of SWF columns, or a path."""
    if isinstance(trace, Trace):
        return trace
    if isinstance(trace, pd.DataFrame):
        return Trace(jobs=trace)
    return read_swf(trace)


@dataclass(frozen=True)
class MachineSize:
    """What the simulator schedules on and where that number came from."""

    procs: int  #: scheduling capacity [processors, the unit of the trace's job sizes]
    nodes: int  #: nodes charged for power [-]
    procs_per_node: float  #: processors per node [-]
    source: str  #: ``option`` (--nodes), ``header`` (MaxProcs/MaxNodes), ``machine``, ``guessed``


def _header_int(trace: Trace, key: str) -> int | None:
    value = trace.header.get(key)
    if value is None:
        return None
    try:
        n = int(float(value.split()[0]))
    except (ValueError, IndexError):
        return None
    return n if n > 0 else None


def machine_size(trace: Trace, nodes: int | None, machine=None, procs_per_node: float | None = None) -> MachineSize:
    """Size of the machine a trace runs on, and its source.

    Scheduling capacity (processors): ``nodes`` × ``procs_per_node`` if ``nodes`` is given, else
    the header's MaxProcs (then MaxNodes × processors per node), else the machine's node count,
    else the widest job (``guessed``; a caller should warn). Processors per node: the option, else
    MaxProcs / MaxNodes when the header gives both, else 1. Power is charged per node
    (nodes = processors / processors per node), so a trace that counts cores or processors is not
    charged as if each were a node.
    """
    max_procs, max_nodes = _header_int(trace, "MaxProcs"), _header_int(trace, "MaxNodes")
    if procs_per_node is not None:
        if not procs_per_node > 0:
            raise InputError(f"--procs-per-node must be > 0, got {procs_per_node}")
        ppn = float(procs_per_node)
    elif max_procs is not None and max_nodes is not None and max_procs >= max_nodes:
        ppn = max_procs / max_nodes
    else:
        ppn = 1.0
    if nodes is not None:
        if int(nodes) < 1:
            raise InputError(f"--nodes must be >= 1, got {nodes}")
        return MachineSize(int(round(int(nodes) * ppn)), int(nodes), ppn, "option")
    if max_procs is not None:
        return MachineSize(max_procs, max_nodes if (max_nodes and procs_per_node is None) else
                           max(1, int(round(max_procs / ppn))), ppn, "header")
    if max_nodes is not None:
        return MachineSize(int(round(max_nodes * ppn)), max_nodes, ppn, "header")
    if machine is not None:
        n = int(machine.nodes)
        return MachineSize(int(round(n * ppn)), n, ppn, "machine")
    jobs = trace.jobs
    size = np.where(jobs["req_procs"] > 0, jobs["req_procs"], jobs["alloc_procs"])
    largest = int(size.max()) if len(size) else 0
    if largest < 1:
        raise InputError("cannot tell the machine size: no MaxProcs/MaxNodes header and no job "
                         "with processors > 0; pass --nodes", file=trace.path)
    return MachineSize(largest, max(1, int(np.ceil(largest / ppn))), ppn, "guessed")


def _resolve_power(power, machine, pue, off_after_s):
    if power is not None:
        return power
    if machine is not None:
        return power_model_for_machine(machine, pue=pue, off_after_s=off_after_s)
    return PowerModel(pue=pue, off_after_s=off_after_s)


def _load_machine(machine):
    if machine is None or not isinstance(machine, str):
        return machine
    import archmodels

    return archmodels.load_machine(machine)


def run_policy(jobs: JobSet, policy: Policy, ctx: Context) -> tuple[np.ndarray, np.ndarray]:
    """(release, start) times [s] of each job, in the JobSet's order."""
    release = np.asarray(policy.release_s(jobs, ctx), dtype=np.float64)
    cap_times, cap_procs = policy.limit(jobs, ctx)
    order = np.lexsort((jobs.id, release))
    start_sorted = schedule(release[order], jobs.procs[order], jobs.run_s[order], jobs.estimate_s[order],
                            POLICY_CODES[policy.base], np.asarray(cap_times, dtype=np.float64),
                            np.asarray(cap_procs, dtype=np.int64))
    start = np.empty(len(jobs))
    start[order] = start_sorted
    return release, start


def simulate(trace, *, nodes: int | None = None, policy: str | Policy = "easy", machine=None,
             power: PowerModel | None = None, pue: float = 1.2, off_after_s: float | None = None,
             grid: str | Grid | None = None, grid_offset_s: float = 0.0, grid_start: str | None = None,
             battery: Battery | None = None, onsite: OnsiteRenewables | None = None,
             policy_params: dict | None = None, timeseries: bool = True,
             origin_s: float | None = None, until_s: float | None = None,
             procs_per_node: float | None = None, tariff: str | Tariff | None = None,
             ppa: PPA | None = None) -> SimulationResult:
    """Simulate one trace.

    Parameters
    ----------
    trace : Trace, DataFrame or path
        The workload (SWF columns).
    nodes : int, optional
        Machine size [nodes]; overrides the trace header.
    procs_per_node : float, optional
        Processors (the trace's unit of job size) per node; default MaxProcs / MaxNodes from the
        header, else 1. Power is charged per node: a processor draws 1/procs_per_node of a node.
    policy : str or Policy
        ``fcfs``, ``easy``, ``conservative``, ``carbon-delay``, ``price-delay``,
        ``carbon-queue-delay``, ``price-queue-delay``, ``marginal-carbon-delay``,
        ``marginal-carbon-queue-delay``, ``power-cap``, ``dvfs-cap``, ``carbon-cap``
        (see :mod:`ops.policies`), or a Policy object.
    machine : str, Machine, optional
        archmodels machine (catalog name or TOML path) for node idle and maximum power.
    power : PowerModel, optional
        Explicit power model (overrides ``machine``, ``pue``, ``off_after_s``).
    pue : float
        Facility power usage effectiveness [-].
    off_after_s : float, optional
        Switch idle nodes off after this long [s].
    grid : str or Grid, optional
        ``tokyo-2025`` for carbon, price and renewable profiles.
    grid_offset_s : float
        Where the first submit falls in the grid series [s after its first slot].
    grid_start : str, optional
        The same as a local date-time (``"2025-08-01 09:00"``); overrides ``grid_offset_s``.
    battery, onsite : optional
        Storage and on-site renewables (need a grid).
    ppa : PPA, optional
        An off-site power purchase agreement (:mod:`ops.ppa`; needs a grid).
    tariff : str or Tariff, optional
        Electricity tariff for the cost (:mod:`ops.tariff`; needs a grid): ``tepco-ehv``,
        ``kansai-ehv``, ``spot``; default the grid area's (``tepco-ehv`` for ``tokyo-2025``).
    policy_params : dict, optional
        Parameters for a policy given by name.
    timeseries : bool
        Build the per-slot DataFrame. Without a grid, storage or switch-off the energy totals do
        not need it (E_IT = N · P_idle · makespan + Σ procs · run · u · (P_max − P_idle)), so
        ``timeseries=False`` saves time on very long traces; with them it is always built.
    origin_s : float, optional
        Simulation time placed at ``grid_offset_s`` in the grid (default: the first submit); sites
        of a federation share one origin so that their clocks agree.
    until_s : float, optional
        Count energy until at least this time [s] (default: the last job end); a federation
        counts every site over the same span.
    """
    t_wall = time.perf_counter()
    tr = resolve_trace(trace)
    machine = _load_machine(machine)
    size = machine_size(tr, nodes, machine, procs_per_node)
    capacity = size.procs
    jobs = prepare_jobs(tr.jobs, capacity)
    node_model = _resolve_power(power, machine, pue, off_after_s)
    # the scheduler counts processors; each draws its share of a node's power
    model = (node_model if size.procs_per_node == 1.0 else
             replace(node_model, idle_w=node_model.idle_w / size.procs_per_node,
                     max_w=node_model.max_w / size.procs_per_node))
    if isinstance(grid, str):
        grid = load_grid(grid)
    if grid_start is not None:
        if grid is None:
            raise InputError("grid_start needs a grid (pass --grid tokyo-2025)")
        try:
            grid_offset_s = (pd.Timestamp(grid_start) - grid.start).total_seconds()
        except (ValueError, TypeError):
            raise InputError(f"grid start {grid_start!r} is not a date-time (expected e.g. 2025-08-01 09:00)") from None
        if not 0 <= grid_offset_s < len(grid) * grid.step_s:
            end = grid.start + pd.Timedelta(seconds=len(grid) * grid.step_s)
            raise InputError(f"grid start {grid_start!r} is outside the grid series {grid.start} .. {end}")
    if grid is None and (battery is not None or onsite is not None or tariff is not None or ppa is not None):
        raise InputError("a battery, on-site renewables, a PPA or a tariff need a grid (pass --grid tokyo-2025)")
    if grid is not None and not isinstance(tariff, Tariff):
        tariff = load_tariff(tariff or DEFAULT_TARIFF_BY_AREA.get(grid.area, "spot"))
    if isinstance(policy, str):
        policy = make_policy(policy, **(policy_params or {}))
    if origin_s is not None:
        origin = float(origin_s)
    else:
        origin = float(jobs.submit_s.min()) if len(jobs) else 0.0
    ctx = Context(nodes=capacity, power=model, grid=grid, origin_s=origin, offset_s=grid_offset_s,
                  machine=machine)
    nominal_run_s = jobs.run_s
    jobs, model = policy.execution(jobs, ctx)  # run times and power as the machine runs them
    release, start = run_policy(jobs, policy, ctx)
    started = ~np.isnan(start)
    if not started.all():
        raise InputError(f"{int((~started).sum())} jobs never started under policy {policy.name!r} "
                         "(a processor limit below their size for ever)")
    end = start + jobs.run_s
    wait = start - jobs.submit_s
    node_w = model.idle_w + jobs.utilization * (model.max_w - model.idle_w)
    job_it_j = jobs.procs * jobs.run_s * node_w
    per_job = {
        "id": jobs.id, "submit_s": jobs.submit_s, "start_s": start, "end_s": end, "procs": jobs.procs,
        "wait_s": wait, "run_s": jobs.run_s, "estimate_s": jobs.estimate_s,
        "bounded_slowdown": bounded_slowdown(wait, jobs.run_s, nominal_run_s=nominal_run_s),
        "energy_j": job_it_j * model.pue,
    }
    if np.any(jobs.run_s != nominal_run_s):
        per_job["nominal_run_s"] = nominal_run_s
    if np.any(release != jobs.submit_s):
        per_job["release_s"] = release
    if grid is not None:
        ci = signal_integral(grid.carbon_g_per_kwh, grid.step_s, ctx.grid_offset_s(end)) - signal_integral(
            grid.carbon_g_per_kwh, grid.step_s, ctx.grid_offset_s(start))
        per_job["carbon_g"] = model.pue * jobs.procs * node_w * ci / J_PER_KWH
    job_df = pd.DataFrame(per_job)

    t_end = max(float(end.max()) if len(jobs) else origin, until_s if until_s is not None else -np.inf)
    if timeseries or grid is not None or model.off_after_s is not None:
        series, totals = _energy_series(jobs, start, end, t_end, capacity, model, grid, ctx, battery, onsite,
                                        tariff, size.procs_per_node, ppa)
    else:
        series, totals = pd.DataFrame(), _energy_totals(jobs, t_end, capacity, model, origin)
    summary = {
        "jobs": len(jobs),
        "dropped_jobs": jobs.dropped,
        "dropped": {**jobs.dropped_by_reason, "bad_line": len(tr.bad_lines)},
        "bad_lines": len(tr.bad_lines),
        "nodes": size.nodes,
        "nodes_source": size.source,
        "procs": capacity,
        "procs_per_node": size.procs_per_node,
        "jobs_with_requested_time": int(np.count_nonzero(tr.jobs["req_time_s"].to_numpy() > 0)),
        "policy": policy.name,
        "base_policy": policy.base,
        "policy_params": policy.params(),
        "power_source": model.source,
        "node_idle_w": node_model.idle_w,
        "node_max_w": node_model.max_w,
        "pue": model.pue,
        "grid": grid.name if grid is not None else None,
        "grid_offset_s": float(grid_offset_s) if grid is not None else None,
        **schedule_metrics(jobs.submit_s, start, jobs.run_s, jobs.procs, capacity, nominal_run_s=nominal_run_s),
        **totals,
    }
    summary["simulation_wall_s"] = time.perf_counter() - t_wall
    return SimulationResult(jobs=job_df, timeseries=series, summary=summary)


#: Summary entries of the energy series that are None without a grid (costs, carbon) or a battery.
GRID_KEYS = ("carbon_g", "cost_jpy", "renewable_share", "tariff", "cost_energy_jpy", "cost_retail_adder_jpy",
             "cost_renewable_surcharge_jpy", "cost_demand_jpy", "cost_battery_degradation_jpy",
             "cost_battery_reconciliation_jpy", "peak_demand_w", "carbon_marginal_g", "carbon_market_g", "cost_ppa_jpy")
#: Summary entries of a PPA's run, None without one.
PPA_KEYS = ("ppa_kind", "ppa_generation_j", "ppa_matched_j", "ppa_surplus_j", "ppa_wheeling_jpy_per_kwh")
BATTERY_KEYS = ("battery_charged_j", "battery_discharged_j", "battery_self_discharge_j", "battery_fade_loss_j",
                "battery_soc_start_j", "battery_soc_end_j", "battery_reconciliation_j", "battery_moved_j",
                "battery_capacity_fade", "battery_equivalent_full_cycles", "battery_energy_saving_j",
                "battery_carbon_saving_g", "battery_cost_saving_jpy")


def _empty_totals(it_j: float, fac_j: float, switching: tuple[float, float, float] = (0.0, 0.0, 0.0)) -> dict:
    return {"it_energy_j": it_j, "energy_j": fac_j, "grid_energy_j": fac_j,
            "node_switch_ons": switching[0], "node_switch_offs": switching[1], "switching_energy_j": switching[2],
            **dict.fromkeys(GRID_KEYS), **dict.fromkeys(BATTERY_KEYS), **dict.fromkeys(PPA_KEYS)}


def _energy_totals(jobs, t_end, capacity, model, origin) -> dict:
    """Energy without a grid or switch-off, in closed form (see :func:`simulate`)."""
    span = t_end - origin
    dynamic = float(np.sum(jobs.procs * jobs.run_s * jobs.utilization)) * (model.max_w - model.idle_w)
    it_j = capacity * model.idle_w * span + dynamic
    return _empty_totals(it_j, model.pue * it_j)


def _month_of(times: pd.DatetimeIndex) -> tuple[np.ndarray, np.ndarray]:
    """Month label and the month's length [s] of each time."""
    m = times.values.astype("datetime64[M]")
    length = ((m + 1).astype("datetime64[s]") - m.astype("datetime64[s]")).astype(np.float64)
    return m.astype(np.int64), length


def _energy_series(jobs, start, end, t_end, capacity, model, grid, ctx, battery, onsite, tariff,
                   procs_per_node, ppa=None):
    if t_end <= ctx.origin_s:
        return pd.DataFrame(), _empty_totals(0.0, 0.0)
    step = grid.step_s if grid is not None else DEFAULT_STEP_S
    t0 = ctx.origin_s
    t1 = t_end
    x0 = ctx.grid_offset_s(t0)
    k0 = int(np.floor(x0 / step))
    k1 = int(np.ceil(float(ctx.grid_offset_s(t1)) / step))
    if k1 - k0 > MAX_SLOTS:
        raise InputError(f"the trace spans {(t1 - t0) / 86400 / 365.25:,.0f} years, {k1 - k0:,} slots of "
                         f"{step:g} s (at most {MAX_SLOTS:,}); check its submit and run times")
    inner = np.arange(k0 + 1, max(k1, k0 + 1)) * step - ctx.offset_s + ctx.origin_s
    edges = np.r_[t0, inner[(inner > t0) & (inner < t1)], t1]
    slots = k0 + np.arange(len(edges) - 1)
    duration = np.diff(edges)
    profile = power_profile(start, end, jobs.procs, jobs.utilization, model, capacity)
    switch_j, ons, offs = switching_per_bin(profile, model, edges)
    it_j = it_energy_per_bin_j(profile, model, capacity, edges) + switch_j
    fac_j = model.pue * it_j
    data = {"time_s": edges[:-1], "duration_s": duration, "it_energy_j": it_j, "facility_energy_j": fac_j}
    totals = _empty_totals(float(it_j.sum()), float(fac_j.sum()),
                           (ons / procs_per_node, offs / procs_per_node, float(switch_j.sum())))
    if grid is None:
        data["grid_energy_j"] = fac_j
        return pd.DataFrame(data), totals
    idx = slots % len(grid)
    ci = grid.carbon_g_per_kwh[idx]
    ren = grid.renewable_fraction[idx]
    grid_time = grid.start + pd.to_timedelta((idx * step).astype(np.int64), unit="s")
    # calendar months run on past the grid's year when a trace wraps around it
    month, month_s = _month_of(grid.start + pd.to_timedelta((slots * step).astype(np.int64), unit="s"))
    spot = spot_price_jpy_per_kwh(tariff, grid, idx)
    rates = energy_rate_jpy_per_kwh(spot, grid_time, tariff)
    rate = rates["energy"] + rates["retail_adder"] + rates["renewable_surcharge"]
    onsite = onsite or OnsiteRenewables()
    onsite_j = (onsite.solar_w * grid.solar_cf[idx] + onsite.wind_w * grid.wind_cf[idx]) * duration
    day = np.floor_divide(slots * step, 86400.0).astype(np.int64)
    flows = dispatch(fac_j, onsite_j, ci, day, ren, battery, duration)
    grid_j, direct_j, dis_j, curtailed_j = flows.grid_j, flows.direct_j, flows.discharge_j, flows.curtailed_j
    carbon = grid_j * ci / J_PER_KWH
    # an off-site PPA takes what the load still imports; the retailer bills the rest at the tariff
    contract = None
    if ppa is not None:
        wheeling = (ppa.wheeling_jpy_per_kwh if ppa.wheeling_jpy_per_kwh is not None else
                    default_wheeling_jpy_per_kwh(grid.area if tariff.area == "grid" else tariff.area))
        contract = settle(ppa, grid.solar_cf[idx], grid.wind_cf[idx], duration, grid_j - flows.grid_charge_j, spot,
                          rates["renewable_surcharge"], tariff.promotion_tax_jpy_per_kwh, tariff.consumption_tax,
                          wheeling)
        retail_j = grid_j - contract.displaced_j
        cost = retail_j * rate / J_PER_KWH + contract.cost_jpy
        carbon_market = (grid_j - contract.matched_j) * ci / J_PER_KWH
    else:
        retail_j = grid_j
        cost = grid_j * rate / J_PER_KWH
        carbon_market = carbon
    demand_jpy, peaks = demand_charge_jpy(grid_j, duration, month, month_s, tariff)
    # renewable energy that served the load: on-site direct, the renewable part of the battery's
    # discharge, and the grid's renewable share of what was imported for the load (not for charging)
    renewable_j = direct_j + flows.discharge_renewable_j + (grid_j - flows.grid_charge_j) * ren
    data["grid_time"] = grid_time
    data.update(onsite_j=onsite_j, onsite_used_j=direct_j, battery_charge_j=flows.grid_charge_j + flows.surplus_charge_j,
                battery_discharge_j=dis_j, curtailed_j=curtailed_j, grid_energy_j=grid_j,
                carbon_intensity_g_per_kwh=ci, price_jpy_per_kwh=rate, carbon_g=carbon, cost_jpy=cost,
                renewable_j=renewable_j)
    served = float(fac_j.sum())
    parts = {f"cost_{k}_jpy": float((retail_j * v).sum() / J_PER_KWH) for k, v in rates.items()}
    totals.update(grid_energy_j=float(grid_j.sum()), renewable_share=float(renewable_j.sum()) / served if served > 0 else None,
                  tariff=tariff.name, cost_demand_jpy=demand_jpy, peak_demand_w=max(peaks.values()),
                  cost_battery_degradation_jpy=0.0, cost_battery_reconciliation_jpy=0.0, **parts)
    carbon_g = float(carbon.sum())
    carbon_market_g = float(carbon_market.sum())
    totals["cost_ppa_jpy"] = 0.0
    if contract is not None:
        data.update(ppa_generation_j=contract.generation_j, ppa_matched_j=contract.matched_j)
        totals.update(ppa_kind=ppa.kind, ppa_generation_j=float(contract.generation_j.sum()),
                      ppa_matched_j=float(contract.matched_j.sum()),
                      ppa_surplus_j=float((contract.generation_j - contract.matched_j).sum()),
                      ppa_wheeling_jpy_per_kwh=wheeling, cost_ppa_jpy=float(contract.cost_jpy.sum()))
    if battery is not None and battery.capacity_j > 0 and battery.power_w > 0:
        acc = account(flows, battery)
        mean_ci = float(np.average(ci, weights=duration))
        mean_rate = float(np.average(rate, weights=duration))
        recon_g = acc.reconciliation_j * mean_ci / J_PER_KWH
        recon_jpy = acc.reconciliation_j * mean_rate / J_PER_KWH
        rest = fac_j - direct_j  # what the grid would supply without the battery
        base_demand, _ = demand_charge_jpy(rest, duration, month, month_s, tariff)
        base_cost = float((rest * rate).sum()) / J_PER_KWH + base_demand
        if contract is not None:  # the same PPA on the load without the battery
            alone = settle(ppa, grid.solar_cf[idx], grid.wind_cf[idx], duration, rest, spot,
                           rates["renewable_surcharge"], tariff.promotion_tax_jpy_per_kwh, tariff.consumption_tax,
                           wheeling)
            base_cost += float((alone.cost_jpy - alone.displaced_j * rate / J_PER_KWH).sum())
        carbon_g += recon_g
        carbon_market_g += recon_g
        totals.update(cost_battery_degradation_jpy=acc.degradation_jpy, cost_battery_reconciliation_jpy=recon_jpy,
                      battery_charged_j=acc.charged_j, battery_discharged_j=acc.discharged_j,
                      battery_self_discharge_j=acc.self_discharge_j, battery_fade_loss_j=acc.fade_loss_j,
                      battery_soc_start_j=acc.soc_start_j, battery_soc_end_j=acc.soc_end_j,
                      battery_reconciliation_j=acc.reconciliation_j, battery_moved_j=acc.moved_j,
                      battery_capacity_fade=acc.capacity_fade, battery_equivalent_full_cycles=acc.equivalent_full_cycles,
                      battery_energy_saving_j=float(rest.sum() - grid_j.sum()) - acc.reconciliation_j,
                      battery_carbon_saving_g=float(((rest - grid_j) * ci).sum()) / J_PER_KWH - recon_g,
                      battery_cost_saving_jpy=base_cost - (float(cost.sum()) + demand_jpy + recon_jpy + acc.degradation_jpy))
    totals["carbon_g"] = carbon_g  # location-based: the grid's intensity on the metered import
    totals["carbon_market_g"] = carbon_market_g  # market-based: PPA-matched energy at 0 g/kWh
    if grid.marginal_carbon_g_per_kwh is not None:  # what the load's grid energy adds at the margin
        totals["carbon_marginal_g"] = float((grid_j * grid.marginal_carbon_g_per_kwh[idx]).sum()) / J_PER_KWH
    totals["cost_jpy"] = sum(totals[k] for k in ("cost_energy_jpy", "cost_retail_adder_jpy", "cost_renewable_surcharge_jpy",
                                                 "cost_demand_jpy", "cost_battery_degradation_jpy",
                                                 "cost_battery_reconciliation_jpy", "cost_ppa_jpy"))
    return pd.DataFrame(data), totals
