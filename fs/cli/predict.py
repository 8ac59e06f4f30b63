"""`fsw predict`: one workload on one machine, for a stated problem size."""

from __future__ import annotations

from typing import Optional

import typer

from fs.cli.options import JsonOption


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
            json_out: JsonOption = False) -> None:
    """Predict time, rates, bound, power and energy of a workload on a machine, for a stated problem size."""
    from archmodels.loaders import load_machine
    from archmodels.prediction import predict as run_predict
    from archmodels.problem_size import footprint_bytes_per_node
    from fs.cli.output import amount, emit_json, print_table, si

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
        ["problem per node", f"{amount(p.units_per_node, p.unit)} ({sized}; "
                             f"{si(out['footprint_bytes_per_node'], 'B')} of memory)"],
        ["problem in total", amount(out["total_units"], p.unit)],
        ["time", si(p.time_s, "s")],
        ["FLOP rate", si(p.flop_per_s, "FLOP/s")], ["work rate", f"{si(p.units_per_s, '')} {p.unit}/s"],
        ["bandwidth", si(p.bandwidth_bytes_per_s, "B/s")], ["bound", p.bound], ["power", si(p.power_w, "W")],
        ["energy", si(p.energy_j, "J")], ["efficiency", si(p.flop_per_j, "FLOP/J")],
        ["network time", si(p.network_time_s, "s")]])
