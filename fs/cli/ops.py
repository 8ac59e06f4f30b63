"""`fsw ops`: trace-driven scheduling simulation with power, grid carbon, price and renewables.

``fsw ops simulate --trace FILE.swf [--nodes N] [--policy easy] [--machine NAME|FILE]
[--grid tokyo-2025] [--jobs-out FILE.csv] [--vessim-out DIR] [--strict] [--json]`` simulates a trace
(``--vessim-out`` writes its power series for Vessim, :mod:`ops.vessim`);
``fsw ops compare`` reports what each policy saves against EASY; ``fsw ops generate`` writes a
seeded synthetic trace. Heavy imports happen inside the commands.
"""

from __future__ import annotations

import sys
from typing import Optional

import typer

from fs.cli.options import command_group, JsonOption, OffAfterOption, SchedulerOption, StrictOption, TraceOption

app = command_group("Operations: scheduling simulation, energy, grid carbon and price.")

#: The summary keys ``fsw ops simulate --json`` prints (and no others).
SIMULATE_JSON_KEYS = ("jobs", "dropped_jobs", "dropped", "nodes", "nodes_source", "procs", "procs_per_node",
                      "mean_wait_s", "mean_bounded_slowdown", "utilization",
                      "makespan_s", "energy_j", "carbon_g", "carbon_marginal_g", "cost_jpy", "simulation_wall_s",
                      "tariff", "peak_demand_w", "node_switch_ons", "switching_energy_j")
#: ``cost`` in ``fsw ops simulate --json``: the breakdown of ``cost_jpy`` (null without a grid).
COST_PARTS = ("energy", "retail_adder", "renewable_surcharge", "demand", "battery_degradation",
              "battery_reconciliation")
#: ``battery`` in ``fsw ops simulate --json`` (null without a battery).
BATTERY_JSON_KEYS = ("charged_j", "discharged_j", "self_discharge_j", "fade_loss_j", "soc_start_j", "soc_end_j",
                     "reconciliation_j", "moved_j", "capacity_fade", "equivalent_full_cycles", "energy_saving_j",
                     "carbon_saving_g", "cost_saving_jpy")


def simulate_json(summary: dict) -> dict:
    """The ``--json`` document of ``fsw ops simulate``: fixed keys, the cost broken down, the battery."""
    doc = {k: summary[k] for k in SIMULATE_JSON_KEYS}
    doc["cost"] = (None if summary["cost_jpy"] is None else
                   {f"{p}_jpy": summary[f"cost_{p}_jpy"] for p in COST_PARTS} | {"total_jpy": summary["cost_jpy"]})
    doc["battery"] = (None if summary["battery_charged_j"] is None else
                      {k: summary[f"battery_{k}"] for k in BATTERY_JSON_KEYS})
    return doc
POLICY_HELP = ("fcfs, easy, conservative, carbon-delay, price-delay, carbon-queue-delay, price-queue-delay, "
               "marginal-carbon-delay, marginal-carbon-queue-delay (on the marginal intensity), power-cap, dvfs-cap (both need --power-cap-w), carbon-cap.")
#: Policies that take --max-delay-s (DELAY_POLICIES) and --power-cap-w (CAP_POLICIES).
DELAY_POLICIES = ("carbon-delay", "price-delay", "carbon-queue-delay", "price-queue-delay", "marginal-carbon-delay",
                  "marginal-carbon-queue-delay")
CAP_POLICIES = ("power-cap", "dvfs-cap")


def _read_trace(trace: str, strict: bool, plot: str | None = None, limit: int = 10):
    """Check the figure path (before any work), read the trace and warn about its first ``limit``
    bad lines on stderr."""
    from ops.swf import read_swf

    if plot:
        from fs.figure_file import check_figure_path

        check_figure_path(plot)
    tr = read_swf(trace, strict=strict)
    for b in tr.bad_lines[:limit]:
        sys.stderr.write(f"warning: {tr.path}: line {b.line}: {b.message} (skipped)\n")
    if len(tr.bad_lines) > limit:
        sys.stderr.write(f"warning: {tr.path}: {len(tr.bad_lines) - limit} more bad lines skipped\n")
    return tr


def _report_assumptions(summary: dict, path: str, strict: bool) -> None:
    """Warn (stderr) about what the run assumed; under --strict a guessed size or a dropped job is an error."""
    from archmodels.errors import InputError

    if summary["nodes_source"] == "guessed":
        msg = (f"no MaxProcs/MaxNodes header: machine size guessed as the widest job "
               f"({summary['procs']} processors); pass --nodes")
        if strict:
            raise InputError(msg, file=path)
        sys.stderr.write(f"warning: {path}: {msg}\n")
    dropped = {k: v for k, v in summary["dropped"].items() if v and k != "bad_line"}
    if dropped:
        msg = "dropped jobs: " + ", ".join(f"{v} {k.replace('_', ' ')}" for k, v in dropped.items())
        if strict:
            raise InputError(msg, file=path)
        sys.stderr.write(f"warning: {path}: {msg}\n")
    if summary["jobs"] and summary["jobs_with_requested_time"] == 0:
        sys.stderr.write(f"warning: {path}: no job has a requested time (field 9); estimates are the "
                         "actual run times (perfect estimates)\n")


def _storage(battery_kwh, battery_kw, solar_kw, wind_kw):
    from ops.storage import Battery, OnsiteRenewables

    battery = None
    if battery_kwh > 0:
        power = battery_kw if battery_kw > 0 else battery_kwh / 4.0
        battery = Battery(capacity_j=battery_kwh * 3.6e6, power_w=power * 1e3)
    onsite = OnsiteRenewables(solar_w=solar_kw * 1e3, wind_w=wind_kw * 1e3) if (solar_kw or wind_kw) else None
    return battery, onsite


def _policy_params(policy: str, max_delay_s: Optional[float], power_cap_w: Optional[float],
                   cap_fraction: Optional[float]) -> dict:
    params: dict = {}
    if max_delay_s is not None and policy in DELAY_POLICIES:
        params["max_delay_s"] = max_delay_s
    if policy in CAP_POLICIES:
        if power_cap_w is None:
            from archmodels.errors import InputError

            raise InputError(f"--policy {policy} needs --power-cap-w")
        params["cap_w"] = power_cap_w
    if cap_fraction is not None and policy == "carbon-cap":
        params["cap_fraction"] = cap_fraction
    return params


@app.command("simulate")
def simulate_cmd(
    trace: TraceOption,
    nodes: Optional[int] = typer.Option(None, "--nodes", help="Machine size [nodes]; overrides the trace header."),
    procs_per_node: Optional[float] = typer.Option(None, "--procs-per-node", help="Trace processors per node (default header MaxProcs/MaxNodes, else 1); power is charged per node."),
    policy: str = typer.Option("easy", "--policy", help=POLICY_HELP),
    machine: Optional[str] = typer.Option(None, "--machine", help="Catalog name or machine TOML: node idle/max power."),
    grid: Optional[str] = typer.Option(None, "--grid", help="Grid for carbon and price: tokyo-2025."),
    grid_start: Optional[str] = typer.Option(None, "--grid-start", help="Local time of the first submit in the grid (default: its first slot)."),
    tariff: Optional[str] = typer.Option(None, "--tariff", help="Electricity tariff (needs --grid): tepco-ehv (default for tokyo-2025), kansai-ehv, spot."),
    jobs_out: Optional[str] = typer.Option(None, "--jobs-out", help="Per-job results (.csv or .parquet)."),
    timeseries_out: Optional[str] = typer.Option(None, "--timeseries-out", help="Per-slot energy, carbon, cost (.csv or .parquet)."),
    vessim_out: Optional[str] = typer.Option(None, "--vessim-out", help="Folder for the facility power (and grid signals) as a Vessim trace: facility.csv, metadata.json."),
    strict: StrictOption = False,
    json_out: JsonOption = False,
    pue: float = typer.Option(1.2, "--pue", help="Facility PUE (assumption 1.2)."),
    off_after_s: OffAfterOption = None,
    max_delay_s: Optional[float] = typer.Option(None, "--max-delay-s", help="carbon-/price-(queue-)delay: longest delay [s]."),
    power_cap_w: Optional[float] = typer.Option(None, "--power-cap-w", help="power-cap, dvfs-cap: whole-machine IT cap [W]."),
    cap_fraction: Optional[float] = typer.Option(None, "--cap-fraction", help="carbon-cap: busy fraction in high-carbon slots."),
    battery_kwh: float = typer.Option(0.0, "--battery-kwh", help="Battery capacity [kWh] (needs --grid)."),
    battery_kw: float = typer.Option(0.0, "--battery-kw", help="Battery power [kW] (default capacity/4 h)."),
    solar_kw: float = typer.Option(0.0, "--solar-kw", help="On-site solar nameplate [kW] (needs --grid)."),
    wind_kw: float = typer.Option(0.0, "--wind-kw", help="On-site wind nameplate [kW] (needs --grid)."),
    plot: Optional[str] = typer.Option(None, "--plot", help="Write queue, power and carbon over time (.png/.svg/.pdf)."),
) -> None:
    """Simulate a trace; print a summary (table, or --json with fixed keys)."""
    tr = _read_trace(trace, strict, plot)
    from ops.output import write_table
    from ops.simulate import simulate

    battery, onsite = _storage(battery_kwh, battery_kw, solar_kw, wind_kw)
    result = simulate(tr, nodes=nodes, policy=policy, machine=machine, grid=grid, grid_start=grid_start, pue=pue, tariff=tariff,
                      off_after_s=off_after_s, battery=battery, onsite=onsite,
                      policy_params=_policy_params(policy, max_delay_s, power_cap_w, cap_fraction),
                      timeseries=timeseries_out is not None or plot is not None or vessim_out is not None,
                      procs_per_node=procs_per_node)
    if plot:
        from fs.figure_file import save_figure
        from fs.ops_plot import plot_operations

        save_figure(plot_operations({policy: result}, title=f"{policy} on {trace}"), plot)
    _report_assumptions(result.summary, trace, strict)
    if jobs_out:
        write_table(result.jobs, jobs_out)
    if timeseries_out:
        write_table(result.timeseries, timeseries_out)
    if vessim_out:
        from ops.vessim import export_vessim

        export_vessim(result, vessim_out, provenance={
            "trace": trace, "trace_header": tr.header, "machine": machine, "grid_start": grid_start,
            "battery_kwh": battery_kwh, "battery_kw": battery_kw, "solar_kw": solar_kw, "wind_kw": wind_kw})
    summary = result.summary
    if json_out:
        from fs.cli.output import emit_json

        emit_json(simulate_json(summary))
        return
    from fs.cli.output import print_table, si

    rows = [
        ["jobs (dropped)", f"{summary['jobs']} ({summary['dropped_jobs']})"],
        ["nodes (source)", f"{summary['nodes']} ({summary['nodes_source']}), "
                           f"{summary['procs_per_node']:g} processors per node"],
        ["mean wait", si(summary["mean_wait_s"], "s")],
        ["mean bounded slowdown", f"{summary['mean_bounded_slowdown']:.4g}"],
        ["utilisation", f"{summary['utilization']:.3f}"],
        ["makespan", si(summary["makespan_s"], "s")],
        ["IT / facility energy", f"{si(summary['it_energy_j'], 'J')} / {si(summary['energy_j'], 'J')}"],
        ["carbon", "-" if summary["carbon_g"] is None else f"{summary['carbon_g'] / 1e6:,.2f} t CO2-eq"],
        ["carbon at the margin", "-" if summary["carbon_marginal_g"] is None else
         f"{summary['carbon_marginal_g'] / 1e6:,.2f} t CO2-eq (marginal intensity)"],
        ["cost", "-" if summary["cost_jpy"] is None else
         f"{summary['cost_jpy']:,.0f} JPY ({summary['tariff']}; demand charge {summary['cost_demand_jpy']:,.0f})"],
        ["renewable share", "-" if summary["renewable_share"] is None else f"{summary['renewable_share']:.3f}"],
        ["simulation wall time", si(summary["simulation_wall_s"], "s")],
    ]
    if summary["battery_charged_j"] is not None:
        rows[-1:-1] = [["battery moved / fade", f"{si(summary['battery_moved_j'], 'J')} / "
                                                f"{100 * summary['battery_capacity_fade']:.2f} %"],
                       ["battery saves (carbon, cost)", f"{summary['battery_carbon_saving_g'] / 1e6:,.2f} t, "
                                                        f"{summary['battery_cost_saving_jpy']:,.0f} JPY"]]
    print_table(f"{policy} on {trace}", ["quantity", "value"], rows)


@app.command("compare")
def compare_cmd(
    trace: TraceOption,
    policies: str = typer.Option("carbon-delay,price-delay,carbon-cap", "--policies", help="Comma-separated policies to compare with EASY."),
    nodes: Optional[int] = typer.Option(None, "--nodes", help="Machine size; overrides the trace header."),
    machine: Optional[str] = typer.Option(None, "--machine", help="Catalog name or machine TOML."),
    grid: str = typer.Option("tokyo-2025", "--grid", help="Grid for carbon and price."),
    off_after_s: OffAfterOption = None,
    max_delay_s: Optional[float] = typer.Option(None, "--max-delay-s", help="carbon-/price-(queue-)delay: longest delay [s]."),
    power_cap_w: Optional[float] = typer.Option(None, "--power-cap-w", help="power-cap, dvfs-cap: whole-machine IT cap [W]."),
    strict: StrictOption = False,
    out: Optional[str] = typer.Option(None, "--out", help="Write the table (.csv or .parquet)."),
    json_out: JsonOption = False,
    plot: Optional[str] = typer.Option(None, "--plot", help="Write queue, power and carbon over time, one line a policy (.png/.svg/.pdf)."),
) -> None:
    """What each policy saves against EASY (carbon, energy, cost) and what it costs in waiting."""
    tr = _read_trace(trace, strict, plot)
    from ops.output import write_table
    from ops.policies import make_policy
    from ops.savings import policy_runs, savings_table

    names = [p.strip() for p in policies.split(",") if p.strip()]
    chosen = [make_policy(n, **_policy_params(n, max_delay_s, power_cap_w, None)) for n in names]
    runs = policy_runs(tr, chosen, nodes=nodes, machine=machine, grid=grid, off_after_s=off_after_s,
                       timeseries=plot is not None)
    df = savings_table(runs)
    if plot:
        from fs.figure_file import save_figure
        from fs.ops_plot import plot_operations

        by_policy = {r.summary["policy"]: r for r in runs}
        save_figure(plot_operations(by_policy, title=f"{', '.join(by_policy)} on {trace}"), plot)
    if out:
        write_table(df, out)
    if json_out:
        from fs.cli.output import emit_json

        emit_json(df.to_dict(orient="records"))
        return
    from fs.cli.output import print_table, si

    marginal = "carbon_marginal_saving_frac" in df
    rows = [[r.policy, f"{r.carbon_g / 1e6:,.2f} t", f"{100 * r.carbon_saving_frac:.2f} %",
             *([f"{100 * r.carbon_marginal_saving_frac:.2f} %"] if marginal else []), si(r.energy_saving_j, "J"),
             f"{r.cost_saving_jpy:,.0f}", si(r.mean_wait_s, "s"), si(r.wait_increase_s, "s"),
             f"{r.slowdown_increase:+.3g}"] for r in df.itertuples()]
    print_table(f"savings against EASY on {trace}",
                ["policy", "carbon", "carbon saved", *(["marginal carbon saved"] if marginal else []), "energy saved",
                 "cost saved JPY", "mean wait", "wait +", "slowdown +"], rows)


@app.command("generate")
def generate_cmd(
    out: str = typer.Option(..., "--out", help="SWF file to write."),
    jobs: int = typer.Option(10_000, "--jobs", help="Number of jobs."),
    procs: int = typer.Option(256, "--procs", help="Machine size [processors]."),
    load: float = typer.Option(0.7, "--load", help="Offered load."),
    seed: int = typer.Option(0, "--seed", help="Random seed (recorded in the header)."),
    json_out: JsonOption = False,
) -> None:
    """Write a seeded Lublin–Feitelson-style synthetic trace."""
    from ops.swf import write_swf
    from ops.synthetic import generate_trace

    df = generate_trace(jobs, procs, load=load, seed=seed)
    header = {"Version": "2.2", "Computer": "synthetic (fs-workbench ops.synthetic, Lublin-Feitelson style)",
              "MaxJobs": str(jobs), "MaxRecords": str(jobs), "MaxNodes": str(procs), "MaxProcs": str(procs),
              "Note": f"seed={seed} load={load}"}
    path = write_swf(df, out, header)
    info = {"path": str(path), "jobs": jobs, "max_procs": procs, "load": load, "seed": seed}
    if json_out:
        from fs.cli.output import emit_json

        emit_json(info)
        return
    typer.echo(f"wrote {jobs} jobs on {procs} processors (load {load}, seed {seed}) to {path}")


@app.command("sweep")
def sweep_cmd(
    trace: list[str] = typer.Option(..., "--trace", help="SWF trace file or shipped trace name; repeat for several."),
    policies: str = typer.Option("easy,carbon-delay", "--policies", help="Comma-separated policies."),
    max_delay_s: Optional[str] = typer.Option(None, "--max-delay-s", help="Comma-separated Wait-Awhile windows [s] to sweep."),
    nodes: Optional[int] = typer.Option(None, "--nodes", help="Machine size; overrides the trace headers."),
    machine: Optional[str] = typer.Option(None, "--machine", help="Catalog name or machine TOML."),
    grid: Optional[str] = typer.Option(None, "--grid", help="Grid for carbon and price: tokyo-2025."),
    off_after_s: OffAfterOption = None,
    out: Optional[str] = typer.Option(None, "--out", help="Write the rows (.csv or .parquet)."),
    scheduler: SchedulerOption = None,
    workers: int = typer.Option(0, "--workers", help="Start a local Dask cluster of this many one-thread worker processes."),
    json_out: JsonOption = False,
) -> None:
    """Policy x trace x parameter sweep, in-process or on Dask (same rows either way)."""
    import os

    from archmodels.errors import InputError
    from ops.output import write_table
    from ops.swf import resolve_trace
    from ops.sweep import make_cases, run_sweep

    names = [p.strip() for p in policies.split(",") if p.strip()]
    vary = {}
    if max_delay_s:
        try:
            vary["policy.max_delay_s"] = [float(v) for v in max_delay_s.split(",") if v.strip()]
        except ValueError:
            raise InputError(f"--max-delay-s must be comma-separated numbers, got {max_delay_s!r}") from None
    traces = {}
    for t in trace:
        path = resolve_trace(t)
        traces[path.name] = path
    cases = make_cases(traces, names, vary, nodes=nodes, machine=machine, grid=grid, off_after_s=off_after_s)
    address = scheduler or os.environ.get("DASK_SCHEDULER_ADDRESS")
    if address or workers > 0:
        from distributed import Client, LocalCluster

        if address:
            with Client(address) as client:
                df = run_sweep(cases, client)
        else:
            with LocalCluster(n_workers=workers, threads_per_worker=1, processes=True,
                              dashboard_address=None) as cluster, Client(cluster) as client:
                df = run_sweep(cases, client)
    else:
        df = run_sweep(cases)
    if out:
        write_table(df, out)
    if json_out:
        from fs.cli.output import emit_json

        emit_json(df.to_dict(orient="records"))
        return
    from fs.cli.output import print_table, si

    delay_col = "param.policy.max_delay_s"
    rows = [[r["trace"], r["policy"], si(r[delay_col], "s") if delay_col in df else "-",
             si(r["mean_wait_s"], "s"), f"{r['mean_bounded_slowdown']:.3g}", si(r["energy_j"], "J"),
             si(r["carbon_g"], "g")] for r in df.to_dict(orient="records")]
    print_table("sweep", ["trace", "policy", "max delay", "mean wait", "bsld", "energy", "carbon"], rows)


SITE_FORMAT = "NAME:NODES[:PUE[:GRID_OFFSET_H[:LINK_GBIT_S[:GRID]]]]"


def _parse_site(text: str, machine, off_after_s):
    """NAME:NODES[:PUE[:GRID_OFFSET_H[:LINK_GBIT_S[:GRID]]]] -> Site (GRID: a shipped grid, default tokyo-2025)."""
    from archmodels.errors import InputError
    from archmodels.references import check_name
    from ops.federation import Site
    from ops.grid import GRIDS
    from ops.power import PowerModel, power_model_for_machine

    parts = text.split(":")
    if not 2 <= len(parts) <= 6:
        raise InputError(f"--site {text!r}: expected {SITE_FORMAT}")
    grid = parts[5] if len(parts) > 5 else "tokyo-2025"
    try:
        check_name("grid", grid, list(GRIDS), "shipped grids")
    except InputError as err:
        raise InputError(f"--site {text!r}: {err.detail}") from None
    try:
        nodes = int(parts[1])
        pue = float(parts[2]) if len(parts) > 2 else 1.2
        offset_h = float(parts[3]) if len(parts) > 3 else 0.0
        link = float(parts[4]) if len(parts) > 4 else 100.0
    except ValueError:
        raise InputError(f"--site {text!r}: NODES must be an integer, PUE, offset and link numbers") from None
    if nodes < 1:
        raise InputError(f"--site {text!r}: NODES must be >= 1")
    power = (power_model_for_machine(machine, pue=pue, off_after_s=off_after_s) if machine is not None
             else PowerModel(pue=pue, off_after_s=off_after_s))
    return Site(parts[0], nodes, power, grid=grid, grid_offset_s=offset_h * 3600.0,
                bandwidth_bytes_per_s=link * 1e9 / 8)


CLOUD_FORMAT = "NAME:QUOTA_NODES[:PRICE_JPY_PER_NODE_HOUR[:EGRESS_JPY_PER_GB[:STARTUP_S[:CARBON_G_PER_KWH[:LINK_GBIT_S]]]]]"


def _parse_cloud(text: str):
    """CLOUD_FORMAT -> a cloud Site; omitted fields from the AWS hpc6a offer (ops.cloud). Its node is
    the default 2-socket CPU node of ops.power (an hpc6a is a 2-socket EPYC), not --machine."""
    from archmodels.errors import InputError
    from ops.cloud import DEFAULT_CLOUD_PUE, aws_hpc6a_offer
    from ops.federation import Site
    from ops.power import PowerModel

    parts = text.split(":")
    if not 2 <= len(parts) <= 7 or not parts[0]:
        raise InputError(f"--cloud {text!r}: expected {CLOUD_FORMAT}")
    names = ("price_jpy_per_node_hour", "egress_jpy_per_gb", "startup_s", "carbon_g_per_kwh")
    try:
        quota = int(parts[1])
        numbers = [float(p) for p in parts[2:]]
    except ValueError:
        raise InputError(f"--cloud {text!r}: QUOTA_NODES must be an integer, the other fields numbers") from None
    if quota < 1:
        raise InputError(f"--cloud {text!r}: QUOTA_NODES must be >= 1")
    link = numbers[4] if len(numbers) > 4 else 100.0
    if not link > 0:
        raise InputError(f"--cloud {text!r}: LINK_GBIT_S must be > 0")
    try:
        offer = aws_hpc6a_offer(**dict(zip(names, numbers[:4])))
    except InputError as err:
        raise InputError(f"--cloud {text!r}: {err.detail}") from None
    return Site(parts[0], quota, PowerModel(pue=DEFAULT_CLOUD_PUE), grid=None, bandwidth_bytes_per_s=link * 1e9 / 8, cloud=offer)


def _non_negative(name: str, value: float | None) -> None:
    from archmodels.errors import InputError

    if value is not None and not value >= 0:
        raise InputError(f"must be >= 0, got {value:g}", location=name)


@app.command("federate")
def federate_cmd(
    trace: str = typer.Option(..., "--trace", help="SWF trace file or shipped trace name (submitted at the first site)."),
    site: list[str] = typer.Option(..., "--site", help=f"{SITE_FORMAT}; repeat per site (GRID: tokyo-2025, kansai-2025)."),
    routing: str = typer.Option("least-loaded", "--routing",
                                help="home, round-robin, least-loaded, lowest-carbon (on-premises sites); burst, weighted (with --cloud)."),
    cloud: list[str] = typer.Option([], "--cloud", help=f"{CLOUD_FORMAT}; a cloud site (default offer: AWS hpc6a on demand)."),
    burst_wait_s: float = typer.Option(3600.0, "--burst-wait-s", help="burst: home's expected wait that sends a job to the cloud [s]."),
    value_of_time: Optional[float] = typer.Option(None, "--value-of-time-jpy-per-node-hour",
                                                  help="weighted: value of a node-hour waited [JPY] (default: the cloud's price)."),
    carbon_price: float = typer.Option(10_000.0, "--carbon-price-jpy-per-t", help="weighted: carbon price [JPY per t CO2]."),
    output_fraction: float = typer.Option(1.0, "--output-fraction",
                                          help="Output returned home per byte of input of a job run away [-]."),
    machine: Optional[str] = typer.Option(None, "--machine", help="Catalog name or machine TOML for every site's node power."),
    off_after_s: OffAfterOption = None,
    strict: StrictOption = False,
    jobs_out: Optional[str] = typer.Option(None, "--jobs-out", help="Per-job results with their site (.csv or .parquet)."),
    data_gb_per_proc: float = typer.Option(1.0, "--data-gb-per-proc",
                                           help="Input staged per processor when the trace gives no size [GB]."),
    independent_links: bool = typer.Option(False, "--independent-links",
                                           help="Give every transfer the links to itself (default: shared, first come first served)."),
    json_out: JsonOption = False,
) -> None:
    """Route a trace over several sites, each on its grid (default tokyo-2025) at its own offset, and simulate them."""
    import archmodels
    from ops.federation import RoutingWeights, federate
    from ops.output import write_table

    for name, value in (("--burst-wait-s", burst_wait_s), ("--value-of-time-jpy-per-node-hour", value_of_time),
                        ("--carbon-price-jpy-per-t", carbon_price), ("--output-fraction", output_fraction),
                        ("--data-gb-per-proc", data_gb_per_proc)):
        _non_negative(name, value)
    tr = _read_trace(trace, strict)
    m = archmodels.load_machine(machine) if machine else None
    sites = [_parse_site(s, m, off_after_s) for s in site] + [_parse_cloud(c) for c in cloud]
    res = federate(tr, sites, routing=routing, share_links=not independent_links,
                   data_bytes_per_proc=data_gb_per_proc * 1e9, output_fraction=output_fraction,
                   burst_wait_s=burst_wait_s, weights=RoutingWeights(value_of_time, carbon_price))
    if jobs_out:
        write_table(res.jobs, jobs_out)
    if json_out:
        from fs.cli.output import emit_json

        emit_json({**res.summary, "sites": res.sites.to_dict(orient="records")})
        return
    from fs.cli.output import print_table, si

    rows = [[r["site"], r["jobs"], si(r.get("mean_wait_s"), "s"), si(r.get("energy_j"), "J"),
             si(r.get("carbon_g"), "g"), f"{r['cost_jpy']:,.0f}" if r.get("cost_jpy") is not None else "-"]
            for r in res.sites.to_dict(orient="records")]
    s = res.summary
    rows.append(["all", s["jobs"], si(s["mean_wait_s"], "s"), si(s["energy_j"], "J"), si(s["carbon_g"], "g"),
                 f"{s['cost_jpy']:,.0f}" if s["cost_jpy"] is not None else "-"])
    print_table(f"{routing} routing, {s['moved_jobs']} jobs moved ({s['cloud_jobs']} to the cloud, "
                f"{s['cloud_node_hours']:,.0f} node-hours)", ["site", "jobs", "mean wait", "energy", "carbon", "cost JPY"], rows)
