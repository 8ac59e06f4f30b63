"""`fsw machines list|show|validate|project`: the machine catalog, spec-file checks and projections to a year."""

from __future__ import annotations

from typing import List

import typer

from fs.cli.options import command_group, JsonOption

app = command_group("The machine catalog: list, show (with sources), validate spec files, project to a delivery year.")


@app.command("list")
def machines_list(json_out: JsonOption = False) -> None:
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


@app.command("show")
def machines_show(machine: str = typer.Argument(..., help="Catalog name or spec file."),
                  json_out: JsonOption = False) -> None:
    """Show a machine with the source of every number."""
    from archmodels.describe import describe_machine
    from fs.cli.output import emit_described

    info = describe_machine(machine)
    emit_described(info, json_out, f"{info['name']}: {info['title']} ({info['nodes']} nodes)",
                   ["field", "value", "source"],
                   [[q["field"], q["text"], q["source"] or "-"] for q in info["quantities"]])


@app.command("validate")
def machines_validate(files: List[str] = typer.Argument(..., help="Machine spec files."),
                      json_out: JsonOption = False) -> None:
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


@app.command("project")
def machines_project(machine: str = typer.Argument(..., help="Catalog name or spec file (it needs a `year`)."),
                     year: int = typer.Option(..., "--year", help="Delivery year [year], not before the datasheet year."),
                     out: str = typer.Option(..., "--out", help="Where to write the projected machine spec (TOML)."),
                     rule: str = typer.Option("iso-power", "--rule",
                                              help="iso-power (same power, 1/s more FLOP/s) or iso-performance (same peaks, s x power)."),
                     json_out: JsonOption = False) -> None:
    """Project a machine to a delivery year by the cited roadmap (archmodels/data/roadmap.toml); write it to --out."""
    from archmodels.loaders import load_machine
    from archmodels.roadmap import write_projected_machine
    from archmodels.power import processor_energy_per_flop_j
    from fs.cli.output import check_writable, emit_json, print_table, si

    check_writable(out, "--out")
    before = load_machine(machine)
    spec = write_projected_machine(machine, year, out, rule=rule)
    after = load_machine(out)
    rows = []
    for p0, p1 in zip(before.node.processors, after.node.processors):
        rows.append({"processor": p0.name, "type": p0.type,
                     "energy_per_flop_fp64_j": [processor_energy_per_flop_j(m.node, p, "fp64")
                                                for m, p in ((before, p0), (after, p1))],
                     "peak_fp64_flop_per_s": [p.peak_for("fp64", True) for p in (p0, p1)],
                     "outer_memory": [p.outer_memory.technology for p in (p0, p1)],
                     "outer_memory_bandwidth_bytes_per_s": [p.outer_memory.bandwidth_bytes_per_s for p in (p0, p1)]})
    result = {"file": out, "name": spec["name"], "projection": spec["projection"], "processors": rows,
              "memory_bandwidth_bytes_per_s_per_node": [before.node.memory_bandwidth_bytes_per_s,
                                                        after.node.memory_bandwidth_bytes_per_s]}
    if json_out:
        emit_json(result)
        return
    proj = spec["projection"]
    print_table(f"{proj['from_machine']} {proj['from_year']} -> {spec['name']} {proj['to_year']} ({rule}), written to {out}",
                ["processor", "energy per FP64 FLOP", "FP64 peak", "outer memory", "its bandwidth"],
                [[r["processor"], " -> ".join(si(v, "J") for v in r["energy_per_flop_fp64_j"]),
                  " -> ".join(si(v, "FLOP/s") for v in r["peak_fp64_flop_per_s"]),
                  " -> ".join(str(v) for v in r["outer_memory"]),
                  " -> ".join(si(v, "B/s") for v in r["outer_memory_bandwidth_bytes_per_s"])] for r in rows])
    import sys

    sys.stdout.write(f"{len(proj['assumptions'])} assumptions: see [projection] in {out}\n")
