"""Several sites sharing one workload: routing, data transfer, and per-site simulation.

Each job is submitted at its home site and routed, at its submit time, by a rule that uses only
what is known then:

* ``home`` — every job stays home (the baseline);
* ``round-robin`` — sites in turn, among those large enough;
* ``least-loaded`` — the site whose estimated backlog clears first: each site keeps a fluid
  estimate ``ready_s = max(ready_s, arrival) + procs · estimate / nodes`` of routed work;
* ``lowest-carbon`` — the site with the lowest grid carbon intensity at the job's arrival there,
  ties to the least loaded;
* ``burst`` — home, unless home's expected wait ``max(0, ready_home − submit)`` is at least
  ``burst_wait_s``, then the cloud site (the classic burst rule; a job too wide for home goes to the
  cloud);
* ``weighted`` — the site of least expected cost (:func:`weighted_cost`): the value of the
  node-hours spent waiting and returning output, the energy bill (on premises: energy × the grid's
  price at arrival; in the cloud: node-hours × the price per node-hour), the carbon at a carbon
  price, and the egress charge.

The first four route among the on-premises sites only; the cloud (:mod:`ops.cloud`: a ``Site``
with a :class:`~ops.cloud.CloudOffer`, ``nodes`` its quota) is used by ``burst`` and ``weighted``.
A job sent to the cloud waits for its input, then ``startup_s`` of provisioning.

A job routed away from home arrives after its input is staged: a transfer of ``data`` bytes at
``min(bandwidth_home, bandwidth_site)`` plus the setup latency (the inter-site network, e.g.
SINET6's 400 Gbit/s backbone with 100 Gbit/s site links, https://www.sinet.ad.jp/en/aboutsinet-en),
and its wait counts from its original submit. With ``share_links`` (the default) the links are
shared: transfers use the home site's link and the destination's, one at a time in submit order
(first come, first served at the full rate: the order-preserving way to share a link's capacity,
which finishes the last of a burst of transfers when fair sharing would), so a transfer starts at
``max(submit, home link free, destination link free)`` and a burst of large jobs queues on the link:

    start_j = max(s_j, F_home, F_k);  arrival_j = start_j + latency + data_j / B;  F_home = F_k = start_j + data_j / B

Without it every transfer has the links to itself (``latency + data / B``). A job run away from
home returns its output (``output_fraction`` × its input data; SWF gives no output size) over the
same links in the other direction (links are full duplex, so returns queue only behind returns,
first come first served in the order jobs end), and it completes when its output is home:

    rstart_j = max(e_j, R_k, R_home);  home_end_j = rstart_j + latency + out_j / B;  R_k = R_home = rstart_j + out_j / B

Each site then runs its jobs under its own policy, machine
power, PUE and grid (:func:`ops.simulate.simulate`), on one common clock, and every site's energy
is counted from the first submit to the last job end anywhere (an idle site still draws idle power).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from archmodels.errors import InputError
from archmodels.references import check_name
from ops.cloud import CloudOffer, cloud_bill
from ops.grid import Grid, load_grid
from ops.jobs import JobSet, prepare_jobs
from ops.metrics import schedule_metrics
from ops.power import PowerModel
from ops.simulate import resolve_trace, simulate

ROUTINGS = ("home", "round-robin", "least-loaded", "lowest-carbon", "burst", "weighted")
#: Data a job moves per processor when the trace does not say (``assumption``: 1 GB per node of
#: input staged to the remote site).
DEFAULT_DATA_BYTES_PER_PROC = 1e9
#: Output returned home per byte of input (``assumption``: as much output as input).
DEFAULT_OUTPUT_FRACTION = 1.0
#: Home's expected wait at which ``burst`` sends a job to the cloud [s] (``judgement``: one hour).
DEFAULT_BURST_WAIT_S = 3600.0
#: Carbon price of ``weighted`` [JPY per t CO2] (``assumption``: of the order of the EU ETS
#: allowance, 60-90 EUR/t in 2023-2025, https://icapcarbonaction.com/en/ets-prices).
DEFAULT_CARBON_PRICE_JPY_PER_T = 10_000.0


@dataclass(frozen=True)
class Site:
    """One centre: size, power, grid, and its link to the federation."""

    name: str
    nodes: int
    power: PowerModel = field(default_factory=PowerModel)
    grid: str | Grid | None = "tokyo-2025"
    grid_offset_s: float = 0.0  #: where this site sits in its grid series [s]
    bandwidth_bytes_per_s: float = 100e9 / 8  #: site link (``assumption``: 100 Gbit/s SINET6 access)
    latency_s: float = 0.02  #: one-way setup latency of a transfer [s] (``assumption``)
    policy: str = "easy"
    cloud: CloudOffer | None = None  #: an on-demand cloud: ``nodes`` is the quota (:mod:`ops.cloud`)


@dataclass(frozen=True)
class RoutingWeights:
    """What ``weighted`` routing puts on a node-hour of waiting and a tonne of CO2.

    ``value_of_time_jpy_per_node_hour`` None means the price of the first cloud site's node-hour
    (``judgement``: a node-hour waited is worth what renting it costs), else 0 without a cloud.
    """

    value_of_time_jpy_per_node_hour: float | None = None  #: [JPY per node-hour waited]
    carbon_price_jpy_per_t: float = DEFAULT_CARBON_PRICE_JPY_PER_T  #: [JPY per t CO2]

    def __post_init__(self):
        for name in ("value_of_time_jpy_per_node_hour", "carbon_price_jpy_per_t"):
            value = getattr(self, name)
            if value is not None and not (np.isfinite(value) and value >= 0):
                raise InputError(f"routing weights: {name} must be a finite number >= 0, got {value!r}")


@dataclass(frozen=True)
class FederationResult:
    jobs: pd.DataFrame  #: per job: site, transfer_s, and the simulate() columns (wait from home submit)
    sites: pd.DataFrame  #: per site summary
    summary: dict


def _grid(site: Site) -> Grid | None:
    return load_grid(site.grid) if isinstance(site.grid, str) else site.grid


def _data_bytes(jobs: JobSet, data_bytes_per_proc: float) -> np.ndarray:
    """Input each job stages to a remote site [B]: the trace's size, else ``data_bytes_per_proc`` × procs."""
    return np.where(jobs.data_bytes > 0, jobs.data_bytes, jobs.procs * float(data_bytes_per_proc))


def weighted_cost(wait_s, return_s, procs, estimate_s, energy_kwh, price_jpy_per_kwh, carbon_g_per_kwh,
                  egress_jpy, value_of_time_jpy_per_node_hour, carbon_price_jpy_per_t,
                  cloud_price_jpy_per_node_hour=None):
    """Expected cost [JPY] of running a job at a site, the quantity ``weighted`` routing minimises.

    C = V · procs · (wait + return) / 3600 + E_bill + P_CO2 · energy_kwh · CI / 1e6 + egress

    with E_bill = energy_kwh · price [JPY/kWh] on premises (the marginal bill; the machine is paid
    for) and procs · estimate / 3600 · price per node-hour in the cloud (the energy is in the
    price). ``wait_s`` [s] counts from the home submit (transfer and provisioning included),
    ``return_s`` [s] the output's return; ``energy_kwh`` [kWh] the job's facility energy at full
    load; ``carbon_g_per_kwh`` [g/kWh] the intensity where it runs; ``egress_jpy`` [JPY] the
    cloud's charge for the output; ``carbon_price_jpy_per_t`` [JPY/t].
    """
    bill = (energy_kwh * price_jpy_per_kwh if cloud_price_jpy_per_node_hour is None
            else procs * estimate_s / 3600.0 * cloud_price_jpy_per_node_hour)
    return (value_of_time_jpy_per_node_hour * procs * (wait_s + return_s) / 3600.0 + bill
            + carbon_price_jpy_per_t * energy_kwh * carbon_g_per_kwh / 1e6 + egress_jpy)


def route(jobs: JobSet, sites: list[Site], routing: str, home: int = 0, *, share_links: bool = True,
          data_bytes_per_proc: float = DEFAULT_DATA_BYTES_PER_PROC,
          output_fraction: float = DEFAULT_OUTPUT_FRACTION, burst_wait_s: float = DEFAULT_BURST_WAIT_S,
          weights: RoutingWeights | None = None) -> tuple[np.ndarray, np.ndarray]:
    """(site index, delay before the job can start there [s]) of each job, in the JobSet's (submit)
    order; the delay is the input transfer plus, in the cloud, the provisioning ``startup_s``.

    ``data_bytes_per_proc`` [B] is what a job moves per processor when the trace gives no size;
    ``output_fraction`` [-] its output per byte of input (``weighted`` counts the return and egress);
    ``burst_wait_s`` [s] the threshold of ``burst``; ``weights`` those of ``weighted``.
    """
    check_name("routing", routing, list(ROUTINGS), "routings")
    if not data_bytes_per_proc >= 0:
        raise InputError(f"data per processor must be >= 0 B, got {data_bytes_per_proc!r}")
    if not output_fraction >= 0:
        raise InputError(f"output fraction must be >= 0, got {output_fraction!r}")
    if not burst_wait_s >= 0:
        raise InputError(f"burst wait must be >= 0 s, got {burst_wait_s!r}")
    if sites[home].cloud is not None:
        raise InputError(f"the home site {sites[home].name!r} cannot be a cloud site")
    weights = weights or RoutingWeights()
    n = len(jobs)
    nodes = np.array([s.nodes for s in sites], dtype=np.int64)
    is_cloud = np.array([s.cloud is not None for s in sites])
    clouds = np.flatnonzero(is_cloud)
    if routing in ("burst", "weighted") and not len(clouds):
        raise InputError(f"routing {routing!r} needs a cloud site")
    data = _data_bytes(jobs, data_bytes_per_proc)
    bw = np.array([min(sites[home].bandwidth_bytes_per_s, s.bandwidth_bytes_per_s) for s in sites])
    lat = np.array([s.latency_s for s in sites])
    startup = np.array([s.cloud.startup_s if s.cloud is not None else 0.0 for s in sites])
    remote = np.arange(len(sites)) != home
    busy_s = data[:, None] / bw[None, :]  # time each transfer holds the links [s]
    transfer = np.where(remote[None, :], lat[None, :] + busy_s + startup[None, :], 0.0)  # links to itself
    fits = jobs.procs[:, None] <= nodes[None, :]
    if routing not in ("burst", "weighted"):
        fits &= ~is_cloud[None, :]  # the cloud takes bursts only
    elif routing == "burst":
        fits &= (is_cloud | ~remote)[None, :]  # home or the cloud
    if not fits.any(axis=1).all():
        raise InputError("a job is larger than every site")
    choice = np.full(n, home, dtype=np.int64)
    if routing == "home":
        if not fits[:, home].all():
            raise InputError(f"routing 'home': jobs larger than site {sites[home].name!r}")
        return choice, np.zeros(n)
    grids = [_grid(s) if s.cloud is None else None for s in sites]
    origin = float(jobs.submit_s.min()) if n else 0.0
    if routing == "weighted":
        vot = weights.value_of_time_jpy_per_node_hour
        vot = sites[clouds[0]].cloud.price_jpy_per_node_hour if vot is None else vot
        full_kw = np.array([s.power.max_w * s.power.pue / 1e3 for s in sites])  # per node at full load
        out = data * float(output_fraction)
        ret = np.where(remote[None, :], lat[None, :] + out[:, None] / bw[None, :], 0.0)  # return, links alone
    ready = np.full(len(sites), -np.inf)
    free = np.full(len(sites), -np.inf)  # when each site's link is next free [s]
    delay = np.zeros(n)
    turn = 0
    for j in range(n):
        if share_links:
            start = np.maximum(jobs.submit_s[j], np.maximum(free, free[home]))
            transfer[j] = np.where(remote, start - jobs.submit_s[j] + lat + busy_s[j] + startup, 0.0)
        arrival = jobs.submit_s[j] + transfer[j]
        ok = np.flatnonzero(fits[j])
        if routing == "round-robin":
            while not fits[j, turn % len(sites)]:
                turn += 1
            k = turn % len(sites)
            turn += 1
        elif routing == "burst":
            cloud = next((c for c in clouds if fits[j, c]), None)
            wait_home = max(0.0, ready[home] - jobs.submit_s[j])
            k = home if fits[j, home] and (cloud is None or wait_home < burst_wait_s) else cloud
        else:
            clear = np.maximum(ready[ok], arrival[ok]) + jobs.procs[j] * jobs.estimate_s[j] / nodes[ok]
            if routing == "least-loaded":
                k = ok[int(np.argmin(clear))]
            elif routing == "weighted":
                cost = np.empty(len(ok))
                for m, s in enumerate(ok):
                    wait = max(ready[s], arrival[s]) - jobs.submit_s[j]
                    kwh = jobs.procs[j] * jobs.estimate_s[j] / 3600.0 * full_kw[s]
                    offer = sites[s].cloud
                    if offer is None:  # no grid: neither a bill nor carbon is known
                        g, price, ci = grids[s], 0.0, 0.0
                        if g is not None:
                            slot = g.slot_of(arrival[s] - origin + sites[s].grid_offset_s)
                            price, ci = g.price_jpy_per_kwh[slot], g.carbon_g_per_kwh[slot]
                        egress, cloud_price = 0.0, None
                    else:
                        price, ci = 0.0, offer.carbon_g_per_kwh
                        egress, cloud_price = out[j] / 1e9 * offer.egress_jpy_per_gb, offer.price_jpy_per_node_hour
                    cost[m] = weighted_cost(wait, ret[j, s], jobs.procs[j], jobs.estimate_s[j], kwh, price, ci,
                                            egress, vot, weights.carbon_price_jpy_per_t, cloud_price)
                k = ok[int(np.argmin(cost))]
            else:
                ci = np.empty(len(ok))
                for m, s in enumerate(ok):
                    g = grids[s]
                    if g is None:
                        raise InputError(f"routing 'lowest-carbon': site {sites[s].name!r} has no grid")
                    ci[m] = g.carbon_g_per_kwh[g.slot_of(arrival[s] - origin + sites[s].grid_offset_s)]
                best = np.flatnonzero(ci <= ci.min() + 1e-9)
                k = ok[best[int(np.argmin(clear[best]))]]
        ready[k] = max(ready[k], arrival[k]) + jobs.procs[j] * jobs.estimate_s[j] / nodes[k]
        choice[j] = k
        delay[j] = transfer[j, k]
        if share_links and k != home:
            free[k] = free[home] = arrival[k] - lat[k] - startup[k]
    return choice, delay


def return_output(end_s, site, output_bytes, sites: list[Site], home: int = 0, *, share_links: bool = True):
    """Time [s] from each job's end until its output is home (0 for jobs run at home).

    Returns go home over the links' other direction, one at a time in the order jobs end (first
    come, first served) with ``share_links``, else each with the links to itself (module docstring).
    ``end_s`` [s], ``site`` (index), ``output_bytes`` [B]: per job.
    """
    end_s, site = np.asarray(end_s, dtype=float), np.asarray(site, dtype=np.int64)
    out = np.asarray(output_bytes, dtype=float)
    bw = np.array([min(sites[home].bandwidth_bytes_per_s, s.bandwidth_bytes_per_s) for s in sites])
    lat = np.array([s.latency_s for s in sites])
    ret = np.zeros(len(end_s))
    away = np.flatnonzero(site != home)
    if not share_links:
        ret[away] = lat[site[away]] + out[away] / bw[site[away]]
        return ret
    free = np.full(len(sites), -np.inf)  # when each link's return direction is next free [s]
    for j in away[np.argsort(end_s[away], kind="stable")]:
        k = site[j]
        start = max(end_s[j], free[k], free[home])
        free[k] = free[home] = start + out[j] / bw[k]
        ret[j] = free[k] + lat[k] - end_s[j]
    return ret


def federate(trace, sites: list[Site], *, routing: str = "least-loaded", home: int = 0, share_links: bool = True,
             data_bytes_per_proc: float = DEFAULT_DATA_BYTES_PER_PROC,
             output_fraction: float = DEFAULT_OUTPUT_FRACTION, burst_wait_s: float = DEFAULT_BURST_WAIT_S,
             weights: RoutingWeights | None = None) -> FederationResult:
    """Route a trace over ``sites`` and simulate each site; totals over the federation
    (``share_links``, ``data_bytes_per_proc``, ``output_fraction``, ``burst_wait_s``, ``weights``:
    :func:`route`). Jobs wider than every on-premises site are dropped (the cloud takes bursts of
    the centre's workload). A cloud site is charged by :func:`ops.cloud.cloud_bill`, not by its grid."""
    if not sites:
        raise InputError("a federation needs at least one site")
    premises = [s for s in sites if s.cloud is None]
    if not premises:
        raise InputError("a federation needs at least one site that is not a cloud")
    tr = resolve_trace(trace)
    jobs = prepare_jobs(tr.jobs, int(max(s.nodes for s in premises)))
    choice, delay = route(jobs, sites, routing, home, share_links=share_links, data_bytes_per_proc=data_bytes_per_proc,
                          output_fraction=output_fraction, burst_wait_s=burst_wait_s, weights=weights)
    output = _data_bytes(jobs, data_bytes_per_proc) * float(output_fraction)
    startup = np.array([s.cloud.startup_s if s.cloud is not None else 0.0 for s in sites])[choice]
    origin = float(jobs.submit_s.min()) if len(jobs) else 0.0
    subs = []
    for k in range(len(sites)):
        idx = np.flatnonzero(choice == k)
        subs.append(pd.DataFrame({
            "id": jobs.id[idx], "submit_s": jobs.submit_s[idx] + delay[idx], "run_s": jobs.run_s[idx],
            "alloc_procs": jobs.procs[idx], "req_procs": jobs.procs[idx], "req_time_s": jobs.estimate_s[idx],
            "cpu_time_s": jobs.utilization[idx] * jobs.run_s[idx],
        }))

    def run(k, until_s):
        site = sites[k]
        return simulate(subs[k], nodes=site.nodes, policy=site.policy, power=site.power,
                        grid=_grid(site) if site.cloud is None else None,
                        grid_offset_s=site.grid_offset_s, origin_s=origin, until_s=until_s, timeseries=False)

    # every site draws power over the same span: first find the last job end anywhere
    first = [run(k, None) if len(subs[k]) else None for k in range(len(sites))]
    until = max([float(r.jobs["end_s"].max()) for r in first if r is not None], default=origin)
    frames, rows = [], []
    for k, site in enumerate(sites):
        res = run(k, until)
        df = res.jobs.copy()
        df["site"] = site.name
        df["site_index"] = k
        frames.append(df)
        rows.append({"site": site.name, "cloud": site.cloud is not None,
                     **{k2: v for k2, v in res.summary.items() if k2 not in ("policy_params", "simulation_wall_s")}})
    out = pd.concat(frames, ignore_index=True)
    # each simulated job back to its place in the JobSet: (id, submit at the site) is unique
    place = dict(zip(zip(jobs.id.tolist(), (jobs.submit_s + delay).tolist()), range(len(jobs))))
    pos = np.array([place[key] for key in zip(out["id"].tolist(), out["submit_s"].tolist())], dtype=np.int64)
    out["home_submit_s"] = jobs.submit_s[pos]
    out["provision_s"] = startup[pos]
    out["transfer_s"] = out["submit_s"] - out["home_submit_s"] - out["provision_s"]
    out["wait_s"] = out["start_s"] - out["home_submit_s"]
    out["output_bytes"] = np.where(out["site_index"] != home, output[pos], 0.0)
    out["return_s"] = return_output(out["end_s"].to_numpy(), out["site_index"].to_numpy(), out["output_bytes"].to_numpy(),
                                    sites, home, share_links=share_links)
    out["home_end_s"] = out["end_s"] + out["return_s"]
    for k, site in enumerate(sites):
        if site.cloud is None:
            continue
        mine = out[out["site_index"] == k]
        bill = cloud_bill(site.cloud, mine["procs"], mine["run_s"], jobs.utilization[pos[mine.index]],
                          mine["output_bytes"], site.power)
        rows[k].update(energy_j=bill["energy_j"], carbon_g=bill["carbon_g"], node_hours=bill["node_hours"],
                       compute_cost_jpy=bill["compute_cost_jpy"], egress_cost_jpy=bill["egress_cost_jpy"],
                       egress_bytes=bill["egress_bytes"], cost_jpy=bill["compute_cost_jpy"] + bill["egress_cost_jpy"],
                       price_jpy_per_node_hour=site.cloud.price_jpy_per_node_hour)
    out = out.drop(columns="site_index")
    sites_df = pd.DataFrame(rows)
    metrics = schedule_metrics(out["home_submit_s"].to_numpy(), out["start_s"].to_numpy(), out["run_s"].to_numpy(),
                               out["procs"].to_numpy(), int(sum(s.nodes for s in premises)))

    def total(col):
        vals = sites_df[col].dropna() if col in sites_df else []
        return float(np.sum(vals)) if len(vals) else None

    def stat(f, x):
        return float(f(x)) if len(x) else 0.0

    transfer = delay - startup
    cloud_rows = sites_df[sites_df["cloud"]]
    summary = {"routing": routing, "jobs": len(out), "dropped_jobs": jobs.dropped,
               "dropped": dict(jobs.dropped_by_reason), "nodes": int(sum(s.nodes for s in premises)),
               "nodes_source": "option", **metrics,
               "energy_j": total("energy_j"), "carbon_g": total("carbon_g"), "cost_jpy": total("cost_jpy"),
               "moved_jobs": int(np.sum(choice != home)),
               "mean_transfer_s": stat(np.mean, transfer), "max_transfer_s": stat(np.max, transfer),
               "mean_return_s": stat(np.mean, out["return_s"]), "max_return_s": stat(np.max, out["return_s"]),
               "mean_response_s": stat(np.mean, out["home_end_s"] - out["home_submit_s"]),
               "completion_s": stat(np.max, out["home_end_s"] - origin),
               "cloud_jobs": int(np.isin(choice, [k for k, s in enumerate(sites) if s.cloud is not None]).sum()),
               "cloud_node_hours": float(cloud_rows["node_hours"].sum()) if len(cloud_rows) else 0.0,
               "cloud_cost_jpy": float(cloud_rows["compute_cost_jpy"].sum()) if len(cloud_rows) else 0.0,
               "egress_cost_jpy": float(cloud_rows["egress_cost_jpy"].sum()) if len(cloud_rows) else 0.0,
               "shared_links": bool(share_links), "data_bytes_per_proc": float(data_bytes_per_proc),
               "output_fraction": float(output_fraction), "burst_wait_s": float(burst_wait_s)}
    return FederationResult(jobs=out, sites=sites_df, summary=summary)
