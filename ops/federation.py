"""Several sites sharing one workload: routing, data transfer, and per-site simulation.

Each job is submitted at its home site and routed, at its submit time, by a rule that uses only
what is known then:

* ``home`` — every job stays home (the baseline);
* ``round-robin`` — sites in turn, among those large enough;
* ``least-loaded`` — the site whose estimated backlog clears first: each site keeps a fluid
  estimate ``ready_s = max(ready_s, arrival) + procs · estimate / nodes`` of routed work;
* ``lowest-carbon`` — the site with the lowest grid carbon intensity at the job's arrival there,
  ties to the least loaded.

A job routed away from home arrives after its input is staged: a transfer of ``data`` bytes at
``min(bandwidth_home, bandwidth_site)`` plus the setup latency (the inter-site network, e.g.
SINET6's 400 Gbit/s backbone with 100 Gbit/s site links, https://www.sinet.ad.jp/en/aboutsinet-en),
and its wait counts from its original submit. With ``share_links`` (the default) the links are
shared: transfers use the home site's link and the destination's, one at a time in submit order
(first come, first served at the full rate: the order-preserving way to share a link's capacity,
which finishes the last of a burst of transfers when fair sharing would), so a transfer starts at
``max(submit, home link free, destination link free)`` and a burst of large jobs queues on the link:

    start_j = max(s_j, F_home, F_k);  arrival_j = start_j + latency + data_j / B;  F_home = F_k = start_j + data_j / B

Without it every transfer has the links to itself (``latency + data / B``). Output return is not
modelled (the job's end is its end at the remote site). Each site then runs its jobs under its own policy, machine
power, PUE and grid (:func:`ops.simulate.simulate`), on one common clock, and every site's energy
is counted from the first submit to the last job end anywhere (an idle site still draws idle power).
"""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np
import pandas as pd

from archmodels.errors import InputError
from archmodels.references import check_name
from ops.grid import Grid, load_grid
from ops.jobs import JobSet, prepare_jobs
from ops.metrics import schedule_metrics
from ops.power import PowerModel
from ops.simulate import resolve_trace, simulate

ROUTINGS = ("home", "round-robin", "least-loaded", "lowest-carbon")
#: Data a job moves per processor when the trace does not say (``assumption``: 1 GB per node of
#: input and output staged to the remote site).
DEFAULT_DATA_BYTES_PER_PROC = 1e9


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


@dataclass(frozen=True)
class FederationResult:
    jobs: pd.DataFrame  #: per job: site, transfer_s, and the simulate() columns (wait from home submit)
    sites: pd.DataFrame  #: per site summary
    summary: dict


def _grid(site: Site) -> Grid | None:
    return load_grid(site.grid) if isinstance(site.grid, str) else site.grid


def route(jobs: JobSet, sites: list[Site], routing: str, home: int = 0, *, share_links: bool = True,
          data_bytes_per_proc: float = DEFAULT_DATA_BYTES_PER_PROC) -> tuple[np.ndarray, np.ndarray]:
    """(site index, transfer delay [s]) of each job, in the JobSet's (submit) order.

    ``data_bytes_per_proc`` [B] is what a job moves per processor when the trace gives no size.
    """
    check_name("routing", routing, list(ROUTINGS), "routings")
    if not data_bytes_per_proc >= 0:
        raise InputError(f"data per processor must be >= 0 B, got {data_bytes_per_proc!r}")
    n = len(jobs)
    nodes = np.array([s.nodes for s in sites], dtype=np.int64)
    data = np.where(jobs.data_bytes > 0, jobs.data_bytes, jobs.procs * float(data_bytes_per_proc))
    bw = np.array([min(sites[home].bandwidth_bytes_per_s, s.bandwidth_bytes_per_s) for s in sites])
    lat = np.array([s.latency_s for s in sites])
    remote = np.arange(len(sites)) != home
    busy_s = data[:, None] / bw[None, :]  # time each transfer holds the links [s]
    transfer = np.where(remote[None, :], lat[None, :] + busy_s, 0.0)  # with the links to itself
    fits = jobs.procs[:, None] <= nodes[None, :]
    if not fits.any(axis=1).all():
        raise InputError("a job is larger than every site")
    choice = np.full(n, home, dtype=np.int64)
    if routing == "home":
        if not fits[:, home].all():
            raise InputError(f"routing 'home': jobs larger than site {sites[home].name!r}")
        return choice, np.zeros(n)
    grids = [_grid(s) for s in sites]
    origin = float(jobs.submit_s.min()) if n else 0.0
    ready = np.full(len(sites), -np.inf)
    free = np.full(len(sites), -np.inf)  # when each site's link is next free [s]
    delay = np.zeros(n)
    turn = 0
    for j in range(n):
        if share_links:
            start = np.maximum(jobs.submit_s[j], np.maximum(free, free[home]))
            transfer[j] = np.where(remote, start - jobs.submit_s[j] + lat + busy_s[j], 0.0)
        arrival = jobs.submit_s[j] + transfer[j]
        ok = np.flatnonzero(fits[j])
        if routing == "round-robin":
            while not fits[j, turn % len(sites)]:
                turn += 1
            k = turn % len(sites)
            turn += 1
        else:
            clear = np.maximum(ready[ok], arrival[ok]) + jobs.procs[j] * jobs.estimate_s[j] / nodes[ok]
            if routing == "least-loaded":
                k = ok[int(np.argmin(clear))]
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
            free[k] = free[home] = arrival[k] - lat[k]
    return choice, delay


def federate(trace, sites: list[Site], *, routing: str = "least-loaded", home: int = 0, share_links: bool = True,
             data_bytes_per_proc: float = DEFAULT_DATA_BYTES_PER_PROC) -> FederationResult:
    """Route a trace over ``sites`` and simulate each site; totals over the federation
    (``share_links`` and ``data_bytes_per_proc``: :func:`route`)."""
    if not sites:
        raise InputError("a federation needs at least one site")
    tr = resolve_trace(trace)
    jobs = prepare_jobs(tr.jobs, int(max(s.nodes for s in sites)))
    choice, transfer = route(jobs, sites, routing, home, share_links=share_links,
                             data_bytes_per_proc=data_bytes_per_proc)
    origin = float(jobs.submit_s.min()) if len(jobs) else 0.0
    subs = []
    for k in range(len(sites)):
        idx = np.flatnonzero(choice == k)
        subs.append(pd.DataFrame({
            "id": jobs.id[idx], "submit_s": jobs.submit_s[idx] + transfer[idx], "run_s": jobs.run_s[idx],
            "alloc_procs": jobs.procs[idx], "req_procs": jobs.procs[idx], "req_time_s": jobs.estimate_s[idx],
            "cpu_time_s": jobs.utilization[idx] * jobs.run_s[idx],
        }))

    def run(k, until_s):
        site = sites[k]
        return simulate(subs[k], nodes=site.nodes, policy=site.policy, power=site.power, grid=_grid(site),
                        grid_offset_s=site.grid_offset_s, origin_s=origin, until_s=until_s, timeseries=False)

    # every site draws power over the same span: first find the last job end anywhere
    first = [run(k, None) if len(subs[k]) else None for k in range(len(sites))]
    until = max([float(r.jobs["end_s"].max()) for r in first if r is not None], default=origin)
    frames, rows = [], []
    for k, site in enumerate(sites):
        res = run(k, until)
        df = res.jobs.copy()
        df["site"] = site.name
        frames.append(df)
        rows.append({"site": site.name, **{k2: v for k2, v in res.summary.items()
                                           if k2 not in ("policy_params", "simulation_wall_s")}})
    out = pd.concat(frames, ignore_index=True)
    home_submit = dict(zip(zip(jobs.id.tolist(), (jobs.submit_s + transfer).tolist()), jobs.submit_s.tolist()))
    out["home_submit_s"] = [home_submit[key] for key in zip(out["id"].tolist(), out["submit_s"].tolist())]
    out["transfer_s"] = out["submit_s"] - out["home_submit_s"]
    out["wait_s"] = out["start_s"] - out["home_submit_s"]
    sites_df = pd.DataFrame(rows)
    metrics = schedule_metrics(out["home_submit_s"].to_numpy(), out["start_s"].to_numpy(), out["run_s"].to_numpy(),
                               out["procs"].to_numpy(), int(sum(s.nodes for s in sites)))

    def total(col):
        vals = sites_df[col].dropna() if col in sites_df else []
        return float(np.sum(vals)) if len(vals) else None

    summary = {"routing": routing, "jobs": len(out), "dropped_jobs": jobs.dropped,
               "dropped": dict(jobs.dropped_by_reason), "nodes": int(sum(s.nodes for s in sites)),
               "nodes_source": "option", **metrics,
               "energy_j": total("energy_j"), "carbon_g": total("carbon_g"), "cost_jpy": total("cost_jpy"),
               "moved_jobs": int(np.sum(choice != home)), "mean_transfer_s": float(np.mean(transfer)),
               "max_transfer_s": float(np.max(transfer)) if len(transfer) else 0.0,
               "shared_links": bool(share_links), "data_bytes_per_proc": float(data_bytes_per_proc)}
    return FederationResult(jobs=out, sites=sites_df, summary=summary)
