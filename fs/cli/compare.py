"""`fsw compare`: every workload on every machine, on the same problem; table, CSV, JSON, plots."""

from __future__ import annotations

import sys
from typing import List, Optional

import typer

from fs.cli.options import JsonOption


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
            json_out: JsonOption = False,
            csv: Optional[str] = typer.Option(None, "--csv", help="Write the table as CSV."),
            plot: Optional[str] = typer.Option(
                None, "--plot", help="Write the rooflines with the workloads as points (.png/.svg/.pdf) and, "
                                     "beside it as NAME-speedup.EXT, a heat map of the speed-up over fugaku "
                                     "(or the first machine).")) -> None:
    """Predict every workload on every machine, all on the same problem: a table, CSV or JSON, and plots."""
    from archmodels.errors import InputError
    from archmodels.problem_size import PROBLEM_MODES
    from fs.cli.output import amount, check_writable, emit_json, print_table, si
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
    rows = [[r.machine, r.workload, r.nodes, amount(r.units_per_node, r.unit),
             *([amount(r.total_units, r.unit)] if system else []),
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
