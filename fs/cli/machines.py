"""`fsw machines list|show|validate`, `fsw roofline`, `fsw predict`, `fsw compare`."""

from __future__ import annotations

import sys
from typing import List, Optional

import typer

machines_app = typer.Typer(help="The machine catalog: list, show (with sources), validate spec files.",
                           no_args_is_help=True)


@machines_app.command("list")
def machines_list(json_out: bool = typer.Option(False, "--json", help="JSON on stdout.")) -> None:
    """List the machines of the built-in catalog."""
    from archmodels.loaders import load_catalog
    from fs.cli.output import emit_json, print_table, si

    rows = []
    for m in load_catalog():
        per_node = max((p.peak_for("fp64", True) * p.count for p in m.node.processors), default=0.0)
        rows.append({"name": m.name, "title": m.title, "year": m.year, "nodes": m.nodes,
                     "hypothetical": m.hypothetical,
                     "processors": [f"{p.count} x {p.name} ({p.type})" for p in m.node.processors],
                     "peak_fp64_flop_per_s_per_node": per_node,
                     "memory_bytes_per_node": m.node.memory_bytes,
                     "memory_bandwidth_bytes_per_s_per_node": m.node.memory_bandwidth_bytes_per_s})
    if json_out:
        emit_json(rows)
        return
    print_table("fs-workbench catalog", ["name", "year", "nodes", "processors", "FP64/node", "memory/node",
                                         "bandwidth/node", "kind"],
                [[r["name"], r["year"], r["nodes"], ", ".join(r["processors"]),
                  si(r["peak_fp64_flop_per_s_per_node"], "FLOP/s"), si(r["memory_bytes_per_node"], "B"),
                  si(r["memory_bandwidth_bytes_per_s_per_node"], "B/s"),
                  "hypothetical" if r["hypothetical"] else "real"] for r in rows])


@machines_app.command("show")
def machines_show(machine: str = typer.Argument(..., help="Catalog name or spec file."),
                  json_out: bool = typer.Option(False, "--json", help="JSON on stdout.")) -> None:
    """Show a machine with the source of every number."""
    from archmodels.describe import describe_machine
    from fs.cli.output import emit_json, print_table

    info = describe_machine(machine)
    if json_out:
        emit_json(info)
        return
    print_table(f"{info['name']}: {info['title']} ({info['nodes']} nodes)", ["field", "value", "source"],
                [[q["field"], q["text"], q["source"] or "-"] for q in info["quantities"]])
    print_table("sources", ["id", "title", "url"],
                [[k, s["title"], s.get("url") or ""] for k, s in sorted(info["sources"].items())])


@machines_app.command("validate")
def machines_validate(files: List[str] = typer.Argument(..., help="Machine spec files."),
                      json_out: bool = typer.Option(False, "--json", help="JSON on stdout.")) -> None:
    """Check spec files; report every problem in each file. Exit 2 if any file is invalid."""
    import sys

    from archmodels.describe import validate_files
    from fs.cli.output import emit_json

    results = validate_files(files)
    if json_out:
        emit_json(results)
    else:
        for r in results:
            if r["ok"]:
                sys.stdout.write(f"{r['file']}: ok ({r['name']})\n")
            else:
                sys.stderr.write(f"{r['file']}: {len(r['problems'])} problem(s)\n")
                for p in r["problems"]:
                    sys.stderr.write(f"  {p['path'] or '(file)'}: {p['message']}\n")
    if not all(r["ok"] for r in results):
        raise typer.Exit(2)


def roofline(machines: List[str] = typer.Argument(..., help="Catalog names or spec files."),
             precision: str = typer.Option("fp64", "--precision", help="fp64, fp32, bf16, fp16, fp8..."),
             plot: Optional[str] = typer.Option(None, "--plot", help="Write a roofline plot (.png/.svg/.pdf)."),
             points: Optional[str] = typer.Option(None, "--points",
                                                  help="Measured kernels to plot as points: the JSON of `fsw bench --json`."),
             json_out: bool = typer.Option(False, "--json", help="JSON on stdout.")) -> None:
    """Roofline ceilings per node: peaks, and bandwidth and ridge point of every memory level."""
    from archmodels.prediction import machine_roofline
    from fs.cli.output import emit_json, print_table, si

    if plot:
        from fs.figure_file import check_figure_path

        check_figure_path(plot)
    entries = [e for m in machines for e in machine_roofline(m, precision)]
    if plot:
        from fs.figure_file import save_figure
        from fs.roofline_plot import bench_points, plot_rooflines

        save_figure(plot_rooflines(entries, bench_points(points) if points else None), plot)
    if json_out:
        emit_json(entries)
        return
    rows = []
    for e in entries:
        for lv in e["levels"]:
            rows.append([e["machine"], e["processor"], e["precision"], si(e["peak_flop_per_s"], "FLOP/s"),
                         si(e.get("peak_matrix_flop_per_s"), "FLOP/s"), lv["name"], si(lv["capacity_bytes"], "B"),
                         si(lv["bandwidth_bytes_per_s"], "B/s"), f"{lv['ridge_flop_per_byte']:.3g}"])
    print_table("Roofline per node", ["machine", "processor", "precision", "peak", "matrix peak", "level",
                                      "capacity", "bandwidth", "ridge FLOP/B"], rows)


def _amount(value: float | None, unit: str) -> str:
    """A problem size in the workload's own unit: ``"5.37e8 nonzero visit"``."""
    if value is None or value != value:
        return "-"
    mantissa, _, exponent = f"{value:.3g}".partition("e")
    return f"{mantissa}e{int(exponent)} {unit}" if exponent else f"{mantissa} {unit}"


def predict(machine: str = typer.Option(..., "--machine", "-m", help="Catalog name or spec file."),
            workload: str = typer.Option(..., "--workload", "-w", help="Portfolio name or workload file."),
            nodes: Optional[int] = typer.Option(None, "--nodes", min=1, max=10_000_000,
                                                help="Nodes (default: the spec's system.nodes)."),
            precision: Optional[str] = typer.Option(None, "--precision", help="Override the workload's precision."),
            clock: float = typer.Option(1.0, "--clock", help="Run the processors at this fraction of their clock (DVFS)."),
            size: Optional[float] = typer.Option(
                None, "--size",
                help="Problem per node, in the workload's unit (default: the workload's own size on this "
                     "machine, e.g. a share of its memory)."),
            json_out: bool = typer.Option(False, "--json", help="JSON on stdout.")) -> None:
    """Predict time, rates, bound, power and energy of a workload on a machine, for a stated problem size."""
    from archmodels.loaders import load_machine
    from archmodels.prediction import predict as run_predict
    from archmodels.problem_size import footprint_bytes_per_node
    from fs.cli.output import emit_json, print_table, si

    if size is not None and not size > 0:
        from archmodels.errors import InputError

        raise InputError(f"--size {size:g}: expected a positive problem size per node")
    target = load_machine(machine)
    if clock != 1.0:
        from archmodels.transforms import at_clock

        target = at_clock(target, clock)
    p = run_predict(target, workload, nodes=nodes, precision=precision, units_per_node=size)
    out = p.as_dict()
    out["problem"] = "per-machine" if size is None else "given"
    out["total_units"] = p.units_per_node * p.nodes
    out["footprint_bytes_per_node"] = footprint_bytes_per_node(target, workload, p.processor, p.units_per_node)
    if json_out:
        emit_json(out)
        return
    sized = "this machine's default size" if size is None else "given by --size"
    print_table(f"{p.workload} on {p.nodes} node(s) of {p.machine}", ["quantity", "value"], [
        ["processor / precision", f"{p.processor} / {p.precision}"],
        ["problem per node", f"{_amount(p.units_per_node, p.unit)} ({sized}; "
                             f"{si(out['footprint_bytes_per_node'], 'B')} of memory)"],
        ["problem in total", _amount(out["total_units"], p.unit)],
        ["time", si(p.time_s, "s")],
        ["FLOP rate", si(p.flop_per_s, "FLOP/s")], ["work rate", f"{si(p.units_per_s, '')} {p.unit}/s"],
        ["bandwidth", si(p.bandwidth_bytes_per_s, "B/s")], ["bound", p.bound], ["power", si(p.power_w, "W")],
        ["energy", si(p.energy_j, "J")], ["efficiency", si(p.flop_per_j, "FLOP/J")],
        ["network time", si(p.network_time_s, "s")]])


def compare(machines: Optional[List[str]] = typer.Argument(None, help="Machines (default: whole catalog)."),
            workload: Optional[List[str]] = typer.Option(None, "--workload", "-w", help="Workloads (default: portfolio)."),
            system: bool = typer.Option(False, "--system", help="Whole systems (system.nodes) instead of one node."),
            problem: str = typer.Option(
                "same", "--problem",
                help="same: every machine runs the same problem per node (the largest that every machine "
                     "compared runs), so times compare; per-machine: each machine its own default size "
                     "(a share of its memory), so only rates compare."),
            size: Optional[float] = typer.Option(
                None, "--size",
                help="The same problem on every machine, in each workload's own unit (best with one -w): "
                     "per node with one node each, in total with --system."),
            json_out: bool = typer.Option(False, "--json", help="JSON on stdout."),
            csv: Optional[str] = typer.Option(None, "--csv", help="Write the table as CSV."),
            plot: Optional[str] = typer.Option(
                None, "--plot", help="Write the rooflines with the workloads as points (.png/.svg/.pdf) and, "
                                     "beside it as NAME-speedup.EXT, a heat map of the speed-up over fugaku "
                                     "(or the first machine).")) -> None:
    """Predict every workload on every machine, all on the same problem: a table, CSV or JSON, and plots."""
    from archmodels.errors import InputError
    from archmodels.problem_size import PROBLEM_MODES
    from fs.cli.output import check_writable, emit_json, print_table, si
    from fs.compare import compare as run_compare
    from archmodels.atomic import atomic_path

    if problem not in PROBLEM_MODES:
        raise InputError(f"--problem {problem}: expected one of {', '.join(PROBLEM_MODES)}")
    if size is not None and not size > 0:
        raise InputError(f"--size {size:g}: expected a positive problem size")
    if size is not None and problem != "same":
        raise InputError("--size gives every machine the same problem: it cannot go with --problem per-machine")
    if plot:
        from fs.figure_file import check_figure_path, companion_path

        check_figure_path(plot)
        check_figure_path(companion_path(plot, "speedup"))
    check_writable(csv, "--csv")
    df = run_compare(machines or None, workload or None, nodes=None if system else 1, problem=problem,
                     total_units=size)
    if csv == "-":
        df.to_csv(sys.stdout, index=False)
        return
    if csv:
        with atomic_path(csv) as tmp:
            df.to_csv(tmp, index=False)
    if plot:
        from fs.compare_plot import write_compare_figures

        write_compare_figures(df, plot, system=system)
    if json_out:
        emit_json(df.astype(object).where(df.notna(), None).to_dict(orient="records"))
        return
    rows = [[r.machine, r.workload, r.nodes, _amount(r.units_per_node, r.unit),
             *([_amount(r.total_units, r.unit)] if system else []),
             si(r.time_s, "s") if r.feasible else "infeasible",
             si(r.flop_per_s, "FLOP/s") if r.feasible else "-",
             f"{si(r.units_per_s, '')} {r.unit}/s" if r.feasible else "-",
             si(r.bandwidth_bytes_per_s, "B/s") if r.feasible else "-",
             r.bound if r.feasible else r.reason[:60],
             si(r.power_w, "W") if r.feasible else "-", si(r.flop_per_j, "FLOP/J") if r.feasible else "-"]
            for r in df.itertuples()]
    scope = "whole systems" if system else "one node each"
    if problem == "per-machine":
        sized = "each machine's own problem (a share of its memory): times are for different problems, compare rates"
    elif size is not None:
        sized = f"the same problem on every machine: --size {size:g} {'in total' if system else 'per node'}"
    else:
        sized = "the same problem on every machine: the largest every machine compared runs"
    print_table(f"fsw compare ({scope}; {sized})",
                ["machine", "workload", "nodes", "problem/node", *(["problem total"] if system else []), "time", "FLOP rate", "work rate", "bandwidth",
                 "bound", "power", "FLOP/J"], rows)


def validate(system: Optional[List[str]] = typer.Option(None, "--system", help="Only these systems."),
             metric: Optional[List[str]] = typer.Option(None, "--metric", help="hpl, hpl_power, gflops_per_w, hpcg, dgemm, capital."),
             suite: str = typer.Option("default", "--suite", help="default (catalog and fit-set systems, rows labelled in_sample) "
                                       "or out-of-sample (systems no constant was fitted on)."),
             json_out: bool = typer.Option(False, "--json", help="JSON on stdout.")) -> None:
    """Recompute published figures (TOP500 Rmax and power, Green500, HPCG, device rates) and report the error.

    The default suite labels each row in_sample (a constant was fitted on it, or it reads back an
    input) and summarises both groups apart; --suite out-of-sample predicts systems written from
    their hardware descriptions only, which no constant was fitted on.
    """
    from archmodels.errors import InputError
    from archmodels.validation_suite import SUITES, validation_report
    from fs.cli.output import emit_json, print_table

    if suite not in SUITES:
        raise InputError(f"--suite must be one of {', '.join(SUITES)}, got {suite!r}", location="--suite")
    report = validation_report(suite, system or None, metric or None)
    if json_out:
        emit_json(report)
        return
    unit = {"hpl_power": ("MW", 1e-6), "gflops_per_w": ("GFLOPS/W", 1e-9), "dgemm": ("TFLOP/s", 1e-12),
            "capital": ("1e9 JPY", 1e-9), "hpl": ("PFLOP/s", 1e-15), "hpcg": ("PFLOP/s", 1e-15)}
    rows = []
    for c in report["rows"]:
        name, scale = unit.get(c["metric"], ("GB/s", 1e-9))
        rows.append([c["system"], c["metric"], f"{c['model'] * scale:.4g} {name}", f"{c['published'] * scale:.4g} {name}",
                     f"{c['error'] * 100:+.1f}%", {True: "yes", False: "no"}.get(c["in_sample"], "-"),
                     f"{c['list']}: {c['source_title'][:50]}"])
    title = "Model against published figures" + (" (out-of-sample suite)" if suite == "out-of-sample" else "")
    print_table(title, ["system", "metric", "model", "published", "error", "in sample", "source"], rows)
    print_table("Median |error| and share of rows within ±15% / ±20% / ±30%",
                ["group", "metric", "n", "median |error|", "±15%", "±20%", "±30%"],
                [[r["group"], r["metric"], r["n"], f"{r['median_abs_error'] * 100:.1f}%",
                  f"{r['within_15'] * 100:.0f}%", f"{r['within_20'] * 100:.0f}%", f"{r['within_30'] * 100:.0f}%"]
                 for r in report["summary"]])
    if report.get("leave_one_out"):
        print_table("Leave one out: constant refitted without the system, then the system predicted",
                    ["constant", "system", "fitted", "refit", "n fit", "error in", "error out"],
                    [[r["constant"], r["system"], f"{r['fitted']:.3g}", f"{r['refit']:.3g}", r["n_fit"],
                      f"{r['error_in'] * 100:+.1f}%", f"{r['error_out'] * 100:+.1f}%"] for r in report["leave_one_out"]])


def register(app: typer.Typer) -> None:
    """Add the top-level model commands to the root app."""
    app.command("roofline")(roofline)
    app.command("predict")(predict)
    app.command("compare")(compare)
    app.command("validate")(validate)
